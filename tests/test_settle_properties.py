"""Properties of settlement, over generated rows: a cap is never exceeded; statement lines add up
to the ledger to the cent; rows and amounts are conserved (in = settled + out of scope +
quarantined)."""

import tempfile
from collections import defaultdict
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from termsheet import History, parse
from termsheet.settle import settle
from termsheet.settle.store import Store
from support.settle import FRONT

SETTINGS = settings(max_examples=12, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
START = date(2026, 1, 1)


def history_with(clause: dict) -> History:
    text = FRONT.format(version="v1", effective=START, amends="", events="{}")
    block = yaml.safe_dump(clause, sort_keys=False, default_flow_style=None)
    version, problems = parse(text + f"\n## Share\n\nThe share.\n\n```terms\n{block}```\n")
    assert not problems, problems
    return History(version.agreement, (version,))


def row(day: date, amount, currency="USD", seller="Acme") -> dict:
    return {"date": str(day), "seller": seller, "channel": "direct", "product": "widget",
            "amount": str(amount), "currency": currency}


money = st.decimals(min_value=Decimal("-2000"), max_value=Decimal("20000"), places=2,
                    allow_nan=False, allow_infinity=False)
rates = st.sampled_from(["5%", "12.5%", "20%", "33.333%"])


@SETTINGS
@given(bases=st.lists(st.tuples(st.integers(0, 700), money), min_size=1, max_size=25),
       rate=rates, total=st.decimals(0, 5000, places=2), per_year=st.one_of(
           st.none(), st.decimals(0, 3000, places=2)),
       settle_every=st.sampled_from(["month", "quarter"]))
def test_a_cap_is_never_exceeded(bases, rate, total, per_year, settle_every):
    cap = {"total": str(total)} | ({"per-year": str(per_year)} if per_year is not None else {})
    history = history_with({"id": "share", "kind": "revenue-share", "payer": "acme",
                            "payee": "beta", "base": {"seller": "acme"}, "rate": rate,
                            "cap": cap, "settle": settle_every})
    rows = [row(START + timedelta(days=d), amount) for d, amount in bases]
    lines = sorted(settle(history, rows).lines, key=lambda l: l.period)
    paid, by_year = Decimal(0), defaultdict(Decimal)
    for line in lines:
        paid += line.amount
        by_year[line.period.year] += line.amount
        assert paid <= total, (paid, total)
        if per_year is not None:
            assert by_year[line.period.year] <= per_year
    exact = sum(line.paid for line in lines)
    assert exact <= total


@SETTINGS
@given(runs=st.lists(st.lists(st.tuples(st.integers(0, 400), money), min_size=0, max_size=12),
                     min_size=1, max_size=4),
       rate=rates, minimum=st.one_of(st.none(), st.decimals(0, 2000, places=2)))
def test_statement_lines_add_up_to_the_ledger(runs, rate, minimum):
    clause = {"id": "share", "kind": "revenue-share", "payer": "acme", "payee": "beta",
              "base": {"seller": "acme"}, "rate": rate}
    if minimum is not None:
        clause["minimum"] = {"per-year": str(minimum)}
    history = history_with(clause)
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "s.duckdb") as store:
        for bases in runs:
            rows = [row(START + timedelta(days=d), amount) for d, amount in bases]
            if not rows:
                continue
            result = settle(history, rows, start=START, end=date(2027, 2, 28),
                            opening=lambda first: store.opening(history.agreement, first))
            store.record(result)
            ledger = defaultdict(Decimal)
            for entry in store.entries():
                ledger[entry.key] += entry.amount
                assert entry.amount == entry.amount.quantize(Decimal("0.01"))
            lines = store.current_lines()
            assert {l.key: l.amount for l in lines if l.amount} == \
                {k: v for k, v in ledger.items() if v}
            assert sum(l.amount for l in result.lines) == \
                sum(v for k, v in ledger.items() if k in {l.key for l in result.lines})


GOOD_DAYS = st.integers(0, 500).map(lambda d: str(START + timedelta(days=d)))
BAD_DAYS = st.sampled_from(["2026-02-30", "yesterday", "", "NULL", "31/01/2026"])
BAD_AMOUNTS = st.sampled_from(["abc", "1,000.00", "", "NULL", "12..5", "$5"])
CURRENCIES = st.sampled_from(["USD", "usd", " USD ", "EUR", "XYZ", "NULL", ""])


def expected_amount(text: str) -> Decimal | None:
    text = text.strip()
    if text.upper() in ("", "NULL"):
        return None
    try:
        return Decimal(text).quantize(Decimal("1e-10"), rounding=ROUND_HALF_UP)
    except InvalidOperation:
        return None


@SETTINGS
@given(rows=st.lists(st.tuples(st.one_of(GOOD_DAYS, BAD_DAYS),
                               st.one_of(money.map(str), BAD_AMOUNTS), CURRENCIES,
                               st.sampled_from(["Acme", "acme", "Other Co", "NULL"])),
                     min_size=1, max_size=40))
def test_rows_and_amounts_are_conserved(rows):
    history = history_with({"id": "share", "kind": "revenue-share", "payer": "acme",
                            "payee": "beta", "base": {"seller": "acme"}, "rate": "20%"})
    data = [row(d, a, c, s) for d, a, c, s in rows]
    result = settle(history, data)
    # Worked out here, independently: which rows are usable, and the amounts per currency.
    want_in = defaultdict(lambda: [0, Decimal(0)])
    bad = 0
    for d, a, c, s in rows:
        code = c.strip().upper() or None
        code = None if code == "NULL" else code
        amount = expected_amount(a)
        want_in[code or "(none)"][0] += 1
        want_in[code or "(none)"][1] += amount or 0
        bad += _unusable(d, amount, code)
    got = {r.currency: [r.rows_in.rows, r.rows_in.amount] for r in result.reconciliation}
    assert got == dict(want_in)
    assert all(r.balanced for r in result.reconciliation)
    assert sum(r.quarantined.rows for r in result.reconciliation) == len(result.quarantine) == bad
    settled = sum(r.settled.amount for r in result.reconciliation)
    assert settled == sum(line.base for line in result.lines)


def _unusable(day: str, amount, code) -> bool:
    try:
        date.fromisoformat(day)
    except ValueError:
        return True
    return amount is None or code != "USD"
