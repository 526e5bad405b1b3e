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
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from termsheet import load_history_of
from termsheet.cli.common import to_json
from termsheet.settle import settle
from termsheet.settle.generate import generate
from test_settle_cases import load_case, write_inputs, write_versions

pytestmark = [pytest.mark.spark, pytest.mark.xdist_group("spark-cluster")]
ROOT = Path(__file__).resolve().parents[1]
# Small executors: the cluster shares the machine with the rest of the suite.
EXECUTORS = {"spark.executor.memory": "512m", "spark.executor.cores": "1",
             "spark.cores.max": "2"}
STARTUP = 240  # seconds the cluster may take to come up on a busy machine


@dataclass
class Cluster:
    master: str  # spark://127.0.0.1:PORT
    remote: str  # sc://127.0.0.1:PORT
    ui: str  # the master's web UI


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _master_state(ui: str) -> dict | None:
    try:
        with urllib.request.urlopen(f"{ui}/json/", timeout=2) as reply:
            return json.load(reply)
    except OSError:
        return None


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait(what: str, ready, procs: list, logs: Path) -> None:
    deadline = time.monotonic() + STARTUP
    while not ready():
        dead = [p for p in procs if p.poll() is not None]
        if dead or time.monotonic() > deadline:
            tails = "\n".join(f"== {log.name}\n" + "\n".join(log.read_text().splitlines()[-15:])
                              for log in sorted(logs.glob("*.log")))
            pytest.fail(f"the Spark cluster did not come up ({what}):\n{tails}")
        time.sleep(0.5)


@pytest.fixture(scope="session")
def spark_cluster(tmp_path_factory):
    """A standalone master, two workers (1 core, 1 GB each) and a Connect server on the cluster;
    stopped (each process group) when the session ends."""
    pyspark = pytest.importorskip("pyspark")
    if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
        pytest.skip("no Java runtime")
    home = Path(pyspark.__file__).parent
    folder = tmp_path_factory.mktemp("spark-cluster")
    env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1",
           "SPARK_NO_DAEMONIZE": "1",
           "SPARK_LOG_DIR": str(folder), "SPARK_WORKER_DIR": str(folder / "work"),
           "PYSPARK_PYTHON": sys.executable}
    port, ui_port, connect_port = _port(), _port(), _port()
    master, ui = f"spark://127.0.0.1:{port}", f"http://127.0.0.1:{ui_port}"
    procs: list[subprocess.Popen] = []

    def start(name: str, *args: str) -> None:
        log = open(folder / f"{name}.log", "w")
        daemon = {"SPARK_DAEMON_MEMORY": "256m"} if args[0] == "spark-class" else {}
        procs.append(subprocess.Popen([str(home / "bin" / args[0]), *args[1:]],
                                      env={**env, **daemon},
                                      stdout=log, stderr=subprocess.STDOUT,
                                      stdin=subprocess.DEVNULL, start_new_session=True))

    try:
        start("master", "spark-class", "org.apache.spark.deploy.master.Master", "--host",
              "127.0.0.1", "--port", str(port), "--webui-port", str(ui_port))
        # Workers and the Connect server retry until the master listens: all start at once.
        for n in (1, 2):
            start(f"worker-{n}", "spark-class", "org.apache.spark.deploy.worker.Worker", master,
                  "--host", "127.0.0.1", "--cores", "2", "--memory", "1g", "--webui-port", "0",
                  "--work-dir", str(folder / f"worker-{n}"))
        conf = {**EXECUTORS, "spark.connect.grpc.binding.address": "127.0.0.1",
                "spark.connect.grpc.binding.port": str(connect_port),
                "spark.driver.host": "127.0.0.1", "spark.ui.enabled": "false",
                "spark.sql.shuffle.partitions": "4"}
        start("connect", "spark-submit", "--class",
              "org.apache.spark.sql.connect.service.SparkConnectServer", "--name",
              "termsheet-connect", "--master", master, "--driver-memory", "512m",
              *(f"--conf={k}={v}" for k, v in conf.items()), "spark-internal")

        def workers_alive() -> bool:
            state = _master_state(ui) or {}
            return sum(w.get("state") == "ALIVE" for w in state.get("workers", [])) == 2

        _wait("two workers", workers_alive, procs, folder)
        _wait("Connect server", lambda: _listening(connect_port), procs, folder)
        yield Cluster(master, f"sc://127.0.0.1:{connect_port}", ui)
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in reversed(procs):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


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
    state = _master_state(spark_cluster.ui)
    assert "termsheet" in {app["name"] for app in state["activeapps"]}
    used = {w["id"]: w["coresused"] for w in state["workers"]}
    assert all(cores >= 1 for cores in used.values()), used
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
    duck = settle(flagship, billing)
    done = subprocess.run(
        [sys.executable, "-m", "termsheet", "settle", *map(str, billing), "-a", str(flagship_dir),
         "--engine", "spark", "--spark-remote", spark_cluster.remote, "--no-store", "--json"],
        capture_output=True, text=True, timeout=600,
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


def test_an_unreachable_connect_server_is_a_problem_not_a_traceback(flagship_dir, billing):
    port = _port()  # nothing listens there
    done = subprocess.run(
        [sys.executable, "-m", "termsheet", "settle", *map(str, billing), "-a", str(flagship_dir),
         "--engine", "spark", "--spark-remote", f"sc://127.0.0.1:{port}", "--no-store"],
        capture_output=True, text=True, timeout=300,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 1, done.stderr[-2000:]
    assert "E053" in done.stderr and "Traceback" not in done.stderr
