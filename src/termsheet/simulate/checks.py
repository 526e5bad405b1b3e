"""Problems of a scenario: on its own (ranges, names it defines) and against an agreement.

Scenario codes beside the document codes: E070 unknown stream, E071 unknown parameter, E072
negative volatility, E073 probability outside [0, 1], E074 bad correlations, E075 a scenario for
another agreement. Each check returns positioned problems, every one at once.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter, ValidationError

from ..agreement.model import Fraction, Money
from ..agreement.problems import Problem, known_hint
from .model import FRACTION_TERMS, TERM_KINDS, Scenario

_FRACTION = TypeAdapter(Fraction)
_MONEY = TypeAdapter(Money)


def check_scenario(scenario: Scenario) -> list[Problem]:
    return [*check_streams(scenario), *check_events(scenario), *check_correlations(scenario),
            *check_discount(scenario), *terms_problems(scenario)]


def check_streams(scenario: Scenario) -> list[Problem]:
    problems = []
    for name, stream in scenario.streams.items():
        at = ("streams", name)
        if (stream.revenue is None) == (stream.value_of is None):
            problems.append(scenario.problem(
                "E021", f"stream '{name}' needs exactly one of 'revenue' and 'value-of'", at,
                "revenue: {seller: ..., channel: ..., product: ...} for revenue, "
                "value-of: PARTY for an issuer's value"))
        if stream.start < 0:
            problems.append(scenario.problem("E028", f"stream '{name}' starts at a negative "
                                             f"amount {stream.start}", at + ("start",)))
        if stream.volatility < 0:
            problems.append(scenario.problem(
                "E072", f"negative volatility {_pct(stream.volatility)} in stream '{name}'",
                at + ("volatility",), "a volatility is a standard deviation: 0% or more"))
        for index, growth in enumerate(_items(stream.growth)):
            if growth <= -1:
                where = at + ("growth",) + ((index,) if isinstance(stream.growth, tuple) else ())
                problems.append(scenario.problem("E023", f"growth {_pct(growth)} in stream "
                                                 f"'{name}' is -100% or less", where))
    return problems


def check_events(scenario: Scenario) -> list[Problem]:
    problems = []
    for name, law in scenario.events.items():
        at = ("events", name)
        if law.per_year is not None and law.on is not None:
            problems.append(scenario.problem("E023", f"event '{name}' has both 'per-year' and "
                                             "'on'", at, "give one: a probability or a date"))
        for index, p in enumerate(_items(law.per_year)):
            if not 0 <= p <= 1:
                where = at + ("per-year",) + ((index,) if isinstance(law.per_year, tuple) else ())
                problems.append(scenario.problem(
                    "E073", f"probability {_pct(p)} for event '{name}' is outside [0, 1]", where,
                    "write a yearly probability between 0% and 100%"))
    return problems


def check_correlations(scenario: Scenario) -> list[Problem]:
    problems, seen = [], set()
    names = list(scenario.streams)
    for index, (a, b, rho) in enumerate(scenario.correlations):
        at = ("correlations", index)
        for position, name in ((0, a), (1, b)):
            if name not in scenario.streams:
                problems.append(scenario.problem("E070", f"unknown stream '{name}' in "
                                                 "correlations", at + (position,),
                                                 known_hint(name, names)))
        if not -1 <= rho <= 1:
            problems.append(scenario.problem("E074", f"correlation {rho} between '{a}' and "
                                             f"'{b}' is outside [-1, 1]", at + (2,)))
        pair = frozenset((a, b))
        if a == b:
            problems.append(scenario.problem("E074", f"a stream ('{a}') correlated with itself",
                                             at, "a stream's correlation with itself is 1"))
        elif pair in seen:
            problems.append(scenario.problem("E074", f"the correlation of '{a}' and '{b}' is "
                                             "given twice", at))
        seen.add(pair)
    if not problems and scenario.correlations:
        from .paths import correlation_matrix
        if correlation_matrix(scenario)[1] < -1e-9:
            problems.append(scenario.problem(
                "E074", "these correlations cannot hold together (the matrix is not positive "
                "semi-definite)", ("correlations",), "weaken the strongest correlations"))
    return problems


def check_discount(scenario: Scenario) -> list[Problem]:
    if scenario.discount_rate <= -1:
        return [scenario.problem("E023", "a discount rate of -100% or less",
                                 ("discount-rate",))]
    return []


def normal_terms(scenario: Scenario) -> tuple[dict[str, Any], list[Problem]]:
    """Term overrides as Decimals: bare ``{term: value}`` and ``{clause: {term: value}}``."""
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, value in scenario.terms.items():
        if key in TERM_KINDS:
            out[key] = _term_value(scenario, key, value, ("terms", key), problems)
        elif isinstance(value, dict):
            own = {}
            for term, item in value.items():
                if term not in TERM_KINDS:
                    problems.append(scenario.problem(
                        "E071", f"unknown term '{term}' for clause '{key}'", ("terms", key, term),
                        known_hint(str(term), TERM_KINDS)))
                    continue
                own[term] = _term_value(scenario, term, item, ("terms", key, term), problems)
            out[key] = own
        else:
            problems.append(scenario.problem(
                "E071", f"unknown parameter '{key}' in terms", ("terms", key),
                f"a term ({', '.join(TERM_KINDS)}) or a clause id with a mapping of terms"))
    return out, problems


def terms_problems(scenario: Scenario) -> list[Problem]:
    return normal_terms(scenario)[1]


def _term_value(scenario: Scenario, term: str, value: Any, at: tuple,
                problems: list[Problem]) -> Decimal | None:
    adapter = _FRACTION if term in FRACTION_TERMS else _MONEY
    try:
        number = adapter.validate_python(value)
    except ValidationError:
        problems.append(scenario.problem("E023", f"bad value {value!r} for term '{term}'", at,
                                         "a number such as 38e9, or a percentage such as 20%"))
        return None
    if term in FRACTION_TERMS and not 0 <= number <= 1:
        problems.append(scenario.problem("E026", f"{term} {_pct(number)} is outside 0-100%", at))
    elif number < 0:
        problems.append(scenario.problem("E028", f"negative {term} {number}", at))
    return number


def check_against(scenario: Scenario, history: Any) -> list[Problem]:
    """Names the scenario uses that the agreement does not define."""
    versions = history.versions
    problems = []
    if scenario.agreement and scenario.agreement != history.agreement:
        problems.append(scenario.problem(
            "E075", f"the scenario is for agreement '{scenario.agreement}', not "
            f"'{history.agreement}'", ("agreement",)))
    known_versions = [v.version for v in versions]
    for index, version_id in enumerate(scenario.versions or ()):
        if version_id not in known_versions:
            problems.append(scenario.problem("E030", f"no version '{version_id}' in agreement "
                                             f"'{history.agreement}'", ("versions", index),
                                             known_hint(version_id, known_versions)))
    if len(scenario.versions or ()) > 2:
        problems.append(scenario.problem("E023", "a scenario compares one or two versions",
                                         ("versions",)))
    parties = {p for v in versions for p in v.parties}
    channels = {c for v in versions for c in v.channels}
    products = {p for v in versions for p in v.products}
    for name, stream in scenario.streams.items():
        at = ("streams", name)
        if stream.value_of is not None and stream.value_of not in parties:
            problems.append(scenario.problem("E010", f"unknown party '{stream.value_of}' in "
                                             f"stream '{name}'", at + ("value-of",),
                                             known_hint(stream.value_of, parties)))
        row = stream.revenue
        if row is None:
            continue
        for term, value, known, code in (("seller", row.seller, parties, "E010"),
                                         ("channel", row.channel, channels, "E011"),
                                         ("product", row.product, products, "E012")):
            if value is not None and value not in known:
                what = {"E010": "party", "E011": "channel", "E012": "product"}[code]
                problems.append(scenario.problem(code, f"unknown {what} '{value}' in stream "
                                                 f"'{name}'", at + ("revenue", term),
                                                 known_hint(value, known)))
    events = {e for v in versions for e in v.events}
    for name in scenario.events:
        if name not in events:
            problems.append(scenario.problem("E013", f"unknown event '{name}'",
                                             ("events", name), known_hint(name, events)))
    return problems + _clause_problems(scenario, versions)


def _clause_problems(scenario: Scenario, versions: tuple) -> list[Problem]:
    kinds = {c.id: c.kind for v in versions for c in v.clauses if c.kind in TERM_KINDS.values()}
    problems = []
    for key, value in scenario.terms.items():
        if key in TERM_KINDS or not isinstance(value, dict):
            continue
        if key not in kinds:
            problems.append(scenario.problem("E071", f"unknown clause '{key}' in terms",
                                             ("terms", key), known_hint(key, kinds)))
            continue
        for term in value:
            if term in TERM_KINDS and TERM_KINDS[term] != kinds[key]:
                fits = [t for t, k in TERM_KINDS.items() if k == kinds[key]]
                problems.append(scenario.problem(
                    "E071", f"term '{term}' does not apply to {kinds[key]} clause '{key}'",
                    ("terms", key, term), f"it takes {', '.join(fits)}"))
    return problems


def _items(value: Any) -> tuple:
    if value is None:
        return ()
    return value if isinstance(value, tuple) else (value,)


def _pct(value: Decimal) -> str:
    return f"{format((value * 100).normalize(), 'f')}%"
