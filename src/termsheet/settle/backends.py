"""Where the Ibis expressions run: DuckDB in-process (the default) or PySpark.

Both read the same ``rows`` view: DuckDB directly, Spark from a Parquet copy of it written by
DuckDB. Spark runs in local mode (one core), on a cluster (``master="spark://HOST:PORT"``: the
driver runs in this process, executors on the cluster's workers) or through a Spark Connect
server (``remote="sc://HOST:PORT"``). It is set up to compute decimals exactly (no precision
loss) so that every engine gives the same amounts to the last decimal.

DuckDB can be held to a memory limit (``memory_limit="2GB"``) and spill what does not fit to a
temporary directory (``temp_dir``): its grouping, joins and sorts then work out of core.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Any

import duckdb
import ibis

from ..agreement.problems import Problem, TermsheetError

ENGINES = ("duckdb", "spark")
MEMORY = re.compile(r"^\s*\d+(\.\d+)?\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)\s*$", re.IGNORECASE)
# Settings every Spark session gets: exact decimals, UTC, ANSI casts, Arrow transfers.
SPARK_SQL = {
    "spark.sql.session.timeZone": "UTC",
    "spark.sql.decimalOperations.allowPrecisionLoss": "false",
    "spark.sql.ansi.enabled": "true",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


@dataclass
class Backend:
    name: str
    con: Any  # an Ibis backend
    rows: ibis.Table
    cleanup: list = field(default_factory=list)
    folders: list = field(default_factory=list)

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
        for folder in self.folders:
            shutil.rmtree(folder, ignore_errors=True)
        self.folders.clear()


def check_memory(limit: str | None) -> str | None:
    """A DuckDB memory size ('2GB', '512MB', '1.5GiB'), or a problem."""
    if limit is None or MEMORY.match(limit):
        return limit
    raise TermsheetError([Problem("E059", f"'{limit}' is not a memory size", "--memory-limit",
                                  hint="a number and a unit, e.g. 2GB or 512MB")])


def configure(con: duckdb.DuckDBPyConnection, memory_limit: str | None = None,
              temp_dir: str | os.PathLike | None = None) -> None:
    """Hold DuckDB to ``memory_limit`` and let it spill to ``temp_dir``. Under a limit it also
    drops insertion order where no query needs it, so that large writes stream."""
    if memory_limit is not None:
        con.execute(f"SET memory_limit = '{check_memory(memory_limit).strip()}'")
        con.execute("SET preserve_insertion_order = false")
    if temp_dir is not None:
        folder = make_temp_dir(temp_dir)
        con.execute("SET temp_directory = '" + folder.replace("'", "''") + "'")


def make_temp_dir(temp_dir: str | os.PathLike) -> str:
    """The temporary directory, made if need be, or a problem."""
    folder = os.fspath(temp_dir)
    try:
        os.makedirs(folder, exist_ok=True)
    except OSError as err:
        raise TermsheetError([Problem("E059", f"cannot use {folder} as a temporary directory: "
                                      f"{err.strerror}", "--temp-dir")]) from None
    return folder


def duckdb_backend(con: duckdb.DuckDBPyConnection) -> Backend:
    backend = ibis.duckdb.from_connection(con)
    return Backend("duckdb", backend, backend.table("rows"))


_SESSIONS: dict[tuple, Any] = {}


def _pyspark():
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise TermsheetError([Problem("E053", "the spark engine needs pyspark", "--engine",
                                      hint="pip install 'termsheet[spark]'")]) from None
    return SparkSession


def _loopback(url: str) -> bool:
    host = url.split("://", 1)[-1].split(":", 1)[0].split("/", 1)[0]
    return host in ("127.0.0.1", "localhost", "::1")


def spark_session(master: str | None = None, remote: str | None = None,
                  conf: dict[str, str] | None = None):
    """A Spark session, one per process and place: local mode (one core, one shuffle
    partition) unless ``master`` names a cluster or ``remote`` a Spark Connect server. A classic
    session for another master than the running one replaces it (one SparkContext a process)."""
    if master and remote:
        raise TermsheetError([Problem("E053", "--spark-master and --spark-remote exclude each "
                                      "other", "--spark-remote")])
    for name, value in (("--spark-master", master), ("--spark-remote", remote)):
        prefix = "spark://" if name == "--spark-master" else "sc://"
        if value and not (value.startswith(prefix) or (name == "--spark-master" and
                                                      value.startswith(("local", "yarn", "k8s://")))):
            raise TermsheetError([Problem("E053", f"'{value}' is not a {prefix}HOST:PORT URL",
                                          name)])
    conf = dict(conf or {})
    key = (master, remote, tuple(sorted(conf.items())))
    if key in _SESSIONS:
        return _SESSIONS[key]
    SparkSession = _pyspark()
    if remote:
        try:
            session = SparkSession.builder.remote(remote).getOrCreate()
            for name, value in {**SPARK_SQL, **conf}.items():
                session.conf.set(name, value)
        except Exception as err:  # the server is down or refuses: bad input, not a bug
            raise TermsheetError([Problem("E053", f"cannot reach the Spark Connect server "
                                          f"{remote}: {str(err).splitlines()[0][:200]}",
                                          "--spark-remote")]) from None
        _SESSIONS[key] = session
        return session
    for other, session in list(_SESSIONS.items()):
        if other[1] is None:  # a classic session: only one SparkContext per process
            session.stop()
            del _SESSIONS[other]
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    settings = {
        "spark.ui.showConsoleProgress": "false", "spark.ui.enabled": "false",
        "spark.driver.memory": "1g", **SPARK_SQL,
    }
    if master is None:
        settings |= {"spark.sql.shuffle.partitions": "1", "spark.default.parallelism": "1"}
    else:
        settings |= {"spark.sql.shuffle.partitions": "4"}
        if _loopback(master):  # a cluster on this machine reaches the driver here
            settings |= {"spark.driver.host": "127.0.0.1", "spark.driver.bindAddress": "127.0.0.1"}
    builder = SparkSession.builder.master(master or "local[1]").appName("termsheet")
    for name, value in {**settings, **conf}.items():
        builder = builder.config(name, value)
    try:
        session = builder.getOrCreate()
    except Exception as err:
        raise TermsheetError([Problem("E053", f"cannot start Spark on {master or 'local[1]'}: "
                                      f"{str(err).splitlines()[0][:200]}",
                                      "--spark-master")]) from None
    session.sparkContext.setLogLevel("ERROR")
    _SESSIONS[key] = session
    return session


def spark_backend(con: duckdb.DuckDBPyConnection, master: str | None = None,
                  remote: str | None = None, conf: dict[str, str] | None = None,
                  temp_dir: str | os.PathLike | None = None) -> Backend:
    """The rows view, copied to Parquet by DuckDB, read by Spark. On a cluster the copy must be
    where the executors (or the Connect server) can read it: this machine, or ``temp_dir`` on a
    shared filesystem."""
    session = spark_session(master, remote, conf)
    if temp_dir is not None:
        make_temp_dir(temp_dir)
    folder = tempfile.mkdtemp(prefix="termsheet-spark-", dir=temp_dir)
    path = os.path.join(folder, "rows.parquet")
    con.execute(f"COPY (SELECT * FROM rows) TO '{path}' (FORMAT parquet)")
    backend = ibis.pyspark.connect(session)
    return Backend("spark", backend, backend.read_parquet(path), folders=[folder])


def backend_for(engine: str, con: duckdb.DuckDBPyConnection, **spark: Any) -> Backend:
    """``spark``: master, remote, conf and temp_dir, for the spark engine."""
    if engine == "duckdb":
        return duckdb_backend(con)
    if engine == "spark":
        return spark_backend(con, **spark)
    raise TermsheetError([Problem("E053", f"unknown engine '{engine}'", "--engine",
                                  hint=f"known: {', '.join(ENGINES)}")])
