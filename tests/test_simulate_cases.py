"""Deterministic simulations against amounts worked out by hand (tests/cases/simulate/), and the
zero-volatility engine against the plain month-by-month Decimal computation."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from termsheet.simulate import parse_scenario, simulate
from termsheet.simulate.reference import monthly_rows, party_flows, present_value
from support.simulate import DEAL, STREAMS, deal, scenario_text, settled_flows  # noqa: F401

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "simulate" / "clauses.yaml").read_text())


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case(case):
    history = deal(case["terms"], year_start=case.get("year-start"))
    years = len(case["paid"])
    text = scenario_text(case["streams"], years, case.get("events"), case.get("overrides"))
    sim = simulate(history, parse_scenario(text, "case.yaml"))
    partner = sim.outcomes[0].party("partner")
    seller = sim.outcomes[0].party("seller")
    for year, expected in enumerate(case["paid"]):
        flow = partner.flows[year]
        assert flow.p5 == flow.p95, "a scenario without volatility has one future"
        assert flow.mean == pytest.approx(expected, abs=1e-9), sim.years[year]
        assert flow.p50 == pytest.approx(expected, rel=1e-7)   # percentiles: single precision
        assert seller.flows[year].mean == pytest.approx(-expected, abs=1e-9)
    assert partner.npv.mean == pytest.approx(sum(case["paid"]), abs=1e-9)   # discount rate 0


def test_discounting_from_the_end_of_each_year():
    history = deal("rate: 10%")
    text = scenario_text({"api": {"start": 1000}}, 3, rate="10%")
    partner = simulate(history, parse_scenario(text)).outcomes[0].party("partner")
    # 100 a year, each discounted from the end of its year
    assert partner.npv.mean == pytest.approx(100 / 1.1 + 100 / 1.1 ** 2 + 100 / 1.1 ** 3)
    assert partner.npv.mean == pytest.approx(248.68519909842223)


def test_equity_and_commitments():
    extra = """
## Stake

```terms
id: stake
kind: equity
holder: partner
issuer: seller
stake: 25%
```

## Spend

```terms
id: spend
kind: commitment
party: seller
counterparty: partner
amount: 120
by: 2026-12-31
```
"""
    history = deal("rate: 10%", extra)
    text = scenario_text({"api": {"start": 0}}, 2, rate="10%",
                         extra="  worth: {value-of: seller, start: 1000, growth: 10%}\n")
    outcome = simulate(history, parse_scenario(text)).outcomes[0]
    partner, seller = outcome.party("partner"), outcome.party("seller")
    # 25% of 1000 * 1.1^2 = 302.5 at the end of 2027, discounted two years at 10%: 250
    assert partner.equity.mean == pytest.approx(250.0)
    assert partner.equity_now == pytest.approx(250.0)
    assert seller.equity is None
    # 120 spent in 2026, discounted one year
    assert partner.commitments == pytest.approx(120 / 1.1)
    assert seller.commitments == pytest.approx(-120 / 1.1)
    assert partner.value.mean == pytest.approx(250.0)    # no revenue: the stake is the value


# ---------------------------------------------------------------------------------------------
# zero volatility and fixed events: the engine equals the month-by-month Decimal computation

FLAGSHIP_ZERO = """
scenario: zero
first-year: 2026
horizon: 8
futures: 2
seed: 1
discount-rate: 7%
streams:
  chatgpt: {revenue: {seller: openai, channel: direct, product: chatgpt}, start: 13e9, growth: [70%, 50%, 30%, 20%]}
  api: {revenue: {seller: openai, channel: direct, product: openai-api}, start: 3e9, growth: 40%}
  azure: {revenue: {seller: microsoft, channel: azure, product: azure-openai-service}, start: 4e9, growth: 25%}
events:
  agi-verified: 2029-05-01
"""


def decimal_revenue(start: str, growth: list[str], years: int) -> list[Decimal]:
    level, out = Decimal(start), []
    for year in range(years):
        rate = Decimal(growth[min(year, len(growth) - 1)].rstrip("%")) / 100
        level = level * (1 + rate)
        out.append(level)
    return out


@pytest.mark.parametrize("version_id", ["2025-10-28", "2026-04-27"])
def test_zero_volatility_equals_decimal_months(flagship, version_id):
    version = flagship.get(version_id)
    sim = simulate(flagship, parse_scenario(FLAGSHIP_ZERO), [version_id])
    revenue = {"chatgpt": decimal_revenue("13e9", ["70%", "50%", "30%", "20%"], 8),
               "api": decimal_revenue("3e9", ["40%"], 8),
               "azure": decimal_revenue("4e9", ["25%"], 8)}
    kinds = {"chatgpt": ("openai", "direct", "chatgpt"), "api": ("openai", "direct", "openai-api"),
             "azure": ("microsoft", "azure", "azure-openai-service")}
    rows = monthly_rows(revenue, kinds, 2026, lambda amount: amount / 12)
    expected = party_flows(version, rows, 2026, 8, {"agi-verified": date(2029, 5, 1)})
    for party in ("openai", "microsoft"):
        got = sim.outcomes[0].party(party)
        for year in range(8):
            assert got.flows[year].mean == pytest.approx(float(expected[party][year]), rel=1e-9,
                                                         abs=1e-3)
        npv = present_value(expected[party], Decimal("0.07"))
        assert got.npv.mean == pytest.approx(float(npv), rel=1e-9)


def test_flagship_cap_binds_under_2026_04_27(flagship):
    """The $38B cap is reached within the horizon with this revenue, and never exceeded."""
    sim = simulate(flagship, parse_scenario(FLAGSHIP_ZERO), ["2026-04-27"])
    microsoft = sim.outcomes[0].party("microsoft")
    total = sum(f.mean for f in microsoft.flows)
    assert total == pytest.approx(38e9)
    # 20% of 2026 revenue (13e9 * 1.7 + 3e9 * 1.4 = 26.3e9) is 5.26e9
    assert microsoft.flows[0].mean == pytest.approx(5.26e9)


# ---------------------------------------------------------------------------------------------
# ... and equals settlement (termsheet.settle, Ibis on DuckDB) of the same deterministic revenue


@pytest.mark.parametrize("version_id", ["2025-10-28", "2026-04-27"])
def test_zero_volatility_equals_settlement(flagship, version_id):
    revenue = {"chatgpt": decimal_revenue("13e9", ["70%", "50%", "30%", "20%"], 8),
               "api": decimal_revenue("3e9", ["40%"], 8),
               "azure": decimal_revenue("4e9", ["25%"], 8)}
    kinds = {"chatgpt": ("openai", "direct", "chatgpt"), "api": ("openai", "direct", "openai-api"),
             "azure": ("microsoft", "azure", "azure-openai-service")}
    rows = monthly_rows(revenue, kinds, 2026, lambda amount: amount / 12)
    expected = settled_flows(flagship, version_id, rows, 8, {"agi-verified": date(2029, 5, 1)})
    sim = simulate(flagship, parse_scenario(FLAGSHIP_ZERO), [version_id])
    for party in ("openai", "microsoft"):
        for year in range(8):
            got = sim.outcomes[0].party(party).flows[year].mean
            assert got == pytest.approx(float(expected[party][year]), rel=1e-9, abs=1e-3)


def settlement_case(case):
    return case


@pytest.mark.parametrize("case", [settlement_case(c) for c in CASES if "overrides" not in c],
                         ids=[c["name"] for c in CASES if "overrides" not in c])
def test_case_equals_settlement(case):
    history = deal(case["terms"], year_start=case.get("year-start"))
    years = len(case["paid"])
    events = {k: v for k, v in (case.get("events") or {}).items() if v != "never"}
    revenue = {}
    for name, spec in case["streams"].items():
        growth = str(spec.get("growth", "0%"))
        revenue[name] = decimal_revenue(str(spec["start"]), [growth], years)
    kinds = {"api": ("seller", "direct", "widget-api"), "app": ("seller", "aws", "widget-app")}
    rows = monthly_rows(revenue, kinds, 2026, lambda amount: amount / 12)
    flows = settled_flows(history, "2026-01-01", rows, years, events, case.get("settle-to"))
    for year, expected in enumerate(case["paid"]):
        assert float(flows["partner"][year]) == pytest.approx(expected, abs=1e-6)
