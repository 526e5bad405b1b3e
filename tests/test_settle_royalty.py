"""Royalty terms: several bases in one clause, minimums over quarters, advances recouped, rows in
other currencies converted with a rate table.

Each case is data: the clauses (written into documents by ``test_settle_cases.write_versions``:
parties acme and beta, channels direct and aws, products widget and gadget), the revenue rows
(``date, seller, channel, product, amount, currency[, category]``), the rate table if any, and the
expected lines, worked by hand from the clause text in the comment above each case.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from termsheet import load_history_of
from termsheet.agreement.problems import TermsheetError
from termsheet.settle import settle
from termsheet.settle.currency import load_rates, rates_from
from termsheet.settle.store import Store
from support.settle import day
from support.royalty import SHARE, agreement, write_rates, write_rows  # noqa: F401


CASES = yaml.safe_load("""
# ---- 2. several bases in one clause ---------------------------------------------------------
net-sales-plus-sublicensing:
  # "5% of net sales plus 20% of sublicensing income": net sales are the usage rows (widget
  # 1,000 + gadget 400 = 1,400 -> 70.00); sublicensing is the 2,000 of category sublicensing
  # -> 400.00. Two lines for January, one per base; 2,000 is not counted twice.
  clause: {bases: [{id: net-sales, rate: 5%}, {id: sublicensing, charge-category: [sublicensing], rate: 20%}]}
  revenue:
    - [2026-01-05, Acme, direct, widget, "1000", USD, usage]
    - [2026-01-06, Acme, direct, gadget, "400", USD, usage]
    - [2026-01-07, Acme, direct, widget, "2000", USD, sublicensing]
  lines:
    - {period: 2026-01, part: net-sales, base: "1400", amount: "70.00"}
    - {period: 2026-01, part: sublicensing, base: "2000", amount: "400.00"}
per-product-rates-under-one-cap:
  # "10% of widget sales and 3% of gadget sales, 100 in total at most". January: widget 600 ->
  # 60, gadget 500 -> 15; 75 paid. February: widget 300 -> 30 but 25 left under the cap -> 25.00
  # (the bases are paid in the order the clause lists them); gadget 200 -> 6, nothing left -> 0.00.
  clause: {bases: [{id: widget, product: widget, rate: 10%}, {id: gadget, product: gadget, rate: 3%}], cap: {total: 100}}
  revenue:
    - [2026-01-05, Acme, direct, widget, "600", USD]
    - [2026-01-06, Acme, direct, gadget, "500", USD]
    - [2026-02-05, Acme, direct, widget, "300", USD]
    - [2026-02-06, Acme, direct, gadget, "200", USD]
  lines:
    - {period: 2026-01, part: widget, amount: "60.00"}
    - {period: 2026-01, part: gadget, amount: "15.00"}
    - {period: 2026-02, part: widget, amount: "25.00"}
    - {period: 2026-02, part: gadget, amount: "0.00"}
first-base-that-selects-a-row:
  # "10% of widget sold direct; 2% of everything else, 4% from February". A widget sold direct
  # is in the first base only. January: widget direct 1,000 -> 100.00; widget on aws 500 -> 2%
  # -> 10.00. February: gadget direct 1,000 -> 4% -> 40.00; widget direct 200 -> 20.00.
  clause: {bases: [{id: widget-direct, product: widget, channel: direct, rate: 10%}, {id: everything-else, rate: [{from: 2026-01-01, rate: 2%}, {from: 2026-02-01, rate: 4%}]}]}
  revenue:
    - [2026-01-10, Acme, direct, widget, "1000", USD]
    - [2026-01-20, Acme, aws, widget, "500", USD]
    - [2026-02-05, Acme, direct, gadget, "1000", USD]
    - [2026-02-06, Acme, direct, widget, "200", USD]
  lines:
    - {period: 2026-01, part: widget-direct, amount: "100.00"}
    - {period: 2026-01, part: everything-else, amount: "10.00", rate: "2%"}
    - {period: 2026-02, part: widget-direct, amount: "20.00"}
    - {period: 2026-02, part: everything-else, amount: "40.00", rate: "4%"}

# ---- 3. minimums over quarters, advances ----------------------------------------------------
quarterly-minimum-true-up:
  # "10%, settled quarterly, at least 1,000 a year". Q1 2,000 -> 200.00; Q2 1,500 -> 150.00;
  # no sales in Q3; Q4 1,000 -> 100.00. The year paid 450; the true-up in Q4 pays 550.00.
  clause: {rate: 10%, settle: quarter, minimum: {per-year: 1000}}
  to: 2026-12-31
  revenue:
    - [2026-02-10, Acme, direct, widget, "2000", USD]
    - [2026-05-10, Acme, direct, widget, "1500", USD]
    - [2026-11-10, Acme, direct, widget, "1000", USD]
  lines:
    - {period: 2026-Q1, amount: "200.00"}
    - {period: 2026-Q2, amount: "150.00"}
    - {period: 2026-Q4, amount: "100.00"}
    - {period: 2026-Q4, kind: true-up, amount: "550.00"}
quarterly-minimum-prorated:
  # In force from 2026-04-01: 275 of 2026's 365 days, so the year's minimum of 1,200 is
  # 1,200 x 275 / 365 = 904.109589... Q2 3,000 -> 300.00; Q3 2,000 -> 200.00; Q4 nothing.
  # True-up 904.109589... - 500 = 404.109589... -> 404.11.
  effective: 2026-04-01
  clause: {rate: 10%, settle: quarter, minimum: {per-year: 1200}}
  to: 2026-12-31
  revenue:
    - [2026-04-10, Acme, direct, widget, "3000", USD]
    - [2026-08-10, Acme, direct, widget, "2000", USD]
  lines:
    - {period: 2026-Q2, amount: "300.00"}
    - {period: 2026-Q3, amount: "200.00"}
    - {period: 2026-Q4, kind: true-up, amount: "404.11"}
quarterly-minimum-met:
  # "10% quarterly, at least 1,000 a year": Q1 5,000 -> 500.00, Q3 7,000 -> 700.00; 1,200 paid,
  # above the minimum: there is nothing to true up, and no true-up line is stated.
  clause: {rate: 10%, settle: quarter, minimum: {per-year: 1000}}
  to: 2026-12-31
  revenue:
    - [2026-03-10, Acme, direct, widget, "5000", USD]
    - [2026-09-10, Acme, direct, widget, "7000", USD]
  lines:
    - {period: 2026-Q1, amount: "500.00"}
    - {period: 2026-Q3, amount: "700.00"}
advance-recouped-then-paid-out:
  # "An advance of 1,000 paid at signing (2026-01-01), recouped from 10% royalties". January
  # earns 400: all recouped (600 left), pays 1,000 advance + 400 - 400. February earns 500:
  # recouped (100 left). March earns 300: 100 recouped, 200 paid out; April earns 100, all paid.
  clause: {rate: 10%, advance: {amount: 1000, paid: 2026-01-01}}
  revenue:
    - [2026-01-10, Acme, direct, widget, "4000", USD]
    - [2026-02-10, Acme, direct, widget, "5000", USD]
    - [2026-03-10, Acme, direct, widget, "3000", USD]
    - [2026-04-10, Acme, direct, widget, "1000", USD]
  lines:
    - {period: 2026-01, kind: advance, amount: "1000.00", unrecouped: "1000"}
    - {period: 2026-01, amount: "400.00"}
    - {period: 2026-01, kind: recoupment, amount: "-400.00", unrecouped: "600"}
    - {period: 2026-02, amount: "500.00"}
    - {period: 2026-02, kind: recoupment, amount: "-500.00", unrecouped: "100"}
    - {period: 2026-03, amount: "300.00"}
    - {period: 2026-03, kind: recoupment, amount: "-100.00", unrecouped: "0"}
    - {period: 2026-04, amount: "100.00"}
    - {period: 2026-04, kind: recoupment, amount: "0.00", unrecouped: "0"}
advance-paid-later-in-the-term:
  # Quarterly, 10%, an advance of 500 paid 2026-04-10. Q1's 100.00 (1,000 of sales) was earned
  # before it and is paid in full. Q2 earns 200 (2,000): recouped, 300 left. Q3 earns 50:
  # recouped, 250 left.
  clause: {rate: 10%, settle: quarter, advance: {amount: 500, paid: 2026-04-10}}
  revenue:
    - [2026-02-10, Acme, direct, widget, "1000", USD]
    - [2026-05-10, Acme, direct, widget, "2000", USD]
    - [2026-08-10, Acme, direct, widget, "500", USD]
  lines:
    - {period: 2026-Q1, amount: "100.00"}
    - {period: 2026-Q2, kind: advance, amount: "500.00", unrecouped: "500"}
    - {period: 2026-Q2, amount: "200.00"}
    - {period: 2026-Q2, kind: recoupment, amount: "-200.00", unrecouped: "300"}
    - {period: 2026-Q3, amount: "50.00"}
    - {period: 2026-Q3, kind: recoupment, amount: "-50.00", unrecouped: "250"}
advance-and-minimum:
  # 10% quarterly, minimum 1,000 a year, advance 800 at signing (2026-01-01). Q1 earns 300:
  # recouped (500 left). Q4 earns 200 and the true-up 500 (1,000 - 500 paid): 700 earned in Q4,
  # 500 recouped, 200 paid out.
  clause: {rate: 10%, settle: quarter, minimum: {per-year: 1000}, advance: {amount: 800, paid: 2026-01-01}}
  to: 2026-12-31
  revenue:
    - [2026-02-10, Acme, direct, widget, "3000", USD]
    - [2026-11-10, Acme, direct, widget, "2000", USD]
  lines:
    - {period: 2026-Q1, kind: advance, amount: "800.00", unrecouped: "800"}
    - {period: 2026-Q1, amount: "300.00"}
    - {period: 2026-Q1, kind: recoupment, amount: "-300.00", unrecouped: "500"}
    - {period: 2026-Q4, amount: "200.00"}
    - {period: 2026-Q4, kind: true-up, amount: "500.00"}
    - {period: 2026-Q4, kind: recoupment, amount: "-500.00", unrecouped: "0"}

# ---- 4. currencies --------------------------------------------------------------------------
euro-rows-at-the-latest-rate-on-or-before:
  # 10% in USD. EUR->USD 1.10 from 2026-01-01, 1.20 from 2026-01-15. EUR 1,000 on 01-10 takes
  # 1.10 (the latest on or before) -> 1,100; EUR 500 on 01-15 takes 1.20 (that day's) -> 600;
  # USD 300 as is. Base 2,000 -> 200.00, with both rates recorded.
  clause: {rate: 10%}
  rates:
    - [2026-01-01, EUR, USD, "1.10"]
    - [2026-01-15, EUR, USD, "1.20"]
  revenue:
    - [2026-01-10, Acme, direct, widget, "1000", EUR]
    - [2026-01-15, Acme, direct, widget, "500", EUR]
    - [2026-01-20, Acme, direct, widget, "300", USD]
  lines:
    - {period: 2026-01, base: "2000", amount: "200.00",
       conversions: [[EUR, "1.1", 2026-01-01, "1000", "1100"], [EUR, "1.2", 2026-01-15, "500", "600"]]}
missing-rates-quarantined:
  # JPY->USD 0.0067 from 2026-01-01: JPY 150,000 on 02-03 -> 1,005 USD -> 100.50. EUR 100 on
  # 2025-12-31 comes before EUR's first rate (2026-01-01) and GBP has no rate at all: both are
  # quarantined with the pair and the day, and reconcile in their own currencies.
  clause: {rate: 10%}
  from: 2025-12-01
  rates:
    - [2026-01-01, JPY, USD, "0.0067"]
    - [2026-01-01, EUR, USD, "1.1"]
  revenue:
    - [2026-02-03, Acme, direct, widget, "150000", JPY]
    - [2025-12-31, Acme, direct, widget, "100", EUR]
    - [2026-02-04, Acme, direct, widget, "300", GBP]
  lines:
    - {period: 2026-02, amount: "100.50", conversions: [[JPY, "0.0067", 2026-01-01, "150000", "1005"]]}
  quarantine:
    - {row: 2, code: rate-missing, reason: "no EUR->USD rate on or before 2025-12-31 in the rate table"}
    - {row: 3, code: rate-missing, reason: "no GBP->USD rate on or before 2026-02-04 in the rate table"}
  reconciliation:
    EUR: {in: [1, "100"], quarantined: [1, "100"]}
    GBP: {in: [1, "300"], quarantined: [1, "300"]}
    JPY: {in: [1, "150000"], settled: [1, "150000"]}
converted-exactly-rounded-once:
  # 50%, EUR->USD 1.005. Three rows of EUR 1.00 on three days: 3 x 1.005 = 3.015 USD exactly,
  # 50% = 1.5075 -> 1.51. (Rounding each converted row to cents first would give 3 x 1.01 =
  # 3.03 -> 1.515 -> 1.52.)
  clause: {rate: 50%}
  rates:
    - [2026-01-01, EUR, USD, "1.005"]
  revenue:
    - [2026-01-05, Acme, direct, widget, "1.00", EUR]
    - [2026-01-06, Acme, direct, widget, "1.00", EUR]
    - [2026-01-07, Acme, direct, widget, "1.00", EUR]
  lines:
    - {period: 2026-01, base: "3.015", amount: "1.51"}
""")


def run_case(case: dict, tmp_path: Path):
    history = agreement(case, tmp_path / "agreement")
    rates = write_rates(case["rates"], tmp_path / "rates") if "rates" in case else None
    return settle(history, write_rows(case["revenue"], tmp_path / "data"),
                  start=day(case.get("from")), end=day(case.get("to")), rates=rates)


def _label(line) -> tuple:
    return (line.label, line.kind, line.part)


@pytest.mark.parametrize("name", sorted(CASES))
def test_royalty_case(name, tmp_path):
    case = CASES[name]
    result = run_case(case, tmp_path)
    got = {_label(line): line for line in result.lines}
    want = {(str(w["period"]), w.get("kind", "share"), w.get("part", "")): w
            for w in case["lines"]}
    assert sorted(got) == sorted(want), [f"{l.label} {l.kind} {l.part} {l.amount}"
                                         for l in result.lines]
    for key, w in want.items():
        line = got[key]
        assert line.amount == Decimal(w["amount"]), (key, line.amount)
        if "base" in w:
            assert line.base == Decimal(w["base"]), (key, line.base)
        if "rate" in w:
            assert line.rate == w["rate"], (key, line.rate)
        if "unrecouped" in w:
            balance = line.detail["advance"]
            assert balance["unrecouped"] == Decimal(w["unrecouped"]), (key, balance)
            assert balance["recouped_to_date"] + balance["unrecouped"] == balance["advance"]
        if "conversions" in w:
            conv = [(c["from"], c["rate"], c["rate_date"], c["amount"], c["converted"])
                    for c in line.detail["conversions"]]
            assert conv == [(f, Decimal(r), day(d), Decimal(a), Decimal(c))
                            for f, r, d, a, c in w["conversions"]], conv
    if "quarantine" in case:
        assert [(q.row, q.code, q.reason) for q in result.quarantine] == \
            [(q["row"], q["code"], q["reason"]) for q in case["quarantine"]]
    for currency, tallies in (case.get("reconciliation") or {}).items():
        (r,) = [r for r in result.reconciliation if r.currency == currency]
        for name_, (rows, amount) in tallies.items():
            tally = {"in": r.rows_in, "settled": r.settled, "quarantined": r.quarantined}[name_]
            assert (tally.rows, tally.amount) == (rows, Decimal(amount)), (currency, name_)
    assert result.balanced


def test_advance_carried_across_runs(tmp_path):
    """An advance of 300 at signing, 10%: run 1 (January 1,000 -> 100; February 1,500 -> 150)
    posts the advance, both shares and recoupments of 100 and 150 (50 left). Run 2 settles March
    (2,000 -> 200) from the store: 50 recouped, so the recoupment posted is -50.00."""
    case = {"clause": {"rate": "10%", "advance": {"amount": 300, "paid": "2026-01-01"}}}
    history = agreement(case, tmp_path / "agreement")
    with Store(tmp_path / "store.duckdb") as store:
        def run(rows, folder, start=None):
            result = settle(history, write_rows(rows, tmp_path / folder), start=start,
                            opening=lambda first: store.opening(history.agreement, first))
            return result, store.record(result)

        first, posted = run([["2026-01-10", "Acme", "direct", "widget", "1000", "USD"],
                             ["2026-02-10", "Acme", "direct", "widget", "1500", "USD"]], "r1")
        assert [(e.kind, e.period.month, e.amount) for e in posted.entries] == [
            ("advance", 1, Decimal("300.00")), ("share", 1, Decimal("100.00")),
            ("recoupment", 1, Decimal("-100.00")), ("share", 2, Decimal("150.00")),
            ("recoupment", 2, Decimal("-150.00"))]
        second, posted = run([["2026-03-10", "Acme", "direct", "widget", "2000", "USD"]], "r2",
                             start=date(2026, 3, 1))
        assert [(e.kind, e.period.month, e.amount) for e in posted.entries] == [
            ("share", 3, Decimal("200.00")), ("recoupment", 3, Decimal("-50.00"))]
        (march,) = [line for line in second.lines if line.kind == "recoupment"]
        assert march.detail["advance"]["unrecouped"] == 0
        assert march.detail["advance"]["recouped_to_date"] == 300
        # The stored line keeps its detail (amounts back as Decimal).
        stored = [line for line in store.current_lines() if line.kind == "recoupment"]
        assert stored[-1].detail["advance"]["recouped_to_date"] == Decimal(300)


# ---- properties -----------------------------------------------------------------------------

MONTHS = st.lists(st.integers(min_value=0, max_value=50_000), min_size=1, max_size=8)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sales=MONTHS, advance=st.integers(min_value=0, max_value=20_000))
def test_recouped_plus_unrecouped_is_the_advance(tmp_path_factory, sales, advance):
    """At every period: recouped to date + unrecouped = advance; the recoupments add up to the
    smaller of the advance and what was earned."""
    tmp = tmp_path_factory.mktemp("advance")
    case = {"clause": {"rate": "7%", "advance": {"amount": advance, "paid": "2026-01-01"}}}
    rows = [[f"2026-{m + 1:02d}-10", "Acme", "direct", "widget", str(v), "USD"]
            for m, v in enumerate(sales) if v]
    if not rows:
        return
    result = settle(agreement(case, tmp / "a"), write_rows(rows, tmp / "d"))
    recoupments = [line for line in result.lines if line.kind == "recoupment"]
    for line in recoupments:
        balance = line.detail["advance"]
        assert balance["recouped_to_date"] + balance["unrecouped"] == Decimal(advance)
        assert balance["unrecouped"] >= 0
    earned = sum(line.amount for line in result.lines if line.kind == "share")
    assert -sum(line.amount for line in recoupments) == min(Decimal(advance), earned)


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(sales=st.lists(st.integers(min_value=1, max_value=50_000), min_size=2, max_size=5),
       month=st.integers(min_value=1, max_value=5), corrected=st.integers(0, 50_000),
       advance=st.integers(min_value=1, max_value=20_000))
def test_a_restated_month_recoups_as_a_fresh_run(tmp_path_factory, sales, month, corrected,
                                                  advance):
    """An advance and a restated month: the store then holds the lines of one fresh run over
    the corrected months (so recouped + unrecouped = advance, and never more than the advance
    is recouped), and restating the month back posts a net zero."""
    month = min(month, len(sales))
    tmp = tmp_path_factory.mktemp("restated-advance")
    history = agreement({"clause": {"rate": "7%", "advance": {"amount": advance,
                                                              "paid": "2026-01-01"}}}, tmp / "a")

    def rows(values, months):
        return [[f"2026-{m:02d}-10", "Acme", "direct", "widget", str(values[m - 1]), "USD"]
                for m in months if values[m - 1]]

    fixed = list(sales)
    fixed[month - 1] = corrected
    everything = range(1, len(sales) + 1)
    first, last = date(2026, month, 1), date(2026, month, monthrange(2026, month)[1])
    months = (date(2026, 1, 1), date(2026, len(sales), monthrange(2026, len(sales))[1]))
    fresh = {l.key: l.amount for l in settle(history, write_rows(rows(fixed, everything),
                                                                  tmp / "fresh"),
                                             start=months[0], end=months[1]).lines}
    with Store(tmp / "s.duckdb") as store:
        def run(values, months, folder, **dates):
            result = settle(history, write_rows(rows(values, months) or [
                [f"2026-{month:02d}-10", "Acme", "direct", "widget", "0", "USD"]], tmp / folder),
                opening=lambda day: store.opening(history.agreement, day),
                later=lambda day: store.later(history.agreement, day), **dates)
            return store.record(result)

        run(sales, everything, "r1")
        before = {l.key: l.amount for l in store.current_lines() if l.amount}
        restated = run(fixed, [month], "r2", start=first, end=last)
        now = store.current_lines()
        assert {l.key: l.amount for l in now if l.amount} == {k: v for k, v in fresh.items() if v}
        recouped = -sum(l.amount for l in now if l.kind == "recoupment")
        earned = sum(l.amount for l in now if l.kind == "share")
        assert recouped == min(Decimal(advance), earned)
        back = run(sales, [month], "r3", start=first, end=last)
        net: dict[str, Decimal] = {}
        for entry in (*restated.entries, *back.entries):
            net[entry.key] = net.get(entry.key, Decimal(0)) + entry.amount
        assert all(value == 0 for value in net.values()), net
        assert {l.key: l.amount for l in store.current_lines() if l.amount} == before


AMOUNTS = st.decimals(min_value=Decimal("-1000"), max_value=Decimal("100000"), places=4,
                      allow_nan=False, allow_infinity=False)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(AMOUNTS, min_size=1, max_size=6),
       days=st.lists(st.integers(min_value=1, max_value=80), min_size=6, max_size=6))
def test_converting_at_rate_one_is_not_converting(tmp_path_factory, amounts, days):
    """The same rows in USD, and in EUR with EUR->USD at 1: the same lines to the last decimal."""
    tmp = tmp_path_factory.mktemp("rate-one")
    case = {"clause": {"rate": "12.5%", "cap": {"total": 9000}}}
    history = agreement(case, tmp / "a")
    dates = [date.fromordinal(date(2026, 1, 1).toordinal() + d) for d in days]
    usd = [[str(dates[i]), "Acme", "direct", "widget", str(a), "USD"]
           for i, a in enumerate(amounts)]
    eur = [[*row[:5], "EUR"] for row in usd]
    plain = settle(history, write_rows(usd, tmp / "usd"))
    rates = rates_from([{"date": "2025-12-01", "from": "EUR", "to": "USD", "rate": "1"}])
    converted = settle(history, write_rows(eur, tmp / "eur"), rates=rates)
    strip = lambda lines: [(l.key, l.base, l.due, l.paid, l.amount) for l in lines]  # noqa: E731
    assert strip(converted.lines) == strip(plain.lines)
    assert not converted.quarantine


# ---- bad input ------------------------------------------------------------------------------

@pytest.mark.parametrize("text, message", [
    ("day,from,to,rate\n2026-01-01,EUR,USD,1.1\n", "lacks the column(s) date"),
    ("date,from,to,rate\n2026-13-01,EUR,USD,1.1\n", "is not a date"),
    ("date,from,to,rate\n2026-01-01,EUR,XXX,1.1\n", "'XXX' is not an ISO 4217 currency"),
    ("date,from,to,rate\n2026-01-01,EUR,USD,-2\n", "is not a positive number"),
    ("date,from,to,rate\n2026-01-01,EUR,USD,1.12345678901\n", "at most ten decimals"),
])
def test_bad_rate_tables_are_positioned_problems(tmp_path, text, message):
    path = tmp_path / "rates.csv"
    path.write_text(text)
    with pytest.raises(TermsheetError) as err:
        load_rates(path)
    (problem,) = err.value.problems
    assert problem.code == "E058" and message in problem.message, problem
    assert problem.path == str(path) and problem.line == (1 if "lacks" in message else 2)


def test_bases_need_their_own_rates(tmp_path):
    case = {"clause": {"rate": "5%", "bases": [{"id": "a", "rate": "5%"}]}}
    with pytest.raises(TermsheetError) as err:
        agreement(case, tmp_path)
    assert any(p.code == "E029" for p in err.value.problems)


def test_the_worked_example_of_the_docs():
    """docs/examples/royalty, worked from its clause: 5% of net sales + 20% of sublicensing,
    quarterly, an advance of 10,000 at signing, at least 12,000 a year. Q1: net sales 60,000 USD
    + EUR 20,000 at 1.10 (the rate of 03-01, the latest on or before 03-05) = 82,000 -> 4,100.00;
    sublicensing 10,000 -> 2,000.00; 6,100 recouped (3,900 left); with the advance the statement
    is 10,000.00. Q2: 40,000 -> 2,000.00, recouped (1,900 left): 0.00. Q3: the GBP row has no
    rate: quarantined. Q4: 20,000 -> 1,000.00; the year earned 9,100, so the true-up is 2,900.00;
    1,900 recouped (0 left): 2,000.00. In all 12,000.00, the minimum."""
    folder = Path(__file__).resolve().parents[1] / "docs" / "examples" / "royalty"
    result = settle(load_history_of(folder / "widget-licence.md"), [folder / "revenue.csv"],
                    end=date(2026, 12, 31), rates=folder / "rates.csv")
    totals = {s.period: s.total for s in result.statements}
    assert totals == {"2026-Q1": Decimal("10000.00"), "2026-Q2": Decimal("0.00"),
                      "2026-Q4": Decimal("2000.00")}
    (q4,) = [l for l in result.lines if l.label == "2026-Q4" and l.kind == "recoupment"]
    assert (q4.amount, q4.detail["advance"]["unrecouped"]) == (Decimal("-1900.00"), 0)
    assert [(q.row, q.code) for q in result.quarantine] == [(5, "rate-missing")]


def test_converted_rows_in_the_allocations(tmp_path):
    """10%, monthly. Rates: EUR->USD 1.10 from 2026-01-01, 1.20 from 2026-02-02; no GBP rate.
    By hand, each row's allocation: row 1, USD 1,000 -> 100; row 2, EUR 200 on 01-06 at 1.10
    (of 01-01) = 220 -> 22; row 3, EUR 100 on 02-03 at 1.20 (of 02-02) = 120 -> 12; row 4,
    EUR 50 on 02-01 at 1.10 (02-02's rate is later) = 55 -> 5.5; row 5, GBP 10: no rate,
    quarantined, so in no allocation. January pays 122.00, February 17.50."""
    case = {"clause": {"rate": "10%"}}
    history = agreement(case, tmp_path / "agreement")
    rates = write_rates([["2026-01-01", "EUR", "USD", "1.10"],
                         ["2026-02-02", "EUR", "USD", "1.20"]], tmp_path / "rates")
    rows = [["2026-01-05", "Acme", "direct", "widget", "1000", "USD"],
            ["2026-01-06", "Acme", "direct", "widget", "200", "EUR"],
            ["2026-02-03", "Acme", "direct", "widget", "100", "EUR"],
            ["2026-02-01", "Acme", "direct", "widget", "50", "EUR"],
            ["2026-02-10", "Acme", "direct", "widget", "10", "GBP"]]
    out = tmp_path / "allocations.parquet"
    result = settle(history, write_rows(rows, tmp_path / "data"), rates=rates, allocations=out)
    assert {l.label: l.amount for l in result.lines} == {"2026-01": Decimal("122.00"),
                                                         "2026-02": Decimal("17.50")}
    import duckdb
    got = duckdb.sql(f"SELECT source_row, base, allocated, currency, original_amount, "
                     f"original_currency, rate, rate_date FROM '{out}' ORDER BY source_row"
                     ).fetchall()
    d = Decimal
    assert got == [
        (1, d(1000), d(100), "USD", d(1000), "USD", None, None),
        (2, d(220), d(22), "USD", d(200), "EUR", d("1.1"), date(2026, 1, 1)),
        (3, d(120), d(12), "USD", d(100), "EUR", d("1.2"), date(2026, 2, 2)),
        (4, d(55), d("5.5"), "USD", d(50), "EUR", d("1.1"), date(2026, 1, 1))]


def test_a_cascaded_restatement_keeps_the_later_lines_conversions(tmp_path):
    """10%, at most 1,000 in total, monthly; EUR->USD 2.00 from 2026-05-01. Run 1 settles
    January-June: 2,000 USD a month January-April (200.00 each, 800 in all); May 2,000 USD +
    EUR 1,000 at 2.00 = 4,000 -> 400 due, 200.00 left under the cap; June 1,000 -> 0.00.
    Run 2 restates February to 5,000 (500, +300.00): the cap is now crossed in April (100 left:
    -100.00) and May pays nothing (-200.00). May's line, settled again from its stored base,
    still records the EUR conversion at 2.00 (of 2026-05-01); the restatement is traced."""
    history = agreement({"clause": {"rate": "10%", "cap": {"total": 1000}}},
                        tmp_path / "agreement")
    rates = write_rates([["2026-05-01", "EUR", "USD", "2.00"]], tmp_path / "rates")
    usd = [[f"2026-0{m}-10", "Acme", "direct", "widget", "2000", "USD"] for m in (1, 2, 3, 4, 5)]
    rows = usd + [["2026-05-12", "Acme", "direct", "widget", "1000", "EUR"],
                  ["2026-06-10", "Acme", "direct", "widget", "1000", "USD"]]
    may = date(2026, 5, 1)
    conversion = [("EUR", "USD", Decimal("2"), may, 1, Decimal(1000), Decimal(2000))]

    def converted(line):
        return [(c["from"], c["to"], c["rate"], c["rate_date"], c["rows"], c["amount"],
                 c["converted"]) for c in line.detail["conversions"]]

    with Store(tmp_path / "store.duckdb") as store:
        def run(rows, folder, **dates):
            result = settle(history, write_rows(rows, tmp_path / folder), rates=rates,
                            opening=lambda first: store.opening(history.agreement, first),
                            later=lambda last: store.later(history.agreement, last), **dates)
            return result, store.record(result)

        first, posted = run(rows, "r1")
        # June's 0.00 changes nothing in the ledger: no entry
        assert [e.amount for e in posted.entries] == [Decimal("200.00")] * 5
        (line,) = [l for l in first.lines if l.period == may]
        assert converted(line) == conversion
        second, posted = run([["2026-02-10", "Acme", "direct", "widget", "5000", "USD"]], "r2",
                             start=date(2026, 2, 1), end=date(2026, 2, 28))
        assert [(e.period.month, e.amount) for e in posted.entries] == [
            (2, Decimal("300.00")), (4, Decimal("-100.00")), (5, Decimal("-200.00"))]
        assert "cascades from run 2" in posted.entries[2].narration
        (line,) = [l for l in second.lines if l.period == may]
        assert line.amount == 0 and converted(line) == conversion
        (stored,) = [l for l in store.current_lines() if l.period == may]
        assert converted(stored) == conversion


def test_a_restatement_cascades_to_later_recoupments(tmp_path):
    """10% flat, an advance of 300 paid 2026-01-01. Run 1: January 1,000 -> 100 (recouped
    -100, 200 left), February 1,500 -> 150 (-150, 50 left), March 2,000 -> 200 (-50, paid out
    150). Run 2 restates January to 2,000 -> 200: January +100.00 and its recoupment -100.00
    (now -200, 100 left); then February recoups only 100 (+50.00) and March nothing (+50.00).
    Without the cascade 400 would be recouped against an advance of 300 (the old code did)."""
    history = agreement({"clause": {"rate": "10%", "advance": {"amount": 300,
                                                               "paid": "2026-01-01"}}},
                        tmp_path / "agreement")
    with Store(tmp_path / "store.duckdb") as store:
        def run(rows, folder, **dates):
            result = settle(history, write_rows(rows, tmp_path / folder),
                            opening=lambda first: store.opening(history.agreement, first),
                            later=lambda last: store.later(history.agreement, last), **dates)
            return store.record(result)

        run([["2026-01-10", "Acme", "direct", "widget", "1000", "USD"],
             ["2026-02-10", "Acme", "direct", "widget", "1500", "USD"],
             ["2026-03-10", "Acme", "direct", "widget", "2000", "USD"]], "r1")
        posted = run([["2026-01-10", "Acme", "direct", "widget", "2000", "USD"]], "r2",
                     start=date(2026, 1, 1), end=date(2026, 1, 31))
        assert [(e.kind, e.period.month, e.amount) for e in posted.entries] == [
            ("share", 1, 100), ("recoupment", 1, -100), ("recoupment", 2, 50),
            ("recoupment", 3, 50)]
        assert all("cascades from run 2" in e.narration for e in posted.entries[2:])
        lines = store.current_lines()
        assert sum(-l.amount for l in lines if l.kind == "recoupment") == 300
        (march,) = [l for l in lines if l.kind == "recoupment" and l.period.month == 3]
        assert march.detail["advance"]["unrecouped"] == 0 and march.amount == 0
