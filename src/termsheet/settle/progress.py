"""Watching a long settlement: how many input rows there are, and how far DuckDB has read them.

A :class:`Monitor` is given to ``settle(..., monitor=...)``. Once the inputs are registered it
counts their rows (Parquet: from the files' metadata; CSV: the table DuckDB loaded) and then,
from a thread, asks DuckDB how far the running query is (``query_progress``) and reports it as
rows done of the total, about ten times a second, until the run ends. It reads nothing itself
and never slows the query it watches. On Spark only the total is reported.
"""

from __future__ import annotations

import threading
from typing import Callable

Report = Callable[[int, int], None]  # rows done (of the pass under way), rows in all


class Monitor:
    def __init__(self, report: Report, interval: float = 0.1):
        self.report = report
        self.interval = interval
        self.total = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, con, sources, poll: bool = True) -> None:
        """``con``: the DuckDB connection that holds the ``rows`` view; ``poll``: whether the
        rows are read by it (not on Spark)."""
        self.total = sum(_rows(con, source) for source in sources)
        self.report(0, self.total)
        if not poll:
            return
        con.execute("SET enable_progress_bar = true")
        con.execute("SET enable_progress_bar_print = false")
        self._thread = threading.Thread(target=self._poll, args=(con,), daemon=True)
        self._thread.start()

    def _poll(self, con) -> None:
        while not self._stop.wait(self.interval):
            try:
                percent = con.query_progress()
            except Exception:  # the connection is closing
                return
            if percent >= 0:
                self.report(int(self.total * min(percent, 100.0) / 100), self.total)

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None


def _rows(con, source) -> int:
    literal = "'" + str(source.path).replace("'", "''") + "'"
    if source.format == "parquet":
        return int(con.execute(f"SELECT coalesce(sum(num_rows), 0) FROM "
                               f"parquet_file_metadata({literal})").fetchone()[0])
    try:  # a CSV file is loaded into a table first (focus.py)
        return int(con.execute(f"SELECT count(*) FROM src_{source.index}").fetchone()[0])
    except Exception:
        return 0
