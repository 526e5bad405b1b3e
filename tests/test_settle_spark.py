"""The same Ibis expressions on PySpark (local mode) give the same amounts as on DuckDB, to the
last decimal: the flagship over synthetic billing, and the cases with tiers, dated terms and caps."""

from datetime import date

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
