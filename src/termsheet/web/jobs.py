"""Background jobs with progress, for work too long for one request (simulations), kept in the
store so that every worker process sees them and they outlive a restart.

``JobRunner.submit(kind, owner, params, spec)`` records a job as ``queued`` in the store's
``jobs`` table and returns it at once; ``GET /api/jobs/{id}`` reads it back from the store. Each
server process runs ``workers`` job threads; a thread claims the next queued job, rebuilds its
work from the job's ``spec`` (``builders[kind](spec)`` gives ``work(progress)``), runs it, and
writes the result (JSON) or the problems that stopped it. ``progress(done, total, note)`` is
seen at once by the process running the job and written to the store about once a second for
the others.

Limits and fairness: a token (the job's ``owner``) may have at most ``per_token`` jobs queued or
running, and the server ``total``; one more is refused with 429 and ``Retry-After``. The next job
to run is the oldest queued job of the owner that has gone longest without one starting (owners
with fewer jobs running first), so one party's many big jobs take turns with another's small one.

A restart: a job the store says is running, whose process is gone, is queued again and runs from
the start (its spec says everything it needs); finished jobs keep their results. At most ``keep``
finished jobs are kept, the oldest forgotten first.
"""

from __future__ import annotations

import logging
import os
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Literal

import orjson

from ..api import json_default
from ..api import Problem, TermsheetError
from .errors import HttpProblem

log = logging.getLogger("termsheet.jobs")
Status = Literal["queued", "running", "done", "failed"]
Progress = Callable[[int, int, str], None]
Work = Callable[[Progress], Any]
PER_TOKEN = 4          # jobs queued or running per token
TOTAL = 32             # jobs queued or running in the whole server
RETRY_AFTER = 10       # seconds, the hint given with a 429
POLL = 1.0             # seconds between looks for jobs queued by other processes
PROGRESS_EVERY = 1.0   # seconds between progress writes to the store

SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id VARCHAR PRIMARY KEY, seq BIGINT, kind VARCHAR, owner VARCHAR, params VARCHAR,
    spec VARCHAR, status VARCHAR, done BIGINT, total BIGINT, note VARCHAR, result VARCHAR,
    errors VARCHAR, runner VARCHAR, submitted DOUBLE, started DOUBLE, finished DOUBLE);
"""
COLUMNS = ("id", "kind", "owner", "params", "status", "done", "total", "note", "errors")


@dataclass
class Job:
    id: str
    kind: str
    owner: str
    params: dict[str, Any]
    status: Status = "queued"
    done: int = 0
    total: int = 0
    note: str = ""
    result: Any = None
    errors: list[dict] = field(default_factory=list)

    @property
    def fraction(self) -> float:
        if self.status == "done":
            return 1.0
        return self.done / self.total if self.total else 0.0

    def to_dict(self, with_result: bool = True) -> dict[str, Any]:
        data = {"id": self.id, "kind": self.kind, "status": self.status,
                "progress": {"done": self.done, "total": self.total,
                             "fraction": round(self.fraction, 4), "note": self.note},
                "params": self.params, "errors": self.errors}
        if with_result:
            data["result"] = self.result
        return data


def _dumps(value: Any) -> str:
    return orjson.dumps(value, default=json_default,
                        option=orjson.OPT_SERIALIZE_NUMPY).decode()


def _alive(runner: str | None) -> bool:
    """Whether the process that claimed a job (``pid/nonce``) still runs."""
    try:
        os.kill(int(str(runner).split("/")[0]), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


class JobRunner:
    """Jobs in the store of ``ledger`` (:class:`~termsheet.web.settlement.Ledger`), run by
    ``workers`` threads of this process."""

    def __init__(self, ledger, builders: dict[str, Callable[[dict], Work]], workers: int = 1,
                 per_token: int = PER_TOKEN, total: int = TOTAL, keep: int = 200,
                 poll: float = POLL):
        self.ledger, self.builders = ledger, builders
        self.per_token, self.total, self.keep, self.poll = per_token, total, keep, poll
        self.runner = f"{os.getpid()}/{secrets.token_hex(4)}"
        self._live: dict[str, Job] = {}        # jobs this process is running, with progress
        self._wake = threading.Event()
        self._stop = threading.Event()
        with self.ledger.using() as store:
            store.con.execute(SCHEMA)
            self._requeue_orphans(store.con)
        self.workers = max(0, workers)
        self._threads: list[threading.Thread] = []
        self._starting = threading.Lock()

    def start(self) -> None:
        """Start this process's job threads (once; the server's start-up calls it, and so
        does the first job submitted)."""
        with self._starting:
            if self._stop.is_set():
                # started again after a shut-down (an ASGI lifespan may run more than once in
                # a process): once the old threads are gone, over the store as it is now
                if any(thread.is_alive() for thread in self._threads):
                    return
                self._stop.clear()
                self._threads = []
                with self.ledger.using() as store:
                    store.con.execute(SCHEMA)
                    self._requeue_orphans(store.con)
            if self._threads:
                return
            self._threads = [threading.Thread(target=self._loop, name=f"termsheet-job-{n}",
                                              daemon=True) for n in range(self.workers)]
            for thread in self._threads:
                thread.start()

    # asking ----------------------------------------------------------------------------------

    def submit(self, kind: str, owner: str, params: dict[str, Any], spec: dict[str, Any]
               ) -> Job:
        """Queue a job; 429 when its owner or the server has as many jobs as allowed."""
        job = Job(secrets.token_hex(8), kind, owner, params)
        with self.ledger.using() as store:
            con = store.con
            mine, everyone = con.execute(
                "SELECT count(*) FILTER (WHERE owner = ?), count(*) FROM jobs "
                "WHERE status IN ('queued', 'running')", [owner]).fetchone()
            if mine >= self.per_token or everyone >= self.total:
                who = (f"'{owner}' already has {mine} job(s)" if mine >= self.per_token
                       else f"the server already has {everyone} job(s)")
                limit = self.per_token if mine >= self.per_token else self.total
                raise HttpProblem(429, f"{who} queued or running, the most allowed ({limit})",
                                  path=f"jobs/{kind}",
                                  hint=f"wait for one to finish (GET /api/jobs/{{id}}) and "
                                       f"try again in {RETRY_AFTER} s",
                                  headers={"Retry-After": str(RETRY_AFTER)})
            seq = con.execute("SELECT coalesce(max(seq), 0) + 1 FROM jobs").fetchone()[0]
            con.execute("INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, 'queued', 0, 0, '', NULL, "
                        "'[]', NULL, ?, NULL, NULL)",
                        [job.id, seq, kind, owner, _dumps(params), _dumps(spec), time.time()])
            self._forget_old(con)
        self.start()
        self._wake.set()
        return job

    def get(self, job_id: str) -> Job | None:
        live = self._live.get(job_id)
        if live is not None:
            return live
        with self.ledger.using() as store:
            row = store.con.execute(f"SELECT {', '.join(COLUMNS)}, result FROM jobs "
                                    "WHERE id = ?", [job_id]).fetchone()
        return None if row is None else self._job(row)

    def list(self) -> list[Job]:
        """Every job kept, oldest first (without results)."""
        with self.ledger.using() as store:
            rows = store.con.execute(f"SELECT {', '.join(COLUMNS)}, NULL FROM jobs "
                                     "ORDER BY seq").fetchall()
        return [self._live.get(row[0]) or self._job(row) for row in rows]

    def shutdown(self, wait: float = 5.0) -> None:
        """Stop taking jobs; wait a little for the threads (a job still running when the store
        closes is run again by the next start)."""
        self._stop.set()
        self._wake.set()
        deadline = time.monotonic() + wait
        for thread in self._threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    @staticmethod
    def _job(row) -> Job:
        id_, kind, owner, params, status, done, total, note, errors, result = row
        return Job(id_, kind, owner, orjson.loads(params), status, done, total, note,
                   orjson.loads(result) if result is not None else None, orjson.loads(errors))

    # running ---------------------------------------------------------------------------------

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                claimed = self._claim()
            except Exception as err:    # the store is busy, or closed as the server stops
                if self._stop.is_set():
                    return
                log.warning("could not look for jobs: %s", err)
                claimed = None
            if claimed is None:
                self._wake.wait(self.poll)
                self._wake.clear()
                continue
            self._run(*claimed)

    def _claim(self) -> tuple[Job, dict] | None:
        """The next job, round-robin across owners, marked running by this process."""
        with self.ledger.using() as store:
            con = store.con
            row = con.execute("""
                WITH owners AS (
                    SELECT owner,
                           count(*) FILTER (WHERE status = 'running') AS running,
                           coalesce(max(started), 0) AS last_start
                    FROM jobs GROUP BY owner)
                SELECT j.id, j.kind, j.owner, j.params, j.spec FROM jobs j JOIN owners o
                    USING (owner)
                WHERE j.status = 'queued'
                ORDER BY o.running, o.last_start, j.seq LIMIT 1""").fetchone()
            if row is None:
                return None
            con.execute("UPDATE jobs SET status = 'running', runner = ?, started = ? "
                        "WHERE id = ?", [self.runner, time.time(), row[0]])
        job = Job(row[0], row[1], row[2], orjson.loads(row[3]), "running")
        self._live[job.id] = job
        return job, orjson.loads(row[4])

    def _run(self, job: Job, spec: dict) -> None:
        written = [time.monotonic()]

        def progress(done: int, total: int, note: str = "") -> None:
            job.done, job.total, job.note = done, total, note
            # readers in this process see `job` itself; the store's copy is for the others
            if self.ledger.shared and time.monotonic() - written[0] >= PROGRESS_EVERY:
                written[0] = time.monotonic()
                try:
                    self._write(job, "done = ?, total = ?, note = ?", [done, total, note])
                except TermsheetError:
                    pass   # the store is busy: the next report will try again

        try:
            build = self.builders.get(job.kind)
            if build is None:
                raise TermsheetError([Problem("E500", f"no such kind of job '{job.kind}'",
                                              f"job {job.id}")])
            result = build(spec)(progress)
            job.result, job.status = result, "done"
        except TermsheetError as err:
            job.errors, job.status = [p.to_dict() for p in err.problems], "failed"
        except HttpProblem as err:
            job.errors, job.status = [p.to_dict() for p in err.problems], "failed"
        except Exception as err:  # a bug: keep the server up and say what failed
            job.errors = [Problem("E500", f"internal error: {type(err).__name__}: {err}",
                                  f"job {job.id}").to_dict()]
            job.status = "failed"
        for attempt in range(30):
            try:
                self._write(job, "status = ?, done = ?, total = ?, note = ?, result = ?, "
                                 "errors = ?, finished = ?",
                            [job.status, job.done, job.total, job.note,
                             _dumps(job.result) if job.status == "done" else None,
                             _dumps(job.errors), time.time()])
                break
            except Exception as err:    # busy: try again; closed (stopping): the next
                if self._stop.is_set():  # start runs the job again
                    break
                log.warning("could not record job %s: %s", job.id, err)
                time.sleep(1)
        self._live.pop(job.id, None)

    def _write(self, job: Job, assignments: str, values: list) -> None:
        with self.ledger.using() as store:
            store.con.execute(f"UPDATE jobs SET {assignments} WHERE id = ?", [*values, job.id])

    def _requeue_orphans(self, con) -> None:
        """Jobs left running by a process that is gone run again from the start."""
        for job_id, runner in con.execute(
                "SELECT id, runner FROM jobs WHERE status = 'running'").fetchall():
            if not _alive(runner):
                con.execute("UPDATE jobs SET status = 'queued', done = 0, total = 0, "
                            "note = 'queued again after a restart', runner = NULL, "
                            "started = NULL WHERE id = ?", [job_id])

    def _forget_old(self, con) -> None:
        con.execute("DELETE FROM jobs WHERE status IN ('done', 'failed') AND seq NOT IN ("
                    "SELECT seq FROM jobs WHERE status IN ('done', 'failed') "
                    "ORDER BY seq DESC LIMIT ?)", [self.keep])
