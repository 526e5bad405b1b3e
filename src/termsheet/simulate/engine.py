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

from ..money import rules
from ..agreement.model import Tiers
from .paths import Chunk, calendar
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


@dataclass(frozen=True)
class Window:
    """Where a clause is in force, per future and year: its months (first, end exclusive, as
    month indexes) and its days (how many, of how many in the year)."""

    lo: Any
    hi: Any
    days: Any
    year_days: np.ndarray
    start: Any
    end: Any


def window(plan: SharePlan, events: Mapping[str, np.ndarray], first_year: int,
           years: int) -> Window:
    months, year_starts = calendar(first_year, years)
    start = np.asarray(plan.start.resolve(events))
    end = np.asarray(plan.end.resolve(events))
    # a month's row is dated its first day: counted when start <= that day < end
    first_month = np.searchsorted(months, start, side="left")
    end_month = np.searchsorted(months, end, side="left")
    if start.ndim:
        start, first_month = start[:, None], first_month[:, None]
    if end.ndim:
        end, end_month = end[:, None], end_month[:, None]
    edges = 12 * np.arange(years)
    lo = np.clip(first_month, edges, edges + 12)
    hi = np.maximum(np.clip(end_month, edges, edges + 12), lo)
    day_lo = np.clip(start, year_starts[:-1], year_starts[1:])
    day_hi = np.maximum(np.clip(end, year_starts[:-1], year_starts[1:]), day_lo)
    return Window(lo, hi, day_hi - day_lo, np.diff(year_starts), np.squeeze(start),
                  np.squeeze(end))


def base_revenue(plan: SharePlan, chunk: Chunk, years: int,
                 streams: tuple[str, ...] | None = None) -> np.ndarray:
    total = None
    for name in plan.streams if streams is None else streams:
        level = chunk.levels[name]
        total = level.copy() if total is None else total + level
    return np.zeros((chunk.size, years)) if total is None else total


def share_due(plan: SharePlan, revenue: np.ndarray, span: Window, first_year: int) -> np.ndarray:
    """What a revenue share makes due in each year, before caps and minimums."""
    rates = plan.month_rates
    if rates is None:
        return tiered_due(plan, revenue, span, first_year)
    return flat_due(rates, revenue, span)


def flat_due(rates: np.ndarray, revenue: np.ndarray, span: Window) -> np.ndarray:
    if np.all(rates == rates[0]):
        return revenue * (float(rates[0]) / 12.0) * (span.hi - span.lo)
    cumulative = np.concatenate(([0.0], np.cumsum(rates)))
    return revenue * (cumulative[span.hi] - cumulative[span.lo]) / 12.0


def tiered_due(plan: SharePlan, revenue: np.ndarray, span: Window,
               first_year: int) -> np.ndarray:
    """Tiers period by period, as settlement applies them: a period's base is the revenue of its
    months in the window, split where the tier schedule changes (segments); marginal bands count
    the volume before each segment, whole-volume bands the volume through the period's end."""
    n, years = revenue.shape
    months, _ = calendar(first_year, years)
    length = 12 // PERIODS[plan.settle]
    first = np.searchsorted(months, span.start, side="left")
    last = np.searchsorted(months, span.end, side="left")
    window = tier_window_months(plan.tiers.per, length)
    whole = plan.tiers.mode == "whole"
    rule = rules.whole_volume_tiers if whole else rules.marginal_tiers
    due = np.zeros((n, years))
    volume = np.zeros(n)                                 # in the tier window, before the period
    for period_start in range(0, 12 * years, length):
        year = period_start // 12
        if window is not None and period_start % window == 0:
            volume = np.zeros(n)
        parts = []
        for bands, a, b in segments(plan.tiers, period_start, length, first_year):
            count = np.maximum(np.clip(last, a, b) - np.clip(first, a, b), 0)
            parts.append((bands, revenue[:, year] / 12.0 * count))
        total = sum(base for _, base in parts)
        before = volume.copy()
        for bands, base in parts:
            prior = before + total - base if whole else before
            due[:, year] += rule(OPS, base, prior, bands)
            before = before + base
        volume = volume + total
    return due


def tier_window_months(per: str, length: int) -> int | None:
    """How many months a tier volume counts over before it starts again (None: the life)."""
    return {"period": length, "month": 1, "quarter": 3, "year": 12}.get(per)


def segments(tiers: Tiers, period_start: int, length: int, first_year: int):
    """The period's months in runs of the same bands: (bands, first month, end month)."""
    out: list = []
    for month in range(period_start, period_start + length):
        bands = tiers.bands_on(first_day(month, first_year))
        if out and out[-1][0] == bands:
            out[-1] = (bands, out[-1][1], month + 1)
        else:
            out.append((bands, month, month + 1))
    return out


def share_paid(plan: SharePlan, chunk: Chunk, years: int, first_year: int) -> np.ndarray:
    """A revenue share's payments in each year, the rules in settlement's order: due; the cap
    per year; the year-end true-up to the minimum (prorated to the days in force, within what
    the cap per year leaves); the total cap over all of it."""
    span = window(plan, chunk.events, first_year, years)
    if plan.parts:  # several bases: each base's streams at its own rate
        due = sum((flat_due(rates, base_revenue(plan, chunk, years, names), span)
                   for names, rates in plan.parts), np.zeros((chunk.size, years)))
    elif plan.groups:  # tiers by seller, channel, ...: each group's volume on its own
        due = sum(share_due(plan, base_revenue(plan, chunk, years, group), span, first_year)
                  for group in plan.groups)
    else:
        due = share_due(plan, base_revenue(plan, chunk, years), span, first_year)
    due = np.broadcast_to(due, (chunk.size, years))
    paid = rules.capped(OPS, due, np.zeros_like(due), plan.cap_per_year) \
        if plan.cap_per_year is not None else due
    if plan.minimum is not None:
        days = np.broadcast_to(span.days, paid.shape)
        share = np.where(days >= span.year_days, 1.0, days / span.year_days)
        top_up = rules.minimum_true_up(OPS, paid, plan.minimum * share)
        if plan.cap_per_year is not None:
            top_up = rules.capped(OPS, top_up, paid, plan.cap_per_year)
        paid = paid + np.where(days > 0, top_up, 0.0)
    if plan.cap_total is not None:
        before = np.full(paid.shape, plan.cap_used)
        before[:, 1:] += np.cumsum(paid[:, :-1], axis=1)
        paid = rules.capped(OPS, paid, before, plan.cap_total)
    if plan.advance is not None:
        paid = recouped(paid, *plan.advance)
    return paid


def recouped(paid: np.ndarray, amount: float, year: int, share: float) -> np.ndarray:
    """Payments with an advance: the advance paid in its year, and the royalties earned from
    then on (in the advance's year, ``share`` of them) credited against it until it is
    recouped. An advance paid before the horizon is recouped from the horizon's start (its
    payment is in the past); one after the horizon changes nothing in it."""
    years = paid.shape[1]
    if year >= years:
        return paid
    credited = paid.copy()
    if year >= 0:
        credited[:, :year] = 0.0
        credited[:, year] *= share
    to_date = np.minimum(np.cumsum(credited, axis=1), amount)
    recoupment = np.diff(to_date, axis=1, prepend=0.0)
    out = paid - recoupment
    if year >= 0:
        out[:, year] += amount
    return out


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
        after = calendar(first_year, years)[0][-1]
        in_force = np.asarray(stake.end.resolve(chunk.events)) >= after
        worth = stake.stake * chunk.levels[stream][:, -1] * discount[-1]
        equity.setdefault(stake.holder, np.zeros(n))
        equity[stake.holder] = equity[stake.holder] + np.where(in_force, worth, 0.0)
    return ChunkResult(flows, npv, equity, clause_pv, clause_years)
