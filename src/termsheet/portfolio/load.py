"""A folder of agreements loaded as one: their histories, and one set of names across them.

Each agreement names parties, channels and products with its own ids. Across a portfolio two ids
name the same thing when they are equal, or when an entry declares ``same-as: ID``: "what this
document calls ``bedrock`` is what the portfolio calls ``aws``". A ``same-as`` must name an id that
another agreement of the portfolio declares in the same table (E081); two folders may not hold the
same agreement (E080).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..agreement.history import History, agreement_files, load_history
from ..agreement.model import Span, Version
from ..agreement.problems import Problem, TermsheetError, known_hint

TABLES = ("parties", "channels", "products")


@dataclass(frozen=True)
class Names:
    """One version's ids mapped to the portfolio's: ``canon("channels", "bedrock") == "aws"``."""

    tables: dict[str, dict[str, str]]

    def canon(self, table: str, local: str) -> str:
        return self.tables.get(table, {}).get(local, local)

    def local(self, table: str, canonical: str) -> str | None:
        """This version's id for a portfolio id (None when the version does not name it)."""
        for key, value in self.tables.get(table, {}).items():
            if value == canonical:
                return key
        return None


def names_of(version: Version) -> Names:
    tables = {}
    for table in TABLES:
        entries = getattr(version, table)
        tables[table] = {key: (getattr(entry, "same_as", None) or key)
                         for key, entry in entries.items()}
    return Names(tables)


@dataclass
class Portfolio:
    """The agreements under one folder, by agreement id, with the folder each came from."""

    root: Path
    histories: dict[str, History] = field(default_factory=dict)
    folders: dict[str, Path] = field(default_factory=dict)

    @property
    def ids(self) -> list[str]:
        return sorted(self.histories)

    def __iter__(self) -> Iterator[History]:
        return iter(self.histories[a] for a in self.ids)

    def __len__(self) -> int:
        return len(self.histories)

    def versions(self) -> Iterator[tuple[History, Version]]:
        for history in self:
            for version in history.versions:
                yield history, version

    def names(self, version: Version) -> Names:
        return names_of(version)

    def catalog(self, table: str) -> dict[str, list[tuple[str, str, Any]]]:
        """Every portfolio id of a table: the (agreement, local id, entry) that declare it, latest
        version of each agreement first."""
        out: dict[str, list[tuple[str, str, Any]]] = {}
        for history in self:
            seen: set[str] = set()
            for version in reversed(history.versions):
                names = names_of(version)
                for key, entry in getattr(version, table).items():
                    canonical = names.canon(table, key)
                    if (canonical, key) in seen:
                        continue
                    seen.add((canonical, key))
                    out.setdefault(canonical, []).append((history.agreement, key, entry))
        return out

    def summary(self) -> list[dict[str, Any]]:
        rows = []
        for history in self:
            latest = history.latest
            rows.append({"agreement": history.agreement, "title": latest.title,
                         "versions": len(history.versions), "first": history.first.effective,
                         "latest": latest.effective, "folder": str(self.folders[history.agreement]),
                         "parties": {names_of(latest).canon("parties", k): p.name
                                     for k, p in latest.parties.items()}})
        return rows


def agreement_folders(root: Path) -> list[Path]:
    """The agreement folders of a portfolio: ``root`` itself if it holds documents, else every
    subfolder that does."""
    if agreement_files(root):
        return [root]
    return sorted(p for p in root.iterdir() if p.is_dir() and agreement_files(p))


def is_portfolio(path: str | Path) -> bool:
    """A folder holding no documents itself but agreement folders."""
    path = Path(path)
    return path.is_dir() and not agreement_files(path) and bool(agreement_folders(path))


def load_portfolio(root: str | Path) -> tuple[Portfolio | None, list[Problem]]:
    """Every agreement under ``root`` and every problem (of each document, of each amendment
    chain, and of names across the agreements)."""
    root = Path(root)
    if not root.is_dir():
        return None, [Problem("E004", f"no such folder: {root}", str(root))]
    folders = agreement_folders(root)
    if not folders:
        return None, [Problem("E035", f"no agreement folders (folders of *.md) in {root}",
                              str(root))]
    portfolio, problems = Portfolio(root), []
    for folder in folders:
        history, found = load_history(folder)
        problems.extend(found)
        if history is None:
            continue
        if history.agreement in portfolio.histories:
            first = history.first
            span = first.term_spans.get("agreement") or first.span or Span(first.path, 1)
            problems.append(Problem(
                "E080", f"agreement '{history.agreement}' is also in "
                f"{portfolio.folders[history.agreement]}", span.path, span.line, span.column,
                hint="each agreement has one folder in a portfolio"))
            continue
        portfolio.histories[history.agreement] = history
        portfolio.folders[history.agreement] = folder
    problems.extend(check_names(portfolio))
    return (None if problems else portfolio), problems


def check_names(portfolio: Portfolio) -> list[Problem]:
    """Each ``same-as`` names an id another agreement of the portfolio declares."""
    declared: dict[str, dict[str, set[str]]] = {t: {} for t in TABLES}
    for history, version in portfolio.versions():
        for table in TABLES:
            for key in getattr(version, table):
                declared[table].setdefault(key, set()).add(history.agreement)
    problems = []
    reported: set[tuple] = set()
    for history, version in portfolio.versions():
        for table in TABLES:
            for key, entry in getattr(version, table).items():
                target = getattr(entry, "same_as", None)
                if target is None:
                    continue
                others = declared[table].get(target, set()) - {history.agreement}
                if others or (history.agreement, table, key, target) in reported:
                    continue
                reported.add((history.agreement, table, key, target))
                span = version.term_spans.get(f"{table}.{key}.same-as") or \
                    version.term_spans.get(f"{table}.{key}") or version.span or \
                    Span(version.path, 1)
                candidates = {k for k, agreements in declared[table].items()
                              if agreements - {history.agreement}}
                problems.append(Problem(
                    "E081", f"{table}.{key} is same-as '{target}', which no other agreement of "
                    f"the portfolio declares in its {table}", span.path, span.line, span.column,
                    hint=known_hint(target, candidates) if candidates else
                    f"no other agreement declares {table}"))
    return problems


def load(root: str | Path) -> Portfolio:
    """A portfolio; raises TermsheetError with every problem when it is not valid."""
    portfolio, problems = load_portfolio(root)
    if problems:
        raise TermsheetError(problems)
    return portfolio
