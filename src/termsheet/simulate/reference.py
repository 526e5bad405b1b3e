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

from .. import rules
from ..model import RevenueShare, Version, clause_window, selector_matches

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
    _, seller, channel, product, _ = row
    base = clause.base
    sellers = (base.seller,) if isinstance(base.seller, str) else base.seller
    if sellers is not None and seller not in sellers:
        return False
    for selector, item, table in ((base.channel, channel, version.channels),
                                  (base.product, product, version.products)):
        if selector is None:
            continue
        if item is None:
            return selector in ("all", "any")
        entry = table.get(item)
        attributes = None if entry is None else (
            entry.attributes if hasattr(entry, "attributes") else entry.model_dump())
        if not selector_matches(selector, item, attributes):
            return False
    return True


def clause_payments(clause: RevenueShare, version: Version, rows: Sequence[Row], first_year: int,
                    years: int, events: Mapping[str, date], zero: Any = Decimal(0),
                    cap_used: Any = None, ops: rules.Ops = rules.DECIMAL_OPS) -> list:
    """What the payer pays in each year of the horizon under one revenue share."""
    window = clause_window(clause, date(first_year, 1, 1), None, dict(events))
    per_year = PER_YEAR[clause.settle]
    length = 12 // per_year
    base = {}     # (year, month) -> base counted, due at the row's own rate
    due_flat = {}
    for row in rows:
        day = row[0]
        inside = window is not None and window[0] <= day and (window[1] is None
                                                              or day <= window[1])
        if not inside or not row_selected(clause, version, row):
            continue
        key = (day.year - first_year, day.month - 1)
        base[key] = base.get(key, zero) + row[4]
        if clause.tiers is None:
            due_flat[key] = due_flat.get(key, zero) + rules.flat(row[4], clause.rate_on(day))
    paid = [zero] * years
    volume = zero
    total_before = zero if cap_used is None else cap_used
    for year in range(years):
        due_in_year = zero
        active = window is not None and _year_in_window(window, first_year + year)
        for period in range(per_year):
            months = [(year, period * length + k) for k in range(length)]
            period_base = sum((base.get(m, zero) for m in months), zero)
            if clause.tiers is None:
                due = sum((due_flat.get(m, zero) for m in months), zero)
            else:
                bands = clause.tiers.bands_on(date(first_year + year, period * length + 1, 1))
                rule = rules.marginal_tiers if clause.tiers.mode == "marginal" \
                    else rules.whole_volume_tiers
                before = volume if clause.tiers.per == "life-to-date" else zero
                due = rule(ops, period_base, before, bands)
                volume = volume + period_base
            cap = clause.cap
            if cap is not None and cap.per_year is not None:
                due, due_in_year = (rules.capped(ops, due, due_in_year, cap.per_year),
                                    due_in_year + due)
            if cap is not None and cap.total is not None:
                due, total_before = (rules.capped(ops, due, total_before, cap.total),
                                     total_before + due)
            paid[year] = paid[year] + due
        if clause.minimum is not None and active:
            paid[year] = paid[year] + rules.minimum_true_up(ops, paid[year],
                                                            clause.minimum.per_year)
    return paid


def _year_in_window(window: tuple[date, date | None], year: int) -> bool:
    """Whether a month's first day of the year lies in the window (the clause is in force for
    at least one month of the year)."""
    start, end = window
    for month in range(1, 13):
        day = date(year, month, 1)
        if start <= day and (end is None or day <= end):
            return True
    return False


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
