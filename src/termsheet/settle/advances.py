"""Advances recouped against later royalties.

A clause's ``advance: {amount, paid}`` is paid by the payer on ``paid`` (an ``advance`` line in
the period holding that day). From then on, what the clause earns each period (its share lines
and true-ups, as rounded on the statement) is credited against the advance until it is recouped:
a ``recoupment`` line of ``-min(earned, unrecouped)`` beside the earnings, so the period pays
``earned - recouped``. Once recouped, royalties are paid out in full.

Every statement of the clause shows the balance: each recoupment (and advance) line's
``detail["advance"]`` holds ``advance``, ``earned``, ``recouped`` (this period),
``recouped_to_date`` and ``unrecouped``; ``recouped_to_date + unrecouped == advance`` always.

Like the total cap, an advance runs over one term (the clause as written in one version); a run
continues the recoupment from the lines already in the store. Amounts are the statement's rounded
amounts, so recoupment rounds nothing.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

from ..money.currency import round_money
from .lines import period_end, period_start
from .statements import Line
from .terms import Term

ZERO = Decimal(0)
KINDS = ("advance", "recoupment")  # lines this module writes; not carried into the engine
EARNED = ("share", "true-up")


def recoup(terms: list[Term], lines: list[Line], first: date | None, last: date | None,
           opening: dict[str, list] | None = None) -> list[Line]:
    """``lines`` with each advance, and a recoupment line for every period a clause with an
    advance earned in (and the advance's own period). ``opening``: lines already settled
    before the run (the store's), by term key: the recoupment goes on from them."""
    opening = opening or {}
    out = list(lines)
    for term in terms:
        advance = term.clause.advance
        if advance is None or first is None or last is None:
            continue
        settle = term.clause.settle
        advance = advance.model_copy(update={"amount": round_money(advance.amount,
                                                                   term.currency)})
        paid_day = max(advance.paid, term.start)
        paid_period = period_start(paid_day, settle)
        prior = opening.get(term.key, [])
        recouped = -sum((o.paid for o in prior if o.kind == "recoupment"), ZERO)
        earned: dict[date, Decimal] = defaultdict(lambda: ZERO)
        mine = [line for line in lines if _of(line, term)]
        for line in mine:
            if line.kind in EARNED and line.period >= paid_period:
                earned[line.period] += line.amount
        periods = set(earned)
        if period_start(first, settle) <= paid_period <= period_start(last, settle):
            periods.add(paid_period)
        for period in sorted(periods):
            if period == paid_period:  # the balance as paid, before this period's earnings
                out.append(_line(term, period, "advance", advance.amount,
                                 _balance(advance, ZERO, ZERO, recouped),
                                 f"advance paid {advance.paid}"))
            got = earned.get(period, ZERO)
            take = max(ZERO, min(got, advance.amount - recouped))
            recouped += take
            out.append(_line(term, period, "recoupment", -take,
                             _balance(advance, got, take, recouped), "recouped from royalties"))
    return sorted(out, key=lambda l: (l.period, l.payer, l.payee, l.clause, l.version,
                                      _ORDER.get(l.kind, 9), l.kind, l.part))


def _balance(advance, earned: Decimal, take: Decimal, recouped: Decimal) -> dict:
    return {"advance": advance.amount, "paid_date": advance.paid, "earned": earned,
            "recouped": take, "recouped_to_date": recouped,
            "unrecouped": advance.amount - recouped}


_ORDER = {"advance": 0, "share": 1, "true-up": 2, "recoupment": 3}


def _of(line: Line, term: Term) -> bool:
    return (line.agreement, line.version, line.clause) == (term.version.agreement,
                                                           term.version.version, term.clause.id)


def _line(term: Term, period: date, kind: str, amount: Decimal, balance: dict,
          rate: str) -> Line:
    clause = term.clause
    return Line(
        agreement=term.version.agreement, version=term.version.version, clause=clause.id,
        heading=clause.heading, payer=clause.payer, payee=clause.payee, period=period,
        period_end=period_end(period, clause.settle), settle=clause.settle, kind=kind,
        base=ZERO, rows=0, corrections=0, first_day=None, last_day=None, cost=clause.base.cost,
        rate=rate, due=amount, paid_year=amount, paid=amount, amount=amount,
        currency=term.currency, rounding=clause.rounding, detail={"advance": balance})


__all__ = ["recoup", "KINDS"]
