"""The engine's per-year arithmetic equals the month-by-month rules for any clause (property test),
the same seed gives the same numbers, and the draws have the distributions they claim."""

import re
from datetime import date, timedelta
from decimal import Decimal

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from termsheet.simulate import parse_scenario, simulate
from termsheet.simulate.paths import calendar, compile_paths, draw, expected_level
from termsheet.simulate.reference import clause_payments, monthly_rows

from support.simulate import deal, scenario_text
from support.simulate import BANDS, _ties, clauses  # noqa: F401


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(terms=clauses(), start=st.integers(0, 20000), growth=st.integers(-50, 150),
       event=st.one_of(st.none(), st.integers(0, 5 * 365)))
def test_engine_equals_month_by_month_rules(terms, start, growth, event):
    history = deal(terms, strict=False)
    assume(history is not None)     # a clause that ends before it starts is not a case
    years = 4
    events = {} if event is None else {"ended": date(2026, 1, 1) + timedelta(days=event)}
    text = scenario_text({"api": {"start": start, "growth": f"{growth}%"}}, years,
                         {k: v.isoformat() for k, v in events.items()})
    level, revenue = Decimal(start), []
    for _ in range(years):
        level *= 1 + Decimal(growth) / 100
        revenue.append(level)
    # A volume landing exactly on a tier threshold is decided by the last digit of a float
    # (12 x 1/12 is 1.0 in binary, 0.999... in Decimal): such ties are not cases.
    assume(not _ties(revenue, [Decimal(a) for a in re.findall(r"above: (\d+)", terms)]))
    got = simulate(history, parse_scenario(text)).outcomes[0].party("partner").flows
    rows = monthly_rows({"api": revenue}, {"api": ("seller", "direct", "widget-api")}, 2026,
                        lambda amount: amount / 12)
    version = history.versions[0]
    expected = clause_payments(version.clauses[0], version, rows, 2026, years, events)
    for year in range(years):
        assert got[year].mean == pytest.approx(float(expected[year]), rel=1e-9, abs=1e-6), year


RANDOM = """
scenario: random
first-year: 2026
horizon: 5
futures: 60000
seed: 7
discount-rate: 5%
streams:
  a: {revenue: {seller: seller, channel: direct, product: widget-api}, start: 100, growth: 10%, volatility: 30%}
  b: {revenue: {seller: seller, channel: aws, product: widget-app}, start: 50, growth: [20%, 5%], volatility: 50%}
correlations:
  - [a, b, 0.6]
events:
  ended: {per-year: [0%, 100%]}
"""


def test_same_seed_same_numbers_whatever_the_threads():
    history = deal("rate: 50%\nuntil: ended")
    one = simulate(history, parse_scenario(RANDOM), workers=1)
    two = simulate(history, parse_scenario(RANDOM), workers=2)
    key = ("2026-01-01", "partner")
    assert np.array_equal(one.samples[key]["npv"], two.samples[key]["npv"])
    assert one.outcomes == two.outcomes
    other = simulate(history, parse_scenario(RANDOM.replace("seed: 7", "seed: 8")))
    assert not np.array_equal(one.samples[key]["npv"], other.samples[key]["npv"])


def test_fewer_futures_are_the_first_futures():
    history = deal("rate: 10%")
    many = simulate(history, parse_scenario(RANDOM), futures=60000)
    few = simulate(history, parse_scenario(RANDOM), futures=30000)
    key = ("2026-01-01", "partner")
    assert np.array_equal(many.samples[key]["npv"][:30000], few.samples[key]["npv"])


def test_lognormal_mean_converges_to_closed_form():
    scenario = parse_scenario(RANDOM.replace("futures: 60000", "futures: 400000"))
    model = compile_paths(scenario)
    levels = {"a": [], "b": []}
    for index in range(16):
        chunk = draw(model, index, 25000)
        for name in levels:
            levels[name].append(chunk.levels[name])
    for name, stream in scenario.streams.items():
        values = np.concatenate(levels[name])
        mean = expected_level(stream.start, stream.growth, 5)   # start * prod(1 + g)
        sigma = float(stream.volatility)
        # the closed-form standard error: Var = mean^2 (exp(sigma^2 y) - 1)
        error = mean * np.sqrt(np.expm1(sigma ** 2 * np.arange(1, 6))) / np.sqrt(len(values))
        assert np.all(np.abs(values.mean(axis=0) - mean) < 4 * error), name
    assert mean[-1] == pytest.approx(50 * 1.2 * 1.05 ** 4)


def test_correlated_shocks_and_event_months():
    scenario = parse_scenario(RANDOM)
    chunk = draw(compile_paths(scenario), 0, 25000)
    growth_a = np.diff(np.log(chunk.levels["a"]), axis=1).ravel()
    growth_b = np.diff(np.log(chunk.levels["b"]), axis=1).ravel()
    assert np.corrcoef(growth_a, growth_b)[0, 1] == pytest.approx(0.6, abs=0.02)
    starts = calendar(2026, 5)[0]           # day of each month's first day
    day = chunk.events["ended"]             # drawn events fall on a month's first day
    month = np.searchsorted(starts, day)
    assert np.array_equal(starts[month], day)
    assert month.min() == 12 and month.max() == 23      # 0% in 2026, 100% in 2027
    assert np.bincount(month - 12).min() > 25000 / 12 * 0.9


def test_an_event_month_drawn_uniformly_shortens_the_year_by_hand():
    """The event comes in 2027, on the first day of a month drawn uniformly: January to June
    2027 count when it comes in July. At 5 a month, 2027 pays 5 k for k = 0..11: 27.5 on average."""
    history = deal("rate: 50%\nuntil: ended")
    text = scenario_text({"api": {"start": 120}}, 3, extra="events:\n  ended: {per-year: [0%, 100%]}\n")
    sim = simulate(history, parse_scenario(text), futures=60000)
    partner = sim.outcomes[0].party("partner")
    assert partner.flows[0].p5 == pytest.approx(60)      # 2026: no event, twelve months of 5
    assert partner.flows[1].mean == pytest.approx(27.5, abs=0.15)
    assert partner.flows[2].p95 == 0


def test_a_certain_event_ends_the_share_in_every_future():
    history = deal("rate: 50%\nuntil: ended")
    text = RANDOM.replace("[0%, 100%]", "100%")
    partner = simulate(history, parse_scenario(text)).outcomes[0].party("partner")
    assert partner.flows[1].p95 == 0 and partner.flows[0].p95 > 0
