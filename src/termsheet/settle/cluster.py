"""A Spark standalone cluster on this machine, from the installed PySpark distribution: a master,
workers and optionally a Spark Connect server, each a separate process bound to 127.0.0.1, for
tests, benchmarks and trying ``--spark-master``/``--spark-remote`` out.

    with LocalCluster(workers=2, connect=True) as cluster:
        settle(history, files, engine="spark", spark_master=cluster.master)
        settle(history, files, engine="spark", spark_remote=cluster.remote)

The same processes by hand are in docs/settle.md. Each process runs in its own session (process
group) and is stopped with its children (executors) when the block ends.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

# Executors sized for a shared machine; a real cluster sets its own.
SMALL_EXECUTORS = {"spark.executor.memory": "512m", "spark.executor.cores": "1",
                   "spark.cores.max": "2"}


class ClusterError(RuntimeError):
    pass


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def spark_home() -> Path:
    import pyspark
    return Path(pyspark.__file__).parent


class LocalCluster:
    def __init__(self, workers: int = 2, cores: int = 2, memory: str = "1g",
                 connect: bool = False, folder: str | Path | None = None,
                 startup: float = 300.0):
        self.workers, self.cores, self.memory, self.connect = workers, cores, memory, connect
        self.folder = Path(folder or tempfile.mkdtemp(prefix="termsheet-cluster-"))
        self.startup = startup
        self.port, self.ui_port = free_port(), free_port()
        self.connect_port = free_port() if connect else None
        self.master = f"spark://127.0.0.1:{self.port}"
        self.ui = f"http://127.0.0.1:{self.ui_port}"
        self.remote = f"sc://127.0.0.1:{self.connect_port}" if connect else None
        self.procs: list[subprocess.Popen] = []

    def state(self) -> dict | None:
        """The master's view (its web UI's JSON): workers, applications."""
        try:
            with urllib.request.urlopen(f"{self.ui}/json/", timeout=2) as reply:
                return json.load(reply)
        except OSError:
            return None

    def _start(self, name: str, program: str, *args: str, daemon: bool = True) -> None:
        home = spark_home()
        env = {**os.environ, "SPARK_HOME": str(home), "SPARK_LOCAL_IP": "127.0.0.1",
               "SPARK_NO_DAEMONIZE": "1", "SPARK_LOG_DIR": str(self.folder),
               "SPARK_WORKER_DIR": str(self.folder / "work"), "PYSPARK_PYTHON": sys.executable}
        if daemon:
            env["SPARK_DAEMON_MEMORY"] = "256m"
        log = open(self.folder / f"{name}.log", "w")
        self.procs.append(subprocess.Popen([str(home / "bin" / program), *args], env=env,
                                           stdout=log, stderr=subprocess.STDOUT,
                                           stdin=subprocess.DEVNULL, start_new_session=True))

    def start(self) -> "LocalCluster":
        self.folder.mkdir(parents=True, exist_ok=True)
        self._start("master", "spark-class", "org.apache.spark.deploy.master.Master", "--host",
                    "127.0.0.1", "--port", str(self.port), "--webui-port", str(self.ui_port))
        # Workers and the Connect server retry until the master listens: all start at once.
        for n in range(1, self.workers + 1):
            self._start(f"worker-{n}", "spark-class", "org.apache.spark.deploy.worker.Worker",
                        self.master, "--host", "127.0.0.1", "--cores", str(self.cores),
                        "--memory", self.memory, "--webui-port", "0",
                        "--work-dir", str(self.folder / f"worker-{n}"))
        if self.connect:
            conf = {**SMALL_EXECUTORS, "spark.connect.grpc.binding.address": "127.0.0.1",
                    "spark.connect.grpc.binding.port": str(self.connect_port),
                    "spark.driver.host": "127.0.0.1", "spark.ui.enabled": "false",
                    "spark.sql.shuffle.partitions": "4"}
            self._start("connect", "spark-submit", "--class",
                        "org.apache.spark.sql.connect.service.SparkConnectServer", "--name",
                        "termsheet-connect", "--master", self.master, "--driver-memory", "512m",
                        *(f"--conf={k}={v}" for k, v in conf.items()), "spark-internal",
                        daemon=False)
        try:
            self._wait("workers", self._workers_alive)
            if self.connect:
                self._wait("Connect server", self._connect_listening)
        except BaseException:
            self.stop()
            raise
        return self

    def _workers_alive(self) -> bool:
        state = self.state() or {}
        return sum(w.get("state") == "ALIVE" for w in state.get("workers", [])) == self.workers

    def _connect_listening(self) -> bool:
        with socket.socket() as sock:
            sock.settimeout(1)
            return sock.connect_ex(("127.0.0.1", self.connect_port)) == 0

    def _wait(self, what: str, ready) -> None:
        deadline = time.monotonic() + self.startup
        while not ready():
            if any(p.poll() is not None for p in self.procs) or time.monotonic() > deadline:
                tails = "\n".join(f"== {log.name}\n" + "\n".join(
                    log.read_text(errors="replace").splitlines()[-15:])
                    for log in sorted(self.folder.glob("*.log")))
                raise ClusterError(f"the Spark cluster did not come up ({what}):\n{tails}")
            time.sleep(0.5)

    def stop(self) -> None:
        """Each process group (a worker's executors with it): TERM, then KILL after 20 s."""
        for proc in reversed(self.procs):
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        self.procs.clear()

    def __enter__(self) -> "LocalCluster":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
