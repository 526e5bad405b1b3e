"""Problems are values: a code, a position, the clause they concern, a message and a hint.

One renderer per surface: ``render_text`` (``path:line:col: E012 message (hint)``) and
``render_json`` (``{"ok": false, "errors": [...]}``).
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass
from typing import Iterable

CODES = {
    "E001": "YAML syntax error",
    "E002": "terms fence never closed",
    "E003": "front matter missing or malformed",
    "E004": "file cannot be read",
    "E010": "unknown party",
    "E011": "unknown channel",
    "E012": "unknown product",
    "E013": "unknown event",
    "E014": "unknown condition",
    "E015": "unknown source",
    "E016": "unknown clause kind",
    "E017": "unknown territory or field of use",
    "E020": "duplicate clause id",
    "E021": "missing term",
    "E022": "unknown term",
    "E023": "bad value",
    "E024": "bad date",
    "E025": "until before from",
    "E026": "rate outside 0-100%",
    "E027": "tiers not ascending",
    "E028": "negative amount",
    "E029": "rate and tiers both given, or neither",
    "E030": "amends names no version",
    "E031": "cycle in the amendment chain",
    "E032": "effective before the version it amends",
    "E033": "duplicate version",
    "E034": "versions of different agreements in one folder",
    "E035": "no versions found",
    "E036": "schedule not in date order",
    "E037": "an id that cannot be a file name",
    "E040": "no version in force on a date",
    "E050": "no input files",
    "E051": "input file unreadable, or its format unknown",
    "E052": "neither a FOCUS export nor a revenue table",
    "E053": "unknown or unavailable engine",
    "E054": "period ends before it starts",
    "E055": "store cannot be opened",
    "E056": "unknown output format",
    "E057": "dates a run cannot settle: a partial settlement period, or outside 0001-01-01 to 9998-12-31",
    "E058": "exchange-rate table unreadable, lacking a column, or with a bad row",
    "E059": "memory limit, temporary or output directory unusable",
    "E060": "input rows lost between the line count and the reconciliation",
    "E061": "output file cannot be written",
    "E062": "an input lacks the column a clause's tiers apply per group of (tiers.by)",
    "E070": "unknown stream in a scenario",
    "E071": "unknown parameter, clause or term in a scenario",
    "E072": "negative volatility",
    "E073": "probability outside [0, 1]",
    "E074": "correlations that cannot hold",
    "E075": "scenario for another agreement",
    "E080": "an agreement in two folders of a portfolio",
    "E081": "same-as names an id no other agreement of the portfolio declares",
    "E090": "agreement tests file: a case of the wrong shape",
    "E091": "no agreement tests found",
}


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str
    path: str
    line: int = 1
    column: int = 1
    clause: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}:{self.column}"
        text = f"{where}: {self.code} {self.message}"
        if self.clause:
            text += f" in clause '{self.clause}'"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def to_dict(self) -> dict:
        return asdict(self)


def known_hint(name: str, known: Iterable[str]) -> str:
    """'did you mean ...? known: a, b, c' for an unknown name."""
    known = sorted(set(known))
    if not known:
        return "none are defined"
    text = f"known: {', '.join(known)}"
    close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.5)
    if close:
        text = f"did you mean '{close[0]}'? {text}"
    return text


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (p.path, p.line, p.column, p.code))


def render_text(problems: Iterable[Problem]) -> str:
    return "\n".join(str(p) for p in sort_problems(problems))


def render_json(problems: Iterable[Problem]) -> dict:
    items = [p.to_dict() for p in sort_problems(problems)]
    return {"ok": not items, "errors": items}


class TermsheetError(Exception):
    """Bad input that stops an operation; carries the problems that explain it."""

    def __init__(self, problems: list[Problem] | str):
        if isinstance(problems, str):
            problems = [Problem("E000", problems, "<input>")]
        self.problems = list(problems)
        super().__init__(render_text(self.problems))
