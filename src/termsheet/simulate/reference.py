"""The plain month-by-month computation the vectorised engine must equal.

It settles one future the way a settlement settles revenue rows: one row per stream and month,
dated the month's first day; a row counts when :func:`termsheet.model.clause_window` contains its
date; periods of the clause's ``settle`` length; the rules of :mod:`termsheet.rules` applied in
order, period by period, with plain running totals. With ``DECIMAL_OPS`` and ``Decimal`` amounts
it is the exact oracle of the tests; with floats it is the benchmark's plain Python loop.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Callable, Mapping, Sequence

from ..money import compile as money
from ..money import rules
from ..agreement.model import RevenueShare, Version, clause_window
from ..money.compile import selection

Row = tuple[date, str, str | None, str | None, Any]   # day, seller, channel, product, amount


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
    """What the payer pays in each year of the horizon under one revenue share, on the
    version's contract calendar (``year-start``): slices of (period, segment, group) in order;
    due; cap per quarter; quarter-end true-up to the prorated quarterly minimum within the cap
    per quarter; cap per year; year-end true-up to the prorated minimum within the cap per year;
    total cap over the payments in order. A true-up is due on the window's last day (or the
    clause's, if earlier) when that day is inside the horizon; an amount is paid in the calendar
    year its period starts in (the horizon's first, for a period that began before it)."""
    window = clause_window(clause, date(first_year, 1, 1), None, dict(events))
    if window is None:
        return [zero] * years
    month = version.year_start_month
    slices = _slices(clause, version, rows, window, first_year, zero, month)
    cap, minimum = clause.cap, clause.minimum
    per_quarter = cap.per_quarter if cap else None
    per_year = cap.per_year if cap else None
    total_cap = cap.total if cap else None
    total_before = zero if cap_used is None else cap_used
    horizon_last = date(first_year + years - 1, 12, 31)
    ups = _true_up_days(window, minimum, month, first_year, horizon_last, clause.settle)
    paid = [zero] * years
    volume: dict = {}                               # per group, in the tier window, before
    reach = clause.tiers.per if clause.tiers is not None else None
    due_q: dict = {}                                # quarter -> uncapped due before
    paid_q: dict = {}                               # quarter -> paid after the quarter cap
    in_year: dict = {}                              # year -> paid after the quarter rules
    paid_y: dict = {}                               # year -> paid after the year cap
    window_key = None

    def pay(period: date, amount: Any) -> None:
        nonlocal total_before
        index = max(period.year - first_year, 0)
        paid[index] += rules.capped(ops, amount, total_before, total_cap)
        total_before = total_before + amount

    def year_cap(year: int, amount: Any) -> Any:
        before = in_year.get(year, zero)
        out = rules.capped(ops, amount, before, per_year)
        in_year[year] = before + amount
        paid_y[year] = paid_y.get(year, zero) + out
        return out

    for period in sorted({k[0] for k in slices} | {d for d, _, _ in ups}):
        keys = sorted(k for k in slices if k[0] == period)
        key = _tier_key(reach, period, clause.settle, month)
        if reach != "life-to-date" and key != window_key:
            volume, window_key = {}, key
        totals: dict = {}
        for k in keys:
            totals[k[2]] = totals.get(k[2], zero) + slices[k][0]
        before = {group: volume.get(group, zero) for group in totals}
        quarter = money.contract_quarter(period, month)
        year = quarter[0]
        for k in keys:
            group = k[2]
            base, flat_due, bands = slices[k]
            if clause.tiers is None:
                due = flat_due
            elif clause.tiers.mode == "marginal":
                due = rules.marginal_tiers(ops, base, before[group], bands)
            else:
                due = rules.whole_volume_tiers(ops, base, before[group] + totals[group] - base,
                                               bands)
            before[group] = before[group] + base
            in_quarter = due_q.get(quarter, zero)
            after_quarter = rules.capped(ops, due, in_quarter, per_quarter)
            due_q[quarter] = in_quarter + due
            paid_q[quarter] = paid_q.get(quarter, zero) + after_quarter
            pay(period, year_cap(year, after_quarter))
        for group, total in totals.items():
            volume[group] = volume.get(group, zero) + total
        for day, kind, (first, last) in ups:
            if day != period or kind != "quarter":
                continue
            key_q = money.contract_quarter(first, month)
            so_far = paid_q.get(key_q, zero)
            required = _prorated(minimum.per_quarter, window, first, last)
            top_up = rules.minimum_true_up(ops, so_far, _like(required, zero))
            top_up = rules.capped(ops, top_up, so_far, per_quarter)
            pay(period, year_cap(key_q[0], top_up))
        for day, kind, (first, last) in ups:
            if day != period or kind != "year":
                continue
            key_y = money.contract_year(first, month)
            so_far = paid_y.get(key_y, zero)
            required = _prorated(minimum.per_year, window, first, last)
            top_up = rules.minimum_true_up(ops, so_far, _like(required, zero))
            pay(period, rules.capped(ops, top_up, so_far, per_year))
    return paid


def _tier_key(per: str | None, period: date, settle: str, month: int) -> Any:
    """The tier window a period is in (a new key: the volume starts again)."""
    if per in (None, "period"):
        return period
    if per == "month":
        return (period.year, period.month)
    if per == "quarter":
        return money.contract_quarter(period, month)
    if per == "year":
        return money.contract_year(period, month)
    return None


def _true_up_days(window: tuple[date, date | None], minimum: Any, month: int, first_year: int,
                  horizon_last: date, settle: str) -> list[tuple[date, str, tuple[date, date]]]:
    """(period of the true-up, "quarter" or "year", the window's first and last day) for each
    contract quarter and year with a minimum whose true-up falls inside the horizon."""
    out: list = []
    if minimum is None:
        return out
    for kind, unit, amount in (("quarter", "quarter", minimum.per_quarter),
                               ("year", "year", minimum.per_year)):
        if amount is None:
            continue
        first = money.period_start(max(window[0], date(first_year, 1, 1)), unit, month)
        while first <= horizon_last:
            last = money.period_end(first, unit)
            day = min(last, window[1] or last)
            if window[0] <= day <= horizon_last:
                out.append((money.period_start(day, settle, month), kind, (first, last)))
            first = last + timedelta(days=1)
    return out


def _prorated(amount: Decimal, window: tuple[date, date | None], first: date, last: date):
    """A minimum weighted by the days the clause is in force in [first, last]."""
    held = (min(window[1] or last, last) - max(window[0], first)).days + 1
    length = (last - first).days + 1
    return amount if held >= length else amount * held / length


def _slices(clause: RevenueShare, version: Version, rows: Sequence[Row],
            window: tuple[date, date | None], first_year: int, zero: Any,
            month: int = 1) -> dict:
    """(period start, segment start, group) -> [base, flat due, bands] of the rows inside the
    window; periods follow the contract year."""
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
        period = money.period_start(day, clause.settle, month)
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
