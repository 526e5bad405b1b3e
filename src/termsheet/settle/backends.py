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
import socket
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from typing import Any

import duckdb
import ibis

from ..agreement.problems import Problem, TermsheetError

ENGINES = ("duckdb", "spark")
CONNECT_TIMEOUT = 5.0  # seconds to open a TCP connection to a Spark Connect server
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
        # Last cached first: a cached table may be computed from an earlier one, and a Spark
        # Connect server re-analyses a DataFrame's plan to unpersist it, so the earlier one's
        # view must still exist then.
        for item in reversed(self.cleanup):
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
        session = _connect_session(SparkSession, remote, {**SPARK_SQL, **conf})
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


def _connect_address(remote: str) -> tuple[str, int]:
    """HOST and PORT of ``sc://HOST:PORT/;param=value`` (the port defaults to 15002)."""
    where = remote[len("sc://"):].split("/", 1)[0].split(";", 1)[0]
    host, _, port = where.rpartition(":") if where.count(":") == 1 or where.startswith("[") \
        else (where, "", "")
    host = (host or where).strip("[]")
    if not host or (port and not port.isdigit()):
        raise TermsheetError([Problem("E053", f"'{remote}' is not a sc://HOST:PORT URL",
                                      "--spark-remote")])
    return host, int(port or 15002)


def _grpc_reason(err: Exception) -> str:
    """The gist of a Connect client's error: a gRPC error's details, else its first line."""
    text = str(err).strip()
    found = re.search(r'details = "([^"]*)"', text)
    return (found.group(1) if found else (text.splitlines() or [type(err).__name__])[0])[:200]


def _connect_session(SparkSession, remote: str, settings: dict[str, str]):
    """A Spark Connect session, checked to answer within seconds. The client would otherwise
    retry an unreachable server for minutes (its default policy waits up to ten): first a plain
    TCP connection to the server's port, then the first calls with a short retry policy, then
    the client's own policy for the settlement's queries."""
    host, port = _connect_address(remote)
    try:
        socket.create_connection((host, port), timeout=CONNECT_TIMEOUT).close()
    except OSError as err:
        reason = err.strerror or ("timed out" if isinstance(err, TimeoutError) else str(err))
        raise TermsheetError([Problem(
            "E053", f"no Spark Connect server answers at {host}:{port} ({remote}): {reason}",
            "--spark-remote", hint="is the server started (docs/settle.md, 'Spark on a cluster'), "
            "and are the host and port right?")]) from None
    # The Connect client warns that ibis's schema check does not apply to it: noise, not news.
    warnings.filterwarnings("ignore", "'verifySchema' is ignored", UserWarning)
    from pyspark.errors import PySparkException
    from pyspark.sql.connect.client.retries import DefaultPolicy
    session = SparkSession.builder.remote(remote).getOrCreate()
    policies = session.client.get_retry_policies()
    session.client.set_retry_policies([DefaultPolicy(max_retries=3, initial_backoff=200,
                                                     backoff_multiplier=2.0, max_backoff=1000)])
    try:
        for name, value in settings.items():
            session.conf.set(name, value)
    except PySparkException as err:  # it listens but does not answer as a Connect server
        session.client.close()
        raise TermsheetError([Problem(
            "E053", f"{host}:{port} does not answer as a Spark Connect server ({remote}): "
            f"{_grpc_reason(err)}", "--spark-remote")]) from None
    finally:
        session.client.set_retry_policies(policies)
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
