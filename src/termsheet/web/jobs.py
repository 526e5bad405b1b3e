"""Background jobs with progress, for work too long for one request (simulations).

``JobRunner.submit(kind, work)`` runs ``work(progress)`` on a worker thread and returns a ``Job``
at once; ``progress(done, total, note)`` updates what ``GET /api/jobs/{id}`` reports. A job ends
``done`` with its result, or ``failed`` with the problems that stopped it. Jobs live in memory, at
most ``keep`` of them; the oldest finished ones are forgotten first.
"""

from __future__ import annotations

import secrets
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Callable, Literal

from ..agreement.problems import Problem, TermsheetError

Status = Literal["queued", "running", "done", "failed"]
Progress = Callable[[int, int, str], None]


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


class JobRunner:
    def __init__(self, workers: int = 1, keep: int = 100):
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers),
                                        thread_name_prefix="termsheet-job")
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()
        self._keep = keep

    def submit(self, kind: str, owner: str, params: dict[str, Any],
               work: Callable[[Progress], Any]) -> Job:
        job = Job(secrets.token_hex(8), kind, owner, params)
        with self._lock:
            self._forget_old()
            self._jobs[job.id] = job
        self._pool.submit(self._run, job, work)
        return job

    def get(self, job_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(job_id)

    def list(self) -> list[Job]:
        with self._lock:
            return list(self._jobs.values())

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _run(self, job: Job, work: Callable[[Progress], Any]) -> None:
        def progress(done: int, total: int, note: str = "") -> None:
            job.done, job.total, job.note = done, total, note

        job.status = "running"
        try:
            job.result = work(progress)
            job.status = "done"
        except TermsheetError as err:
            job.errors = [p.to_dict() for p in err.problems]
            job.status = "failed"
        except Exception as err:  # a bug: keep the server up and say what failed
            job.errors = [Problem("E500", f"internal error: {type(err).__name__}: {err}",
                                  f"job {job.id}").to_dict()]
            job.status = "failed"

    def _forget_old(self) -> None:
        finished = [j for j in self._jobs.values() if j.status in ("done", "failed")]
        while len(self._jobs) >= self._keep and finished:
            self._jobs.pop(finished.pop(0).id, None)
