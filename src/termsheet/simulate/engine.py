"""The vectorised engine: a version's money clauses over a chunk of futures x years.

Time runs in months (see :mod:`termsheet.simulate.terms`), on the clause's contract calendar
(``year-start``): each future's amounts are an (n, months) array, each settlement period's on its
first month, vectorised across futures. A cap telescopes
(``sum_m least(C, D_m) - least(C, D_m-1) = least(C, D_end) - least(C, D_start)``), so capping a
period's due at once equals capping its slices in turn, as settlement does. Tiers, which are not
linear, are applied period by period (month, quarter or year, as the clause settles). A year's
flow is what the periods starting in that calendar year pay.

The money rules themselves are those of :mod:`termsheet.rules`, on NumPy arrays.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from ..money import rules
from ..agreement.model import Tiers
from .paths import Chunk, calendar, day_offset
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
class Months:
    """The horizon in months, on the clause's contract calendar: which months each future's
    window holds, where each settlement period starts, and the contract quarter and year of
    every month (counted from ``year-start``, so the first ones may have begun before the
    horizon)."""

    inside: np.ndarray        # (n or 1, M): the month's row (dated its first day) is counted
    period: np.ndarray        # (M,): the first month (in the horizon) of the month's period
    quarter: np.ndarray       # (M,): contract quarter number (may be negative)
    year: np.ndarray          # (M,): contract year number (may be negative)
    days: np.ndarray          # (M + 1,): day offsets of every month's first day
    start: Any                # first day in force (offset), scalar or (n, 1)
    end: Any                  # the day after the window (offset), scalar or (n, 1)
    shift: int                # months from January to the contract year's first month
    ends_with_horizon: bool = False   # the clause ends on the horizon's last day (not after it)
    monthly: bool = False             # statements each month: every month is its own period


def months_of(plan: SharePlan, events: Mapping[str, np.ndarray], first_year: int,
              years: int) -> Months:
    days, _ = calendar(first_year, years)
    start = np.asarray(plan.start.resolve(events))
    end = np.asarray(plan.end.resolve(events))
    start = start[:, None] if start.ndim else start
    end = end[:, None] if end.ndim else end
    first = days[:-1][None, :]
    inside = (first >= start) & (first < end)
    shift = plan.start_month - 1
    index = np.arange(12 * years)
    length = 12 // PERIODS[plan.settle]
    period = np.maximum(index - (index - shift) % length, 0)
    return Months(inside, period, (index - shift) // 3, (index - shift) // 12, days, start, end,
                  shift, plan.ends_with_horizon, plan.settle == "month")


def base_revenue(plan: SharePlan, chunk: Chunk, years: int,
                 streams: tuple[str, ...] | None = None) -> np.ndarray:
    """The base's revenue of each year, (n, Y)."""
    total = None
    for name in plan.streams if streams is None else streams:
        level = chunk.levels[name]
        total = level.copy() if total is None else total + level
    return np.zeros((chunk.size, years)) if total is None else total


def monthly(revenue: np.ndarray, span: Months) -> np.ndarray:
    """A year's revenue spread over its months, counted where the window holds the month."""
    return np.repeat(revenue, 12, axis=1) / 12.0 * span.inside


def at_periods(values: np.ndarray, span: Months) -> np.ndarray:
    """Monthly amounts gathered on the first month of their settlement period."""
    if span.monthly:
        return values
    starts = np.flatnonzero(np.diff(span.period, prepend=-1))
    out = np.zeros_like(values)
    out[:, starts] = np.add.reduceat(values, starts, axis=1)
    return out


def share_due(plan: SharePlan, revenue: np.ndarray, span: Months, first_year: int) -> np.ndarray:
    """What a revenue share makes due in each settlement period (on its first month), before
    caps and minimums, (n, M)."""
    base = monthly(revenue, span)
    if plan.month_rates is None:
        return tiered_due(plan, base, span, first_year)
    return at_periods(base * plan.month_rates[None, :], span)


def tiered_due(plan: SharePlan, base: np.ndarray, span: Months, first_year: int) -> np.ndarray:
    """Tiers period by period, as settlement applies them: a period's base is the revenue of its
    months in the window, split where the tier schedule changes (segments); marginal bands count
    the volume before each segment, whole-volume bands the volume through the period's end. The
    tier window (``tiers.per``) starts again on the contract calendar."""
    n, months = base.shape
    length = 12 // PERIODS[plan.settle]
    window = tier_window_months(plan.tiers.per, length)
    whole = plan.tiers.mode == "whole"
    rule = rules.whole_volume_tiers if whole else rules.marginal_tiers
    due = np.zeros((n, months))
    volume = np.zeros(n)                                 # in the tier window, before the period
    starts = sorted(set(span.period.tolist()))
    for number, first in enumerate(starts):
        after = starts[number + 1] if number + 1 < len(starts) else months
        if window is not None and (first - span.shift) % window == 0:
            volume = np.zeros(n)
        parts = [(bands, base[:, a:b].sum(axis=1))
                 for bands, a, b in segments(plan.tiers, first, after, first_year)]
        total = sum(amount for _, amount in parts)
        before = volume.copy()
        for bands, amount in parts:
            prior = before + total - amount if whole else before
            due[:, first] += rule(OPS, amount, prior, bands)
            before = before + amount
        volume = volume + total
    return due


def tier_window_months(per: str, length: int) -> int | None:
    """How many months a tier volume counts over before it starts again (None: the life)."""
    return {"period": length, "month": 1, "quarter": 3, "year": 12}.get(per)


def segments(tiers: Tiers, first: int, after: int, first_year: int):
    """The period's months in runs of the same bands: (bands, first month, end month)."""
    out: list = []
    for month in range(first, after):
        bands = tiers.bands_on(first_day(month, first_year))
        if out and out[-1][0] == bands:
            out[-1] = (bands, out[-1][1], month + 1)
        else:
            out.append((bands, month, month + 1))
    return out


def _before(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """What came before each month inside its group of months (groups in order)."""
    running = np.cumsum(values, axis=1) - values
    first = np.searchsorted(groups, groups, side="left")
    return running - running[:, first]


def _capped(values: np.ndarray, groups: np.ndarray, cap: float | None) -> np.ndarray:
    if cap is None:
        return values
    return rules.capped(OPS, values, _before(values, groups), cap)


def _true_ups(paid: np.ndarray, groups: np.ndarray, span: Months, minimum: float | None,
              cap: float | None, first_day_of: Any, last_day_of: Any) -> np.ndarray:
    """Each window's top-up to its minimum (weighted by the days in force), within what the
    window's cap leaves, on the settlement period holding the window's last day (or the clause's
    end, if earlier); none for a window that ends after the horizon while the clause goes on."""
    out = np.zeros_like(paid)
    if minimum is None:
        return out
    horizon_end = span.days[-1]
    for group in np.unique(groups):
        months = np.flatnonzero(groups == group)
        first, after = first_day_of(group), last_day_of(group) + 1    # day offsets
        held = np.maximum(np.minimum(span.end, after) - np.maximum(span.start, first), 0)
        held = np.broadcast_to(np.squeeze(np.asarray(held, dtype=np.float64)), paid.shape[:1])
        end = np.broadcast_to(np.squeeze(span.end), held.shape)
        if not span.ends_with_horizon:  # a clause that goes on past the horizon
            end = np.where(end >= horizon_end, after, end)
        closes = np.minimum(after, end) - 1
        settled = (held > 0) & (closes < horizon_end)
        if not settled.any():
            continue
        so_far = paid[:, months].sum(axis=1)
        required = minimum * held / (after - first)
        top_up = rules.minimum_true_up(OPS, so_far, required)
        if cap is not None:
            top_up = rules.capped(OPS, top_up, so_far, cap)
        month = np.clip(np.searchsorted(span.days, closes, side="right") - 1, 0, paid.shape[1] - 1)
        rows = np.flatnonzero(settled)
        out[rows, span.period[month[rows]]] += top_up[rows]   # one cell per future
    return out


def share_paid(plan: SharePlan, chunk: Chunk, years: int, first_year: int) -> np.ndarray:
    """A revenue share's payments in each year, the rules in settlement's order
    (``money.compile``): due; the cap per contract quarter; the quarter-end true-up to the
    quarterly minimum; the cap per contract year; the year-end true-up to the yearly minimum
    (each minimum prorated to the days in force, within what its cap leaves); the total cap over
    all of it; an advance recouped from what is left. Months run on the contract calendar
    (``year-start``); each amount is paid in the calendar year its settlement period starts in."""
    if _calendar_flat(plan):
        return _flat_by_year(plan, chunk, years, first_year)
    span = months_of(plan, chunk.events, first_year, years)
    if plan.parts:  # several bases: each base's streams at its own rate
        due = sum((at_periods(monthly(base_revenue(plan, chunk, years, names), span)
                              * rates[None, :], span) for names, rates in plan.parts),
                  np.zeros((chunk.size, 12 * years)))
    elif plan.groups:  # tiers by seller, channel, ...: each group's volume on its own
        due = sum(share_due(plan, base_revenue(plan, chunk, years, group), span, first_year)
                  for group in plan.groups)
    else:
        due = share_due(plan, base_revenue(plan, chunk, years), span, first_year)
    due = np.array(np.broadcast_to(due, (chunk.size, 12 * years)))

    def day(months: int) -> int:  # the first day of a month counted from the horizon's first
        return day_offset(first_day(span.shift + months, first_year), first_year)

    paid = _capped(due, span.quarter, plan.cap_per_quarter)
    paid = paid + _true_ups(paid, span.quarter, span, plan.minimum_per_quarter,
                            plan.cap_per_quarter, lambda q: day(3 * q),
                            lambda q: day(3 * q + 3) - 1)
    paid = _capped(paid, span.year, plan.cap_per_year)
    paid = paid + _true_ups(paid, span.year, span, plan.minimum, plan.cap_per_year,
                            lambda y: day(12 * y), lambda y: day(12 * y + 12) - 1)
    if plan.cap_total is not None:
        before = plan.cap_used + np.cumsum(paid, axis=1) - paid
        paid = rules.capped(OPS, paid, before, plan.cap_total)
    if plan.advance is not None:
        paid = recouped(paid, *plan.advance, span.period)
    return paid.reshape(chunk.size, years, 12).sum(axis=2)


def _calendar_flat(plan: SharePlan) -> bool:
    """A flat rate on the calendar year with nothing per quarter: the arithmetic can run per
    year, exactly (the common case, and the fast one)."""
    return (plan.month_rates is not None or bool(plan.parts)) and plan.start_month == 1 \
        and plan.cap_per_quarter is None and plan.minimum_per_quarter is None \
        and plan.advance is None


def _flat_by_year(plan: SharePlan, chunk: Chunk, years: int, first_year: int) -> np.ndarray:
    """``share_paid`` per calendar year for a flat rate (``_calendar_flat``): a year's due is
    its revenue times the mean rate of the months in the window (a flat rate is linear); the
    caps telescope, so capping a year at once equals capping its periods in turn; a year's
    minimum is prorated to its days in force. The same payments as the month-by-month path."""
    months, year_starts = calendar(first_year, years)
    start = np.asarray(plan.start.resolve(chunk.events))
    end = np.asarray(plan.end.resolve(chunk.events))
    first_month = np.searchsorted(months, start, side="left")
    end_month = np.searchsorted(months, end, side="left")
    if start.ndim:
        start, first_month = start[:, None], first_month[:, None]
    if end.ndim:
        end, end_month = end[:, None], end_month[:, None]
    edges = 12 * np.arange(years)
    lo = np.clip(first_month, edges, edges + 12)
    hi = np.maximum(np.clip(end_month, edges, edges + 12), lo)

    def flat(rates: np.ndarray, revenue: np.ndarray) -> np.ndarray:
        if np.all(rates == rates[0]):
            return revenue * (float(rates[0]) / 12.0) * (hi - lo)
        cumulative = np.concatenate(([0.0], np.cumsum(rates)))
        return revenue * (cumulative[hi] - cumulative[lo]) / 12.0

    if plan.parts:  # several bases: each base's streams at its own rate
        due = sum((flat(rates, base_revenue(plan, chunk, years, names))
                   for names, rates in plan.parts), np.zeros((chunk.size, years)))
    else:
        due = flat(plan.month_rates, base_revenue(plan, chunk, years))
    due = np.broadcast_to(due, (chunk.size, years))
    paid = rules.capped(OPS, due, np.zeros_like(due), plan.cap_per_year) \
        if plan.cap_per_year is not None else due
    if plan.minimum is not None:
        day_lo = np.clip(start, year_starts[:-1], year_starts[1:])
        day_hi = np.maximum(np.clip(end, year_starts[:-1], year_starts[1:]), day_lo)
        days = np.broadcast_to(day_hi - day_lo, paid.shape)
        year_days = np.diff(year_starts)
        share = np.where(days >= year_days, 1.0, days / year_days)
        top_up = rules.minimum_true_up(OPS, paid, plan.minimum * share)
        if plan.cap_per_year is not None:
            top_up = rules.capped(OPS, top_up, paid, plan.cap_per_year)
        paid = paid + np.where(days > 0, top_up, 0.0)
    if plan.cap_total is not None:
        before = np.full(paid.shape, plan.cap_used)
        before[:, 1:] += np.cumsum(paid[:, :-1], axis=1)
        paid = rules.capped(OPS, paid, before, plan.cap_total)
    return paid


def recouped(paid: np.ndarray, amount: float, month: int, period: np.ndarray) -> np.ndarray:
    """Monthly payments with an advance: the advance paid in its month, and the royalties of the
    settlement period holding that month (``period``: each month's period's first month) and of
    every later one credited against it until it is recouped, as settlement credits them. An
    advance paid before the horizon is recouped from the horizon's start (its payment is in the
    past); one after the horizon changes nothing in it."""
    if month >= paid.shape[1]:
        return paid
    credited = paid.copy()
    if month >= 0:
        credited[:, :period[month]] = 0.0
    to_date = np.minimum(np.cumsum(credited, axis=1), amount)
    out = paid - np.diff(to_date, axis=1, prepend=0.0)
    if month >= 0:
        out[:, month] += amount
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
