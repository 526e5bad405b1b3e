"""Scenarios: the futures a simulation draws, read from YAML with positioned problems.

A scenario names a horizon (``first-year``, ``horizon`` in years), how many futures to draw and
from which ``seed``, a ``discount-rate``; revenue ``streams`` (each a revenue row: seller,
channel, product) and issuer value paths (``value-of: party``), both lognormal with a yearly
growth mean and volatility, with ``correlations`` between them; ``events`` as a probability per
year, a fixed date, or ``never``; and ``terms`` that override an agreement's assumed terms.

Every number stays a ``Decimal`` here; floats begin in :mod:`termsheet.simulate.paths`.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Sequence

from pydantic import ValidationError

from ..agreement import yamlpos
from ..agreement.document import data_path
from ..agreement.model import Span
from ..agreement.problems import Problem, TermsheetError
from .checks import check_scenario, normal_terms
from .model import (  # noqa: F401  (re-exported: the scenario records)
    EVENT_FIELDS, FRACTION_TERMS, STREAM_FIELDS, TERM_KINDS, TOP_LEVEL, EventLaw, RevenueRow,
    Scenario, Stream,
)

def _event_data(value: Any) -> Any:
    """``never`` | a date | a probability -> the mapping form of an EventLaw."""
    if isinstance(value, str) and value.strip().lower() == "never":
        return {}
    if isinstance(value, date):
        return {"on": value}
    if isinstance(value, (Decimal, int, list)) or (isinstance(value, str) and value.endswith("%")):
        return {"per-year": value}
    return value


# ---------------------------------------------------------------------------------------------
# loading


Check = Callable[["Scenario"], list[Problem]]


def load_scenario(path: str | Path, check: Check | None = None) -> Scenario:
    """A scenario from a YAML file; raises TermsheetError with every problem found, those of
    ``check`` (say, against an agreement) included."""
    path = Path(path)
    from ..agreement.document import not_a_file
    if (problem := not_a_file(path, "a scenario file (YAML)")):
        raise TermsheetError([problem])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise TermsheetError([Problem("E004", f"cannot read scenario: {err}", str(path))])
    return parse_scenario(text, str(path), check)


def parse_scenario(text: str, path: str = "<scenario>", check: Check | None = None) -> Scenario:
    try:
        data, positions = yamlpos.load(text)
    except yamlpos.YamlError as err:
        raise TermsheetError([Problem("E001", f"YAML syntax error: {err.message}", path,
                                      err.line, err.column)])
    if not isinstance(data, dict):
        raise TermsheetError([Problem("E023", "a scenario must be a mapping of terms", path, 1, 1,
                                      hint="start with 'scenario: name', 'horizon: 10', ...")])
    spans = {".".join(str(k) for k in key): Span(path, line, col)
             for key, (line, col) in positions.items() if not key or key[-1] != "<key>"}
    return build(data, spans, check)


def build(data: dict, spans: dict[str, Span], check: Check | None = None) -> Scenario:
    """Validate scenario data (already read); every problem at once."""
    shaped = dict(data)
    if isinstance(shaped.get("events"), dict):
        shaped["events"] = {k: _event_data(v) for k, v in shaped["events"].items()}
    carrier = Scenario.model_construct(spans=spans, raw=data)
    try:
        scenario = Scenario.model_validate(shaped)
    except ValidationError as err:
        raise TermsheetError(_validation_problems(err, carrier)) from None
    scenario = scenario.model_copy(update={"spans": spans, "raw": data})
    problems = check_scenario(scenario) + (check(scenario) if check else [])
    if problems:
        raise TermsheetError(problems)
    return scenario.model_copy(update={"terms": normal_terms(scenario)[0]})


def _validation_problems(err: ValidationError, carrier: Scenario) -> list[Problem]:
    seen: dict[tuple, Problem] = {}
    for error in err.errors(include_url=False):
        where = data_path(error["loc"], carrier.raw)
        term = ".".join(str(p) for p in where) or "<scenario>"
        if error["type"] == "missing":
            problem = carrier.problem("E021", f"missing term '{term}' in the scenario",
                                      where[:-1], f"add '{where[-1]}: ...'" if where else None)
        elif error["type"] == "extra_forbidden":
            problem = carrier.problem("E022", f"unknown term '{term}' in the scenario", where,
                                      "remove it, or see docs/simulate.md for the terms")
        else:
            code = "E024" if "date" in error["type"] else "E023"
            problem = carrier.problem(code, f"bad value for '{term}': {error['msg']}", where)
        seen.setdefault((where, problem.code), problem)
    return list(seen.values())


# ---------------------------------------------------------------------------------------------
# parameters: --set NAME=VALUE and the tornado chart


def parameter_names(scenario: Scenario, clause_ids: tuple[str, ...] = ()) -> list[str]:
    names = list(TOP_LEVEL)
    for name in scenario.streams:
        names += [f"{name}.{field}" for field in STREAM_FIELDS]
    for name in scenario.events:
        names += [name] + [f"{name}.{field}" for field in EVENT_FIELDS]
    names += list(TERM_KINDS)
    names += [f"{c}.{t}" for c in clause_ids for t in TERM_KINDS]
    return names


def parameter_path(scenario: Scenario, name: str) -> tuple | None:
    """Where a parameter lives in the scenario data; None for an unknown name."""
    if name in TOP_LEVEL:
        return (name,)
    if name in TERM_KINDS:
        return ("terms", name)
    if name in scenario.events:
        return ("events", name)
    owner, _, field = name.rpartition(".")
    if owner in scenario.streams and field in STREAM_FIELDS:
        return ("streams", owner, field)
    if owner in scenario.events and field in EVENT_FIELDS:
        return ("events", owner, field)
    if owner and field in TERM_KINDS:
        return ("terms", owner, field)
    return None


def get_parameter(scenario: Scenario, name: str) -> Any:
    node: Any = scenario.raw
    for key in parameter_path(scenario, name) or ():
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def with_parameter(scenario: Scenario, name: str, value: Any, span: Span,
                   check: Check | None = None) -> Scenario:
    """The scenario with one parameter set; the new value is reported at ``span``."""
    path = parameter_path(scenario, name)
    if path is None:
        from ..agreement.problems import known_hint
        known = parameter_names(scenario) + ["CLAUSE.TERM"]
        raise TermsheetError([Problem("E071", f"unknown parameter '{name}'", span.path,
                                      span.line, 1, hint=known_hint(name, known))])
    data = copy.deepcopy(scenario.raw)
    if path[0] == "events" and len(path) == 3:
        # per-year and on exclude each other: setting one replaces the event's whole law
        data.setdefault("events", {})[path[1]] = {path[2]: value}
    else:
        node = data
        for key in path[:-1]:
            if not isinstance(node.get(key), dict):
                node[key] = {}
            node = node[key]
        node[path[-1]] = value
    spans = dict(scenario.spans)
    for depth in range(1, len(path) + 1):
        key = ".".join(str(p) for p in path[:depth])
        if depth == len(path) or key not in spans:    # new keys, too, are reported at --set
            spans[key] = span
    return build(data, spans, check)


def with_settings(scenario: Scenario, settings: Sequence[str],
                  check: Check | None = None) -> Scenario:
    """Apply ``NAME=VALUE`` settings (the command line's ``--set``) in order."""
    for text in settings:
        name, sep, value_text = text.partition("=")
        span = Span(f"--set {text}", 1, len(name) + 2)
        if not sep or not name.strip():
            raise TermsheetError([Problem("E023", f"'{text}' is not NAME=VALUE", span.path, 1, 1,
                                          hint="for example --set cap=30e9")])
        try:
            value, _ = yamlpos.load(value_text)
        except yamlpos.YamlError as err:
            raise TermsheetError([Problem("E023", f"bad value: {err.message}", span.path, 1,
                                          span.column)]) from None
        scenario = with_parameter(scenario, name.strip(), value, span, check)
    return scenario
