"""One settlement run: read the inputs, run the engine, round the lines, reconcile, quarantine.

``settle(history, data)`` is the whole of it; the store (``termsheet.store``) records a run and
posts its ledger entries, the CLI draws it.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import ibis

from ..agreement.history import History
from ..agreement.problems import Problem, TermsheetError
from . import focus
from .backends import Backend, backend_for
from .engine import ROW_ID, Names, Opening, classify, in_term, names_of, needs_of, summarize
from .lines import (is_simple, period_end, period_start, simple_slices, term_slices,
                    true_up_years)
from .statements import (Line, Reconciliation, Slice, Statement, lines_of, reconcile,
                         statements_of)
from .terms import Term, terms_of, vocabulary

Progress = Callable[[str], None]
# Lines settled before the run, by term key; or a function of the run's first day giving them.
OpeningSource = dict[str, list[Opening]] | Callable[[date], dict[str, list[Opening]]]


@dataclass(frozen=True, slots=True)
class Quarantined:
    source: int
    path: str
    row: int
    code: str
    value: str | None
    reason: str
    line: int | None = None  # the physical line of a CSV file

    def to_dict(self) -> dict:
        return {"source": self.source, "path": self.path, "row": self.row, "line": self.line,
                "code": self.code, "value": self.value, "reason": self.reason}


@dataclass(frozen=True)
class Settlement:
    """Everything a run found: lines, reconciliation, quarantine, and what it ran on."""

    agreement: str
    engine: str
    start: date | None
    end: date | None
    events: dict[str, date]
    sources: tuple[focus.Source, ...]
    versions: dict[str, str]
    lines: tuple[Line, ...]
    reconciliation: tuple[Reconciliation, ...]
    quarantine: tuple[Quarantined, ...]
    terms: tuple[dict, ...] = ()
    allocations: str | None = None
    slices: tuple[Slice, ...] = field(default=(), repr=False)
    given: tuple[date | None, date | None] = (None, None)  # the dates as asked (--from, --to)

    @property
    def statements(self) -> list[Statement]:
        return statements_of(self.lines)

    @property
    def balanced(self) -> bool:
        return all(r.balanced for r in self.reconciliation)

    @property
    def parameters(self) -> dict:
        return {"start": self.start, "end": self.end, "engine": self.engine,
                "events": {k: v.isoformat() for k, v in sorted(self.events.items())}}

    def to_dict(self) -> dict:
        return {
            "agreement": self.agreement, "engine": self.engine, "start": self.start,
            "end": self.end, "events": self.events,
            "sources": [s.to_dict() for s in self.sources], "versions": self.versions,
            "terms": list(self.terms),
            "statements": [s.to_dict() for s in self.statements],
            "reconciliation": [r.to_dict() for r in self.reconciliation],
            "balanced": self.balanced,
            "quarantine": [q.to_dict() for q in self.quarantine],
            "allocations": self.allocations,
        }


def version_hashes(history: History) -> dict[str, str]:
    """sha256 of each version's document (of its meaning, for versions built in memory)."""
    out = {}
    for version in history.versions:
        path = Path(version.path)
        if path.is_file():
            data = path.read_bytes()
        else:
            data = json.dumps(version.model_dump(mode="json", by_alias=True),
                              sort_keys=True).encode()
        out[version.version] = hashlib.sha256(data).hexdigest()
    return out


def _paths(data: Any, folder: Path) -> list[Path]:
    """Input paths; rows given in memory (dicts, an Arrow table) are written to Parquet first."""
    if isinstance(data, (str, Path)):
        return [Path(data)]
    items = list(data) if not hasattr(data, "schema") else [data]
    if items and all(isinstance(i, (str, Path)) for i in items):
        return [Path(i) for i in items]
    import pyarrow as pa
    import pyarrow.parquet as pq
    table = data if hasattr(data, "schema") else pa.Table.from_pylist(items)
    path = folder / "rows.parquet"
    pq.write_table(table, path)
    return [path]


def settle(history: History, data: Any, *, start: date | None = None, end: date | None = None,
           events: dict[str, date] | None = None, engine: str = "duckdb",
           opening: OpeningSource | None = None, allocations: str | Path | None = None,
           threads: int | None = None, progress: Progress | None = None) -> Settlement:
    """Settle revenue shares of ``history`` over ``data`` (FOCUS exports or revenue tables: paths,
    or rows as dicts or an Arrow table). ``opening`` carries lines already settled before the
    run's first day (the store supplies them), so caps and life-to-date tiers continue."""
    step = progress or (lambda _: None)
    events = dict(events or {})
    check_dates(start, end)
    with tempfile.TemporaryDirectory(prefix="termsheet-") as folder:
        con = focus.connect(threads)
        costs = needs_of(terms_of(history, events), frozenset()).costs
        sources = focus.load(con, _paths(data, Path(folder)), costs)
        step("read")
        backend = backend_for(engine, con)
        try:
            result = _run(history, backend, sources, start, end, events, opening or {},
                          allocations, step)
            for source in sources:  # rows given in memory: hashed while their file exists
                if Path(source.path).is_relative_to(folder):
                    source.sha256
        finally:
            backend.close()
            con.close()
    return result


def _run(history, backend: Backend, sources, start, end, events, opening, allocations, step):
    vocab = vocabulary(history)
    needs = needs_of(terms_of(history, events), vocab.currencies)
    raw = backend.cached(summarize(backend.rows, needs))
    groups = backend.records(raw.group_by([*needs.names, "bad"]).aggregate(
        first=raw.day.min(), last=raw.day.max()))
    names = names_of(groups, vocab)
    summary = backend.cached(classify(raw, names))
    step("summarize")
    first, last = _dates(backend, summary, groups, names, terms_of(history, events), start, end)
    if callable(opening):
        opening = opening(first) if first else {}
    terms = terms_of(history, events, first, last) if first else []
    check_whole_periods(terms, start, end)
    slices = _slices(backend, summary, terms, first, last, opening)
    step("settle")
    carried = {key: sum((o.paid for o in items), Decimal(0)) for key, items in opening.items()}
    lines = lines_of(terms, slices, carried)
    recon = reconcile(backend.records(_reconciliation(summary, terms, start, end)))
    _check_rows(sources, recon)
    quarantined = sum(r.quarantined.rows for r in recon)
    quarantine = _quarantine(backend, summary, sources, vocab) if quarantined else []
    step("reconcile")
    written = None
    if allocations is not None and terms:
        written = _allocations(backend, names, terms, slices, first, last, Path(allocations))
    return Settlement(history.agreement, backend.name, first, last, events, tuple(sources),
                      version_hashes(history), tuple(lines), tuple(recon), tuple(quarantine),
                      tuple(_term_info(t) for t in terms), written, tuple(slices), (start, end))


def _dates(backend, summary, groups: list[dict], names: Names, terms: list[Term], start,
           end) -> tuple[date | None, date | None]:
    """The run's dates: as given, else the first and last charge day of the usable rows that
    may be in a term's base: a known seller, inside the agreement's life. A row out of scope
    (another seller, a day before the agreement began) never stretches the run's window."""
    if start and end:
        return start, end
    if not terms:
        usable = [g for g in groups if g["bad"] == 0 and g["currency"] is not None
                  and g["currency"] not in names.currency_problem]
        return (start or min((g["first"] for g in usable), default=None),
                end or max((g["last"] for g in usable), default=None))
    pred = summary.reason.isnull() & (summary.day >= min(t.start for t in terms))
    if all(t.end is not None for t in terms):
        pred &= summary.day <= max(t.end for t in terms)
    if all(t.sellers is not None for t in terms):
        pred &= summary.seller_id.isin(sorted(set().union(*(t.sellers for t in terms))))
    (found,) = backend.records(summary.filter(pred.fill_null(False)).aggregate(
        first=summary.day.min(), last=summary.day.max()))
    return start or found["first"], end or found["last"]


def check_dates(start: date | None, end: date | None, names: tuple[str, str] = ("--from", "--to")
                ) -> None:
    """Dates a run can settle: in order, and inside the supported days."""
    problems = []
    low, high = date.fromisoformat(focus.FIRST_DAY), date.fromisoformat(focus.LAST_DAY)
    for day, name in ((start, names[0]), (end, names[1])):
        if day is not None and not low <= day <= high:
            problems.append(Problem("E057", f"{name} {day} is outside the supported dates "
                                    f"({low} to {high})", name))
    if not problems and start and end and end < start:
        problems.append(Problem("E054", f"{names[1]} {end} is before {names[0]} {start}",
                                names[1]))
    if problems:
        raise TermsheetError(problems)


def check_whole_periods(terms: list[Term], start: date | None, end: date | None) -> None:
    """A run settles whole settlement periods: a period it would settle from only some of its
    days would replace, in the store, the line settled from all of them. Dates given must start
    and end periods (or the terms themselves)."""
    problems = []
    for term in terms:
        unit = term.clause.settle
        if start and start > term.start and start != period_start(start, unit):
            first = period_start(start, unit)
            problems.append(Problem(
                "E057", f"--from {start} starts inside a settlement period ({unit} from {first}) "
                f"of clause '{term.clause.id}' (version {term.version.version})", "--from",
                hint=f"a run settles whole periods: use --from {first} or "
                     f"{period_end(first, unit) + timedelta(days=1)}"))
        if end and (term.end is None or end < term.end) and end != period_end(end, unit):
            last = period_end(period_start(end, unit), unit)
            problems.append(Problem(
                "E057", f"--to {end} ends inside a settlement period ({unit} to {last}) of "
                f"clause '{term.clause.id}' (version {term.version.version})", "--to",
                hint=f"a run settles whole periods: use --to {last} or "
                     f"{period_start(end, unit) - timedelta(days=1)}"))
    if problems:
        raise TermsheetError(sorted(set(problems), key=lambda p: (p.path, p.message))[:4])


def _check_rows(sources, recon) -> None:
    """Rows in, as the reconciliation counts them, against the rows counted outside the engine
    (a CSV file's lines, a Parquet file's footer): none may go missing."""
    counted = 0
    for source in sources:
        if source.lines is not None:
            counted += source.lines.rows
        else:
            import pyarrow.parquet as pq
            counted += pq.ParquetFile(source.path).metadata.num_rows
    seen = sum(r.rows_in.rows for r in recon)
    if seen != counted:
        raise TermsheetError([Problem(
            "E058", f"{counted} input rows counted, but {seen} reached the reconciliation",
            sources[0].path if sources else "<input>",
            hint="nothing was settled or stored; this is a bug in termsheet's reading of the "
                 "files, please report it")])


def _slices(backend, summary, terms: list[Term], first, last, opening) -> list[Slice]:
    if not terms:
        return []
    simple = [t for t in terms if is_simple(t, opening.get(t.key))]
    parts = [simple_slices(summary, simple, first, last)] if simple else []
    parts += [term_slices(summary, term, first, last, true_up_years(term, first, last),
                          opening.get(term.key)) for term in terms if term not in simple]
    expr = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    records = backend.records(expr.order_by(["term", "period", "segment"]))
    return [Slice(r["term"], r["period"], r["segment"], r["kind"], r["base"] or Decimal(0),
                  r["rows"], r["corrections"], r["first_day"], r["last_day"],
                  r["due"] or Decimal(0), r["paid_year"] or Decimal(0), r["paid"] or Decimal(0))
            for r in records]


def _reconciliation(summary: ibis.Table, terms: list[Term], start, end) -> ibis.Table:
    settled = any_of([in_term(summary, term, start, end) for term in terms])
    inside = ibis.literal(True)
    if start:
        inside &= summary.day >= start
    if end:
        inside &= summary.day <= end
    status = ibis.cases((summary.reason.notnull(), "quarantined"), (~inside, "outside-dates"),
                        (settled, "settled"), else_="out-of-scope")
    t = summary.mutate(status=status, code=summary.currency_code.coalesce("(none)"))
    return t.group_by([t.code.name("currency"), "status"]).aggregate(
        rows=t.n.sum(), amount=t.billed.sum())


def any_of(predicates: list[ibis.Value]) -> ibis.Value:
    """``a | b | c ...`` as a balanced tree: as deep as log2 of the number of predicates, not
    the number itself (a thousand clauses would nest a thousand levels)."""
    if not predicates:
        return ibis.literal(False)
    while len(predicates) > 1:
        pairs = zip(predicates[::2], predicates[1::2])
        predicates = [a | b for a, b in pairs] + (predicates[-1:] if len(predicates) % 2 else [])
    return predicates[0]


def _quarantine(backend, summary, sources, vocab) -> list[Quarantined]:
    """Every unusable row, with its reason and source row number, from the rows the summary
    listed as suspect (a currency written 'usd' is suspect but fine: it is not listed here)."""
    bad = summary.filter(summary.reason.notnull()).select("reason", "currency", "suspects")
    expected = "/".join(sorted(vocab.currencies))
    out = []
    for group in backend.records(bad):
        code = group["reason"]
        for item in group["suspects"] or []:
            number, line, text = item.split("|", 2)
            source, row = divmod(int(number), ROW_ID)
            value = group["currency"] if code.startswith("currency") else (text or None)
            out.append(Quarantined(source, sources[source].path, row, code, value,
                                   focus.reason_text(code, value, expected),
                                   int(line) if line else None))
    return sorted(out, key=lambda q: (q.source, q.row))


def _term_info(term: Term) -> dict:
    return {"key": term.key, "version": term.version.version, "clause": term.clause.id,
            "payer": term.clause.payer, "payee": term.clause.payee, "settle": term.clause.settle,
            "start": term.start, "end": term.end, "rates": [s.describe() for s in term.segments]}


def _allocations(backend, names, terms, slices, first, last, path: Path) -> str:
    from .allocations import write_allocations
    return write_allocations(backend, names, terms, slices, first, last, path)
