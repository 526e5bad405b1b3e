"""From a chain of terms' slices to its statement lines: the money rules as Ibis window expressions.

The rule order and the contract calendar are ``termsheet.money.compile``'s; the per-value rules
``termsheet.money.rules``, shared with the simulation. A *chain* is the terms of one clause in
successive versions (an amendment with ``reset: true`` starts a new one): tier volumes, the
per-year cap, the minimum and the total cap count over the chain, so an amendment mid-year does
not restart a year's count.

Running totals are windows ordered by (period, link, segment): ``link`` is the term's place in
its chain, ``segment`` a rate segment inside the term (true-ups are segment 1000, last in their
period). Tier volumes are also partitioned by ``grp``, the value of ``tiers.by`` (or '').
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import ibis
from ibis import _

from ..money import compile as money
from ..money import rules
from .engine import (COSTS, EXACT, MONEY, group_of, QUARTER_TRUE_UP_SEGMENT, TRUE_UP_SEGMENT, UNITS,
                     Later, Opening,
                     _opening_table, in_term, part_of, period_of, segment_of)
from .terms import Term

OPS = rules.ibis_ops()
SLICE_COLUMNS = ("term", "period", "segment", "kind", "base", "rows", "corrections", "first_day",
                 "last_day", "due", "paid_year", "paid", "band", "grp")


def period_start(day: date, settle: str, start_month: int = 1) -> date:
    return money.period_start(day, settle, start_month)


def period_end(start: date, settle: str) -> date:
    return money.period_end(start, settle)


def contract_period_of(day: ibis.Value, settle: str, start_month: int = 1) -> ibis.Value:
    """The first day of a day's settlement period, quarters and years following the contract
    year (``period_of`` when it is the calendar year)."""
    shift = (start_month - 1) % money.UNIT_MONTHS[settle]
    if shift == 0:
        return period_of(day, settle)
    moved = (day - ibis.interval(months=shift)).cast("date")
    return (period_of(moved, settle) + ibis.interval(months=shift)).cast("timestamp").cast("date")


def contract_year_of(period: ibis.Value, start_month: int) -> ibis.Value:
    if start_month == 1:
        return period.year()
    return period.year() - ibis.ifelse(period.month() < start_month, 1, 0)


def _running(column: ibis.Value, order: list, group: list | None = None) -> ibis.Value:
    window = ibis.window(preceding=None, following=0, order_by=order, group_by=group)
    return column.sum().over(window)


def _tier_window(s: ibis.Table, per: str, start_month: int) -> list:
    """The partition a tier volume is counted in (besides the group)."""
    if per == "life-to-date":
        return []
    if per == "period":
        return [s.period]
    if per == "year":
        return [s.year]
    if per == "quarter":
        return [s.year, ((s.period.month() - start_month + 12) % 12) // 3]
    return [s.year, s.period.month()]


def _due(s: ibis.Table, chain: list[Term]) -> tuple[ibis.Value, ibis.Value]:
    """What a slice owes before any cap (exact), and the whole-volume band it reached."""
    order = [s.period, s.link, s.segment]
    befores: dict[tuple[str, str], ibis.Value] = {}

    def before_of(tiers, start_month: int) -> ibis.Value:
        key = (tiers.per, tiers.mode)
        if key not in befores:
            cum = _running(s.base, order, [s.grp, *_tier_window(s, tiers.per, start_month)])
            if tiers.mode == "marginal":
                befores[key] = cum - s.base
            else:  # whole volume: the band the window's volume through the period's end reaches
                cum_period = _running(s.base, [s.link, s.segment], [s.grp, s.period])
                total_period = s.base.sum().over(ibis.window(group_by=[s.grp, s.period]))
                befores[key] = cum - cum_period + total_period - s.base
        return befores[key]

    branches, bands = [], []
    for term in chain:
        clause = term.clause
        for index, segment in enumerate(term.segments):
            here = (s.term == term.index) & (s.segment == index)
            if segment.rate is not None:
                amount = rules.flat(s.base, segment.rate, OPS)
            else:
                before = before_of(clause.tiers, term.start_month)
                if clause.tiers.mode == "marginal":
                    amount = rules.marginal_tiers(OPS, s.base, before, segment.bands)
                else:
                    amount = rules.whole_volume_tiers(OPS, s.base, before, segment.bands)
                    after = before + s.base
                    reached = ibis.cases(*((after >= OPS.constant(b.above), i) for i, b in
                                           reversed(list(enumerate(segment.bands)))), else_=0)
                    bands.append((here, reached.cast("int64")))
            branches.append((here, amount.cast(EXACT)))
    due = branches[0][1] if len(branches) == 1 else ibis.cases(*branches, else_=branches[0][1])
    band = ibis.cases(*bands, else_=ibis.null("int64")) if bands else ibis.null("int64")
    return ibis.ifelse(s.prior, s.stored_due, due), band


def _limit(s: ibis.Table, chain: list[Term], which: str) -> ibis.Value | None:
    """Each slice's cap (per-quarter, per-year or total) from its own term; None: no term has
    one."""
    caps = {t.index: getattr(t.clause.cap, which) for t in chain
            if t.clause.cap is not None and getattr(t.clause.cap, which) is not None}
    if not caps:
        return None
    return ibis.cases(*((s.term == index, OPS.constant(cap)) for index, cap in caps.items()),
                      else_=ibis.null(EXACT))


def _capped(due: ibis.Value, before: ibis.Value, limit: ibis.Value | None) -> ibis.Value:
    if limit is None:
        return due
    return ibis.ifelse(limit.isnull(), due, rules.capped(OPS, due, before, limit)).cast(EXACT)


def _paid_quarter(s: ibis.Table, chain: list[Term]) -> ibis.Value:
    """What is paid of what a share slice makes due, within the per-quarter cap over the contract
    quarter (a true-up carried from an earlier run passes as it was)."""
    limit = _limit(s, chain, "per_quarter")
    if limit is None:
        return s.due
    shares = ibis.ifelse(s.kind == "share", s.due, ibis.literal(0, type=EXACT)).cast(EXACT)
    before = _running(shares, [s.period, s.link, s.segment], [s.year, s.quarter]) - shares
    return ibis.ifelse(s.kind == "share", _capped(s.due, before, limit), s.due).cast(EXACT)


def _paid_year(s: ibis.Table, chain: list[Term]) -> ibis.Value:
    """What is paid of what the per-quarter rules leave, within the per-year cap over the
    contract year."""
    limit = _limit(s, chain, "per_year")
    if limit is None:
        return ibis.ifelse(s.prior, s.stored_paid_year, s.paid_q)
    before = _running(s.paid_q, [s.period, s.link, s.segment], [s.year]) - s.paid_q
    return ibis.ifelse(s.prior, s.stored_paid_year, _capped(s.paid_q, before, limit))


def chain_end(chain: list[Term]) -> date | None:
    return chain[-1].end


def true_up_years(chain: list[Term], start: date, end: date) -> list[int]:
    """Contract years whose end (or the chain's end, if earlier) falls inside the run's dates and
    in which a term of the chain with a yearly minimum is in force."""
    if all(t.clause.minimum is None or t.clause.minimum.per_year is None for t in chain):
        return []
    month = chain[0].start_month
    years = []
    first = max(chain[0].start, start)
    for year in range(money.contract_year(first, month), money.contract_year(end, month) + 1):
        last_day = min(money.year_last(year, month), chain_end(chain) or date.max)
        if start <= last_day <= end and _minimum(chain, year) is not None:
            years.append(year)
    return years


def true_up_quarters(chain: list[Term], start: date, end: date) -> list[tuple[int, int]]:
    """Contract quarters (year, 0 to 3) whose end (or the chain's end, if earlier) falls inside
    the run's dates and in which a term of the chain with a quarterly minimum is in force."""
    if all(t.clause.minimum is None or t.clause.minimum.per_quarter is None for t in chain):
        return []
    month = chain[0].start_month
    out = []
    day = money.period_start(max(chain[0].start, start), "quarter", month)
    while day <= end:
        year, quarter = money.contract_quarter(day, month)
        last_day = min(money.period_end(day, "quarter"), chain_end(chain) or date.max)
        if start <= last_day <= end and quarter_minimum(chain, year, quarter) is not None:
            out.append((year, quarter))
        day = money.period_end(day, "quarter") + timedelta(days=1)
    return out


def _minimum(chain: list[Term], year: int) -> Decimal | None:
    parts = [(t.start, t.end, t.clause.minimum.per_year if t.clause.minimum else None)
             for t in chain]
    return money.chain_minimum(parts, year, chain[0].start_month)


def prorated_minimum(chain: list[Term], year: int) -> Decimal | None:
    """The contract year's minimum over the chain (see ``money.chain_minimum``)."""
    return _minimum(chain, year)


def quarter_minimum(chain: list[Term], year: int, quarter: int) -> Decimal | None:
    """A contract quarter's minimum over the chain (see ``money.chain_quarter_minimum``)."""
    parts = [(t.start, t.end, t.clause.minimum.per_quarter if t.clause.minimum else None)
             for t in chain]
    return money.chain_quarter_minimum(parts, year, quarter, chain[0].start_month)


def _true_up_term(chain: list[Term], last_day: date) -> tuple[int, Term]:
    """The term in force on a year's last day (the chain's last one before it)."""
    link = max(i for i, t in enumerate(chain) if t.start <= last_day)
    return link, chain[link]


def _true_up_row(paid: ibis.Table, s: ibis.Table, term: Term, link: int, last_day: date,
                 segment: int, year: int, quarter: int, top_up: ibis.Value) -> ibis.Table:
    month = term.start_month
    return paid.select(
        period=ibis.literal(period_start(last_day, term.clause.settle, month), type="date"),
        segment=ibis.literal(segment, type="int64"),
        base=ibis.literal(0, type=MONEY), rows=ibis.literal(0, type="int64"),
        corrections=ibis.literal(0, type="int64"), first_day=ibis.null("date"),
        last_day=ibis.null("date"), kind=ibis.literal("true-up"),
        prior=ibis.literal(False), year=ibis.literal(year, type="int32").cast(s.year.type()),
        quarter=ibis.literal(quarter, type="int32").cast(s.quarter.type()),
        due=top_up, paid_q=top_up, paid_year=top_up, term=ibis.literal(term.index, type="int64"),
        link=ibis.literal(link, type="int64"), band=ibis.null("int64"),
        grp=ibis.literal(""), stored_paid_year=ibis.null(EXACT), stored_paid=ibis.null(EXACT))


def _quarter_true_ups(s: ibis.Table, chain: list[Term],
                      quarters: list[tuple[int, int]]) -> list[ibis.Table]:
    """Contract-quarter-end lines that bring a quarter's payments (after the per-quarter cap)
    up to the quarterly minimum, within what the per-quarter cap leaves."""
    out = []
    month = chain[0].start_month
    for year, quarter in quarters:
        required = quarter_minimum(chain, year, quarter)
        last_day = min(money.quarter_last(year, quarter, month), chain_end(chain) or date.max)
        link, term = _true_up_term(chain, last_day)
        per_quarter = term.clause.cap.per_quarter if term.clause.cap else None
        paid = s.filter((s.year == year) & (s.quarter == quarter) & (s.kind == "share")).aggregate(
            paid=_.paid_q.sum())
        already = paid.paid.coalesce(ibis.literal(0, type=EXACT)).cast(EXACT)
        top_up = rules.minimum_true_up(OPS, already, required)
        top_up = rules.capped(OPS, top_up, already, per_quarter).cast(EXACT)
        out.append(_true_up_row(paid, s, term, link, last_day, QUARTER_TRUE_UP_SEGMENT, year,
                                quarter, top_up))
    return out


def _true_ups(s: ibis.Table, chain: list[Term], years: list[int]) -> list[ibis.Table]:
    """Contract-year-end lines that bring a year's payments (its quarterly true-ups included) up
    to the minimum, within what the per-year cap leaves."""
    out = []
    month = chain[0].start_month
    for year in years:
        required = _minimum(chain, year)
        last_day = min(money.year_last(year, month), chain_end(chain) or date.max)
        link, term = _true_up_term(chain, last_day)
        per_year = term.clause.cap.per_year if term.clause.cap else None
        paid = s.filter(s.year == year).aggregate(paid=_.paid_year.sum())
        already = paid.paid.coalesce(ibis.literal(0, type=EXACT)).cast(EXACT)
        top_up = rules.minimum_true_up(OPS, already, required)
        top_up = rules.capped(OPS, top_up, already, per_year).cast(EXACT)
        quarter = money.contract_quarter(last_day, month)[1]
        out.append(_true_up_row(paid, s, term, link, last_day, TRUE_UP_SEGMENT, year, quarter,
                                top_up))
    return out


def is_simple(chain: list[Term], opening: dict[str, list[Opening]] | None = None) -> bool:
    """Flat rates (dated or not), nothing capped, no minimum, no advance, nothing carried,
    periods of the calendar: no running totals to keep, so the chain's terms can be settled
    together with others like them (and a restatement has nothing to cascade to)."""
    opening = opening or {}
    return all(t.clause.tiers is None and t.clause.cap is None and t.clause.minimum is None
               and t.clause.advance is None and not opening.get(t.key)
               and (t.start_month == 1 or t.clause.settle == "month")
               and not t.clause.bases for t in chain)


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
    out = grouped.mutate(kind=ibis.literal("share"), due=due, paid_year=due, paid=due,
                         band=ibis.null("int64"), grp=ibis.literal(""))
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


def _term_slices(t: ibis.Table, term: Term, link: int, start: date | None,
                 end: date | None) -> ibis.Table:
    """A term's base rows grouped by settlement period, rate segment and tier group."""
    cost = t[COSTS[term.clause.base.cost]]
    group = group_of(t, term.clause.tiers.by if term.clause.tiers else None)
    part = part_of(t, term) if term.parts else ibis.null("int64")  # several bases: which
    base = t.filter(in_term(t, term, start, end)).select(
        day=_.day, base=cost.cast(MONEY), n=_.n, corrections=_.corrections, grp=group, part=part)
    grouped = base.group_by(
        period=contract_period_of(base.day, term.clause.settle, term.start_month),
        segment=segment_of(base.day, term, base.part), grp=base.grp).aggregate(
        base=_.base.sum().cast(MONEY), rows=_.n.sum().cast("int64"),
        corrections=_.corrections.sum().cast("int64"), first_day=_.day.min(),
        last_day=_.day.max())
    return grouped.mutate(kind=ibis.literal("share"), prior=ibis.literal(False),
                          stored_due=ibis.null(EXACT), stored_paid_year=ibis.null(EXACT),
                          stored_paid=ibis.null(EXACT),
                          term=ibis.literal(term.index, type="int64"),
                          link=ibis.literal(link, type="int64"))


def _later_table(items: list[Later], term: Term, link: int) -> ibis.Table:
    import pyarrow as pa
    return ibis.memtable(pa.table({
        "period": pa.array([i.period for i in items], pa.date32()),
        "segment": pa.array([i.segment for i in items], pa.int64()),
        "grp": pa.array([i.group for i in items], pa.string()),
        "base": pa.array([i.base for i in items], pa.decimal128(38, 10)),
        "rows": pa.array([i.rows for i in items], pa.int64()),
        "corrections": pa.array([i.corrections for i in items], pa.int64()),
        "first_day": pa.array([i.first_day for i in items], pa.date32()),
        "last_day": pa.array([i.last_day for i in items], pa.date32()),
    })).mutate(kind=ibis.literal("share"), prior=ibis.literal(False),
               stored_due=ibis.null(EXACT), stored_paid_year=ibis.null(EXACT),
               stored_paid=ibis.null(EXACT), term=ibis.literal(term.index, type="int64"),
               link=ibis.literal(link, type="int64"))


def chain_slices(t: ibis.Table, chain: list[Term], start: date | None, end: date | None,
                 years: list[int], opening: dict[str, list[Opening]] | None = None,
                 later: dict[str, list[Later]] | None = None,
                 quarters: list[tuple[int, int]] | None = None) -> ibis.Table:
    """A chain's slices (period x term x rate segment x group, and contract-year-end true-ups)
    with what each pays, the rules in ``money.compile``'s order (``quarters``: the contract quarters
whose quarterly minimum the run settles). ``later``: slices settled
    before for periods after the run, settled again from their stored bases (the cascade)."""
    opening, later = opening or {}, later or {}
    parts = []
    for link, term in enumerate(chain):
        part = _term_slices(t, term, link, start, end)
        parts.append(part)
        if later.get(term.key):
            parts.append(_later_table(later[term.key], term, link).select(*part.columns))
        if opening.get(term.key):
            carried = _opening_table(opening[term.key]).mutate(
                term=ibis.literal(term.index, type="int64"),
                link=ibis.literal(link, type="int64"))
            parts.append(carried.select(*part.columns))
    s = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    month = chain[0].start_month
    s = s.mutate(year=contract_year_of(s.period, month),
                 quarter=((s.period.month() - month + 12) % 12) // 3)
    due, band = _due(s, chain)
    s = s.mutate(due=due, band=band)
    s = s.mutate(paid_q=_paid_quarter(s, chain))
    columns = ("term", "link", "period", "segment", "base", "rows", "corrections", "first_day",
               "last_day", "kind", "prior", "year", "quarter", "due", "paid_q", "band", "grp",
               "stored_paid_year", "stored_paid")
    s = s.mutate(paid_year=ibis.null(EXACT)).select(*columns, "paid_year")
    ups = _quarter_true_ups(s, chain, quarters or [])
    if ups:
        s = s.union(*[u.select(*s.columns) for u in ups])
    s = s.mutate(paid_year=_paid_year(s, chain))
    ups = _true_ups(s, chain, years)
    if ups:
        s = s.union(*[u.select(*s.columns) for u in ups])
    limit = _limit(s, chain, "total")
    paid = s.paid_year
    if limit is not None:
        before = _running(s.paid_year, [s.period, s.link, s.segment]) - s.paid_year
        paid = _capped(s.paid_year, before, limit)
    s = s.mutate(paid=ibis.ifelse(s.prior, s.stored_paid, paid))
    s = s.filter(~s.prior)
    return s.select(*SLICE_COLUMNS)


__all__ = ["chain_slices", "period_start", "period_end", "true_up_quarters", "true_up_years",
           "UNITS"]
