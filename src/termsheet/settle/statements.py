"""Statement lines, statements and the reconciliation of a run: records and their one rounding.

A line is what one term (a revenue-share clause of one version) owes for one settlement period,
or a year-end minimum true-up. It names its agreement, version and clause, and the count and sum
of the input rows behind it. ``amount`` is the only rounded figure: the exact amount ``paid``
rounded once, with the remainder carried to the term's next line (``round(before + paid) -
round(before)``), so a term's lines add up to its rounded exact total and a cap stays a cap.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Iterable

from ..agreement.describe import percent
from .lines import period_end
from ..money.currency import round_money, rounding_note
from .terms import Term

ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Line:
    agreement: str
    version: str
    clause: str
    heading: str
    payer: str
    payee: str
    period: date
    period_end: date
    settle: str
    kind: str  # "share" or "true-up"
    base: Decimal
    rows: int
    corrections: int
    first_day: date | None
    last_day: date | None
    cost: str
    rate: str
    due: Decimal
    paid_year: Decimal
    paid: Decimal
    amount: Decimal
    currency: str
    rounding: str

    @property
    def key(self) -> str:
        """The line's identity in the ledger: the same key in a later run restates it."""
        return f"{self.agreement}/{self.version}/{self.clause}/{self.period}/{self.kind}"

    @property
    def label(self) -> str:
        if self.settle == "month":
            return self.period.strftime("%Y-%m")
        if self.settle == "quarter":
            return f"{self.period.year}-Q{(self.period.month - 1) // 3 + 1}"
        return str(self.period.year)

    def to_dict(self) -> dict:
        return {**asdict(self), "key": self.key, "label": self.label}


@dataclass(frozen=True, slots=True)
class Statement:
    """What one party owes another for one period, line by line."""

    payer: str
    payee: str
    period: str
    currency: str
    lines: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        return sum((line.amount for line in self.lines), ZERO)

    def __repr__(self) -> str:
        return (f"<Statement {self.payer} → {self.payee} {self.period}: {len(self.lines)} "
                f"lines, {format(self.total, ',f')} {self.currency}>")

    def _repr_html_(self) -> str:
        from ..agreement.tables import html_table
        rows = [{"clause": line.clause, "version": line.version, "rows": line.rows,
                 "base": line.base, "rate": line.rate, "amount": line.amount}
                for line in self.lines]
        return html_table(rows, repr(self)[1:-1])

    def to_arrow(self):
        from ..agreement.tables import to_arrow
        return to_arrow([line.to_dict() for line in self.lines])

    def to_pandas(self):
        return self.to_arrow().to_pandas()

    def to_dict(self) -> dict:
        return {"payer": self.payer, "payee": self.payee, "period": self.period,
                "currency": self.currency, "total": self.total,
                "lines": [line.to_dict() for line in self.lines]}


@dataclass(frozen=True, slots=True)
class Tally:
    rows: int = 0
    amount: Decimal = ZERO

    def __add__(self, other: "Tally") -> "Tally":
        return Tally(self.rows + other.rows, self.amount + other.amount)


@dataclass(frozen=True, slots=True)
class Reconciliation:
    """Rows and amounts (BilledCost; the revenue table's amount) in one currency:
    in = settled + out of scope + quarantined. Amounts that cannot be read count as rows only."""

    currency: str
    rows_in: Tally
    settled: Tally
    out_of_scope: Tally
    outside_dates: Tally
    quarantined: Tally
    # Obligations the run's dates stop short of ("minimum for 2026 not yet settled: ...").
    pending: tuple[str, ...] = ()

    @property
    def balanced(self) -> bool:
        return self.rows_in == self.settled + self.out_of_scope + self.quarantined

    def to_dict(self) -> dict:
        data = {name: {"rows": t.rows, "amount": t.amount} for name, t in
                (("in", self.rows_in), ("settled", self.settled),
                 ("out_of_scope", self.out_of_scope), ("outside_dates", self.outside_dates),
                 ("quarantined", self.quarantined))}
        return {"currency": self.currency, **data, "balanced": self.balanced,
                "pending": list(self.pending)}


def reconcile(groups: Iterable[dict]) -> list[Reconciliation]:
    """From (currency, status, rows, amount) groups to one reconciliation per currency."""
    tallies: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    for group in groups:
        tally = Tally(int(group["rows"]), group["amount"] or ZERO)
        tallies[group["currency"]][group["status"]] += tally
    out = []
    for currency in sorted(tallies):
        t = tallies[currency]
        outside = t["outside-dates"]
        out_of_scope = t["out-of-scope"] + outside
        total = t["settled"] + out_of_scope + t["quarantined"]
        out.append(Reconciliation(currency, total, t["settled"], out_of_scope, outside,
                                  t["quarantined"]))
    return out


@dataclass(frozen=True, slots=True)
class Slice:
    """One engine result: a term's period x rate segment (or a true-up), exact amounts."""

    term: int
    period: date
    segment: int
    kind: str
    base: Decimal
    rows: int
    corrections: int
    first_day: date | None
    last_day: date | None
    due: Decimal
    paid_year: Decimal
    paid: Decimal
    band: int | None = None  # whole-volume tiers: the band the volume reached
    group: str = ""          # the value of tiers.by ('' when bands are not grouped)
    key: str = ""            # the statement line's key (the store keeps slices by it)


def lines_of(terms: list[Term], slices: list[Slice],
             carried: dict[str, Decimal] | None = None) -> list[Line]:
    """Statement lines from slices: summed per term, period and kind, then rounded once.

    ``carried`` is the exact amount a term already paid before the run (from the store), so the
    rounding carry continues where it left off.
    """
    carried = carried or {}
    grouped: dict[tuple[int, date, str], list[Slice]] = defaultdict(list)
    for item in slices:
        grouped[(item.term, item.period, item.kind)].append(item)
    by_term: dict[int, list[Line]] = defaultdict(list)
    for (index, period, kind) in sorted(grouped, key=lambda k: (k[0], k[1], k[2] != "share")):
        term = terms[index]
        items = grouped[(index, period, kind)]
        paid = sum((i.paid for i in items), ZERO)
        if kind == "true-up" and paid == 0:
            continue  # the year's payments reached the minimum: nothing to true up
        before = carried.get(term.key, ZERO) + sum((line.paid for line in by_term[index]), ZERO)
        rule = term.clause.rounding
        amount = (round_money(before + paid, term.currency, rule)
                  - round_money(before, term.currency, rule))
        by_term[index].append(_line(term, period, kind, items, paid, amount))
    return sorted((line for lines in by_term.values() for line in lines),
                  key=lambda l: (l.period, l.payer, l.payee, l.clause, l.version, l.kind))


def _line(term: Term, period: date, kind: str, items: list[Slice], paid: Decimal,
          amount: Decimal) -> Line:
    clause = term.clause
    firsts = [i.first_day for i in items if i.first_day]
    lasts = [i.last_day for i in items if i.last_day]
    segments = sorted({(i.segment, i.band) for i in items if i.kind == "share"},
                      key=lambda k: (k[0], -1 if k[1] is None else k[1]))
    rate = "minimum true-up" if kind == "true-up" else \
        "; ".join(_rate_text(term, s, band) for s, band in segments)
    return Line(
        agreement=term.version.agreement, version=term.version.version, clause=clause.id,
        heading=clause.heading, payer=clause.payer, payee=clause.payee, period=period,
        period_end=period_end(period, clause.settle), settle=clause.settle, kind=kind,
        base=sum((i.base for i in items), ZERO), rows=sum(i.rows for i in items),
        corrections=sum(i.corrections for i in items),
        first_day=min(firsts) if firsts else None, last_day=max(lasts) if lasts else None,
        cost=clause.base.cost, rate=rate, due=sum((i.due for i in items), ZERO),
        paid_year=sum((i.paid_year for i in items), ZERO), paid=paid,
        amount=amount, currency=term.currency, rounding=clause.rounding)


def _rate_text(term: Term, segment: int, band: int | None) -> str:
    """The rate of a slice: a whole-volume slice shows the one band it reached."""
    if band is None:
        return term.segments[segment].describe()
    reached = term.segments[segment].bands[band]
    return f"{percent(reached.rate)} (band above {reached.above:,})"


def statements_of(lines: Iterable[Line]) -> list[Statement]:
    """Lines grouped by payer -> payee and period."""
    groups: dict[tuple, list[Line]] = defaultdict(list)
    for line in lines:
        groups[(line.label, line.payer, line.payee, line.currency)].append(line)
    return [Statement(payer, payee, label, currency, tuple(groups[(label, payer, payee, currency)]))
            for label, payer, payee, currency in sorted(groups)]


def notes_of(lines: Iterable[Line]) -> list[str]:
    """What a reader of the statements needs to know: the rounding, once per currency and rule."""
    return sorted({rounding_note(line.currency, line.rounding) for line in lines})


def totals_by_pair(lines: Iterable[Line]) -> dict[tuple[str, str, str], Decimal]:
    totals: dict[tuple[str, str, str], Decimal] = defaultdict(lambda: ZERO)
    for line in lines:
        totals[(line.payer, line.payee, line.currency)] += line.amount
    return dict(totals)
