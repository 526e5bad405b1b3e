"""Contract years across amendments: settling a year's rows in any sequence of runs gives the
same lines as one run, across an amendment, with per-year tiers, caps and a minimum."""

import tempfile
from calendar import monthrange
from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from termsheet import load_history_of
from termsheet.settle import settle
from termsheet.settle.store import Store
from test_settle_cases import write_versions

SETTINGS = settings(max_examples=4, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def reseller(threshold: int, minimum: int | None, per_year: int | None, total: int | None,
             amended: int, reset: bool) -> dict:
    """The reseller clause (30%, 25% above a yearly threshold), amended to 28% on the first of
    month ``amended``."""
    def clause(rate: str, extra: dict) -> dict:
        out = {"id": "resale", "kind": "revenue-share", "payer": "acme", "payee": "beta",
               "base": {"seller": "acme"},
               "tiers": {"mode": "marginal", "per": "year",
                         "bands": [{"above": 0, "rate": rate},
                                   {"above": threshold, "rate": "25%"}]}}
        if minimum is not None:
            out["minimum"] = {"per-year": minimum}
        cap = {k: v for k, v in (("per-year", per_year), ("total", total)) if v is not None}
        if cap:
            out["cap"] = cap
        return out | extra
    return {"versions": [
        {"version": "v1", "effective": "2026-01-01", "clauses": [clause("30%", {})]},
        {"version": "v2", "effective": f"2026-{amended:02d}-01",
         "clauses": [clause("28%", {"reset": True} if reset else {})]}]}


def rows_of(amounts: list[Decimal], months: range) -> list[dict]:
    return [{"date": str(date(2026, m, 14)), "seller": "Acme", "channel": "direct",
             "product": "widget", "amount": str(amounts[m - 1]), "currency": "USD"}
            for m in months]


@SETTINGS
@given(amounts=st.lists(st.decimals(0, 400000, places=2), min_size=12, max_size=12),
       cuts=st.one_of(st.just([]), st.just(list(range(2, 13))), st.just([4, 7, 10]),
                      st.sets(st.integers(2, 12), max_size=5).map(sorted)),
       threshold=st.sampled_from([100000, 1000000]),
       minimum=st.one_of(st.none(), st.sampled_from([50000, 900000])),
       per_year=st.one_of(st.none(), st.sampled_from([200000, 600000])),
       total=st.one_of(st.none(), st.sampled_from([150000, 700000])),
       amended=st.integers(2, 12), reset=st.booleans())
@example(amounts=[Decimal(90000 + 10000 * m) for m in range(12)], cuts=list(range(2, 13)),
         threshold=1000000, minimum=50000, per_year=None, total=None, amended=7, reset=False)
@example(amounts=[Decimal(250000)] * 12, cuts=[4, 7, 10], threshold=1000000, minimum=900000,
         per_year=600000, total=700000, amended=5, reset=False)
def test_any_sequence_of_runs_gives_the_same_lines(tmp_path_factory, amounts, cuts, threshold,
                                                  minimum, per_year, total, amended, reset):
    """Month by month, quarter by quarter, any cuts or one run: the same lines, to the cent."""
    folder = tmp_path_factory.mktemp("years")
    history = load_history_of(write_versions(
        reseller(threshold, minimum, per_year, total, amended, reset), folder / "agreement"))
    whole = settle(history, rows_of(amounts, range(1, 13)), start=date(2026, 1, 1),
                   end=date(2026, 12, 31))
    want = {line.key: line.amount for line in whole.lines}
    edges = [1, *cuts, 13]
    with tempfile.TemporaryDirectory() as place, Store(Path(place) / "s.duckdb") as store:
        for first, after in zip(edges, edges[1:]):
            last = after - 1
            result = settle(history, rows_of(amounts, range(first, after)),
                            start=date(2026, first, 1),
                            end=date(2026, last, monthrange(2026, last)[1]),
                            opening=lambda day: store.opening(history.agreement, day))
            store.record(result)
        got = {line.key: line.amount for line in store.current_lines(history.agreement)
               if line.amount or line.key in want}
        ledger = sum(e.amount for e in store.entries())
    assert got == want
    assert ledger == sum(want.values())
