"""Contract years across amendments: settling a year's rows in any sequence of runs gives the
same lines as one run, across an amendment, with per-year tiers, caps and a minimum."""

import tempfile
from calendar import monthrange
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from termsheet import load_history_of
from termsheet.settle import settle
from termsheet.settle.store import Store
from support.settle import write_versions

SETTINGS = settings(max_examples=4, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def reseller(threshold: int, minimum: int | None, per_year: int | None, total: int | None,
             amended: int, reset: bool, by: bool = False,
             quarterly: tuple[int | None, int | None] | None = None,
             year_start: str | None = None) -> dict:
    """The reseller clause (30%, 25% above a yearly threshold), amended to 28% on the first of
    month ``amended``; with ``by``, the bands apply to each seller's revenue (acme's and
    beta's); ``quarterly``: a minimum and a cap per contract quarter."""
    def clause(rate: str, extra: dict) -> dict:
        out = {"id": "resale", "kind": "revenue-share", "payer": "acme", "payee": "beta",
               "base": {"seller": ["acme", "beta"] if by else "acme"},
               "tiers": {"mode": "marginal", "per": "year",
                         "bands": [{"above": 0, "rate": rate},
                                   {"above": threshold, "rate": "25%"}]}}
        if by:
            out["tiers"]["by"] = "seller"
        q_minimum, q_cap = quarterly or (None, None)
        floor = {k: v for k, v in (("per-year", minimum), ("per-quarter", q_minimum))
                 if v is not None}
        if floor:
            out["minimum"] = floor
        cap = {k: v for k, v in (("per-year", per_year), ("total", total),
                                 ("per-quarter", q_cap)) if v is not None}
        if cap:
            out["cap"] = cap
        return out | extra
    start = {"year-start": year_start} if year_start else {}
    return {"versions": [
        {"version": "v1", "effective": "2026-01-01", "clauses": [clause("30%", {})], **start},
        {"version": "v2", "effective": f"2026-{amended:02d}-01",
         "clauses": [clause("28%", {"reset": True} if reset else {})], **start}]}


def rows_of(amounts: list[Decimal], months: range, by: bool = False) -> list[dict]:
    """A row of acme's each month; with ``by``, beta sells half as much again on the 20th."""
    rows = [{"date": str(date(2026, m, 14)), "seller": "Acme", "channel": "direct",
             "product": "widget", "amount": str(amounts[m - 1]), "currency": "USD"}
            for m in months]
    if by:
        rows += [{**row, "date": row["date"][:-2] + "20", "seller": "Beta Ltd",
                  "amount": str(Decimal(row["amount"]) / 2)} for row in list(rows)]
    return rows


@SETTINGS
@given(amounts=st.lists(st.decimals(0, 400000, places=2), min_size=12, max_size=12),
       cuts=st.one_of(st.just([]), st.just(list(range(2, 13))), st.just([4, 7, 10]),
                      st.sets(st.integers(2, 12), max_size=5).map(sorted)),
       threshold=st.sampled_from([100000, 1000000]),
       minimum=st.one_of(st.none(), st.sampled_from([50000, 900000])),
       per_year=st.one_of(st.none(), st.sampled_from([200000, 600000])),
       total=st.one_of(st.none(), st.sampled_from([150000, 700000])),
       amended=st.integers(2, 12), reset=st.booleans(), by=st.booleans(),
       quarterly=st.one_of(st.none(), st.sampled_from([(20000, None), (60000, 90000),
                                                        (None, 40000)])))
@example(amounts=[Decimal(90000 + 10000 * m) for m in range(12)], cuts=list(range(2, 13)),
         threshold=1000000, minimum=50000, per_year=None, total=None, amended=7, reset=False,
         by=False, quarterly=None)
@example(amounts=[Decimal(250000)] * 12, cuts=[4, 7, 10], threshold=1000000, minimum=900000,
         per_year=600000, total=700000, amended=5, reset=False, by=True, quarterly=None)
@example(amounts=[Decimal(m % 3 * 90000) for m in range(12)], cuts=[2, 3, 5, 8, 11],
         threshold=100000, minimum=900000, per_year=600000, total=None, amended=8, reset=False,
         by=False, quarterly=(60000, 90000))
def test_any_sequence_of_runs_gives_the_same_lines(tmp_path_factory, amounts, cuts, threshold,
                                                  minimum, per_year, total, amended, reset, by,
                                                  quarterly):
    """Month by month, quarter by quarter, any cuts or one run: the same lines, to the cent
    (with per-quarter minimums and caps too, whose true-ups then count in the year's)."""
    folder = tmp_path_factory.mktemp("years")
    history = load_history_of(write_versions(
        reseller(threshold, minimum, per_year, total, amended, reset, by, quarterly),
        folder / "agreement"))
    whole = settle(history, rows_of(amounts, range(1, 13), by), start=date(2026, 1, 1),
                   end=date(2026, 12, 31))
    want = {line.key: line.amount for line in whole.lines}
    edges = [1, *cuts, 13]
    with tempfile.TemporaryDirectory() as place, Store(Path(place) / "s.duckdb") as store:
        for first, after in zip(edges, edges[1:]):
            last = after - 1
            result = settle(history, rows_of(amounts, range(first, after), by),
                            start=date(2026, first, 1),
                            end=date(2026, last, monthrange(2026, last)[1]),
                            opening=lambda day: store.opening(history.agreement, day))
            store.record(result)
        got = {line.key: line.amount for line in store.current_lines(history.agreement)
               if line.amount or line.key in want}
        ledger = sum(e.amount for e in store.entries())
    assert got == want
    assert ledger == sum(want.values())


def settle_into(store, history, amounts, months, first, last):
    result = settle(history, rows_of(amounts, months), start=first, end=last,
                    opening=lambda day: store.opening(history.agreement, day),
                    later=lambda day: store.later(history.agreement, day))
    return store.record(result)


@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(amounts=st.lists(st.decimals(0, 400000, places=2), min_size=12, max_size=12),
       month=st.integers(1, 12), amount=st.decimals(0, 900000, places=2),
       threshold=st.sampled_from([100000, 1000000]),
       minimum=st.one_of(st.none(), st.sampled_from([50000, 900000])),
       per_year=st.one_of(st.none(), st.sampled_from([200000, 600000])),
       total=st.one_of(st.none(), st.sampled_from([150000, 700000])),
       amended=st.integers(2, 12),
       quarterly=st.one_of(st.none(), st.sampled_from([(20000, None), (60000, 90000)])))
@example(amounts=[Decimal(100000)] * 12, month=2, amount=Decimal(400000), threshold=1000000,
         minimum=900000, per_year=None, total=700000, amended=7, quarterly=None)
@example(amounts=[Decimal(m % 4 * 50000) for m in range(12)], month=5, amount=Decimal(0),
         threshold=100000, minimum=None, per_year=None, total=None, amended=6,
         quarterly=(60000, 90000))
def test_a_restatement_cascades_and_restating_back_posts_net_zero(
        tmp_path_factory, amounts, month, amount, threshold, minimum, per_year, total, amended,
        quarterly):
    """Restating one month settles every later month again: the store then holds the lines of
    one fresh run over the corrected year, the later differences are traced to the
    restatement, and restating the month back posts a net zero."""
    folder = tmp_path_factory.mktemp("cascade")
    history = load_history_of(write_versions(
        reseller(threshold, minimum, per_year, total, amended, False, quarterly=quarterly),
        folder / "agreement"))
    corrected = list(amounts)
    corrected[month - 1] = amount
    year = (date(2026, 1, 1), date(2026, 12, 31))
    fresh = {line.key: line.amount
             for line in settle(history, rows_of(corrected, range(1, 13)), start=year[0],
                                end=year[1]).lines}
    first, last = date(2026, month, 1), date(2026, month, monthrange(2026, month)[1])
    with Store(folder / "s.duckdb") as store:
        settle_into(store, history, amounts, range(1, 13), *year)
        before = {line.key: line.amount for line in store.current_lines()}
        restated = settle_into(store, history, corrected, range(month, month + 1), first, last)
        now = {line.key: line.amount for line in store.current_lines() if line.amount}
        assert now == {k: v for k, v in fresh.items() if v}
        for entry in restated.entries:
            # in the restated month: a restatement of a line that was posted, or the first
            # posting of a line that had nothing before (a month that earned nothing until now)
            if entry.period <= last:
                assert entry.type == ("restatement" if before.get(entry.key) else "posting"), \
                    (entry, before.get(entry.key))
            if entry.period > last:
                assert f"cascades from run 2's restatement of {first} to {last}" in \
                    entry.narration, entry.narration
        back = settle_into(store, history, amounts, range(month, month + 1), first, last)
        net: dict[str, Decimal] = {}
        for entry in (*restated.entries, *back.entries):
            net[entry.key] = net.get(entry.key, Decimal(0)) + entry.amount
        assert all(value == 0 for value in net.values()), net
        assert {line.key: line.amount for line in store.current_lines() if line.amount} == \
            {k: v for k, v in before.items() if v}


SIMULATION = """
scenario: reseller
first-year: 2026
horizon: 2
futures: 2
discount-rate: 0%
streams:
  resale: {revenue: {seller: acme, channel: direct, product: widget}, start: START, volatility: 0%}
"""


@pytest.mark.parametrize("year_start, want", [
    # year-start 01-01 (the default). 2026: January-May 1,000,000 at 30% = 300,000; June-December's
    # 1,400,000 at 25% = 350,000 (the count carries over the amendment, which changes only the
    # band below 1,000,000): 650,000.00. 2027 (all under v2): 1,000,000 at 28% + 1,400,000 at 25%
    # = 630,000.00.
    (None, (Decimal("650000.00"), Decimal("630000.00"))),
    # year-start 04-01: the 1,000,000 counts from each April. January-March 2026 (the contract
    # year that began 2025-04-01): 600,000 at 30% = 180,000 (its minimum, prorated to the 90 of
    # 365 days in force, 12,328.77, is met). From April 2026: April-June 600,000 at 30% = 180,000;
    # July and August (v2) 400,000 at 28% = 112,000, reaching 1,000,000; September-December
    # 800,000 at 25% = 200,000. 2026: 180,000 + 180,000 + 112,000 + 200,000 = 672,000.00.
    # 2027: January-March still above the threshold, 600,000 at 25% = 150,000; from April a new
    # count: April-August 1,000,000 at 28% = 280,000, September-December 800,000 at 25% =
    # 200,000: 630,000.00 (the contract year ending 2028-03-31 is not over: no true-up).
    ("04-01", (Decimal("672000.00"), Decimal("630000.00"))),
])
def test_simulation_agrees_with_settlement_on_the_amended_agreement(tmp_path, year_start, want):
    """The reseller clause amended on 2026-07-01 (30% -> 28%, 25% above 1,000,000 a contract
    year, at least 50,000 a year), revenue flat at 2,400,000 a year (200,000 a month), zero
    volatility: the simulation of the history as amended pays what settlement of the same
    monthly rows pays, year by year, with the contract year starting on 01-01 or on 04-01."""
    from termsheet.simulate import parse_scenario, simulate
    history = load_history_of(write_versions(
        reseller(1000000, 50000, None, None, 7, False, year_start=year_start),
        tmp_path / "agreement"))
    rows = [{"date": str(date(year, month, 1)), "seller": "Acme", "channel": "direct",
             "product": "widget", "amount": "200000", "currency": "USD"}
            for year in (2026, 2027) for month in range(1, 13)]
    settled = settle(history, rows, start=date(2026, 1, 1), end=date(2027, 12, 31))
    by_year = {year: sum(line.amount for line in settled.lines if line.period.year == year)
               for year in (2026, 2027)}
    assert by_year == {2026: want[0], 2027: want[1]}
    sim = simulate(history, parse_scenario(SIMULATION.replace("START", "2400000")), amended=True)
    assert sim.versions == ("as amended",)
    flows = sim.outcomes[0].party("beta").flows
    assert [round(flows[y].mean, 6) for y in range(2)] == [float(w) for w in want]


def test_the_command_line_says_what_is_pending(tmp_path):
    """tests/cases/settle/minimum-pending.yaml through `termsheet settle`: 10%, at least 1,000 a
    year; 7,500 of revenue January-March pays 750.00 and, with no --to, the run stops before the
    year's end: at most 1,000 - 750 = 250.00 is pending, under the statements and the
    reconciliation; `--to 2026-12-31` settles the true-up instead."""
    from support.cli import run_cli
    from support.settle import load_case, write_inputs
    case = load_case("minimum-pending.yaml")
    folder = write_versions(case, tmp_path / "agreement")
    data = write_inputs(case, tmp_path / "data")[0]
    out = run_cli("settle", "--agreement", folder, data, "--no-store")
    assert out.returncode == 0, out.stderr
    text = " ".join(out.stdout.split())
    assert text.count("minimum for 2026 not yet settled: at most 250.00 USD pending") == 2, text
    whole = run_cli("settle", "--agreement", folder, data, "--no-store", "--to", "2026-12-31", "--json")
    assert whole.returncode == 0, whole.stderr
    assert "not yet settled" not in whole.stdout and '"true-up"' in whole.stdout


QUARTERLY = {"versions": [{"version": "v1", "effective": "2026-01-01", "year-start": "02-01",
                           "clauses": [{"id": "resale", "kind": "revenue-share", "payer": "acme",
                                        "payee": "beta", "base": {"seller": "acme"},
                                        "rate": "10%", "minimum": {"per-quarter": 20000},
                                        "cap": {"per-quarter": 25000}}]}]}


def test_simulation_agrees_with_settlement_on_quarterly_minimums_and_caps(tmp_path):
    """10% of revenue, at least 20,000 and at most 25,000 a contract quarter, the contract year
    starting 02-01 (quarters February-April, May-July, August-October, November-January).
    Revenue 600,000 in 2026 (50,000 a month: 5,000 due) and 1,200,000 in 2027 (100,000 a month:
    10,000 due), zero volatility. By hand, 2026: twelve months of 5,000 = 60,000; the quarter
    November 2025-January 2026 is in force 31 of its 92 days, so its minimum is
    20,000 x 31 / 92 = 6,739.13 and January's true-up 1,739.13; February-April, May-July and
    August-October each pay 15,000, trued up by 5,000: 60,000 + 1,739.13 + 15,000 = 76,739.13.
    2027: January's 10,000 ends the quarter November-January at 5,000 + 5,000 + 10,000 = 20,000,
    the minimum (no true-up); each quarter from February to October makes 30,000 due, capped at
    25,000 (75,000); November and December pay 20,000 and their quarter is not over: 105,000.00.
    Settlement and the simulation give these, to the cent."""
    from termsheet.simulate import parse_scenario, simulate
    history = load_history_of(write_versions(QUARTERLY, tmp_path / "agreement"))
    rows = [{"date": str(date(year, month, 1)), "seller": "Acme", "channel": "direct",
             "product": "widget", "amount": "50000" if year == 2026 else "100000",
             "currency": "USD"} for year in (2026, 2027) for month in range(1, 13)]
    settled = settle(history, rows, start=date(2026, 1, 1), end=date(2027, 12, 31))
    by_year = {year: sum(line.amount for line in settled.lines if line.period.year == year)
               for year in (2026, 2027)}
    assert by_year == {2026: Decimal("76739.13"), 2027: Decimal("105000.00")}
    assert [line.amount for line in settled.lines if line.kind == "true-up"] == \
        [Decimal("1739.13"), Decimal("5000.00"), Decimal("5000.00"), Decimal("5000.00")]
    assert any("quarterly minimum for 2027-11-01 to 2028-01-31 not yet settled" in text
               for text in settled.pending), settled.pending
    scenario = SIMULATION.replace("START", "600000").replace(
        "volatility: 0%", "growth: [0%, 100%], volatility: 0%")
    sim = simulate(history, parse_scenario(scenario))
    flows = sim.outcomes[0].party("beta").flows
    assert [round(flows[y].mean, 2) for y in range(2)] == [76739.13, 105000.0]
