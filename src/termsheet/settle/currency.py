"""Exchange rates: rows in a currency other than the agreement's, converted with a rate table the
user supplies, instead of quarantined.

A rate table is CSV or Parquet with the columns ``date, from, to, rate``: one unit of ``from`` is
``rate`` units of ``to`` from ``date`` on. **The rule**: a row is converted at the latest rate for
its pair (its currency -> the currency of the version in force on its charge day) dated on or
before its charge day. A row with no such rate is quarantined (``rate-missing``), with the pair
and the day. Rates are never inverted or chained: give each pair you need.

Money stays exact: a rate has at most ten decimals, an amount ten, so a day's amount in a
currency times its rate is exact at twenty decimals; it is then held at ten (half-up, as every
amount read from data is) and rounded to the minor unit once, at the statement line. Each
converted statement line records the rates it used (``Line.detail["conversions"]``).
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path

import duckdb

from ..agreement.problems import Problem, TermsheetError
from ..money.currency import CURRENCIES

RATE_COLUMNS = ("date", "from", "to", "rate")
TEN = Decimal("1e-10")


@dataclass(frozen=True)
class Rates:
    """A rate table: (from, to) -> dated rates, in date order."""

    pairs: dict[tuple[str, str], tuple[tuple[date, Decimal], ...]]
    path: str = "<memory>"
    sha256: str | None = None
    _days: dict = field(default_factory=dict, repr=False, compare=False)

    def on(self, source: str, target: str, day: date) -> tuple[Decimal, date] | None:
        """The rate that converts ``source`` to ``target`` on ``day``: the latest dated on or
        before it, with its date; None when there is none."""
        steps = self.pairs.get((source, target))
        if not steps:
            return None
        days = self._days.setdefault((source, target), [d for d, _ in steps])
        index = bisect.bisect_right(days, day) - 1
        if index < 0:
            return None
        return steps[index][1], steps[index][0]

    @property
    def currencies(self) -> frozenset[str]:
        return frozenset(source for source, _ in self.pairs)

    def first_day(self, source: str, target: str) -> date | None:
        steps = self.pairs.get((source, target))
        return steps[0][0] if steps else None

    def to_dict(self) -> dict:
        return {"path": self.path, "sha256": self.sha256,
                "pairs": [f"{a}->{b}" for a, b in sorted(self.pairs)],
                "rates": sum(len(v) for v in self.pairs.values())}


def rates_from(rows: list[dict], path: str = "<memory>", sha256: str | None = None) -> Rates:
    """A rate table from records with ``date, from, to, rate`` (row numbers are 1-based, header
    excluded); every bad row is a positioned problem."""
    problems: list[Problem] = []
    pairs: dict[tuple[str, str], dict[date, Decimal]] = defaultdict(dict)
    for number, row in enumerate(rows, start=1):
        where = dict(path=path, line=number + 1)
        day = _day(row.get("date"))
        source, target = (str(row.get(k) or "").strip().upper() for k in ("from", "to"))
        rate = _rate(row.get("rate"))
        if day is None:
            problems.append(Problem("E058", f"rate table row {number}: date {row.get('date')!r} "
                                    "is not a date", **where))
            continue
        bad = [c for c in (source, target) if c not in CURRENCIES]
        if bad:
            problems.append(Problem("E058", f"rate table row {number}: {bad[0] or 'a blank'!r} "
                                    "is not an ISO 4217 currency", **where))
            continue
        if rate is None:
            problems.append(Problem("E058", f"rate table row {number}: rate {row.get('rate')!r} "
                                    "is not a positive number with at most ten decimals",
                                    **where))
            continue
        if source == target:
            problems.append(Problem("E058", f"rate table row {number}: {source} to itself",
                                    **where))
            continue
        if day in pairs[(source, target)] and pairs[(source, target)][day] != rate:
            problems.append(Problem("E058", f"rate table row {number}: a second {source}->"
                                    f"{target} rate for {day}", **where))
            continue
        pairs[(source, target)][day] = rate
    if problems:
        raise TermsheetError(problems)
    return Rates({pair: tuple(sorted(steps.items())) for pair, steps in sorted(pairs.items())},
                 path, sha256)


def _day(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except (TypeError, ValueError):
        return None


def _rate(value) -> Decimal | None:
    try:
        rate = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    if not rate.is_finite() or rate <= 0 or rate.as_tuple().exponent < -10:
        return None
    return rate


def load_rates(path: str | Path) -> Rates:
    """Read a rate table (CSV or Parquet); a file that cannot be read or lacks a column is an
    E058 problem."""
    from .focus import file_hash
    path = Path(path)
    if not path.is_file():
        raise TermsheetError([Problem("E004", f"no such file: {path}", str(path))])
    literal = "'" + str(path).replace("'", "''") + "'"
    name = path.name.lower()
    reader = (f"read_parquet({literal})" if name.endswith((".parquet", ".pq", ".parq")) else
              f"read_csv({literal}, all_varchar = true, header = true)")
    con = duckdb.connect()
    try:
        cursor = con.execute(f"SELECT * FROM {reader}")
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
    except duckdb.Error as err:
        raise TermsheetError([Problem("E058", f"cannot read the rate table {path}: "
                                      f"{str(err).splitlines()[0]}", str(path))]) from None
    finally:
        con.close()
    lower = {c.strip().lower(): i for i, c in enumerate(columns)}
    missing = [c for c in RATE_COLUMNS if c not in lower]
    if missing:
        raise TermsheetError([Problem("E058", f"the rate table {path} lacks the column(s) "
                                      f"{', '.join(missing)}", str(path), line=1,
                                      hint="a rate table has the columns date, from, to, rate")])
    records = [{c: row[lower[c]] for c in RATE_COLUMNS} for row in rows]
    return rates_from(records, str(path), file_hash(path))


def as_rates(value) -> Rates | None:
    """``settle(..., rates=)``: a path, a Rates, or records."""
    if value is None or isinstance(value, Rates):
        return value
    if isinstance(value, (str, Path)):
        return load_rates(value)
    return rates_from(list(value))


def daily_table(rates: Rates, target_on, first: date, last: date, sources: set[str]):
    """An Arrow table of the rate each source currency takes on each day of [first, last]:
    ``fx_from, fx_day, fx_to, fx_rate, fx_rate_day`` (days with no rate are left out).
    ``target_on(day)``: the agreement's currency that day."""
    import pyarrow as pa
    cols: dict[str, list] = {k: [] for k in ("fx_from", "fx_day", "fx_to", "fx_rate",
                                              "fx_rate_day")}
    day = first
    while day <= last:
        target = target_on(day)
        for source in sorted(sources):
            found = None if target is None or source == target else \
                rates.on(source, target, day)
            if found is not None:
                for key, value in zip(cols, (source, day, target, found[0], found[1])):
                    cols[key].append(value)
        day += timedelta(days=1)
    types = (pa.string(), pa.date32(), pa.string(), pa.decimal128(38, 10), pa.date32())
    return pa.table({k: pa.array(v, t) for (k, v), t in zip(cols.items(), types)})


def missing_text(value: str | None) -> str:
    """The quarantine reason of a row with no rate: ``value`` is 'EUR->USD 2026-01-05'."""
    pair, _, day = (value or "").partition(" ")
    return f"no {pair} rate on or before {day} in the rate table"


__all__ = ["Rates", "load_rates", "rates_from", "as_rates", "daily_table", "missing_text", "TEN"]


# ---------------------------------------------------------------------------------------------
# in the engine: the summary's amounts converted, and what each line converted


def convert(t, fx):
    """The classified summary with rows in another currency converted: amounts times the day's
    rate (exact, then held at ten decimals), ``currency_code`` the agreement's; a row whose
    currency is not the agreement's and that has no rate is quarantined as ``rate-missing``.
    The amounts and currency as read stay in ``*_in`` (the reconciliation is in them)."""
    import ibis

    from .engine import MONEY
    joined = t.left_join(fx, (t.currency_code == fx.fx_from) & (t.day == fx.fx_day))
    converted = joined.fx_rate.notnull()
    costs = [c for c in ("billed", "effective", "list") if c in t.columns]
    changes = {f"{c}_in": joined[c] for c in costs}
    changes |= {c: ibis.ifelse(converted, (joined[c] * joined.fx_rate).cast(MONEY),
                               joined[c]) for c in costs}
    changes["currency_in"] = joined.currency_code
    changes["currency_code"] = ibis.ifelse(converted, joined.fx_to, joined.currency_code)
    reason = joined.reason
    changes["reason"] = ibis.cases((converted & (reason == "currency-other"), ibis.null("string")),
                                   (reason == "currency-other", "rate-missing"), else_=reason)
    return joined.mutate(**changes).drop("fx_day", "fx_to")


def conversions(backend, summary, terms, first, last) -> dict[tuple[int, date, str], list[dict]]:
    """For each term, period and base, the conversions behind its line: currency, rate, the rate's
    date, rows, the amount as read and converted."""
    import ibis

    from .engine import COSTS, in_term, part_of, period_of
    parts = []
    for term in terms:
        cost = COSTS[term.clause.base.cost]
        f = summary.filter(in_term(summary, term, first, last) & summary.fx_rate.notnull())
        part = part_of(f, term) if term.parts else ibis.literal(-1, type="int64")
        parts.append(f.group_by(
            period=period_of(f.day, term.clause.settle), part=part, currency=f.currency_in,
            rate=f.fx_rate, rate_day=f.fx_rate_day, to=f.currency_code).aggregate(
            rows=f.n.sum().cast("int64"), amount=f[f"{cost}_in"].sum(),
            converted=f[cost].sum()).mutate(term=ibis.literal(term.index, type="int64")))
    if not parts:
        return {}
    expr = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    out: dict[tuple[int, date, str], list[dict]] = defaultdict(list)
    for r in backend.records(expr.order_by(["term", "period", "part", "currency", "rate_day"])):
        term = next(t for t in terms if t.index == r["term"])
        part = term.clause.bases[r["part"]].id if r["part"] >= 0 else ""
        out[(r["term"], r["period"], part)].append(
            {"from": r["currency"], "to": r["to"], "rate": r["rate"].normalize(),
             "rate_date": r["rate_day"], "rows": r["rows"], "amount": r["amount"],
             "converted": r["converted"]})
    return dict(out)
