"""The plain month-by-month computation the vectorised engine must equal.

It settles one future the way a settlement settles revenue rows: one row per stream and month,
dated the month's first day; a row counts when :func:`termsheet.model.clause_window` contains its
date; periods of the clause's ``settle`` length; the rules of :mod:`termsheet.rules` applied in
order, period by period, with plain running totals. With ``DECIMAL_OPS`` and ``Decimal`` amounts
it is the exact oracle of the tests; with floats it is the benchmark's plain Python loop.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Callable, Mapping, Sequence

from ..money import rules
from ..agreement.model import RevenueShare, Version, clause_window
from ..money.compile import selection

Row = tuple[date, str, str | None, str | None, Any]   # day, seller, channel, product, amount
PER_YEAR = {"month": 12, "quarter": 4, "year": 1}


def monthly_rows(revenue: Mapping[str, Sequence[Any]], kinds: Mapping[str, tuple],
                 first_year: int, twelfth: Callable[[Any], Any]) -> list[Row]:
    """Rows of a year's revenue spread evenly over its months: ``kinds[stream]`` is
    ``(seller, channel, product)`` and ``revenue[stream][y]`` the revenue of year ``y``."""
    rows = []
    for stream, yearly in revenue.items():
        seller, channel, product = kinds[stream]
        for year, amount in enumerate(yearly):
            for month in range(12):
                rows.append((date(first_year + year, month + 1, 1), seller, channel, product,
                             twelfth(amount)))
    return rows


def row_selected(clause: RevenueShare, version: Version, row: Row) -> bool:
    """Whether a row is in the clause's base: the selection settlement uses
    (:func:`termsheet.money.compile.selection`)."""
    _, seller, channel, product, _ = row
    return selection(clause, version).selects(seller, channel, product)


def clause_payments(clause: RevenueShare, version: Version, rows: Sequence[Row], first_year: int,
                    years: int, events: Mapping[str, date], zero: Any = Decimal(0),
                    cap_used: Any = None, ops: rules.Ops = rules.DECIMAL_OPS) -> list:
    """What the payer pays in each year of the horizon under one revenue share: slices of
    (period, segment) in order; due; cap per year; year-end true-up to the prorated minimum
    within the cap per year; total cap over the payments in order."""
    window = clause_window(clause, date(first_year, 1, 1), None, dict(events))
    if window is None:
        return [zero] * years
    slices = _slices(clause, version, rows, window, first_year, zero)
    cap, minimum = clause.cap, clause.minimum
    per_year = cap.per_year if cap else None
    total_cap = cap.total if cap else None
    total_before = zero if cap_used is None else cap_used
    paid = [zero] * years
    length = 12 // PER_YEAR[clause.settle]
    reach = None if clause.tiers is None else \
        {"period": length, "month": 1, "quarter": 3, "year": 12}.get(clause.tiers.per)
    volume: dict = {}                               # per group, in the tier window, before
    for year in range(years):
        due_in_year = paid_year_sum = zero
        for period in sorted({k[0] for k in slices if k[0][0] == year}):
            if reach is not None and (year * 12 + period[1] * length) % reach == 0:
                volume = {}
            keys = sorted(k for k in slices if k[0] == period)
            totals: dict = {}
            for key in keys:
                totals[key[2]] = totals.get(key[2], zero) + slices[key][0]
            before = {group: volume.get(group, zero) for group in totals}
            for key in keys:
                group = key[2]
                base, flat_due, bands = slices[key]
                if clause.tiers is None:
                    due = flat_due
                elif clause.tiers.mode == "marginal":
                    due = rules.marginal_tiers(ops, base, before[group], bands)
                else:
                    due = rules.whole_volume_tiers(ops, base, before[group] + totals[group] - base,
                                                   bands)
                before[group] = before[group] + base
                paid_year = rules.capped(ops, due, due_in_year, per_year)
                due_in_year, paid_year_sum = due_in_year + due, paid_year_sum + paid_year
                paid[year] += rules.capped(ops, paid_year, total_before, total_cap)
                total_before = total_before + paid_year
            for group, total in totals.items():
                volume[group] = volume.get(group, zero) + total
        days = _days_in_force(window, first_year + year)
        if minimum is not None and days:
            in_year = (date(first_year + year, 12, 31) - date(first_year + year, 1, 1)).days + 1
            required = minimum.per_year if days >= in_year else minimum.per_year * days / in_year
            top_up = rules.minimum_true_up(ops, paid_year_sum, _like(required, zero))
            top_up = rules.capped(ops, top_up, paid_year_sum, per_year)
            paid[year] += rules.capped(ops, top_up, total_before, total_cap)
            total_before = total_before + top_up
    return paid


def _slices(clause: RevenueShare, version: Version, rows: Sequence[Row],
            window: tuple[date, date | None], first_year: int, zero: Any) -> dict:
    """((year, period), segment start, group) -> [base, flat due, bands] of the rows inside the
    window."""
    length = 12 // PER_YEAR[clause.settle]
    steps = [s.from_ for s in clause.rate] if isinstance(clause.rate, tuple) else []
    if clause.tiers is not None and clause.tiers.schedule:
        steps = [s.from_ for s in clause.tiers.schedule]
    out: dict = {}
    for row in rows:
        day = row[0]
        if not (window[0] <= day and (window[1] is None or day <= window[1])):
            continue
        if not row_selected(clause, version, row):
            continue
        period = (day.year - first_year, (day.month - 1) // length)
        segment = max([s for s in steps if s <= day], default=date.min)
        by = clause.tiers.by if clause.tiers is not None else None
        key = (period, segment, _group(row, by))
        bands = clause.tiers.bands_on(day) if clause.tiers is not None else None
        entry = out.setdefault(key, [zero, zero, bands])
        entry[0] += row[4]
        if clause.tiers is None:
            entry[1] += rules.flat(row[4], clause.rate_on(day))
    return out


def _group(row: Row, by: str | None) -> str:
    """The value of ``tiers.by`` in a row ('' when the bands are not grouped)."""
    if by is None:
        return ""
    _, seller, channel, product, _ = row
    return str({"seller": seller, "channel": channel, "product": product}.get(by) or "")


def _like(value: Any, zero: Any) -> Any:
    return float(value) if isinstance(zero, float) else value


def _days_in_force(window: tuple[date, date | None], year: int) -> int:
    first = max(window[0], date(year, 1, 1))
    last = min(window[1] or date(year, 12, 31), date(year, 12, 31))
    return max((last - first).days + 1, 0)


def party_flows(version: Version, rows: Sequence[Row], first_year: int, years: int,
                events: Mapping[str, date], zero: Any = Decimal(0)) -> dict[str, list]:
    """Each party's net flow in each year under every revenue share of a version."""
    flows = {party: [zero] * years for party in version.parties}
    for clause in version.clauses_of(RevenueShare):
        paid = clause_payments(clause, version, rows, first_year, years, events, zero)
        for year, amount in enumerate(paid):
            flows[clause.payee][year] += amount
            flows[clause.payer][year] -= amount
    return flows


def present_value(flows: Sequence[Any], rate: Any) -> Any:
    """Year ``y`` (1-based) discounted by ``(1 + rate)^y``, from the end of the year."""
    total = flows[0] * 0
    for year, amount in enumerate(flows, start=1):
        total += amount / (1 + rate) ** year
    return total
