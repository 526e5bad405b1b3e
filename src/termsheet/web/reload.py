"""Agreements edited on disk, picked up without a restart (``termsheet serve --reload-agreements``).

A thread looks at the agreements folder every ``every`` seconds (the name, size and modification
time of every file under it). When they change and then stay the same for one more look (an
editor's save is done), it loads the agreements again with the very loader the server started
with, in full and beside the ones serving, and only then swaps the one reference the requests
read (``app.state.catalog``). A request reads that reference once (``api.catalog_of``), so it sees
the old agreements or the new, never some of each. A load that finds problems swaps nothing: the
old agreements keep serving, and the problems, each with its file, line and column, are logged
and shown by ``GET /api/reload`` until an edit fixes them.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import Any, Callable

from fastapi import APIRouter, Request
from pydantic import BaseModel

from ..api import Problem, TermsheetError
from .api import Admin
from .schemas import ProblemOut, errors

log = logging.getLogger("termsheet.reload")
api = APIRouter(prefix="/api", tags=["agreements"], responses=errors(401, 403))


class Reloader:
    def __init__(self, app, load: Callable[[], Any], root: str | Path, every: float = 1.0):
        self.app, self.load, self.root, self.every = app, load, Path(root), every
        self.watching = False
        self.generation = 0                # how many times new agreements were swapped in
        self.loaded_at = time.time()
        self.checked_at: float | None = None
        self.problems: list[Problem] = []  # of the last load, when it failed
        self._seen = self._pending = self.signature()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def signature(self) -> tuple:
        """Every file under the folder: its path, size and modification time."""
        out = []
        try:
            for path in sorted(self.root.rglob("*")):
                try:
                    if path.is_file():
                        stat = path.stat()
                        out.append((str(path), stat.st_size, stat.st_mtime_ns))
                except OSError:          # removed while we looked: the next look sees it
                    continue
        except OSError:
            return ()
        return tuple(out)

    def start(self) -> None:
        self.watching = True
        self._thread = threading.Thread(target=self._loop, name="termsheet-reload",
                                        daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def _loop(self) -> None:
        while not self._stop.wait(self.every):
            self.check()

    def check(self) -> bool:
        """One look; True when new agreements were swapped in."""
        signature = self.signature()
        self.checked_at = time.time()
        if signature == self._seen:
            self._pending = signature
            return False
        if signature != self._pending:     # still changing: look again before loading
            self._pending = signature
            return False
        return self.reload(signature)

    def reload(self, signature: tuple | None = None) -> bool:
        """Load the agreements again; swap them in when they load without problems."""
        self._seen = signature if signature is not None else self.signature()
        try:
            catalog = self.load()
        except TermsheetError as err:
            self.problems = list(err.problems)
            for p in self.problems:
                log.warning("agreements not reloaded, the old ones keep serving: %s:%s:%s: "
                            "%s %s", p.path, p.line, p.column, p.code, p.message)
            return False
        self.app.state.catalog = catalog   # the one reference requests read: the swap
        self.problems = []
        self.generation += 1
        self.loaded_at = time.time()
        log.warning("agreements reloaded from %s: %s", self.root, ", ".join(catalog.ids))
        return True

    def status(self) -> dict[str, Any]:
        return {"watching": self.watching, "folder": str(self.root),
                "generation": self.generation, "loaded_at": self.loaded_at,
                "checked_at": self.checked_at,
                "agreements": self.app.state.catalog.ids,
                "problems": [p.to_dict() for p in self.problems]}


class ReloadOut(BaseModel):
    watching: bool
    folder: str
    generation: int
    loaded_at: float
    checked_at: float | None = None
    agreements: list[str]
    problems: list[ProblemOut]


@api.get("/reload", response_model=ReloadOut)
def reload_status(request: Request, principal: Admin):
    """Whether the server watches its agreements folder (``--reload-agreements``), how many
    times it swapped in new agreements, and the positioned problems of the last edit that did
    not load (the previous agreements keep serving until an edit loads). Admin only."""
    return request.app.state.reloader.status()
