"""Settlement on a real Spark cluster: a standalone master and two workers started as separate
processes from the installed PySpark distribution, bound to 127.0.0.1, and a Spark Connect server
in front of the same cluster. The driver in this process (``--spark-master spark://...``) and the
Connect client (``--spark-remote sc://...``, through the command line) give the same amounts as
DuckDB, to the cent and in the exact unrounded slices; the total cap case gives the amounts worked
out by hand in tests/cases/settle/cap-crossed.yaml."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from termsheet import load_history_of
from termsheet.cli.common import to_json
from termsheet.settle import settle
from termsheet.settle.cluster import SMALL_EXECUTORS, ClusterError, LocalCluster, free_port
from termsheet.settle.generate import generate
from support.settle import load_case, write_inputs, write_versions

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark-cluster")]
ROOT = Path(__file__).resolve().parents[1]
EXECUTORS = SMALL_EXECUTORS  # small: the cluster shares the machine with the rest of the suite


@pytest.fixture(scope="session")
def spark_cluster(tmp_path_factory):
    """A standalone master, two workers (2 cores, 1 GB each) and a Spark Connect server whose
    executors run on them, each its own process; stopped (with the executors) when the session
    ends. The Connect server holds one core of each worker, a driver in this process the other."""
    pytest.importorskip("pyspark")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("no Java runtime")
    cluster = LocalCluster(workers=2, cores=2, memory="1g", connect=True,
                           folder=tmp_path_factory.mktemp("spark-cluster"))
    try:
        cluster.start()
    except ClusterError as err:
        pytest.fail(str(err))
    try:
        yield cluster
    finally:
        cluster.stop()


def _port() -> int:
    return free_port()


def same(a, b) -> None:
    assert a.lines == b.lines  # every amount, to the cent
    assert a.slices == b.slices  # exact, unrounded amounts too
    assert a.reconciliation == b.reconciliation
    assert a.quarantine == b.quarantine


@pytest.fixture(scope="module")
def billing(tmp_path_factory) -> list[Path]:
    return generate(tmp_path_factory.mktemp("cluster-data"), date(2025, 7, 1),
                    date(2026, 12, 31), rows=2_000, seed=13, fmt="parquet")


def test_settles_on_a_standalone_cluster_like_duckdb(spark_cluster, flagship, billing, tmp_path):
    duck = settle(flagship, billing)
    spark = settle(flagship, billing, engine="spark", spark_master=spark_cluster.master,
                   spark_conf=EXECUTORS)
    assert spark.engine == "spark" and len(duck.lines) > 30
    same(duck, spark)
    # The work ran on the cluster: the master lists this driver's application and its
    # executors, one on each worker.
    from termsheet.settle.backends import spark_session
    context = spark_session(spark_cluster.master, conf=EXECUTORS).sparkContext
    assert context.master == spark_cluster.master
    state = spark_cluster.state()
    apps = {app["name"]: app for app in state["activeapps"]}
    assert apps["termsheet"]["cores"] == 2, apps  # spark.cores.max: two one-core executors
    # Each worker runs one executor of this driver and one of the Connect server's (spread out).
    used = {w["id"]: w["coresused"] for w in state["workers"]}
    assert sorted(used.values()) == [2, 2], used
    # The total cap, worked out by hand in the case: 600.00, 400.00 (the cap's remainder), 0.00.
    case = load_case("cap-crossed.yaml")
    history = load_history_of(write_versions(case, tmp_path / "agreement"))
    result = settle(history, write_inputs(case, tmp_path / "data"), engine="spark",
                    spark_master=spark_cluster.master, spark_conf=EXECUTORS)
    amounts = {(l.clause, l.label): l.amount for l in result.lines}
    assert amounts == {
        ("capped", "2026-01"): Decimal("600.00"), ("capped", "2026-02"): Decimal("400.00"),
        ("capped", "2026-03"): Decimal("0.00"), ("yearly", "2026-11"): Decimal("300.00"),
        ("yearly", "2026-12"): Decimal("200.00"), ("yearly", "2027-01"): Decimal("100.00")}


def test_settles_through_spark_connect_from_the_command_line(spark_cluster, flagship_dir,
                                                             flagship, billing):
    """The client process has no Java: the Connect server plans the queries and its executors
    on the workers run them. It caches the summary (a temporary view) and a table computed from
    it, and releases both at the end, the later first: the server re-analyses a DataFrame's plan
    to unpersist it, and the earlier view must still exist then (the other order failed with
    TABLE_OR_VIEW_NOT_FOUND at analyzePlan and exit 3)."""
    duck = settle(flagship, billing)
    done = subprocess.run(
        [sys.executable, "-m", "termsheet", "settle", *map(str, billing), "-a", str(flagship_dir),
         "--engine", "spark", "--spark-remote", spark_cluster.remote, "--no-store", "--json"],
        capture_output=True, text=True, timeout=900,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(done.stdout)
    assert data["engine"] == "spark"
    lines = [line for s in data["statements"] for line in s["lines"]]
    got = sorted((l["version"], l["clause"], l["period"], l["kind"], l["amount"]) for l in lines)
    want = sorted((l.version, l.clause, l.period.isoformat(), l.kind, f"{l.amount}")
                  for l in duck.lines)
    assert got == want and len(want) > 30
    assert data["reconciliation"] == json.loads(to_json([r.to_dict() for r in
                                                         duck.reconciliation]))
    assert "Traceback" not in done.stderr and "verifySchema" not in done.stderr
    assert "termsheet-connect" in {app["name"] for app in spark_cluster.state()["activeapps"]}


def _settle_remote(remote: str, flagship_dir, billing) -> subprocess.CompletedProcess:
    # The client's own retry policy waits at least ten minutes for a server that does not
    # answer: the timeout here is far below that, so a client that retries fails the test.
    return subprocess.run(
        [sys.executable, "-m", "termsheet", "settle", *map(str, billing), "-a", str(flagship_dir),
         "--engine", "spark", "--spark-remote", remote, "--no-store"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")})


def test_an_unreachable_connect_server_is_a_problem_not_a_traceback(flagship_dir, billing):
    port = _port()  # nothing listens there
    done = _settle_remote(f"sc://127.0.0.1:{port}", flagship_dir, billing)
    assert done.returncode == 1, done.stderr[-2000:]
    assert done.stderr.startswith("--spark-remote:1:1: E053 no Spark Connect server answers at "
                                  f"127.0.0.1:{port}"), done.stderr
    assert "Connection refused" in done.stderr and "Traceback" not in done.stderr


def test_a_server_that_is_no_connect_server_is_a_problem(flagship_dir, billing):
    """Something listens on the port but does not speak Spark Connect (an HTTP/1 server): the
    client's first calls are retried a few times only, then a problem, exit 1."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        port = server.getsockname()[1]

        def answer():
            while True:
                try:
                    client, _ = server.accept()
                except OSError:
                    return
                with client:
                    client.sendall(b"HTTP/1.0 404 Not Found\r\n\r\n")

        threading.Thread(target=answer, daemon=True).start()
        done = _settle_remote(f"sc://127.0.0.1:{port}", flagship_dir, billing)
    assert done.returncode == 1, done.stderr[-2000:]
    assert done.stderr.startswith(f"--spark-remote:1:1: E053 127.0.0.1:{port} does not answer "
                                  "as a Spark Connect server"), done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("url, where", [
    ("sc://127.0.0.1:15003", ("127.0.0.1", 15003)),
    ("sc://spark.example.org/;user_id=ana;use_ssl=true", ("spark.example.org", 15002)),
    ("sc://[::1]:15010/;token=x", ("::1", 15010)),
])
def test_connect_urls_name_a_host_and_port(url, where):
    from termsheet.settle.backends import _connect_address
    assert _connect_address(url) == where
