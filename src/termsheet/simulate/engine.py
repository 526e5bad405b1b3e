"""The vectorised engine: a version's money clauses over a chunk of futures x years.

Time runs in months (see :mod:`termsheet.simulate.terms`) but the arithmetic runs per year,
which is exact because revenue is constant within a year: a flat rate is linear, so a year's
due is the year's revenue times the mean rate of the months inside the window; a cap telescopes
(``sum_m least(C, D_m) - least(C, D_m-1) = least(C, D_year) - least(C, D_start)``), so capping a
year's due at once equals capping each month in turn. Tiers, which are not linear, are applied
period by period (month, quarter or year, as the clause settles), vectorised across futures.

The money rules themselves are those of :mod:`termsheet.rules`, on NumPy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from .. import rules
from .paths import Chunk
from .terms import Plan, SharePlan, first_day

OPS = rules.numpy_ops()
PERIODS = {"month": 12, "quarter": 4, "year": 1}


@dataclass(frozen=True)
class ChunkResult:
    """What one version gives each party in one chunk of futures."""

    flows: dict[str, np.ndarray]          # party -> (n, Y) net cash flow of each year
    npv: dict[str, np.ndarray]            # party -> (n,)
    equity: dict[str, np.ndarray]         # party -> (n,) present value of stakes held
    clause_pv: dict[str, float]           # clause -> sum over futures of its discounted flow
    clause_years: dict[str, np.ndarray]   # clause -> (Y,) sum over futures of its flow


def discount_factors(rate: float, years: int) -> np.ndarray:
    """A year's flows are discounted from the end of that year: 1 / (1 + r)^y, y = 1..Y."""
    return (1.0 + rate) ** -np.arange(1, years + 1, dtype=np.float64)


def window_months(plan: SharePlan, events: Mapping[str, np.ndarray], years: int):
    """Per year, the first and the end (exclusive) of the months the clause counts."""
    start = np.asarray(plan.start.resolve(events))
    end = np.asarray(plan.end.resolve(events))
    if start.ndim:
        start = start[:, None]
    if end.ndim:
        end = end[:, None]
    edges = 12 * np.arange(years)
    lo = np.clip(start, edges, edges + 12)
    hi = np.maximum(np.clip(end, edges, edges + 12), lo)
    return lo, hi


def base_revenue(plan: SharePlan, chunk: Chunk, years: int) -> np.ndarray:
    total = None
    for name in plan.streams:
        level = chunk.levels[name]
        total = level.copy() if total is None else total + level
    return np.zeros((chunk.size, years)) if total is None else total


def share_due(plan: SharePlan, revenue: np.ndarray, lo: Any, hi: Any,
              events: Mapping[str, np.ndarray], first_year: int) -> np.ndarray:
    """What a revenue share makes due in each year, before caps and minimums."""
    rates = plan.month_rates
    if rates is None:
        return tiered_due(plan, revenue, events, first_year)
    if np.all(rates == rates[0]):
        return revenue * (float(rates[0]) / 12.0) * (hi - lo)
    cumulative = np.concatenate(([0.0], np.cumsum(rates)))
    return revenue * (cumulative[hi] - cumulative[lo]) / 12.0


def tiered_due(plan: SharePlan, revenue: np.ndarray, events: Mapping[str, np.ndarray],
               first_year: int) -> np.ndarray:
    """Tiers period by period: each period's base is the revenue of its months in the window."""
    n, years = revenue.shape
    per_year = PERIODS[plan.settle]
    length = 12 // per_year
    start = plan.start.resolve(events)
    end = plan.end.resolve(events)
    life = plan.tiers.per == "life-to-date"
    rule = rules.marginal_tiers if plan.tiers.mode == "marginal" else rules.whole_volume_tiers
    due = np.zeros((n, years))
    volume = np.zeros(n)
    for year in range(years):
        for period in range(per_year):
            first = 12 * year + period * length
            count = np.clip(end, first, first + length) - np.clip(start, first, first + length)
            base = revenue[:, year] / 12.0 * np.maximum(count, 0)
            bands = plan.tiers.bands_on(first_day(first, first_year))
            due[:, year] += rule(OPS, base, volume if life else np.zeros(n), bands)
            if life:
                volume = volume + base
    return due


def share_paid(plan: SharePlan, chunk: Chunk, years: int, first_year: int) -> np.ndarray:
    """A revenue share's payments in each year: the rules' caps and minimum applied."""
    lo, hi = window_months(plan, chunk.events, years)
    revenue = base_revenue(plan, chunk, years)
    due = share_due(plan, revenue, lo, hi, chunk.events, first_year)
    due = np.broadcast_to(due, (chunk.size, years))
    if plan.cap_per_year is not None:
        due = rules.capped(OPS, due, np.zeros_like(due), plan.cap_per_year)
    paid = due
    if plan.cap_total is not None:
        before = np.full(due.shape, plan.cap_used)
        before[:, 1:] += np.cumsum(due[:, :-1], axis=1)
        paid = rules.capped(OPS, due, before, plan.cap_total)
    if plan.minimum is not None:
        active = np.broadcast_to(hi > lo, paid.shape)
        paid = paid + np.where(active, rules.minimum_true_up(OPS, paid, plan.minimum), 0.0)
    return paid


def run_version(plan: Plan, chunk: Chunk, years: int, first_year: int,
                discount: np.ndarray, value_streams: Mapping[str, str]) -> ChunkResult:
    n = chunk.size
    flows = {party: np.zeros((n, years)) for party in plan.parties}
    clause_pv, clause_years = {}, {}
    for share in plan.shares:
        paid = share_paid(share, chunk, years, first_year)
        flows.setdefault(share.payee, np.zeros((n, years)))
        flows.setdefault(share.payer, np.zeros((n, years)))
        flows[share.payee] += paid
        flows[share.payer] -= paid
        clause_years[share.clause] = paid.sum(axis=0)
        clause_pv[share.clause] = float(clause_years[share.clause] @ discount)
    npv = {party: flow @ discount for party, flow in flows.items()}
    equity = {party: np.zeros(n) for party in flows}
    for stake in plan.equity:
        stream = value_streams.get(stake.issuer)
        if stream is None:
            continue
        in_force = np.asarray(stake.end.resolve(chunk.events)) >= 12 * years
        worth = stake.stake * chunk.levels[stream][:, -1] * discount[-1]
        equity.setdefault(stake.holder, np.zeros(n))
        equity[stake.holder] = equity[stake.holder] + np.where(in_force, worth, 0.0)
    return ChunkResult(flows, npv, equity, clause_pv, clause_years)
