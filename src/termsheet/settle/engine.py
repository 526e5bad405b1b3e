"""The settlement engine: Ibis expressions over the ``rows`` view, run by DuckDB or by Spark.

The same expressions run on either backend (see backends.py). The pipeline:

1. ``summarize``: one pass over the rows, grouped by charge day and the names as written that
   the terms look at. The only step that touches every row; everything after works on it.
2. ``classify``: names matched to ids (parties, channels, products) through lookups built from
   the few distinct names, currencies checked; ``reason`` says why rows are quarantined.
3. per term (a revenue-share clause of a version), in lines.py: its base grouped into slices
   (settlement period x rate segment); tiers, per-year cap, year-end minimum true-up and total
   cap with window functions and the shared money rules (``termsheet.rules``). Terms with a
   flat rate and nothing to carry are settled together in one expression.

Amounts stay DECIMAL(38,10) (inputs) and DECIMAL(38,20) (products of amounts and rates, exact);
nothing is rounded here. Rounding happens once, at the statement line (statements.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import ibis
import ibis.expr.datatypes as dt
from ibis import _

from .focus import BAD_CODES, group_column
from ..money.currency import CURRENCIES
from .terms import Term, Vocabulary, slug

MONEY = dt.Decimal(38, 10)
EXACT = dt.Decimal(38, 20)
TRUE_UP_SEGMENT = 1000
QUARTER_TRUE_UP_SEGMENT = 999  # a quarterly minimum's true-up: before the year's, after shares
UNITS = {"month": "M", "quarter": "Q", "year": "Y"}
COSTS = {"BilledCost": "billed", "EffectiveCost": "effective", "ListCost": "list"}
CHANNEL_COLUMNS = ("host", "provider", "issuer")
PRODUCT_COLUMNS = ("product", "service")


@dataclass(frozen=True, slots=True)
class Opening:
    """A line already settled for a term, before the run's first period: it carries volume,
    amounts due and amounts paid into the run's windows."""

    period: date
    kind: str
    base: Decimal
    due: Decimal
    paid_year: Decimal
    paid: Decimal
    group: str = ""  # tiers by a column: a group's volume (its amounts are on the line's row)


@dataclass(frozen=True, slots=True)
class Later:
    """A share slice already settled for a term after the run's last day. A run that restates
    an earlier period settles it again from its stored base, so what the restatement changes in
    caps, tiers and minimums cascades to it."""

    period: date
    segment: int
    group: str
    base: Decimal
    rows: int
    corrections: int
    first_day: date | None
    last_day: date | None
    part: str = ""  # its line's base, in a clause with several
    conversions: tuple = ()  # its line's converted rows (currency.conversions): kept as settled


@dataclass(frozen=True, slots=True)
class Needs:
    """What the terms of a history look at: the summary keeps only those names and amounts."""

    channels: bool
    products: bool
    costs: tuple[str, ...]
    currencies: tuple[str, ...]
    rated: tuple[tuple[str, date], ...] = ()  # currencies converted from a day on (currency.py)
    # columns of the input that tier bands apply per group of (``tiers.by`` other than the ids):
    # name as the clause writes it -> the clause that names it
    groups: tuple[tuple[str, str], ...] = ()

    @property
    def keys(self) -> list[str]:
        keys = ["source", "day", "seller", "category", "currency", "bad"]
        keys += list(CHANNEL_COLUMNS) if self.channels else []
        keys += list(PRODUCT_COLUMNS) if self.products else []
        keys += [group_column(name) for name, _ in self.groups]
        return keys

    @property
    def names(self) -> list[str]:
        return [k for k in self.keys if k not in ("source", "day", "bad")]


def group_of(t: ibis.Table, by: str | None) -> ibis.Value:
    """A row's value of ``tiers.by`` ('' when bands are not grouped or the value is missing):
    the id of a seller, channel, product or service; else the input column's text."""
    if by is None:
        return ibis.literal("")
    column = GROUP_IDS.get(by) or group_column(by)
    return t[column].fill_null("")


GROUP_IDS = {"seller": "seller_id", "channel": "channel_id", "product": "product_id",
             "service": "service_key"}


def needs_of(terms: list[Term], currencies: frozenset[str]) -> Needs:
    clauses = [t.clause for t in terms]
    costs = {"billed"} | {COSTS[c.base.cost] for c in clauses}
    by = {t.clause.tiers.by for t in terms if t.clause.tiers is not None}
    groups: dict[str, str] = {}
    for t in terms:
        name = t.clause.tiers.by if t.clause.tiers is not None else None
        if name is not None and name not in GROUP_IDS:
            groups.setdefault(name, f"'{t.clause.id}' of {t.version.version}")
    selectors = [*terms, *(part for t in terms for part in t.parts)]
    return Needs(channels=any(t.channels is not None for t in selectors) or "channel" in by,
                 products=any(t.products is not None or t.services is not None
                              for t in selectors)
                 or bool(by & {"product", "service"}),
                 costs=tuple(c for c in ("billed", "effective", "list") if c in costs),
                 currencies=tuple(sorted(currencies)), groups=tuple(sorted(groups.items())))


ROW_ID = 10**12  # a listed row is source * ROW_ID + row


def summarize(rows: ibis.Table, needs: Needs) -> ibis.Table:
    """Every row, once: counts and sums per input file, charge day and the names as written
    that the terms need. Rows that may be unusable (a bad field, a currency not written exactly as the
    agreement's) are also listed, by source and row, for the quarantine: no second pass."""
    other = ~rows.currency.isin(list(needs.currencies))
    for code, first in needs.rated:  # converted at a rate: usable
        other &= ~((rows.currency == code) & (rows.day >= first))
    suspect = (rows.bad != 0) | rows.currency.isnull() | other
    sums = {cost: rows[cost].sum() for cost in needs.costs}
    # "source*ROW_ID+row|text", built only for suspect rows (the CASE keeps it off the others).
    # "source*ROW_ID+row|line|text": the line is the CSV file's physical line (none in Parquet).
    listed = (rows.source.cast("int64") * ROW_ID + rows.source_row).cast("string") + "|" + \
        rows.source_line.cast("string").fill_null("") + "|" + rows.bad_text.fill_null("")
    return rows.group_by(needs.keys).aggregate(
        n=_.count(), corrections=rows.source_row.count(where=rows.charge_class.ilike("correction")),
        suspects=ibis.ifelse(suspect, listed, ibis.null("string")).collect(), **sums)


NAME_COLUMNS = ("seller", "host", "provider", "issuer", "service", "product", "category",
                "currency")


def clean(text: str | None) -> str | None:
    """Literal 'NULL' strings and blanks are missing values."""
    if text is None or text.strip().upper() in ("", "NULL"):
        return None
    return text.strip()


def lookup(text: str | None, names: dict[str, str]) -> str | None:
    """A billing name -> an id: as written in any case, else by its slug."""
    text = clean(text)
    if text is None:
        return None
    return names.get(text.lower()) or names.get(slug(text))


def currency_code(text: str | None) -> str | None:
    text = clean(text)
    return None if text is None else text.upper()


def currency_problem(text: str | None, known: frozenset[str]) -> str | None:
    code = currency_code(text)
    if code is None:
        return "currency-missing"
    if code not in CURRENCIES:
        return "currency-unknown"
    return None if code in known else "currency-other"


@dataclass(frozen=True, slots=True)
class Names:
    """What each name as written in the data means: raw text -> id or clean value.

    Built in Python from the distinct names of the summary (there are few), applied in the
    expressions as small CASE lookups: one definition of cleaning and matching for every engine.
    """

    seller: dict[str, str]
    channel: dict[str, dict[str, str]]  # per column: host, provider, issuer
    product: dict[str, dict[str, str]]  # per column: product, service
    service: dict[str, str]
    category: dict[str, str]
    currency: dict[str, str]
    currency_problem: dict[str, str]


def names_of(records: list[dict], vocab: Vocabulary) -> Names:
    """``records``: the distinct names of a summary (a column it lacks has none)."""
    seen = {column: {r[column] for r in records if r.get(column) is not None}
            for column in NAME_COLUMNS}

    def mapped(column: str, fn) -> dict[str, str]:
        return {raw: value for raw in sorted(seen[column]) if (value := fn(raw)) is not None}

    return Names(
        seller=mapped("seller", lambda n: lookup(n, vocab.parties)),
        channel={c: mapped(c, lambda n: lookup(n, vocab.channels))
                 for c in ("host", "provider", "issuer")},
        product={c: mapped(c, lambda n: lookup(n, vocab.products)) for c in ("product", "service")},
        service=mapped("service", lambda n: (clean(n) or "").lower() or None),
        category=mapped("category", lambda n: (clean(n) or "").lower() or None),
        currency=mapped("currency", currency_code),
        currency_problem=mapped("currency", lambda n: currency_problem(n, vocab.currencies)),
    )


def _sub(column: ibis.Value, mapping: dict[str, str]) -> ibis.Value:
    if not mapping:
        return ibis.null("string")
    return column.substitute(mapping, else_=ibis.null("string"))


def classify(t: ibis.Table, names: Names) -> ibis.Table:
    """Ids for names, clean keys, and the reason a group of rows cannot be used (or NULL)."""
    currency_reason = ibis.ifelse(t.currency.isnull(), "currency-missing",
                                  _sub(t.currency, names.currency_problem))
    have = set(t.columns)

    def sub(column: str, mapping: dict[str, str]) -> ibis.Value:
        return _sub(t[column], mapping) if column in have else ibis.null("string")

    return t.mutate(
        seller_id=sub("seller", names.seller),
        channel_id=ibis.coalesce(*(sub(c, m) for c, m in names.channel.items())),
        product_id=ibis.coalesce(*(sub(c, m) for c, m in names.product.items())),
        service_key=sub("service", names.service),
        category_key=sub("category", names.category).coalesce("usage"),
        currency_code=sub("currency", names.currency),
        reason=ibis.ifelse(t.bad == 0, currency_reason, _bad_name(t.bad)),
    )


def _bad_name(code: ibis.Value) -> ibis.Value:
    return code.substitute({i: name for i, name in enumerate(BAD_CODES) if name},
                           else_=ibis.null("string"))


def in_term(t: ibis.Table, term: Term, start: date | None, end: date | None) -> ibis.Value:
    """Whether classified rows are in a term's base (and inside the run's dates)."""
    first = max(term.start, start) if start else term.start
    last = min(d for d in (term.end, end) if d) if (term.end or end) else None
    pred = t.reason.isnull() & (t.day >= first) & (t.currency_code == term.currency)
    pred &= t.category_key.isin(sorted(term.categories))
    if last is not None:
        pred &= t.day <= last
    for column, allowed in (("seller_id", term.sellers), ("channel_id", term.channels),
                            ("product_id", term.products), ("service_key", term.services)):
        if allowed is not None:
            pred &= t[column].isin(sorted(allowed))
    if term.parts:
        pred &= part_of(t, term).notnull()
    return pred.fill_null(False)


def part_of(t: ibis.Table, term: Term) -> ibis.Value:
    """Which of a clause's several bases a row is in: the first that selects it (or NULL)."""
    branches = []
    for index, part in enumerate(term.parts):
        pred = ibis.literal(True)
        for column, allowed in (("seller_id", part.sellers), ("channel_id", part.channels),
                                ("product_id", part.products), ("service_key", part.services),
                                ("category_key", part.categories)):
            if allowed is not None:
                pred &= t[column].isin(sorted(allowed)).fill_null(False)
        branches.append((pred, index))
    return ibis.cases(*branches, else_=ibis.null("int64")).cast("int64")


def segment_of(day: ibis.Value, term: Term, part: ibis.Value | None = None) -> ibis.Value:
    """A row's rate segment (for a clause with several bases: within its base ``part``)."""
    if term.parts:
        branches = [((part == seg.part) & (day >= seg.start), i)
                    for i, seg in reversed(list(enumerate(term.segments)))]
        return ibis.cases(*branches, else_=0).cast("int64")
    if len(term.segments) == 1:
        return ibis.literal(0, type="int64")
    branches = [(day >= seg.start, i) for i, seg in reversed(list(enumerate(term.segments)))]
    return ibis.cases(*branches, else_=0).cast("int64")


def period_of(day: ibis.Value, settle: str) -> ibis.Value:
    """The first day of the settlement period of a day. (The casts make engines agree on the
    type: DuckDB truncates a date to a timestamp, Ibis would assume a date and skip the cast.)"""
    return day.truncate(UNITS[settle]).cast("timestamp").cast("date")


def slices(t: ibis.Table, term: Term, start: date | None, end: date | None) -> ibis.Table:
    """A term's base rows grouped by settlement period and rate segment."""
    cost = t[COSTS[term.clause.base.cost]]
    part = part_of(t, term) if term.parts else ibis.null("int64")
    base = t.filter(in_term(t, term, start, end)).select(
        day=_.day, base=cost.cast(MONEY), n=_.n, corrections=_.corrections, part=part)
    grouped = base.group_by(period=period_of(base.day, term.clause.settle),
                            segment=segment_of(base.day, term, base.part)).aggregate(
        base=_.base.sum().cast(MONEY), rows=_.n.sum().cast("int64"),
        corrections=_.corrections.sum().cast("int64"), first_day=_.day.min(),
        last_day=_.day.max())
    return grouped.mutate(kind=ibis.literal("share"))


def _opening_table(opening: list[Opening]) -> ibis.Table:
    import pyarrow as pa
    money, exact = pa.decimal128(38, 10), pa.decimal128(38, 20)
    arrays = {
        "period": pa.array([o.period for o in opening], pa.date32()),
        "segment": pa.array([TRUE_UP_SEGMENT if o.kind == "true-up" else 0 for o in opening],
                            pa.int64()),
        "base": pa.array([o.base for o in opening], money),
        "rows": pa.array([0] * len(opening), pa.int64()),
        "corrections": pa.array([0] * len(opening), pa.int64()),
        "first_day": pa.array([None] * len(opening), pa.date32()),
        "last_day": pa.array([None] * len(opening), pa.date32()),
        "kind": pa.array([o.kind for o in opening], pa.string()),
        "prior": pa.array([True] * len(opening), pa.bool_()),
        "stored_due": pa.array([o.due for o in opening], exact),
        "stored_paid_year": pa.array([o.paid_year for o in opening], exact),
        "stored_paid": pa.array([o.paid for o in opening], exact),
        "grp": pa.array([o.group for o in opening], pa.string()),
    }
    return ibis.memtable(pa.table(arrays))
