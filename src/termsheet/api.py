"""The facade: what the CLI, the HTTP API and the pages call. Reads files; everything else is pure."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from .agreement.document import parse_file
from .agreement.history import History, load_history
from .agreement.model import Version
from .agreement.problems import Problem, TermsheetError
from .portfolio import Portfolio, is_portfolio, load_portfolio


def validate(path: str | Path) -> list[Problem]:
    """Every problem of a document, a folder of versions, or a folder of agreement folders (a
    portfolio, whose names are checked across its agreements); an empty list: valid."""
    path = Path(path)
    if is_portfolio(path):
        return load_portfolio(path)[1]
    if path.is_dir():
        return load_history(path)[1]
    if not path.exists():
        return [Problem("E004", f"no such file or folder: {path}", str(path))]
    return parse_file(path)[1]


def load(path: str | Path) -> Version | History:
    """A file gives its Version; a folder gives the History of its versions.

    Raises TermsheetError with every problem when the input is not valid.
    """
    path = Path(path)
    if path.is_dir():
        history, problems = load_history(path)
    elif path.exists():
        history, problems = parse_file(path)
    else:
        problems = [Problem("E004", f"no such file or folder: {path}", str(path))]
    if problems:
        raise TermsheetError(problems)
    return history


def load_portfolio_of(path: str | Path) -> Portfolio:
    """A portfolio from a folder of agreement folders (or one agreement's folder); raises
    TermsheetError with every problem when it is not valid."""
    path = Path(path)
    if not path.exists():
        raise TermsheetError([Problem("E004", f"no such folder: {path}", str(path))])
    if not path.is_dir():
        raise TermsheetError([Problem("E004", f"{path} is a file, not a folder of agreements",
                                      str(path), hint="pass a folder such as agreements/")])
    portfolio, problems = load_portfolio(path)
    if problems:
        raise TermsheetError(problems)
    return portfolio


def load_history_of(path: str | Path) -> History:
    """A History from a folder, or from a single file (a history of one version).

    ``DIR@VERSION`` is not accepted here; see :func:`load_version`.
    """
    loaded = load(path)
    if isinstance(loaded, History):
        return loaded
    return History(loaded.agreement, (loaded,))


def load_version(ref: str | Path, as_of: date | None = None) -> Version:
    """A version from a file, ``DIR@VERSION``, or a folder (the version in force on ``as_of``,
    or the latest)."""
    text = str(ref)
    if "@" in text and not Path(text).exists():
        folder, _, version_id = text.rpartition("@")
        return load_history_of(folder).get(version_id)
    loaded = load(ref)
    if isinstance(loaded, Version):
        if as_of is not None and as_of < loaded.effective:
            raise TermsheetError([Problem(
                "E040", f"version {loaded.version} is not in force on {as_of}", str(ref),
                hint=f"it is effective {loaded.effective}")])
        return loaded
    if as_of is None:
        return loaded.latest
    version = loaded.in_force(as_of)
    if version is None:
        raise TermsheetError([Problem(
            "E040", f"no version in force on {as_of}", str(ref),
            hint=f"the first version, {loaded.first.version}, is effective "
                 f"{loaded.first.effective}")])
    return version


def conflicts(path: str | Path, start: date | None = None, end: date | None = None,
              events: dict[str, date] | None = None):
    """Every conflict between the agreements under ``path`` (see
    :mod:`termsheet.portfolio.conflicts`)."""
    from .portfolio.conflicts import find_conflicts
    return find_conflicts(load_portfolio_of(path), start, end, events)


def calendar(path: str | Path, start: date | None = None, end: date | None = None,
             events: dict[str, date] | None = None):
    """Every dated duty and deadline of the agreements under ``path`` (see
    :mod:`termsheet.portfolio.calendar`)."""
    from .portfolio.calendar import calendar as build
    return build(load_portfolio_of(path), start, end, events)
