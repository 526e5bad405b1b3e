"""The versions of one agreement: the amendment chain, the version in force, effective windows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from .document import parse_file
from .model import Span, Version
from .problems import Problem, TermsheetError


@dataclass(frozen=True, slots=True)
class History:
    """Versions of one agreement, ordered by effective date."""

    agreement: str
    versions: tuple[Version, ...]

    def in_force(self, day: date) -> Version | None:
        """The latest version whose effective date is on or before ``day``; None before the first."""
        current = None
        for version in self.versions:
            if version.effective <= day:
                current = version
            else:
                break
        return current

    def window(self, version: Version) -> tuple[date, date | None]:
        """First and last day (inclusive; None: still in force) that a version is in force."""
        index = self.index(version.version)
        following = self.versions[index + 1] if index + 1 < len(self.versions) else None
        return version.effective, (following.effective - timedelta(days=1) if following else None)

    def windows(self) -> list[tuple[Version, date, date | None]]:
        return [(v, *self.window(v)) for v in self.versions]

    def index(self, version_id: str) -> int:
        for index, version in enumerate(self.versions):
            if version.version == version_id:
                return index
        raise KeyError(version_id)

    def get(self, version_id: str) -> Version:
        """A version by id; raises TermsheetError naming the known ids."""
        for version in self.versions:
            if version.version == version_id:
                return version
        from .problems import known_hint
        raise TermsheetError([Problem("E030", f"no version '{version_id}' in agreement "
                                      f"'{self.agreement}'", self.agreement,
                                      hint=known_hint(version_id,
                                                      [v.version for v in self.versions]))])

    @property
    def first(self) -> Version:
        return self.versions[0]

    @property
    def latest(self) -> Version:
        return self.versions[-1]

    # notebooks: a short repr, an HTML table of the versions, Arrow and pandas tables of them

    def __repr__(self) -> str:
        return (f"<History {self.agreement}: {len(self.versions)} versions, "
                f"{self.first.effective} → {self.latest.effective}>")

    def version_rows(self) -> list[dict]:
        return [{"version": v.version, "effective": start, "until": end, "title": v.title,
                 "amends": v.amends, "clauses": len(v.clauses)}
                for v, start, end in self.windows()]

    def _repr_html_(self) -> str:
        from .tables import html_table
        return html_table(self.version_rows(), f"{self.agreement}: {len(self.versions)} versions")

    def to_arrow(self):
        from .tables import to_arrow
        return to_arrow(self.version_rows())

    def to_pandas(self):
        from .tables import to_pandas
        return to_pandas(self.version_rows())


def check_chain(versions: list[Version]) -> list[Problem]:
    """Every ``amends`` names a version, no cycles, no version effective before what it amends."""
    problems: list[Problem] = []
    by_id: dict[str, Version] = {}
    for version in versions:
        if version.version in by_id:
            problems.append(_at(version, "version", "E033",
                                f"version '{version.version}' appears twice (also in "
                                f"{by_id[version.version].path})"))
        by_id.setdefault(version.version, version)
    agreements = sorted({v.agreement for v in versions})
    if len(agreements) > 1:
        for version in versions:
            if version.agreement != versions[0].agreement:
                problems.append(_at(version, "agreement", "E034",
                                    f"agreement '{version.agreement}' differs from "
                                    f"'{versions[0].agreement}' in {versions[0].path}"))
    for version in versions:
        if version.amends is None:
            continue
        amended = by_id.get(version.amends)
        if amended is None:
            from .problems import known_hint
            problems.append(_at(version, "amends", "E030",
                                f"amends '{version.amends}', which is no version here",
                                known_hint(version.amends, by_id)))
        elif amended.effective > version.effective:
            problems.append(_at(version, "amends", "E032",
                                f"effective {version.effective} is before {amended.effective}, "
                                f"the effective date of the version it amends"))
    for version in versions:
        seen = {version.version}
        current = version
        while current.amends is not None and current.amends in by_id:
            if current.amends in seen:
                problems.append(_at(version, "amends", "E031",
                                    f"the amendment chain from '{version.version}' loops back "
                                    f"to '{current.amends}'"))
                break
            seen.add(current.amends)
            current = by_id[current.amends]
    return problems


def _at(version: Version, term: str, code: str, message: str, hint: str | None = None) -> Problem:
    span = version.term_spans.get(term) or version.span or Span(version.path, 1, 1)
    return Problem(code, message, span.path, span.line, span.column, None, hint)


def agreement_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.md") if p.name.lower() != "readme.md")


def load_history(folder: str | Path) -> tuple[History | None, list[Problem]]:
    """Load every version in a folder; the history, or None and every problem found."""
    folder = Path(folder)
    files = agreement_files(folder)
    if not files:
        return None, [Problem("E035", f"no agreement documents (*.md) in {folder}", str(folder))]
    versions, problems = [], []
    for path in files:
        version, found = parse_file(path)
        problems.extend(found)
        if version is not None:
            versions.append(version)
    problems.extend(check_chain(versions))
    if problems:
        return None, problems
    versions.sort(key=lambda v: (v.effective, v.version))
    return History(versions[0].agreement, tuple(versions)), []
