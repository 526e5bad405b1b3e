"""Agreement tests: expected decisions and statement amounts, kept beside the versions.

An agreement folder may hold a ``tests.yaml``::

    decisions:
      - name: OpenAI may not sell its API on AWS in 2024
        date: 2024-06-01
        action: distribute
        party: openai
        product: openai-api
        channel: aws
        expect: {decision: forbidden, version: 2023-01-23, deciding: [api-exclusivity]}
    statements:
      - name: April 2026, across the version change
        data: revenue.csv
        from: 2026-04-01
        to: 2026-04-30
        expect:
          lines:
            - {clause: revenue-share-to-microsoft, version: 2026-02-27, period: 2026-04, amount: "200.00"}

:func:`run_tests` decides each decision case and settles each statement case against the folder's
history, and compares what it got with what the case expects; every difference is a
:class:`Mismatch` with the position of the expected value in ``tests.yaml``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable

from ..agreement import yamlpos
from ..agreement.history import History, agreement_files, load_history
from ..agreement.problems import Problem, TermsheetError

TESTS_FILE = "tests.yaml"

ACTIONS = {
    "distribute": ("party", "product", "channel"),
    "use-license": ("licensee", "licensor", "subject"),
    "grant-license": ("licensor", "to", "subject"),
    "buy-compute": ("party", "from"),
}
DECISION_KEYS = {"name", "date", "action", "facts", "events", "available", "version", "exclusive",
                 "expect", *(k for keys in ACTIONS.values() for k in keys)}
DECISION_EXPECT = {"decision", "version", "deciding", "obligations"}
STATEMENT_KEYS = {"name", "data", "from", "to", "events", "expect"}
STATEMENT_EXPECT = {"lines", "statements", "balanced", "quarantined"}
LINE_KEYS = {"clause", "period", "version", "kind", "payer", "payee", "amount", "base", "rows"}
LINE_MATCH = ("clause", "period", "version", "kind", "payer", "payee")
TOTAL_KEYS = {"payer", "payee", "period", "total"}
WORDS = {"allowed": True, "forbidden": False, True: True, False: False}


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One expectation that did not hold: what, expected, got, and where it is written."""

    what: str
    expected: Any
    got: Any
    line: int
    column: int

    def to_dict(self) -> dict:
        return {"what": self.what, "expected": self.expected, "got": self.got,
                "line": self.line, "column": self.column}


@dataclass(frozen=True, slots=True)
class CaseResult:
    """One case of a tests file and how it went."""

    agreement: str
    path: str
    section: str  # "decisions" or "statements"
    index: int  # 1-based position in its section
    name: str
    line: int
    column: int
    mismatches: tuple[Mismatch, ...] = ()
    error: str | None = None
    got: str = ""  # a short account of the answer, for the report

    @property
    def ok(self) -> bool:
        return not self.mismatches and self.error is None

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"

    def to_dict(self) -> dict:
        return {"agreement": self.agreement, "path": self.path, "section": self.section,
                "index": self.index, "name": self.name, "line": self.line,
                "column": self.column, "ok": self.ok, "error": self.error, "got": self.got,
                "mismatches": [m.to_dict() for m in self.mismatches]}


@dataclass(frozen=True)
class TestReport:
    """Every case run, and the agreement folders that carry no tests."""

    results: tuple[CaseResult, ...]
    folders: tuple[str, ...] = ()
    untested: tuple[str, ...] = field(default=())

    __test__ = False  # not a pytest class

    @property
    def passed(self) -> int:
        return sum(r.ok for r in self.results)

    @property
    def failed(self) -> int:
        return len(self.results) - self.passed

    @property
    def ok(self) -> bool:
        return self.failed == 0

    def to_dict(self) -> dict:
        return {"ok": self.ok, "passed": self.passed, "failed": self.failed,
                "folders": list(self.folders), "untested": list(self.untested),
                "results": [r.to_dict() for r in self.results]}


# ---------------------------------------------------------------------------------------------
# finding and reading tests files


def agreement_folders(path: str | Path) -> tuple[list[Path], list[Problem]]:
    """One agreement folder (it holds versions, *.md), or the agreement folders inside a folder."""
    path = Path(path)
    if path.is_file() and path.name == TESTS_FILE:
        return [path.parent], []
    if not path.is_dir():
        return [], [Problem("E004", f"no such folder: {path}", str(path),
                            hint="give an agreement folder or a folder of them")]
    if agreement_files(path):
        return [path], []
    inside = sorted(p for p in path.iterdir() if p.is_dir() and agreement_files(p))
    if not inside:
        return [], [Problem("E035", f"no agreement folders (folders of *.md versions) in {path}",
                            str(path))]
    return inside, []


@dataclass(frozen=True)
class TestsFile:
    path: Path
    data: dict
    positions: dict

    __test__ = False

    def at(self, *keys: Any) -> tuple[int, int]:
        return yamlpos.position(self.positions, keys)


def load_tests(folder: str | Path) -> tuple[TestsFile | None, list[Problem]]:
    """A folder's tests file, checked for shape; None (and no problems) when it has none."""
    path = Path(folder) / TESTS_FILE
    if not path.exists():
        return None, []
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        return None, [Problem("E004", f"cannot read {path}: {err}", str(path))]
    try:
        data, positions = yamlpos.load(text)
    except yamlpos.YamlError as err:
        return None, [Problem("E001", err.message, str(path), err.line, err.column)]
    tests = TestsFile(path, data if data is not None else {}, positions)
    return tests, check_tests(tests)


def check_tests(tests: TestsFile) -> list[Problem]:
    """Every problem of shape: unknown keys, missing keys, values of the wrong kind."""
    problems: list[Problem] = []

    def bad(keys: tuple, message: str, hint: str | None = None) -> None:
        line, column = tests.at(*keys)
        problems.append(Problem("E090", message, str(tests.path), line, column, None, hint))

    def keys_of(item: Any, keys: tuple, allowed: set[str], required: Iterable[str],
                what: str) -> bool:
        if not isinstance(item, dict):
            bad(keys, f"{what} must be a mapping")
            return False
        for key in item:
            if key not in allowed:
                line, column = tests.at(*keys, key, "<key>")
                from ..agreement.problems import known_hint
                problems.append(Problem("E090", f"unknown key '{key}' in {what}",
                                        str(tests.path), line, column, None,
                                        known_hint(str(key), allowed)))
        for key in required:
            if key not in item:
                bad(keys, f"{what} has no '{key}'")
        return True

    data = tests.data
    if not keys_of(data, (), {"decisions", "statements"}, (), "a tests file"):
        return problems
    for section in ("decisions", "statements"):
        if section in data and not isinstance(data[section], list):
            bad((section,), f"'{section}' must be a list of cases")
    for i, case in enumerate(_section(data, "decisions")):
        where = f"decision case {i + 1}"
        if not keys_of(case, ("decisions", i), DECISION_KEYS, ("name", "date", "action",
                                                                 "expect"), where):
            continue
        if not isinstance(case.get("date"), (date, type(None))):
            bad(("decisions", i, "date"), f"{where}: 'date' is not a date (YYYY-MM-DD)")
        action = case.get("action")
        if action is not None and action not in ACTIONS:
            from ..agreement.problems import known_hint
            bad(("decisions", i, "action"), f"{where}: unknown action '{action}'",
                known_hint(str(action), ACTIONS))
        elif action is not None:
            for key in ACTIONS[action]:
                if key not in case:
                    bad(("decisions", i), f"{where}: a {action} action needs '{key}'")
        _check_dates(case.get("events"), ("decisions", i, "events"), where, bad)
        _check_dates(case.get("available"), ("decisions", i, "available"), where, bad)
        expect = case.get("expect")
        if "expect" in case and keys_of(expect, ("decisions", i, "expect"), DECISION_EXPECT,
                                        ("decision",), f"{where}: expect"):
            if "decision" in expect and expect["decision"] not in WORDS:
                bad(("decisions", i, "expect", "decision"),
                    f"{where}: expect a decision of 'allowed' or 'forbidden'")
    for i, case in enumerate(_section(data, "statements")):
        where = f"statement case {i + 1}"
        if not keys_of(case, ("statements", i), STATEMENT_KEYS, ("name", "data", "expect"),
                       where):
            continue
        for key in ("from", "to"):
            if key in case and not isinstance(case[key], date):
                bad(("statements", i, key), f"{where}: '{key}' is not a date (YYYY-MM-DD)")
        _check_dates(case.get("events"), ("statements", i, "events"), where, bad)
        files = case.get("data")
        files = files if isinstance(files, list) else [files]
        for j, name in enumerate(files):
            if "data" in case and not isinstance(name, str):
                bad(("statements", i, "data"), f"{where}: 'data' names files beside tests.yaml")
            elif "data" in case and not (tests.path.parent / name).is_file():
                bad(("statements", i, "data") + ((j,) if isinstance(case["data"], list) else ()),
                    f"{where}: no data file '{name}' beside {TESTS_FILE}")
        expect = case.get("expect")
        if "expect" not in case or not keys_of(expect, ("statements", i, "expect"),
                                                STATEMENT_EXPECT, (), f"{where}: expect"):
            continue
        for j, item in enumerate(_section(expect, "lines")):
            if keys_of(item, ("statements", i, "expect", "lines", j), LINE_KEYS,
                       ("clause", "period"), f"{where}: expected line {j + 1}"):
                _check_numbers(item, ("amount", "base", "rows"),
                               ("statements", i, "expect", "lines", j), where, bad)
        for j, item in enumerate(_section(expect, "statements")):
            if keys_of(item, ("statements", i, "expect", "statements", j), TOTAL_KEYS,
                       TOTAL_KEYS, f"{where}: expected statement {j + 1}"):
                _check_numbers(item, ("total",), ("statements", i, "expect", "statements", j),
                               where, bad)
    return problems


def _section(data: Any, key: str) -> list:
    value = data.get(key) if isinstance(data, dict) else None
    return value if isinstance(value, list) else []


def _check_dates(value: Any, keys: tuple, where: str, bad) -> None:
    if value is None:
        return
    if not isinstance(value, dict):
        bad(keys, f"{where}: '{keys[-1]}' maps names to dates")
        return
    for name, day in value.items():
        if not isinstance(day, date):
            bad(keys + (name,), f"{where}: '{name}' is not a date (YYYY-MM-DD)")


def _check_numbers(item: dict, names: tuple, keys: tuple, where: str, bad) -> None:
    for name in names:
        if name in item and _decimal(item[name]) is None:
            bad(keys + (name,), f"{where}: '{name}' is not a number")


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).replace(",", ""))
    except InvalidOperation:
        return None


# ---------------------------------------------------------------------------------------------
# running


def run_tests(paths: Iterable[str | Path]) -> TestReport:
    """Run the tests of every agreement folder given (or inside the folders given).

    Raises TermsheetError when a folder or a tests file has problems (nothing runs then), or when
    no folder has any tests.
    """
    folders: list[Path] = []
    problems: list[Problem] = []
    for path in paths:
        found, trouble = agreement_folders(path)
        folders += found
        problems += trouble
    loaded: list[tuple[Path, History, TestsFile]] = []
    untested: list[str] = []
    for folder in folders:
        tests, trouble = load_tests(folder)
        problems += trouble
        if tests is None:
            untested.append(str(folder))
            continue
        history, trouble = load_history(folder)
        problems += trouble
        if history is not None:
            loaded.append((folder, history, tests))
    if problems:
        raise TermsheetError(problems)
    if not loaded:
        where = ", ".join(str(p) for p in paths)
        raise TermsheetError([Problem("E091", f"no {TESTS_FILE} in {where}", where,
                                      hint="termsheet init NAME writes an agreement folder "
                                           "with one")])
    results: list[CaseResult] = []
    for folder, history, tests in loaded:
        results += run_file(history, tests)
    return TestReport(tuple(results), tuple(str(f) for f, _, _ in loaded), tuple(untested))


def run_file(history: History, tests: TestsFile) -> list[CaseResult]:
    out = [_decision_case(history, tests, i, case)
           for i, case in enumerate(_section(tests.data, "decisions"))]
    out += [_statement_case(history, tests, i, case)
            for i, case in enumerate(_section(tests.data, "statements"))]
    return out


def _text(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def _action(case: dict):
    from ..decide import BuyCompute, Distribute, GrantLicense, UseLicense
    day, facts = case["date"], frozenset(str(f) for f in case.get("facts") or [])
    kind = case["action"]
    if kind == "distribute":
        return Distribute(str(case["party"]), str(case["product"]), str(case["channel"]), day,
                          facts, dict(case.get("available") or {}))
    if kind == "use-license":
        return UseLicense(str(case["licensee"]), str(case["licensor"]), str(case["subject"]),
                          day, facts)
    if kind == "grant-license":
        return GrantLicense(str(case["licensor"]), str(case["to"]), str(case["subject"]), day,
                            bool(case.get("exclusive", False)), facts)
    return BuyCompute(str(case["party"]), str(case["from"]), day, facts)


def _result(history: History, tests: TestsFile, section: str, i: int, case: dict,
            **rest: Any) -> CaseResult:
    line, column = tests.at(section, i)
    return CaseResult(history.agreement, str(tests.path), section, i + 1, str(case["name"]),
                      line, column, **rest)


def _decision_case(history: History, tests: TestsFile, i: int, case: dict) -> CaseResult:
    from ..decide import decide
    try:
        version = case.get("version")
        decision = decide(history, _action(case), dict(case.get("events") or {}),
                          version=_text(version) if version is not None else None)
    except TermsheetError as err:
        return _result(history, tests, "decisions", i, case, error=str(err))
    expect = case["expect"]
    keys = ("decisions", i, "expect")
    word = "allowed" if decision.allowed else "forbidden"
    got = {"decision": word, "version": decision.version,
           "deciding": list(decision.clause_ids),
           "obligations": [o.clause for o in decision.obligations]}
    wanted = {"decision": "allowed" if WORDS[expect["decision"]] else "forbidden"}
    if "version" in expect:
        wanted["version"] = _text(expect["version"])
    for key in ("deciding", "obligations"):
        if key in expect:
            value = expect[key]
            wanted[key] = [str(v) for v in (value if isinstance(value, list) else [value])]
    mismatches = tuple(Mismatch(key, value, got[key], *tests.at(*keys, key))
                       for key, value in wanted.items() if got[key] != value)
    summary = f"{word} under {decision.version}"
    if decision.clause_ids:
        summary += f" by {', '.join(decision.clause_ids)}"
    if mismatches:
        summary += "; " + " ".join(decision.reasons)
    return _result(history, tests, "decisions", i, case, mismatches=mismatches, got=summary)


def _statement_case(history: History, tests: TestsFile, i: int, case: dict) -> CaseResult:
    from ..settle import settle
    files = case["data"] if isinstance(case["data"], list) else [case["data"]]
    try:
        result = settle(history, [str(tests.path.parent / f) for f in files],
                        start=case.get("from"), end=case.get("to"),
                        events=dict(case.get("events") or {}))
    except TermsheetError as err:
        return _result(history, tests, "statements", i, case, error=str(err))
    expect = case["expect"]
    keys = ("statements", i, "expect")
    mismatches: list[Mismatch] = []
    for j, item in enumerate(_section(expect, "lines")):
        mismatches += _line_mismatches(result.lines, item, tests, keys + ("lines", j))
    for j, item in enumerate(_section(expect, "statements")):
        where = keys + ("statements", j)
        found = [s for s in result.statements
                 if (s.payer, s.payee, s.period) == (str(item["payer"]), str(item["payee"]),
                                                     _text(item["period"]))]
        what = f"statement {item['payer']} → {item['payee']} {_text(item['period'])} total"
        got = found[0].total if found else "no statement"
        if not found or found[0].total != _decimal(item["total"]):
            mismatches.append(Mismatch(what, str(item["total"]), _plain(got),
                                       *tests.at(*where, "total")))
    if "balanced" in expect and bool(expect["balanced"]) != result.balanced:
        mismatches.append(Mismatch("balanced", bool(expect["balanced"]), result.balanced,
                                   *tests.at(*keys, "balanced")))
    if "quarantined" in expect:
        count = len(result.quarantine)
        if _decimal(expect["quarantined"]) != count:
            mismatches.append(Mismatch("quarantined rows", expect["quarantined"], count,
                                       *tests.at(*keys, "quarantined")))
    total = sum((line.amount for line in result.lines), Decimal(0))
    currencies = sorted({line.currency for line in result.lines})
    got = f"{len(result.lines)} line(s), {_plain(total)} {'/'.join(currencies)}".rstrip()
    return _result(history, tests, "statements", i, case, mismatches=tuple(mismatches), got=got)


def _line_mismatches(lines, item: dict, tests: TestsFile, where: tuple) -> list[Mismatch]:
    wanted = {key: _text(item[key]) for key in LINE_MATCH if key in item}
    found = [line for line in lines if all(_line_value(line, k, v) for k, v in wanted.items())]
    name = " ".join(wanted[k] for k in ("clause", "version", "period", "kind") if k in wanted)
    if not found:
        close = [f"{line.clause} {line.version} {line.label}" for line in lines
                 if line.clause == wanted["clause"]] or \
                [f"{line.clause} {line.label}" for line in lines]
        return [Mismatch(f"line {name}", "a line", "no such line" + (
            f" (lines: {', '.join(close[:6])})" if close else " (no lines at all)"),
            *tests.at(*where))]
    if len(found) > 1:
        return [Mismatch(f"line {name}", "one line", f"{len(found)} lines (versions "
                         f"{', '.join(sorted({line.version for line in found}))}); name the "
                         f"version or the kind", *tests.at(*where))]
    line = found[0]
    out = []
    for key in ("amount", "base", "rows"):
        if key in item and _decimal(item[key]) != _decimal(getattr(line, key)):
            out.append(Mismatch(f"line {name} {key}", str(item[key]),
                                _plain(getattr(line, key)), *tests.at(*where, key)))
    return out


def _line_value(line, key: str, wanted: str) -> bool:
    """Whether a line has a value: a period is its label (2026-04, 2026-Q2, 2026) or first day."""
    if key == "period":
        return wanted in (line.label, line.period.isoformat())
    return str(getattr(line, key)) == wanted


def _plain(value: Any) -> Any:
    """A Decimal as plain text (never 1E+2); other values as they are."""
    if isinstance(value, Decimal):
        return format(value, "f")
    return value
