"""From a term's slices to its statement lines: the money rules as Ibis window expressions.

Order of the rules, for one term (a clause as written in one version):

1. due: the rate, or the tiers (marginal or whole-volume, per period or life-to-date), of each
   slice's segment;
2. per-year cap on what is due within the calendar year;
3. the year-end true-up up to the per-year minimum (prorated by the days the term is in force in
   that year), itself within what the per-year cap leaves;
4. total cap over the term's life, payments in order: the period that crosses it pays the
   remainder, later ones nothing.

Running totals are windows ordered by (period, segment); the rules themselves are
``termsheet.rules``, shared with the simulation.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import ibis
from ibis import _

from ..money import rules
from .engine import (COSTS, EXACT, MONEY, TRUE_UP_SEGMENT, UNITS, Opening, _opening_table,
                     in_term, period_of, slices)
from .terms import Term

OPS = rules.ibis_ops()
SLICE_COLUMNS = ("term", "period", "segment", "kind", "base", "rows", "corrections", "first_day",
                 "last_day", "due", "paid_year", "paid")


def period_start(day: date, settle: str) -> date:
    if settle == "month":
        return day.replace(day=1)
    if settle == "quarter":
        return day.replace(month=(day.month - 1) // 3 * 3 + 1, day=1)
    return day.replace(month=1, day=1)


def period_end(start: date, settle: str) -> date:
    months = {"month": 1, "quarter": 3, "year": 12}[settle]
    month = start.month - 1 + months
    following = date(start.year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


def _running(column: ibis.Value, order: list, group: list | None = None) -> ibis.Value:
    window = ibis.window(preceding=None, following=0, order_by=order, group_by=group)
    return column.sum().over(window)


def _due(s: ibis.Table, term: Term) -> ibis.Value:
    """What a slice owes before any cap (exact)."""
    clause = term.clause
    order = [s.period, s.segment]
    if clause.tiers is not None:
        cum_all = _running(s.base, order)
        cum_period = _running(s.base, [s.segment], [s.period])
        total_period = s.base.sum().over(ibis.window(group_by=[s.period]))
        life = clause.tiers.per == "life-to-date"
        if clause.tiers.mode == "marginal":
            before = (cum_all if life else cum_period) - s.base
        else:  # whole volume: the band the period's whole volume reaches
            before = ((cum_all - cum_period) if life else 0) + total_period - s.base
    branches = []
    for index, segment in enumerate(term.segments):
        if segment.rate is not None:
            amount = rules.flat(s.base, segment.rate, OPS)
        elif clause.tiers.mode == "marginal":
            amount = rules.marginal_tiers(OPS, s.base, before, segment.bands)
        else:
            amount = rules.whole_volume_tiers(OPS, s.base, before, segment.bands)
        branches.append((s.segment == index, amount.cast(EXACT)))
    due = branches[0][1] if len(branches) == 1 else ibis.cases(*branches, else_=branches[0][1])
    return ibis.ifelse(s.prior, s.stored_due, due) if "prior" in s.columns else due


def _true_ups(s: ibis.Table, term: Term, years: list[int]) -> list[ibis.Table]:
    """Year-end lines that bring a year's payments up to the minimum."""
    minimum = term.clause.minimum
    if minimum is None:
        return []
    per_year = term.clause.cap.per_year if term.clause.cap else None
    out = []
    for year in years:
        required = prorated_minimum(term, year)
        last_day = min(date(year, 12, 31), term.end or date(year, 12, 31))
        paid = s.filter((s.year == year) & (s.kind == "share")).aggregate(
            paid=_.paid_year.sum())
        already = paid.paid.coalesce(ibis.literal(0, type=EXACT)).cast(EXACT)
        top_up = rules.minimum_true_up(OPS, already, required)
        top_up = rules.capped(OPS, top_up, already, per_year).cast(EXACT)
        out.append(paid.select(
            period=ibis.literal(period_start(last_day, term.clause.settle), type="date"),
            segment=ibis.literal(TRUE_UP_SEGMENT, type="int64"),
            base=ibis.literal(0, type=MONEY), rows=ibis.literal(0, type="int64"),
            corrections=ibis.literal(0, type="int64"), first_day=ibis.null("date"),
            last_day=ibis.null("date"), kind=ibis.literal("true-up"),
            prior=ibis.literal(False), year=ibis.literal(year, type="int32").cast(s.year.type()),
            due=top_up, paid_year=top_up))
    return out


def prorated_minimum(term: Term, year: int) -> Decimal:
    """The per-year minimum, for the share of the calendar year the term is in force."""
    first = max(term.start, date(year, 1, 1))
    last = min(term.end or date(year, 12, 31), date(year, 12, 31))
    days = (last - first).days + 1
    in_year = (date(year, 12, 31) - date(year, 1, 1)).days + 1
    whole = term.clause.minimum.per_year
    return whole if days >= in_year else whole * days / in_year


def true_up_years(term: Term, start: date, end: date) -> list[int]:
    """Years whose end (or the term's end, if earlier) falls inside the run's dates."""
    if term.clause.minimum is None:
        return []
    years = []
    for year in range(max(term.start, start).year, end.year + 1):
        last_day = min(date(year, 12, 31), term.end or date(year, 12, 31))
        if start <= last_day <= end and last_day >= term.start:
            years.append(year)
    return years


def is_simple(term: Term, opening: list[Opening] | None) -> bool:
    """A flat rate (dated or not), nothing capped, no minimum, nothing carried: no running
    totals to keep, so the term can be settled together with others like it."""
    clause = term.clause
    return clause.tiers is None and clause.cap is None and clause.minimum is None \
        and not opening and not clause.bases


def simple_slices(t: ibis.Table, terms: list[Term], start: date | None,
                  end: date | None) -> ibis.Table:
    """The slices of many simple terms in one expression: each summary row tagged with the terms
    whose base it is in, joined to their rate segments, grouped by term, period and segment."""
    member = ibis.array([ibis.ifelse(in_term(t, term, start, end), term.index,
                                     ibis.null("int64")) for term in terms])
    tagged = t.mutate(term=member).unnest("term")
    tagged = tagged.filter(tagged.term.notnull())
    segments = ibis.memtable(_segment_table(terms))
    joined = tagged.join(segments, (tagged.term == segments.s_term)
                         & (tagged.day >= segments.s_first) & (tagged.day <= segments.s_last))
    costs = [name for name in ("billed", "effective", "list") if name in joined.columns]
    cost = ibis.cases(*((joined.s_cost == name, joined[name]) for name in costs),
                      else_=joined.billed).cast(MONEY)
    unit = {settle: period_of(joined.day, settle) for settle in UNITS}
    period = ibis.cases(*((joined.s_settle == name, value) for name, value in unit.items()))
    rows = joined.select(term="term", segment="s_segment", rate="s_rate", day="day",
                         period=period, base=cost, n="n", corrections="corrections")
    grouped = rows.group_by(["term", "period", "segment", "rate"]).aggregate(
        base=_.base.sum().cast(MONEY), rows=_.n.sum().cast("int64"),
        corrections=_.corrections.sum().cast("int64"), first_day=_.day.min(),
        last_day=_.day.max())
    due = rules.flat(grouped.base, grouped.rate, OPS).cast(EXACT)
    out = grouped.mutate(kind=ibis.literal("share"), due=due, paid_year=due, paid=due)
    return out.select(*SLICE_COLUMNS)


def _segment_table(terms: list[Term]):
    """(term, segment) -> its days, rate, cost column and settlement period."""
    import pyarrow as pa
    rows = []
    for term in terms:
        for index, segment in enumerate(term.segments):
            following = term.segments[index + 1].start if index + 1 < len(term.segments) else None
            last = following - timedelta(days=1) if following else (term.end or date(9999, 12, 31))
            rows.append((term.index, index, segment.start, last, segment.rate,
                         COSTS[term.clause.base.cost], term.clause.settle))
    names = ("s_term", "s_segment", "s_first", "s_last", "s_rate", "s_cost", "s_settle")
    types = (pa.int64(), pa.int64(), pa.date32(), pa.date32(), pa.decimal128(38, 10),
             pa.string(), pa.string())
    return pa.table({n: pa.array([r[i] for r in rows], t) for i, (n, t) in
                     enumerate(zip(names, types))})


def term_slices(t: ibis.Table, term: Term, start: date | None, end: date | None,
                years: list[int], opening: list[Opening] | None = None) -> ibis.Table:
    """A term's slices (period x rate segment, and year-end true-ups) with what each pays."""
    s = slices(t, term, start, end)
    clause = term.clause
    s = s.mutate(prior=ibis.literal(False), stored_due=ibis.null(EXACT),
                 stored_paid_year=ibis.null(EXACT), stored_paid=ibis.null(EXACT))
    if opening:
        s = s.union(_opening_table(opening).select(*s.columns))
    s = s.mutate(year=s.period.year())
    s = s.mutate(due=_due(s, term))
    s = s.mutate(paid_year=_paid_year(s, term))
    s = s.select("period", "segment", "base", "rows", "corrections", "first_day", "last_day",
                 "kind", "prior", "year", "due", "paid_year", "stored_paid")
    ups = _true_ups(s, term, years)
    if ups:
        s = s.union(*[u.mutate(stored_paid=ibis.null(EXACT)).select(*s.columns) for u in ups])
    cap = clause.cap.total if clause.cap else None
    paid = s.paid_year
    if cap is not None:
        before = _running(s.paid_year, [s.period, s.segment]) - s.paid_year
        paid = rules.capped(OPS, s.paid_year, before, cap).cast(EXACT)
    s = s.mutate(paid=ibis.ifelse(s.prior, s.stored_paid, paid))
    s = s.filter(~s.prior).mutate(term=ibis.literal(term.index, type="int64"))
    return s.select(*SLICE_COLUMNS)


def _paid_year(s: ibis.Table, term: Term) -> ibis.Value:
    """What is paid of what is due, within the per-year cap."""
    cap = term.clause.cap.per_year if term.clause.cap else None
    if cap is None:
        return s.due
    due_before = _running(s.due, [s.period, s.segment], [s.year]) - s.due
    paid = rules.capped(OPS, s.due, due_before, cap).cast(EXACT)
    return ibis.ifelse(s.prior, s.stored_paid_year, paid)


__all__ = ["term_slices", "period_start", "period_end", "true_up_years", "UNITS"]
