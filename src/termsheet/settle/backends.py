"""Where the Ibis expressions run: DuckDB in-process (the default) or PySpark in local mode.

Both read the same ``rows`` view: DuckDB directly, Spark from a Parquet copy of it written by
DuckDB. Spark is set up to compute decimals exactly (no precision loss) so that both engines give
the same amounts to the last decimal.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from typing import Any

import duckdb
import ibis

from ..agreement.problems import Problem, TermsheetError

ENGINES = ("duckdb", "spark")


@dataclass
class Backend:
    name: str
    con: Any  # an Ibis backend
    rows: ibis.Table
    cleanup: list = field(default_factory=list)

    def records(self, expr: ibis.Table) -> list[dict]:
        """Run an expression; its rows as dicts of Python values (Decimal for decimals)."""
        return self.con.to_pyarrow(expr).to_pylist()

    def cached(self, expr: ibis.Table) -> ibis.Table:
        """The expression computed once and kept: a temporary table (DuckDB), a cached
        DataFrame (Spark)."""
        if self.name == "duckdb":
            name = f"termsheet_cached_{len(self.cleanup)}"
            sql = ibis.to_sql(expr, dialect="duckdb")
            self.con.con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {sql}")
            self.cleanup.append(name)
            return self.con.table(name)
        table = expr.cache()
        self.cleanup.append(table)
        return table

    def close(self) -> None:
        for item in self.cleanup:
            if isinstance(item, str):
                self.con.con.execute(f"DROP TABLE IF EXISTS {item}")
            else:
                item.release()
        self.cleanup.clear()


def duckdb_backend(con: duckdb.DuckDBPyConnection) -> Backend:
    backend = ibis.duckdb.from_connection(con)
    return Backend("duckdb", backend, backend.table("rows"))


_SPARK = None


def spark_session():
    """One small local Spark session per process: one core, few shuffle partitions, UTC."""
    global _SPARK
    if _SPARK is None:
        try:
            from pyspark.sql import SparkSession
        except ImportError:
            raise TermsheetError([Problem("E053", "the spark engine needs pyspark", "--engine",
                                          hint="pip install 'termsheet[spark]'")]) from None
        os.environ.setdefault("PYSPARK_PYTHON", os.sys.executable)
        _SPARK = (SparkSession.builder.master("local[1]").appName("termsheet")
                  .config("spark.sql.shuffle.partitions", "1")
                  .config("spark.ui.showConsoleProgress", "false")
                  .config("spark.default.parallelism", "1")
                  .config("spark.ui.enabled", "false")
                  .config("spark.sql.session.timeZone", "UTC")
                  .config("spark.sql.decimalOperations.allowPrecisionLoss", "false")
                  .config("spark.sql.ansi.enabled", "true")
                  .config("spark.driver.memory", "1g")
                  .config("spark.sql.execution.arrow.pyspark.enabled", "true")
                  .getOrCreate())
        _SPARK.sparkContext.setLogLevel("ERROR")
    return _SPARK


def spark_backend(con: duckdb.DuckDBPyConnection) -> Backend:
    """The rows view, copied to Parquet by DuckDB, read by Spark."""
    folder = tempfile.mkdtemp(prefix="termsheet-spark-")
    path = os.path.join(folder, "rows.parquet")
    con.execute(f"COPY (SELECT * FROM rows) TO '{path}' (FORMAT parquet)")
    backend = ibis.pyspark.connect(spark_session())
    return Backend("spark", backend, backend.read_parquet(path))


def backend_for(engine: str, con: duckdb.DuckDBPyConnection) -> Backend:
    if engine == "duckdb":
        return duckdb_backend(con)
    if engine == "spark":
        return spark_backend(con)
    raise TermsheetError([Problem("E053", f"unknown engine '{engine}'", "--engine",
                                  hint=f"known: {', '.join(ENGINES)}")])
