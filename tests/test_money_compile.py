"""One selection and one rule order for every engine: settlement (Ibis), the simulation (NumPy)
and the plain reference (Decimal) select the same rows and pay the same amounts."""

import re
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from termsheet.money.compile import chain_minimum, chains, period_start, selection
from termsheet.money.currency import round_money
from termsheet.settle import settle
from termsheet.simulate import parse_scenario, simulate
from termsheet.simulate.reference import clause_payments, monthly_rows, row_selected
from termsheet.simulate.terms import base_streams

from support.simulate import deal, scenario_text, settled_flows
from support.simulate import _ties, clauses

# A base that takes any channel but only the app product. A stream without a channel whose
# product is the API is not in it; one without a channel whose product is the app is.
NO_CHANNEL = "base: {seller: seller, channel: any, product: [widget-app]}\nrate: 10%"


def test_a_row_without_a_channel_is_still_checked_for_its_product():
    history = deal(NO_CHANNEL)
    version = history.versions[0]
    clause = version.clauses[0]
    api = (date(2026, 1, 1), "seller", None, "widget-api", Decimal(100))
    app = (date(2026, 1, 1), "seller", None, "widget-app", Decimal(100))
    # the reference (it used to return early on the missing channel and select the API row)
    assert not row_selected(clause, version, api)
    assert row_selected(clause, version, app)
    # the simulation
    text = scenario_text({"api": {"start": 1200}, "app": {"start": 2400}}, 1)
    text = text.replace("channel: direct, ", "").replace("channel: aws, ", "")
    scenario = parse_scenario(text)
    assert scenario.streams["api"].revenue.channel is None
    assert base_streams(clause, version, scenario) == ("app",)
    # settlement: of two rows without a channel, only the app's is settled (10% of 2,400)
    rows = [{"date": "2026-01-05", "seller": "seller", "channel": "", "product": product,
             "amount": amount, "currency": "USD"}
            for product, amount in (("widget-api", "1200"), ("widget-app", "2400"))]
    result = settle(history, rows)
    assert [line.amount for line in result.lines] == [Decimal("240.00")]
    (usd,) = result.reconciliation
    assert (usd.settled.rows, usd.out_of_scope.rows) == (1, 1)
    # the simulation pays the same: 10% of the app's 2,400 a year
    flows = simulate(history, parse_scenario(text)).outcomes[0].party("partner").flows
    assert flows[0].mean == pytest.approx(240.0)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(terms=clauses(), start=st.integers(0, 20000), growth=st.integers(-50, 150),
       year_start=st.sampled_from([None, "04-01", "02-01"]))
def test_random_terms_pay_the_same_in_every_engine(terms, start, growth, year_start):
    """The same random clause and volumes through the reference (Decimal, month by month),
    the simulation's engine (NumPy, at zero volatility) and settlement (Ibis on DuckDB), on a
    contract calendar from 01-01, 04-01 or 02-01, with caps and minimums per quarter too."""
    history = deal(terms, strict=False, year_start=year_start)
    assume(history is not None)
    # a run settles whole periods: the horizon (2026-2028) must hold whole contract periods
    assume(year_start is None or "settle: month" in terms
           or (year_start == "04-01" and "settle: quarter" in terms))
    years = 3
    events = {"ended": date(2027, 8, 1)}
    level, revenue = Decimal(start), []
    for _ in range(years):
        level *= 1 + Decimal(growth) / 100
        revenue.append(level)
    assume(not _ties(revenue, [Decimal(a) for a in re.findall(r"above: (\d+)", terms)],
                     history.versions[0].year_start_month))
    rows = monthly_rows({"api": revenue}, {"api": ("seller", "direct", "widget-api")}, 2026,
                        lambda amount: amount / 12)
    version = history.versions[0]
    reference = clause_payments(version.clauses[0], version, rows, 2026, years, events)
    text = scenario_text({"api": {"start": start, "growth": f"{growth}%"}}, years,
                         {k: v.isoformat() for k, v in events.items()})
    engine = simulate(history, parse_scenario(text)).outcomes[0].party("partner").flows
    settled = settled_flows(history, "2026-01-01", rows, years, events)["partner"]
    for year in range(years):
        assert float(settled[year]) == pytest.approx(float(reference[year]), rel=1e-9, abs=1e-6)
        assert engine[year].mean == pytest.approx(float(reference[year]), rel=1e-9, abs=1e-6)


def test_contract_calendar():
    # year-start 04-01: February 2026 is in contract year 2025, its quarter starts in February
    assert period_start(date(2026, 2, 10), "quarter", 4) == date(2026, 1, 1)
    assert period_start(date(2026, 4, 10), "quarter", 4) == date(2026, 4, 1)
    assert period_start(date(2026, 3, 31), "year", 4) == date(2025, 4, 1)
    assert period_start(date(2026, 2, 10), "quarter", 2) == date(2026, 2, 1)
    assert period_start(date(2026, 1, 10), "quarter", 2) == date(2025, 11, 1)
    # one minimum of 50,000 over two versions covering the year is the whole 50,000;
    # a version in force 90 days of 365 alone owes 50,000 x 90 / 365
    parts = [(date(2026, 1, 1), date(2026, 6, 30), Decimal(50000)),
             (date(2026, 7, 1), None, Decimal(50000))]
    assert chain_minimum(parts, 2026) == Decimal(50000)
    assert chain_minimum(parts[1:], 2026) == Decimal(50000) * 184 / 365
    assert chain_minimum([(date(2027, 1, 1), None, Decimal(1))], 2026) is None


def test_chains_break_at_a_reset():
    history = deal("rate: 10%")
    clause = history.versions[0].clauses[0]
    again = clause.model_copy(update={"rate": Decimal("0.2")})
    reset = clause.model_copy(update={"reset": True})
    got = chains([clause, again, reset, again], lambda c: c, lambda c: "USD")
    assert [len(c) for c in got] == [2, 2]


def test_round_money_follows_the_rounding_table():
    assert round_money(Decimal("0.125"), "USD", "half-up") == Decimal("0.13")
    assert round_money(Decimal("0.125"), "USD", "half-even") == Decimal("0.12")
    assert round_money(Decimal("2.5"), "JPY", "half-even") == Decimal("2")
    with pytest.raises(KeyError):
        round_money(Decimal("0.125"), "USD", "half-down")


def test_selection_is_one_for_every_engine():
    version = deal("base: {seller: seller, product: {type: app}}\nrate: 10%").versions[0]
    chosen = selection(version.clauses[0], version)
    assert chosen.products == frozenset({"widget-app"})
    assert chosen.selects("seller", None, "widget-app")
    assert not chosen.selects("seller", None, "widget-api")
    assert not chosen.selects("other", "direct", "widget-app")
