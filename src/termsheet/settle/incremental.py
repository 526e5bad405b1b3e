"""Incremental settlement: a new month's files settle without re-reading earlier months.

The store records, per run, each input by its sha256 with its rows and first and last charge day
(the ``inputs`` table). Given the files of a new run, :func:`plan` splits them:

- files never read under these very agreement versions are **new**: always read;
- the run then starts at the first settlement period the new files touch (the start of the
  period, in the longest settlement unit among the agreement's clauses, of their earliest charge
  day): a late correction in a new file moves that back, and the periods from there on are
  settled afresh (restated where they change);
- a file already read whose last charge day is before that start is **skipped**: its periods
  stand as stored, and what caps, per-year amounts and life-to-date tiers need of them the store
  carries into the run (``Store.opening``). Any other known file is read again.

With ``--from``/``--to`` given, or no new file, or no known one, every file is read as before.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ..agreement.history import History
from . import focus
from .lines import period_start
from .run import version_hashes

LONGER = {"month": 0, "quarter": 1, "year": 2}


@dataclass
class Plan:
    read: list[str]
    skipped: list[dict] = field(default_factory=list)
    start: date | None = None

    @property
    def incremental(self) -> bool:
        return bool(self.skipped)


def plan(store, history: History, paths: list[str | Path], start: date | None = None,
         end: date | None = None, memory_limit: str | None = None) -> Plan:
    """Which of ``paths`` the run must read, given what ``store`` has consumed."""
    paths = [str(p) for p in paths]
    if start is not None or end is not None or store is None:
        return Plan(paths)
    known = store.consumed(history.agreement, version_hashes(history))
    if not known:
        return Plan(paths)
    hashes = {p: focus.file_hash(Path(p)) for p in paths if Path(p).is_file()}
    if len(hashes) < len(paths):  # a missing file: let the run report it
        return Plan(paths)
    new = [p for p in paths if hashes[p] not in known]
    if not new or len(new) == len(paths):
        return Plan(paths)
    earliest = _earliest_day(new, memory_limit)
    if earliest is None:
        return Plan(paths)
    unit = max((c.settle for v in history.versions for c in v.clauses
                if getattr(c, "settle", None) in LONGER), key=LONGER.get, default="month")
    first = period_start(earliest, unit)
    skipped, read = [], []
    for p in paths:
        record = known.get(hashes[p]) if p not in new else None
        if record is not None and record["last_day"] is not None and record["last_day"] < first:
            skipped.append({**record, "path": p})
        else:
            read.append(p)
    if not skipped:
        return Plan(paths)
    return Plan(read, skipped, first)


def _earliest_day(paths: list[str], memory_limit: str | None) -> date | None:
    """The first usable charge day in the files (Parquet answers most of it from statistics)."""
    from .backends import configure
    con = focus.connect()
    try:
        configure(con, memory_limit)
        focus.load(con, paths)
        return con.execute("SELECT min(day) FROM rows WHERE bad = 0").fetchone()[0]
    finally:
        con.close()
