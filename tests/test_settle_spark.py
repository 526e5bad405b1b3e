"""The same Ibis expressions on PySpark (local mode) give the same amounts as on DuckDB, to the
last decimal: the flagship over synthetic billing, and the cases with tiers, dated terms and caps."""

from datetime import date
from pathlib import Path

import pytest

from termsheet import load_history_of
from termsheet.settle import settle
from termsheet.settle.generate import generate
from support.settle import day, load_case, write_inputs, write_versions

pytestmark = pytest.mark.spark

CASES = ("dated-rate-and-threshold.yaml", "cap-crossed.yaml", "minimum-true-up.yaml",
         "quarterly-minimum-and-cap.yaml", "per-customer-bands.yaml")


def same(a, b) -> None:
    assert a.lines == b.lines
    assert a.slices == b.slices  # exact, unrounded amounts too
    assert a.reconciliation == b.reconciliation
    assert a.quarantine == b.quarantine


def test_spark_settles_like_duckdb(tmp_path, flagship):
    pytest.importorskip("pyspark")
    paths = generate(tmp_path / "data", date(2025, 7, 1), date(2026, 12, 31), rows=2_000,
                     seed=11, fmt="parquet")
    duck = settle(flagship, paths)
    spark = settle(flagship, paths, engine="spark")
    assert spark.engine == "spark" and len(duck.lines) > 30
    same(duck, spark)
    for name in CASES:
        case = load_case(name)
        history = load_history_of(write_versions(case, tmp_path / name / "agreement"))
        inputs = write_inputs(case, tmp_path / name / "data")
        args = dict(start=day(case.get("from")), end=day(case.get("to")))
        same(settle(history, inputs, **args), settle(history, inputs, engine="spark", **args))


def test_spark_converts_currencies_like_duckdb(tmp_path):
    """Rows in other currencies converted with a rate table: the same lines (with their
    conversions), exact slices, reconciliation, quarantine and allocations on both engines.
    The docs' royalty example (several bases, an advance, a quarterly minimum, a row with no
    rate) and a tiered clause with a cap over EUR and JPY rows (rates that change, a rate with
    three decimals, weekend rows taking Friday's rate)."""
    pytest.importorskip("pyspark")
    import duckdb
    from support.royalty import agreement, write_rates, write_rows

    folder = Path(__file__).resolve().parents[1] / "docs" / "examples" / "royalty"
    history = load_history_of(folder / "widget-licence.md")
    args = dict(end=date(2026, 12, 31), rates=folder / "rates.csv")
    out = {engine: tmp_path / engine / "alloc" for engine in ("duckdb", "spark")}
    duck = settle(history, [folder / "revenue.csv"], allocations=out["duckdb"], **args)
    spark = settle(history, [folder / "revenue.csv"], engine="spark", allocations=out["spark"],
                   **args)
    assert spark.engine == "spark"
    same(duck, spark)
    assert any("conversions" in (l.detail or {}) for l in spark.lines)
    read = ("SELECT source_row, clause, CAST(period AS DATE), base, allocated, original_amount, "
            "original_currency, rate, rate_date FROM read_parquet('{}/**/*.parquet', "
            "hive_partitioning = true) ORDER BY ALL")
    rows = {e: duckdb.sql(read.format(p)).fetchall() for e, p in out.items()}
    assert rows["duckdb"] == rows["spark"] and any(r[6] == "EUR" for r in rows["spark"])

    tiers = {"tiers": {"mode": "marginal", "per": "month",
                       "bands": [{"above": 0, "rate": "10%"}, {"above": 1000, "rate": "20%"}]},
             "cap": {"total": 900}}
    history = agreement({"clause": tiers}, tmp_path / "tiered")
    rates = write_rates([["2026-01-02", "EUR", "USD", "1.005"],
                         ["2026-01-16", "EUR", "USD", "1.0873"],
                         ["2026-01-01", "JPY", "USD", "0.0067"],
                         ["2026-02-06", "JPY", "USD", "0.00655"]], tmp_path / "rates")
    revenue = [[f"2026-{m:02d}-{d:02d}", "Acme", "direct", "widget", amount, currency]
               for m in (1, 2, 3) for d, amount, currency in (
                   (3, "333.33", "EUR"), (7, "400.01", "USD"), (8, "120000", "JPY"),
                   (17, "1.00", "EUR"), (21, "250.5", "EUR"))] + \
        [["2026-02-07", "Acme", "direct", "widget", "1000", "EUR"],   # a Saturday
         ["2026-01-01", "Acme", "direct", "widget", "5", "EUR"]]      # before any EUR rate
    inputs = write_rows(revenue, tmp_path / "data")
    duck = settle(history, inputs, rates=rates)
    spark = settle(history, inputs, rates=rates, engine="spark")
    same(duck, spark)
    assert [q.code for q in spark.quarantine] == ["rate-missing"]
