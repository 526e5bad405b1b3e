"""The store: one embedded DuckDB file holding settlement runs, their statements, quarantine and
reconciliation, and an append-only ledger.

- A run records what it ran on: agreement version hashes, input file hashes, parameters.
- The ledger is only ever appended to. A line's key (agreement/version/clause/period/kind) is its
  identity: a new run posts a line not posted before; a line whose amount changed gets a
  restatement entry for the difference only, linked to the original posting; a line that
  disappeared from a period the run covers is restated to zero. Re-running the same input posts
  nothing.
- A run is all or nothing: everything it writes goes in one transaction, committed last. A run
  killed at any point leaves the store as it was.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

from ..agreement.problems import Problem, TermsheetError
from .engine import Later, Opening
from .lines import period_end, period_start
from .run import Settlement
from .statements import Line

DEFAULT_STORE = "termsheet.duckdb"
M, X = "DECIMAL(38,10)", "DECIMAL(38,20)"

SCHEMA = f"""
CREATE TABLE IF NOT EXISTS runs (
    run INTEGER PRIMARY KEY, agreement VARCHAR, engine VARCHAR, start DATE, "end" DATE,
    parameters VARCHAR, versions VARCHAR, inputs VARCHAR, lines INTEGER, posted INTEGER,
    restated INTEGER, quarantined BIGINT);
CREATE TABLE IF NOT EXISTS statement_lines (
    run INTEGER, key VARCHAR, agreement VARCHAR, version VARCHAR, clause VARCHAR,
    heading VARCHAR, payer VARCHAR, payee VARCHAR, period DATE, period_end DATE, settle VARCHAR,
    kind VARCHAR, base {M}, "rows" BIGINT, corrections BIGINT, first_day DATE, last_day DATE,
    cost VARCHAR, rate VARCHAR, due {X}, paid_year {X}, paid {X}, amount {M}, currency VARCHAR,
    rounding VARCHAR);
CREATE TABLE IF NOT EXISTS ledger (
    entry INTEGER PRIMARY KEY, run INTEGER, key VARCHAR, type VARCHAR, restates INTEGER,
    date DATE, agreement VARCHAR, version VARCHAR, clause VARCHAR, payer VARCHAR, payee VARCHAR,
    period DATE, kind VARCHAR, amount {M}, currency VARCHAR, narration VARCHAR);
CREATE TABLE IF NOT EXISTS quarantine (
    run INTEGER, source INTEGER, path VARCHAR, "row" BIGINT, code VARCHAR, value VARCHAR,
    reason VARCHAR);
CREATE TABLE IF NOT EXISTS reconciliation (
    run INTEGER, currency VARCHAR, status VARCHAR, "rows" BIGINT, amount {M});
CREATE TABLE IF NOT EXISTS inputs (
    run INTEGER, agreement VARCHAR, sha256 VARCHAR, path VARCHAR, kind VARCHAR, "rows" BIGINT,
    first_day DATE, last_day DATE, read BOOLEAN, versions VARCHAR);
CREATE TABLE IF NOT EXISTS slices (
    run INTEGER, key VARCHAR, agreement VARCHAR, term VARCHAR, period DATE, segment BIGINT,
    grp VARCHAR, base {M}, "rows" BIGINT, corrections BIGINT, first_day DATE, last_day DATE);
ALTER TABLE statement_lines ADD COLUMN IF NOT EXISTS part VARCHAR DEFAULT '';
ALTER TABLE statement_lines ADD COLUMN IF NOT EXISTS detail VARCHAR;
"""
INPUT_FIELDS = ("run", "agreement", "sha256", "path", "kind", "rows", "first_day", "last_day",
                "read", "versions")
LINE_FIELDS = ("key", "agreement", "version", "clause", "heading", "payer", "payee", "period",
               "period_end", "settle", "kind", "base", "rows", "corrections", "first_day",
               "last_day", "cost", "rate", "due", "paid_year", "paid", "amount", "currency",
               "rounding", "part", "detail")
# Lines in the order a statement shows them: an advance, the shares, a true-up, a recoupment.
KIND_ORDER = ("CASE kind WHEN 'advance' THEN 0 WHEN 'share' THEN 1 WHEN 'true-up' THEN 2 "
              "WHEN 'recoupment' THEN 3 ELSE 9 END")
LEDGER_FIELDS = ("entry", "run", "key", "type", "restates", "date", "agreement", "version",
                 "clause", "payer", "payee", "period", "kind", "amount", "currency", "narration")


@dataclass(frozen=True, slots=True)
class Entry:
    """One ledger entry: a posting, or a restatement of an earlier posting."""

    entry: int
    run: int
    key: str
    type: str  # "posting" or "restatement"
    restates: int | None
    date: date
    agreement: str
    version: str
    clause: str
    payer: str
    payee: str
    period: date
    kind: str
    amount: Decimal
    currency: str
    narration: str

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in LEDGER_FIELDS}


@dataclass(frozen=True, slots=True)
class Posted:
    """What a run did to the store."""

    run: int
    entries: tuple[Entry, ...]

    @property
    def postings(self) -> int:
        return sum(1 for e in self.entries if e.type == "posting")

    @property
    def restatements(self) -> int:
        return sum(1 for e in self.entries if e.type == "restatement")


class Store:
    """A DuckDB file; open it with ``Store(path)`` (created on first use) or as a context."""

    def __init__(self, path: str | Path = DEFAULT_STORE, read_only: bool = False):
        self.path = str(path)
        try:
            if read_only and not Path(self.path).exists():
                raise TermsheetError([Problem("E055", f"no store at {self.path}", self.path,
                                              hint="run `termsheet settle` first")])
            check_store_path(self.path)
            self.con = _Guarded(duckdb.connect(self.path, read_only=read_only), self.path)
        except duckdb.Error as err:
            first = str(err).splitlines()[0]
            held = "Could not set lock" in first   # one writer at a time: another holds it
            raise TermsheetError([Problem(
                "E055", f"cannot open the store {self.path}: {first}", self.path,
                hint=("another process holds the store (a `termsheet serve` with this --store, "
                      "or a run still going): settle through that server's API, or when it "
                      "has stopped") if held else None)]) from None
        if not read_only:
            self.con.execute(SCHEMA)

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.con.close()

    # reading -------------------------------------------------------------------------------

    def current_lines(self, agreement: str | None = None) -> list[Line]:
        """Each key's line from the latest run that settled it."""
        where = "WHERE agreement = ?" if agreement else ""
        rows = self.con.execute(
            f"SELECT {', '.join(_q(f) for f in LINE_FIELDS)} FROM statement_lines s {where} "
            f"QUALIFY run = max(run) OVER (PARTITION BY key) ORDER BY period, payer, payee, "
            f"clause, version, {KIND_ORDER}, kind, part", [agreement] if agreement else []
        ).fetchall()
        return [_line(dict(zip(LINE_FIELDS, row))) for row in rows]

    def lines_by_run(self, agreement: str | None = None) -> dict[int, list[Line]]:
        """The current lines (each key's latest), grouped by the run that settled them."""
        where = "WHERE agreement = ?" if agreement else ""
        rows = self.con.execute(
            f"SELECT run, {', '.join(_q(f) for f in LINE_FIELDS)} FROM statement_lines s "
            f"{where} QUALIFY run = max(run) OVER (PARTITION BY key) ORDER BY run, period, "
            f"payer, payee, clause, version, {KIND_ORDER}, kind, part",
            [agreement] if agreement else []).fetchall()
        out: dict[int, list[Line]] = {}
        for run, *row in rows:
            out.setdefault(run, []).append(_line(dict(zip(LINE_FIELDS, row))))
        return out

    def provenance(self, run: int) -> dict:
        """What a run ran on: inputs with their hashes, version hashes, the rate table, and its
        reconciliation (``Reconciliation`` records)."""
        from .statements import Reconciliation, Tally
        inputs, versions, parameters = self.con.execute(
            "SELECT inputs, versions, parameters FROM runs WHERE run = ?", [run]).fetchone()
        tallies: dict[str, dict[str, Tally]] = {}
        for currency, status, rows, amount in self.con.execute(
                'SELECT currency, status, "rows", amount FROM reconciliation WHERE run = ? '
                "ORDER BY currency", [run]).fetchall():
            tallies.setdefault(currency, {})[status] = Tally(int(rows), amount)
        recon = [Reconciliation(c, t.get("in", Tally()), t.get("settled", Tally()),
                                t.get("out_of_scope", Tally()), Tally(),
                                t.get("quarantined", Tally())) for c, t in tallies.items()]
        return {"inputs": json.loads(inputs), "versions": json.loads(versions),
                "rates": json.loads(parameters).get("rates"), "reconciliation": recon}

    def opening(self, agreement: str, before: date) -> dict[str, list[Opening]]:
        """Lines settled for periods that end before ``before``, by term key. A line whose
        bands apply per group (``tiers.by``) opens as its amounts with each group's volume
        beside them, so each group's count goes on."""
        groups: dict[str, list[tuple[str, Decimal]]] = {}
        for key, grp, base in self.con.execute(
                "SELECT s.key, s.grp, sum(s.base) FROM slices s JOIN (SELECT key, max(run) AS run "
                "FROM statement_lines WHERE agreement = ? GROUP BY key) c ON s.key = c.key AND "
                "s.run = c.run WHERE s.agreement = ? AND s.grp <> '' GROUP BY s.key, s.grp "
                "ORDER BY s.key, s.grp", [agreement, agreement]).fetchall():
            groups.setdefault(key, []).append((grp, base))
        out: dict[str, list[Opening]] = {}
        for line in self.current_lines(agreement):
            if line.period_end < before:
                key = f"{line.agreement}/{line.version}/{line.clause}"
                split = groups.get(line.key, [])
                out.setdefault(key, []).append(Opening(
                    line.period, line.kind, Decimal(0) if split else line.base, line.due,
                    line.paid_year, line.paid))
                out[key] += [Opening(line.period, "share", base, Decimal(0), Decimal(0),
                                     Decimal(0), grp) for grp, base in split]
        return out

    def later(self, agreement: str, after: date) -> dict[str, list[Later]]:
        """The share slices behind each current line of a period that starts after ``after``,
        by term key: a run that restates an earlier period settles them again (the cascade)."""
        rows = self.con.execute(
            'SELECT s.term, s.period, s.segment, s.grp, s.base, s."rows", s.corrections, '
            "s.first_day, s.last_day, coalesce(l.part, ''), l.detail FROM slices s JOIN "
            "(SELECT key, max(run) AS run FROM statement_lines WHERE agreement = ? GROUP BY key) "
            "c ON s.key = c.key AND s.run = c.run LEFT JOIN statement_lines l ON l.key = s.key "
            "AND l.run = s.run WHERE s.agreement = ? AND s.period > ? ORDER BY s.term, s.period, "
            "s.segment, s.grp", [agreement, agreement, after]).fetchall()
        out: dict[str, list[Later]] = {}
        for term, *fields, detail in rows:
            # the rows behind a later line do not change when it is settled again: nor do the
            # conversions that made its base
            converted = _typed(json.loads(detail)).get("conversions", ()) if detail else ()
            out.setdefault(term, []).append(Later(*fields, conversions=tuple(converted)))
        return out

    def entries(self, agreement: str | None = None) -> list[Entry]:
        where = "WHERE agreement = ?" if agreement else ""
        rows = self.con.execute(f"SELECT {', '.join(LEDGER_FIELDS)} FROM ledger {where} "
                                f"ORDER BY entry", [agreement] if agreement else []).fetchall()
        return [Entry(*row) for row in rows]

    def consumed(self, agreement: str, versions: dict[str, str]) -> dict[str, dict]:
        """The inputs (by sha256) that runs of ``agreement`` under these very versions read:
        each one's latest record (path, rows, first and last charge day)."""
        if not self._has_inputs():
            return {}
        rows = self.con.execute(
            f"SELECT {', '.join(_q(f) for f in INPUT_FIELDS)} FROM inputs WHERE agreement = ? "
            f"AND versions = ? AND read QUALIFY run = max(run) OVER (PARTITION BY sha256)",
            [agreement, json.dumps(versions, sort_keys=True)]).fetchall()
        return {row[2]: dict(zip(INPUT_FIELDS, row)) for row in rows}

    def inputs(self, run: int | None = None) -> list[dict]:
        """What each run consumed: the inputs it read, and those it found already settled."""
        if not self._has_inputs():
            return []
        where = "WHERE run = ?" if run is not None else ""
        rows = self.con.execute(f"SELECT {', '.join(_q(f) for f in INPUT_FIELDS)} FROM inputs "
                                f"{where} ORDER BY run, read DESC, path",
                                [run] if run is not None else []).fetchall()
        return [dict(zip(INPUT_FIELDS, row)) for row in rows]

    def _has_inputs(self) -> bool:  # a store written before the inputs table, opened read-only
        return bool(self.con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = "
                                     "'inputs'").fetchone()[0])

    def runs(self) -> list[dict]:
        cur = self.con.execute("SELECT * FROM runs ORDER BY run")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, row)) for row in cur.fetchall()]

    # writing -------------------------------------------------------------------------------

    def record(self, settlement: Settlement, skipped: list[dict] | tuple = ()) -> Posted:
        """Record a run and post its ledger entries, in one transaction. ``skipped``: inputs
        given to the run that it did not read, already settled (incremental.py)."""
        con = self.con
        con.execute("BEGIN TRANSACTION")
        try:
            run = con.execute("SELECT coalesce(max(run), 0) + 1 FROM runs").fetchone()[0]
            entries = self._entries(run, settlement)
            self._insert_run(run, settlement, entries)
            self._insert_inputs(run, settlement, skipped)
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        return Posted(run, tuple(entries))

    def _entries(self, run: int, settlement: Settlement) -> list[Entry]:
        posted = {key: (total, first, info) for key, total, first, *info in self.con.execute(
            "SELECT key, sum(amount), min(entry) FILTER (WHERE type = 'posting'), "
            "any_value(date), any_value(agreement), any_value(version), any_value(clause), "
            "any_value(payer), any_value(payee), any_value(period), any_value(kind), "
            "any_value(currency) FROM ledger WHERE agreement = ? GROUP BY key",
            [settlement.agreement]).fetchall()}
        next_entry = self.con.execute("SELECT coalesce(max(entry), 0) + 1 FROM ledger").fetchone()[0]
        entries: list[Entry] = []
        seen = set()
        for line in settlement.lines:
            seen.add(line.key)
            total, first, _ = posted.get(line.key, (Decimal(0), None, None))
            change = line.amount - total
            if change == 0:
                continue
            cause = None
            if settlement.end is not None and line.period > settlement.end and \
                    _term_key(line.key) in settlement.cascaded:
                cause = (f"cascades from run {run}'s restatement of {settlement.start} to "
                         f"{settlement.end}")
            entries.append(_entry(next_entry + len(entries), run, line, change, first, cause))
        for key, (total, first, info) in sorted(posted.items()):
            if key not in seen and total != 0 and _covered(info, settlement):
                cause = None
                if settlement.end is not None and info[6] > settlement.end \
                        and _term_key(key) in settlement.cascaded:
                    cause = (f"cascades from run {run}'s restatement of {settlement.start} to "
                             f"{settlement.end}")
                entries.append(_reversal(next_entry + len(entries), run, key, total, first, info,
                                         cause))
        return entries

    def _insert_run(self, run: int, s: Settlement, entries: list[Entry]) -> None:
        con = self.con
        quarantined = sum(r.quarantined.rows for r in s.reconciliation)
        con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
            run, s.agreement, s.engine, s.start, s.end, json.dumps(s.parameters, default=str),
            json.dumps(s.versions), json.dumps([src.to_dict() for src in s.sources]),
            len(s.lines), sum(e.type == "posting" for e in entries),
            sum(e.type == "restatement" for e in entries), quarantined])
        _insert(con, "statement_lines", [[run, *(_stored(line, f) for f in LINE_FIELDS)]
                                         for line in s.lines])
        _insert(con, "ledger", [[getattr(e, f) for f in LEDGER_FIELDS] for e in entries])
        settled = {line.key for line in s.lines}
        for entry in entries:
            if entry.key not in settled:
                self._withdraw(run, entry.key)
        _insert_quarantine(con, run, s)
        _insert(con, "slices", [
            [run, x.key, s.agreement, _term_key(x.key), x.period, x.segment, x.group, x.base,
             x.rows, x.corrections, x.first_day, x.last_day]
            for x in s.slices if x.kind == "share" and x.key])
        _insert(con, "reconciliation", [
            [run, r.currency, status, tally.rows, tally.amount] for r in s.reconciliation
            for status, tally in (("in", r.rows_in), ("settled", r.settled),
                                  ("out_of_scope", r.out_of_scope), ("quarantined", r.quarantined))])


    def _insert_inputs(self, run: int, s: Settlement, skipped) -> None:
        versions = json.dumps(s.versions, sort_keys=True)
        rows = []
        for source in s.sources:
            count, first, last = s.coverage.get(source.index, (0, None, None))
            rows.append([run, s.agreement, source.sha256, source.path, source.kind, count, first,
                         last, True, versions])
        for item in skipped:
            rows.append([run, s.agreement, item["sha256"], item["path"], item["kind"],
                         item["rows"], item["first_day"], item["last_day"], False, versions])
        _insert(self.con, "inputs", rows)

    def _withdraw(self, run: int, key: str) -> None:
        """A line no longer due: a zero line in this run's statements, after its last one."""
        fields = ", ".join(
            "0" if f in ("base", "rows", "corrections", "due", "paid_year", "paid", "amount")
            else "NULL" if f in ("first_day", "last_day", "detail") else "'no longer due'" if f == "rate"
            else _q(f) for f in LINE_FIELDS)
        self.con.execute(f"INSERT INTO statement_lines SELECT {run}, {fields} FROM "
                         f"statement_lines WHERE key = ? ORDER BY run DESC LIMIT 1", [key])


def _stored(line: Line, name: str):
    if name == "key":
        return line.key
    if name == "detail":
        return None if line.detail is None else json.dumps(line.detail, default=_plain)
    return getattr(line, name)


def _plain(value):
    return str(value) if isinstance(value, (Decimal, date)) else value


def _line(row: dict) -> Line:
    """A stored line; its detail's amounts back to Decimal, dates to dates."""
    row.pop("key")
    row["part"] = row.get("part") or ""
    if row.get("detail"):
        row["detail"] = _typed(json.loads(row["detail"]))
    return Line(**row)


AMOUNTS = {"rate", "amount", "converted", "advance", "recouped", "recouped_to_date",
           "unrecouped", "earned"}


def _typed(value, key: str = ""):
    if isinstance(value, dict):
        return {k: _typed(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v, key) for v in value]
    if isinstance(value, str) and key in AMOUNTS:
        return Decimal(value)
    if isinstance(value, str) and key.endswith("date"):
        return date.fromisoformat(value)
    return value


# DuckDB opens a file by its name: 'data.csv' or 'x.parquet' would be a read-only view of that
# file in an in-memory database, and a run "recorded" there would be lost.
DATA_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq", ".parq", ".json", ".jsonl",
                 ".ndjson", ".gz", ".zst", ".xlsx", ".xls", ".arrow", ".feather", ".avro",
                 ".md", ".yaml", ".yml", ".sqlite", ".sqlite3")
MAGIC = b"DUCK"  # bytes 8 to 12 of a DuckDB database file


def check_store_path(path: str) -> None:
    """A store is a DuckDB database file, or a path where one can be made: never a data file."""
    if path == ":memory:":
        return
    where = Path(path)
    if where.is_dir():
        raise TermsheetError([Problem("E055", f"the store {path} is a folder", path,
                                      hint="give a file, e.g. termsheet.duckdb")])
    if where.exists() and not where.is_file():
        raise TermsheetError([Problem("E055", f"the store {path} is not a regular file", path)])
    if where.is_file() and where.stat().st_size > 0:
        with open(where, "rb") as handle:
            head = handle.read(16)
        if head[8:12] != MAGIC:
            raise TermsheetError([Problem(
                "E055", f"{path} is not a termsheet store (not a DuckDB database file)", path,
                hint="give --store a .duckdb file, new or made by termsheet")])
    elif where.name.lower().endswith(DATA_SUFFIXES):
        raise TermsheetError([Problem(
            "E055", f"{path} names a data file, not a store", path,
            hint="give --store a .duckdb file, e.g. termsheet.duckdb")])


class _Guarded:
    """The store's connection: a file damaged under it (truncated, overwritten) answers E055,
    not a crash, whichever query first meets the damage."""

    DAMAGE = (duckdb.IOException, duckdb.SerializationException, duckdb.InternalException)

    def __init__(self, con, path: str):
        self._con, self._path = con, path

    def _damaged(self, err: Exception) -> TermsheetError:
        return TermsheetError([Problem(
            "E055", f"the store {self._path} is damaged: {str(err).splitlines()[0]}", self._path,
            hint="restore it from a copy; nothing was written")])

    def execute(self, *args, **kwargs):
        try:
            return self._con.execute(*args, **kwargs)
        except self.DAMAGE as err:
            raise self._damaged(err) from None

    def executemany(self, *args, **kwargs):
        try:
            return self._con.executemany(*args, **kwargs)
        except self.DAMAGE as err:
            raise self._damaged(err) from None

    def __getattr__(self, name):
        return getattr(self._con, name)


def _q(name: str) -> str:
    return f'"{name}"'


def _insert(con, table: str, rows: list[list]) -> None:
    if rows:
        marks = ", ".join("?" * len(rows[0]))
        con.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)


def _insert_quarantine(con, run: int, s: Settlement) -> None:
    """Quarantined rows can be many: inserted as one Arrow table, not row by row."""
    if not s.quarantine:
        return
    import pyarrow as pa
    q = s.quarantine
    table = pa.table({
        "run": pa.array([run] * len(q), pa.int32()),
        "source": pa.array([x.source for x in q], pa.int32()),
        "path": [x.path for x in q], "row": pa.array([x.row for x in q], pa.int64()),
        "code": [x.code for x in q], "value": pa.array([x.value for x in q], pa.string()),
        "reason": [x.reason for x in q]})
    con.register("_quarantined", table)
    try:
        con.execute("INSERT INTO quarantine SELECT * FROM _quarantined")
    finally:
        con.unregister("_quarantined")


def _narration(clause: str, label: str, version: str, kind: str) -> str:
    what = {"true-up": "minimum true-up", "advance": "advance",
            "recoupment": "advance recouped"}.get(kind, "revenue share")
    return f"{clause} {label}: {what} (version {version})"


def _term_key(line_key: str) -> str:
    """agreement/version/clause/period/kind -> agreement/version/clause."""
    return line_key.rsplit("/", 2)[0]


def _entry(number: int, run: int, line: Line, amount: Decimal, original: int | None,
           cause: str | None = None) -> Entry:
    kind = "posting" if original is None else "restatement"
    narration = _narration(line.clause, line.label, line.version, line.kind)
    if original is not None:
        narration = f"restates entry {original}: {narration}"
    if cause:
        narration = f"{narration}; {cause}"
    return Entry(number, run, line.key, kind, original, line.period_end, line.agreement,
                 line.version, line.clause, line.payer, line.payee, line.period, line.kind,
                 amount, line.currency, narration)


def _reversal(number: int, run: int, key: str, total: Decimal, original: int | None,
              info: list, cause: str | None = None) -> Entry:
    day, agreement, version, clause, payer, payee, period, kind, currency = info
    narration = (f"restates entry {original}: {clause} {period:%Y-%m}: no longer due "
                 f"(version {version})")
    if cause:
        narration = f"{narration}; {cause}"
    return Entry(number, run, key, "restatement", original, day, agreement, version, clause,
                 payer, payee, period, kind, -total, currency, narration)


def _covered(info: list, settlement: Settlement) -> bool:
    """Whether a line posted before lies in a period this run settled afresh."""
    if settlement.start is None or settlement.end is None:
        return False
    period, version, clause = info[6], info[2], info[3]
    if period > settlement.end and f"{info[1]}/{version}/{clause}" in settlement.cascaded:
        return True
    settle = next((t.get("settle", "month") for t in settlement.terms
                   if t["version"] == version and t["clause"] == clause), "month")
    # Dates given: only periods wholly inside them; else the periods of the rows' days.
    low = settlement.given[0] or period_start(settlement.start, settle)
    high = settlement.given[1] or period_end(period_start(settlement.end, settle), settle)
    return low <= period and period_end(period, settle) <= high
