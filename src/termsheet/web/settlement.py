"""Who owes whom: settle posted data (admin only), then statements, reconciliation and the ledger,
with each statement line drilling down to its clause and the input rows behind it.

A run goes through :func:`termsheet.settle.settle` and is recorded in the store
(:class:`termsheet.store.Store`: the DuckDB file of ``--store``, or one in memory), which posts
its ledger entries. Each run also keeps, in a folder of its own, its input files, the per-row
allocations (Parquet) and a summary, so that a line can show the rows it came from.

A party's token sees only the statements, lines, rows and ledger entries where its party is payer
or payee; reconciliation and quarantine (about every row of the input) are for admin only.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import tempfile
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..api import write_atomic
from ..api import json_default
from ..api import Problem, TermsheetError
from .access import Principal
from .errors import HttpProblem

REVENUE_COLUMNS = ("date", "seller", "channel", "product", "amount", "currency")


@dataclass
class Run:
    run: int
    agreement: str
    folder: Path
    summary: dict[str, Any]

    @property
    def allocations(self) -> Path:
        return self.folder / "allocations.parquet"


@dataclass
class Ledger:
    """The store and the runs' folders, behind one lock (a DuckDB connection is not shared
    between threads).

    ``shared`` (a server with several worker processes): a DuckDB file admits one process at a
    time, so each use opens the store and closes it after (waiting while another process has it),
    and the runs are read from their folders at each look rather than kept in memory.
    """

    store_path: Path | None
    folder: Path
    shared: bool = False
    _runs: dict[int, Run] = field(default_factory=dict)
    _owners: dict[str, int] = field(default_factory=dict)   # line key -> run that settled it
    _lock: threading.RLock = field(default_factory=threading.RLock, repr=False)
    _store: Any = None

    @classmethod
    def open(cls, store_path: Path | None, shared: bool = False) -> "Ledger":
        if store_path is None:
            folder = Path(tempfile.mkdtemp(prefix="termsheet-runs-"))
        else:
            from ..api import check_store_path
            check_store_path(str(store_path))  # a data file is no store: refused at start
            folder = Path(store_path).with_name(Path(store_path).stem + "-runs")
            folder.mkdir(parents=True, exist_ok=True)
        ledger = cls(store_path, folder, shared=shared and store_path is not None)
        ledger._load_runs()
        return ledger

    @property
    def runs(self) -> dict[int, Run]:
        if self.shared:
            self._load_runs()
        return self._runs

    @property
    def owners(self) -> dict[str, int]:
        if self.shared:
            self._load_runs()
        return self._owners

    def store(self):
        from ..api import Store
        if self._store is None:
            self._store = Store(str(self.store_path) if self.store_path else ":memory:")
        return self._store

    @contextmanager
    def using(self, wait: float = 30.0):
        """The store, for one use, under the lock; a shared store is opened for the use (and
        waited for up to ``wait`` seconds while another process holds it)."""
        with self._lock:
            if not self.shared:
                yield self.store()
                return
            from ..api import Store
            deadline = time.monotonic() + wait
            while True:
                try:
                    store = Store(str(self.store_path))
                    break
                except TermsheetError as err:
                    if "lock" not in err.problems[0].message or time.monotonic() > deadline:
                        raise
                    time.sleep(0.02)
            try:
                yield store
            finally:
                store.close()

    def close(self) -> None:
        """Close the store; a later use opens it again (a server's start-up may follow its
        shut-down in the same process). A store in memory goes with its runs' folder."""
        with self._lock:
            if self._store is not None:
                self._store.close()
                self._store = None
            if self.store_path is None:
                shutil.rmtree(self.folder, ignore_errors=True)
                self._runs.clear()
                self._owners.clear()

    def _load_runs(self) -> None:
        for summary in sorted(self.folder.glob("*/summary.json")):
            number = summary.parent.name
            if number.isdigit() and int(number) in self._runs:
                continue
            data = json.loads(summary.read_text(encoding="utf-8"))
            run = Run(data["run"], data["agreement"], summary.parent, data)
            self._remember(run)

    def _remember(self, run: Run) -> None:
        self._runs[run.run] = run
        for statement in run.summary.get("statements", []):
            for line in statement["lines"]:
                self._owners[line["key"]] = run.run

    # settling ------------------------------------------------------------------------------

    def settle(self, history, inputs: list[Path], start: date | None, end: date | None,
               events: dict[str, date], rates: Any = None) -> Run:
        """Settle files already in a fresh folder (``inputs[0].parent``) and record the run.
        ``rates``: an exchange-rate table (a file in that folder, or records)."""
        from ..api import settle
        folder = inputs[0].parent
        with self.using() as store, self.incoming(folder):
            settlement = settle(history, inputs, start=start, end=end, events=events,
                                opening=lambda first: store.opening(history.agreement, first),
                                later=lambda last: store.later(history.agreement, last),
                                allocations=folder / "allocations.parquet", rates=rates)
            posted = store.record(settlement)
            summary = {"run": posted.run, "agreement": history.agreement,
                       **json.loads(json.dumps(settlement.to_dict(), default=json_default)),
                       "posted": posted.postings, "restated": posted.restatements}
            summary["sources"] = [{**s, "path": Path(s["path"]).name}
                                  for s in summary["sources"]]
            if summary.get("rates"):
                summary["rates"]["path"] = Path(summary["rates"]["path"]).name
            final = self.folder / str(posted.run)
            if final.exists():  # a folder of another store's run: kept, moved aside
                aside = Path(tempfile.mkdtemp(prefix=f"{posted.run}-", dir=self._replaced()))
                final.rename(aside / "run")
            folder.rename(final)
            write_atomic(final / "summary.json", json.dumps(summary, indent=1))
            run = Run(posted.run, history.agreement, final, summary)
            self._remember(run)
            return run

    @contextmanager
    def incoming(self, folder: Path):
        """Uploads of a settle that fails are removed with their folder (only ever a fresh
        ``incoming-*`` folder of this ledger's)."""
        try:
            yield folder
        except BaseException:
            if folder.parent == self.folder and folder.name.startswith("incoming-"):
                shutil.rmtree(folder, ignore_errors=True)
            raise

    def _replaced(self) -> Path:
        aside = self.folder / "replaced"
        aside.mkdir(exist_ok=True)
        return aside

    def new_folder(self) -> Path:
        self.folder.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="incoming-", dir=self.folder))

    # reading -------------------------------------------------------------------------------

    def lines(self, agreement: str, principal: Principal) -> list:
        with self.using() as store:
            lines = store.current_lines(agreement)
        return [line for line in lines if principal.sees(line.payer, line.payee)]

    def entries(self, agreement: str, principal: Principal) -> list:
        with self.using() as store:
            entries = store.entries(agreement)
        return [e for e in entries if principal.sees(e.payer, e.payee)]

    def run_of(self, agreement: str, number: int) -> Run:
        run = self.runs.get(number)
        if run is None or run.agreement != agreement:
            raise HttpProblem(404, f"no run {number} of agreement '{agreement}'",
                              path=f"{agreement}/runs/{number}")
        return run

    def line_rows(self, agreement: str, key: str, principal: Principal,
                  limit: int = 1000) -> dict[str, Any]:
        """The input rows behind a line: each row's allocation and the row as written."""
        line = next((l for l in self.lines(agreement, principal) if l.key == key), None)
        if line is None or key not in self.owners:
            # the same answer whether the line is another party's or does not exist
            raise HttpProblem(404, "no such statement line", path="query.line",
                              hint="the keys of the lines you may read are in the statements")
        run = self.runs[self.owners[key]]
        allocated = _allocations(run, line, limit)
        sources = run.summary["sources"]
        for row in allocated:
            row["file"] = sources[row["source"]]["path"]
        _attach_inputs(run, allocated)
        return {"key": key, "run": run.run, "line": _line_dict(line), "rows": allocated,
                "shown": len(allocated), "total_rows": line.rows}


def history_view(lines: list, entries: list) -> dict[str, list[dict[str, Any]]]:
    """Each line's restatement history: its posting and every restatement, in order, with the
    total after each (the line's amount as it stood after that run)."""
    keys = {line.key for line in lines}
    out: dict[str, list[dict[str, Any]]] = {}
    totals: dict[str, Any] = {}
    for entry in entries:
        if entry.key not in keys:
            continue
        totals[entry.key] = totals.get(entry.key, 0) + entry.amount
        data = entries_view([entry])[0]
        data["total"] = _cents(totals[entry.key], entry.currency)
        out.setdefault(entry.key, []).append(data)
    return out


def period_history(lines: list, entries: list, period: str) -> list[dict[str, Any]]:
    """The lines of one period (its label: 2026-05, 2026-Q2, 2026) with their histories."""
    chosen = [line for line in lines if line.label == period]
    history = history_view(chosen, entries)
    return [{**_line_dict(line), "history": history.get(line.key, [])} for line in chosen]


def statements_view(lines: list) -> list[dict[str, Any]]:
    from ..api import statements_of
    out = []
    for statement in statements_of(lines):
        data = json.loads(json.dumps(statement.to_dict(), default=json_default))
        data["total"] = _cents(statement.total, statement.currency)
        data["lines"] = [_line_dict(line) for line in statement.lines]
        out.append(data)
    return out


def _line_dict(line) -> dict[str, Any]:
    data = json.loads(json.dumps(line.to_dict(), default=json_default))
    data["amount"] = _cents(line.amount, line.currency)
    return data


def entries_view(entries: list) -> list[dict[str, Any]]:
    out = []
    for entry in entries:
        data = json.loads(json.dumps(entry.to_dict(), default=json_default))
        data["amount"] = _cents(entry.amount, entry.currency)
        out.append(data)
    return out


def _cents(amount, currency: str) -> str:
    """A rounded amount as the statement shows it (the store keeps ten decimals)."""
    from ..api import minor_unit
    return format(amount.quantize(minor_unit(currency)), "f")


def _allocations(run: Run, line, limit: int) -> list[dict[str, Any]]:
    import duckdb
    if line.kind != "share" or not run.allocations.exists():
        return []
    con = duckdb.connect()
    try:
        rows = con.execute(
            "SELECT source, source_row, day, base, allocated, currency FROM read_parquet(?) "
            "WHERE version = ? AND clause = ? AND period = ? ORDER BY source, source_row "
            "LIMIT ?", [str(run.allocations), line.version, line.clause, line.period,
                        limit]).fetchall()
    finally:
        con.close()
    return [{"source": s, "row": r, "day": d.isoformat(), "base": format(b, "f"),
             "allocated": format(a, "f"), "currency": c} for s, r, d, b, a, c in rows]


def _attach_inputs(run: Run, rows: list[dict[str, Any]]) -> None:
    """Each row's fields as written in its input file (CSV or Parquet)."""
    import duckdb
    wanted: dict[int, list[int]] = {}
    for row in rows:
        wanted.setdefault(row["source"], []).append(row["row"])
    con = duckdb.connect()
    try:
        for source, numbers in wanted.items():
            path = run.folder / run.summary["sources"][source]["path"]
            if path.suffix.lower() == ".parquet":
                query = ("SELECT file_row_number + 1 AS _row, * EXCLUDE (file_row_number) FROM "
                         "read_parquet(?, file_row_number = true)")
                found = con.execute(f"SELECT * FROM ({query}) WHERE _row IN "
                                    f"(SELECT unnest(?))", [str(path), numbers])
            else:  # read as the run read it: the same rows, numbered the same way
                from ..api import register_csv
                register_csv(con, f"src_{source}", path)
                found = con.execute(f"SELECT * EXCLUDE (_line) FROM src_{source}_n WHERE _row "
                                    f"IN (SELECT unnest(?))", [numbers])
            names = [d[0] for d in found.description]
            by_row = {r[0]: dict(zip(names[1:], r[1:])) for r in found.fetchall()}
            for row in rows:
                if row["source"] == source:
                    row["input"] = {k: _plain(v) for k, v in by_row.get(row["row"], {}).items()
                                    if k != "__bad"}
    finally:
        con.close()


def _plain(value: Any) -> Any:
    try:
        return json_default(value)
    except TypeError:
        return value if isinstance(value, (str, int, float, bool)) or value is None \
            else str(value)


# ------------------------------------------------------------------------------------------------
# inputs


SAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str, index: int) -> str:
    """A file name for an upload: its own name cleaned, and never a path."""
    base = SAFE_NAME.sub("-", Path(name or "").name).strip(".-") or f"input-{index}"
    suffix = Path(base).suffix.lower()
    if suffix not in (".csv", ".parquet", ".pq", ".parq", ".tsv", ".txt"):
        raise TermsheetError([Problem("E051", f"cannot tell the format of '{name}'", name,
                                      hint="upload *.csv or *.parquet files")])
    return f"{index}-{base}"


def rows_to_csv(rows: list[dict[str, Any]], folder: Path) -> Path:
    """Rows posted as JSON -> a revenue table (CSV, every value as text, as written)."""
    columns = list(REVENUE_COLUMNS) + sorted({k for r in rows for k in r} - set(REVENUE_COLUMNS))
    path = folder / "0-rows.csv"
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if row.get(k) is None else str(row.get(k)) for k in columns})
    return path
