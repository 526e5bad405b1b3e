"""The tornado: move one parameter at a time down and up by a step (20%), hold the rest, and see
how far each party's mean value moves (for two versions: the mean of the second minus the first).

Every run draws the same futures (the same seed, and draws that never depend on parameter
values), so a swing measures the parameter, not the luck of the draw.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Sequence

import numpy as np

from ..agreement.model import Commitment, Equity, RevenueShare, Span
from ..money.format import compact
from .run import Buffers, parties_of, prepare, run_plans
from .scenario import Scenario, with_parameter
from .terms import compile_version


@dataclass(frozen=True)
class Swing:
    parameter: str
    low_value: str
    high_value: str
    low: dict[str, float]       # party -> metric with the parameter moved down
    high: dict[str, float]      # party -> metric with the parameter moved up

    def width(self, party: str, base: float) -> float:
        return max(abs(self.low[party] - base), abs(self.high[party] - base))


@dataclass(frozen=True)
class Tornado:
    metric: str
    step: float
    futures: int
    base: dict[str, float]
    swings: tuple[Swing, ...]

    def ranked(self, party: str) -> list[Swing]:
        return sorted(self.swings, key=lambda s: -s.width(party, self.base[party]))


def tornado(history: Any, scenario: Scenario | str, versions: Sequence[str] | None = None, *,
            futures: int = 20_000, step: float = 0.2, settings: Sequence[str] = (),
            workers: int | None = None, progress: Callable[[int], None] | None = None) -> Tornado:
    scenario, chosen = prepare(history, scenario, versions, settings)
    futures = min(futures, scenario.futures)
    ids = tuple(v.version for v in chosen)
    currency = chosen[0].currency

    def metric(current: Scenario, scales: dict[str, float]) -> dict[str, float]:
        plans = [compile_version(v, current, scales) for v in chosen]
        buffers = run_plans(plans, current, futures, workers)
        if progress is not None:
            progress(1)
        return mean_values(buffers, ids, parties_of(plans))

    base = metric(scenario, {})
    swings = []
    for name, value in scenario_parameters(scenario):
        values = [_scaled(value, f, name) for f in (1 - step, 1 + step)]
        moved = [metric(with_parameter(scenario, name, v, Span("tornado", 1, 1)), {})
                 for v in values]
        swings.append(Swing(name, _text(values[0], name, currency),
                            _text(values[1], name, currency), *moved))
    for name, value in agreement_parameters(chosen):
        moved = [metric(scenario, {name: f}) for f in (1 - step, 1 + step)]
        swings.append(Swing(name, _text(value * Decimal(str(1 - step)), name, currency),
                            _text(value * Decimal(str(1 + step)), name, currency), *moved))
    label = (f"mean value {ids[1]} minus {ids[0]}" if len(ids) == 2 else f"mean value {ids[0]}")
    return Tornado(label, step, futures, base, tuple(swings))


def run_count(history: Any, scenario: Scenario, versions: Sequence[str] | None = None) -> int:
    """How many simulation runs a tornado takes (for a progress bar)."""
    scenario, chosen = prepare(history, scenario, versions)
    return 1 + 2 * (len(scenario_parameters(scenario)) + len(agreement_parameters(chosen)))


def mean_values(buffers: Buffers, versions: Sequence[str], parties: Sequence[str]) -> dict:
    def mean(version: str, party: str) -> float:
        return float(np.mean(buffers.npv[version, party]) + np.mean(buffers.equity[version, party]))
    if len(versions) == 2:
        return {p: mean(versions[1], p) - mean(versions[0], p) for p in parties}
    return {p: mean(versions[0], p) for p in parties}


def scenario_parameters(scenario: Scenario) -> list[tuple[str, Any]]:
    """The scenario's numbers worth moving: rates, starts, growths, volatilities, chances."""
    out: list[tuple[str, Any]] = [("discount-rate", scenario.discount_rate)]
    for name, stream in scenario.streams.items():
        out += [(f"{name}.start", stream.start), (f"{name}.growth", stream.growth),
                (f"{name}.volatility", stream.volatility)]
    for name, law in scenario.events.items():
        if law.per_year is not None:
            out.append((f"{name}.per-year", law.per_year))
    return [(n, v) for n, v in out if _nonzero(v)]


def agreement_parameters(versions: Sequence[Any]) -> list[tuple[str, Decimal]]:
    """The money terms of the versions' clauses (each version's own value is scaled)."""
    out: dict[str, Decimal] = {}
    for version in versions:
        for clause in version.clauses:
            if isinstance(clause, RevenueShare):
                if isinstance(clause.rate, Decimal):
                    out.setdefault(f"{clause.id}.rate", clause.rate)
                if clause.cap and clause.cap.total is not None:
                    out.setdefault(f"{clause.id}.cap", clause.cap.total)
                if clause.cap and clause.cap.per_year is not None:
                    out.setdefault(f"{clause.id}.cap-per-year", clause.cap.per_year)
                if clause.cap and clause.cap.per_quarter is not None:
                    out.setdefault(f"{clause.id}.cap-per-quarter", clause.cap.per_quarter)
                if clause.minimum is not None:
                    out.setdefault(f"{clause.id}.minimum", clause.minimum.per_year)
                    out.setdefault(f"{clause.id}.minimum-per-quarter",
                                   clause.minimum.per_quarter)
            elif isinstance(clause, Equity):
                out.setdefault(f"{clause.id}.stake", clause.stake)
            elif isinstance(clause, Commitment):
                continue     # committed spend is reported beside value, not in it
    return [(n, v) for n, v in out.items() if v]


def _nonzero(value: Any) -> bool:
    return any(v != 0 for v in value) if isinstance(value, tuple) else value != 0


def _scaled(value: Any, factor: float, name: str = "") -> Any:
    """A value moved by a factor; probabilities stay at most 1."""
    f = Decimal(str(factor))
    limit = Decimal(1) if name.endswith(".per-year") else None
    if isinstance(value, tuple):
        return [_scaled(v, factor, name) for v in value]
    moved = value * f
    return moved if limit is None else min(moved, limit)


def _text(value: Any, name: str, currency: str) -> str:
    """A parameter's value for a tornado's label: money compact in the agreement's currency
    ($30.4B, €1.2M), rates and probabilities as percentages."""
    if isinstance(value, (list, tuple)):
        items = list(value)
        return f"{_text(items[0], name, currency)}…{_text(items[-1], name, currency)}" \
            if len(items) > 1 else _text(items[0], name, currency)
    number = float(value)
    field = name.rpartition(".")[2]
    if field in ("start", "cap", "cap-per-year", "cap-per-quarter", "minimum",
                 "minimum-per-quarter", "cap-used", "amount"):
        return compact(number, currency, fraction_digits=2)
    return f"{number * 100:.3g}%"
