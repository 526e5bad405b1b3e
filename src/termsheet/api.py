"""The facade: what the CLI, the HTTP API and the pages call. Reads files; everything else is pure."""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .agreement.problems import Problem, TermsheetError

if TYPE_CHECKING:
    from .agreement.history import History
    from .agreement.model import Version
    from .portfolio import Portfolio

# The records and loaders below load on first use, so that ``import termsheet.api`` (and the
# command line's start) stays light: ``History``, ``Version``, ``Portfolio`` are in _EXPORTS.


def validate(path: str | Path) -> list[Problem]:
    """Every problem of a document, a folder of versions, or a folder of agreement folders (a
    portfolio, whose names are checked across its agreements); an empty list: valid."""
    from .agreement.document import parse_file
    from .agreement.history import load_history
    from .portfolio import is_portfolio, load_portfolio
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
    from .agreement.document import parse_file
    from .agreement.history import load_history
    path = Path(path)
    if path.is_dir():
        history, problems = load_history(path)
    elif path.exists():
        history, problems = parse_file(path)
    else:
        problems = [_missing(path)]
    if problems:
        raise TermsheetError(problems)
    return history


def _missing(path: Path) -> Problem:
    """No such file or folder; for ``DIR@VERSION`` where a history is wanted, how to ask for
    one version of it instead."""
    folder, at, version = str(path).rpartition("@")
    hint = (f"a command that reads the whole history takes the folder; name the version "
            f"apart (e.g. --agreement {folder} --version {version})"
            if at and folder and Path(folder).is_dir() else None)
    return Problem("E004", f"no such file or folder: {path}", str(path), hint=hint)


def load_portfolio_of(path: str | Path) -> Portfolio:
    """A portfolio from a folder of agreement folders (or one agreement's folder); raises
    TermsheetError with every problem when it is not valid."""
    from .portfolio import load_portfolio
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
    from .agreement.history import History
    loaded = load(path)
    if isinstance(loaded, History):
        return loaded
    return History(loaded.agreement, (loaded,))


def load_version(ref: str | Path, as_of: date | None = None) -> Version:
    """A version from a file, ``DIR@VERSION``, or a folder (the version in force on ``as_of``,
    or the latest)."""
    from .agreement.model import Version
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


# ---------------------------------------------------------------------------------------------
# What the command line and the server use, by name: each is loaded from its engine on first
# use (so that a command loads only the engines it needs). cli/ and web/ import nothing of
# termsheet's but this facade (tests/test_layers.py keeps it so).

_EXPORTS: dict[str, tuple[str, str]] = {
    "write_atomic": ("termsheet.agreement.atomic", "write_atomic"),
    "clause_row": ("termsheet.agreement.describe", "clause_row"),
    "not_a_file": ("termsheet.agreement.document", "not_a_file"),
    "parse": ("termsheet.agreement.document", "parse"),
    "History": ("termsheet.agreement.history", "History"),
    "agreement_files": ("termsheet.agreement.history", "agreement_files"),
    "check_chain": ("termsheet.agreement.history", "check_chain"),
    "load_history": ("termsheet.agreement.history", "load_history"),
    "json_default": ("termsheet.agreement.jsonable", "json_default"),
    "Clause": ("termsheet.agreement.model", "Clause"),
    "ClauseBase": ("termsheet.agreement.model", "ClauseBase"),
    "Version": ("termsheet.agreement.model", "Version"),
    "Problem": ("termsheet.agreement.problems", "Problem"),
    "TermsheetError": ("termsheet.agreement.problems", "TermsheetError"),
    "known_hint": ("termsheet.agreement.problems", "known_hint"),
    "render_json": ("termsheet.agreement.problems", "render_json"),
    "sort_problems": ("termsheet.agreement.problems", "sort_problems"),
    "COMMON_TERMS": ("termsheet.agreement.render", "COMMON_TERMS"),
    "run_tests": ("termsheet.authoring.expect", "run_tests"),
    "init_agreement": ("termsheet.authoring.scaffold", "init_agreement"),
    "new_version": ("termsheet.authoring.scaffold", "new_version"),
    "BuyCompute": ("termsheet.decide", "BuyCompute"),
    "Decision": ("termsheet.decide", "Decision"),
    "Distribute": ("termsheet.decide", "Distribute"),
    "GrantLicense": ("termsheet.decide", "GrantLicense"),
    "UseLicense": ("termsheet.decide", "UseLicense"),
    "decide": ("termsheet.decide", "decide"),
    "IndexCache": ("termsheet.decide.index", "IndexCache"),
    "PlanReport": ("termsheet.decide.plans", "PlanReport"),
    "check_plan": ("termsheet.decide.plans", "check_plan"),
    "load_plan": ("termsheet.decide.plans", "load_plan"),
    "parse_plan": ("termsheet.decide.plans", "parse_plan"),
    "action_text": ("termsheet.decide.text", "action_text"),
    "impact": ("termsheet.diff", "impact"),
    "Diff": ("termsheet.diff.changes", "Diff"),
    "PROVENANCE_TERMS": ("termsheet.diff.changes", "PROVENANCE_TERMS"),
    "diff": ("termsheet.diff.changes", "diff"),
    "decision_diff": ("termsheet.diff.decisions", "decision_diff"),
    "TERMS": ("termsheet.diff.glossary", "TERMS"),
    "LANGS": ("termsheet.diff.narrate", "LANGS"),
    "diff_summary": ("termsheet.diff.narrate", "summary"),
    "narrate": ("termsheet.diff.narrate", "narrate"),
    "draw_timeline": ("termsheet.diff.timeline", "draw"),
    "timeline": ("termsheet.diff.timeline", "timeline"),
    "timeline_table": ("termsheet.diff.timeline", "table"),
    "minor_unit": ("termsheet.money.currency", "minor_unit"),
    "rounded_money": ("termsheet.money.format", "rounded"),
    "compact_money": ("termsheet.money.format", "compact"),
    "money_number": ("termsheet.money.format", "number"),
    "Portfolio": ("termsheet.portfolio", "Portfolio"),
    "portfolio_calendar": ("termsheet.portfolio.calendar", "calendar"),
    "to_ics": ("termsheet.portfolio.calendar", "to_ics"),
    "find_conflicts": ("termsheet.portfolio.conflicts", "find_conflicts"),
    "counterparty": ("termsheet.settle", "counterparty"),
    "settle": ("termsheet.settle", "settle"),
    "settle_render": ("termsheet.settle", "render"),
    "MEMORY": ("termsheet.settle.backends", "MEMORY"),
    "load_rates": ("termsheet.settle.currency", "load_rates"),
    "rates_from": ("termsheet.settle.currency", "rates_from"),
    "register_csv": ("termsheet.settle.focus", "register_csv"),
    "generate": ("termsheet.settle.generate", "generate"),
    "plan_inputs": ("termsheet.settle.incremental", "plan"),
    "beancount": ("termsheet.settle.ledger", "beancount"),
    "period_end": ("termsheet.settle.lines", "period_end"),
    "Monitor": ("termsheet.settle.progress", "Monitor"),
    "to_csv": ("termsheet.settle.render", "to_csv"),
    "statements_of": ("termsheet.settle.statements", "statements_of"),
    "DEFAULT_STORE": ("termsheet.settle.store", "DEFAULT_STORE"),
    "Store": ("termsheet.settle.store", "Store"),
    "check_store_path": ("termsheet.settle.store", "check_store_path"),
    "parse_scenario": ("termsheet.simulate", "parse_scenario"),
    "simulate": ("termsheet.simulate", "simulate"),
    "write_charts": ("termsheet.simulate.charts", "write_charts"),
    "prepare": ("termsheet.simulate.run", "prepare"),
    "run_count": ("termsheet.simulate.sensitivity", "run_count"),
    "tornado": ("termsheet.simulate.sensitivity", "tornado"),
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'termsheet.api' has no attribute {name!r}")
    module, attr = _EXPORTS[name]
    owner = importlib.import_module(module)
    # a name is an attribute of its module, or a submodule (``settle_render``: termsheet.settle.render)
    value = getattr(owner, attr) if hasattr(owner, attr) \
        else importlib.import_module(f"{module}.{attr}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
