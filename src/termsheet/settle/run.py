"""One settlement run: read the inputs, run the engine, round the lines, reconcile, quarantine.

``settle(history, data)`` is the whole of it; the store (``termsheet.store``) records a run and
posts its ledger entries, the CLI draws it.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable

import ibis

from ..agreement.history import History
from ..agreement.problems import Problem, TermsheetError
from . import advances, focus
from .backends import (Backend, backend_for, check_memory, configure,
                       make_temp_dir)
from .currency import Rates, as_rates, conversions, convert, daily_table, missing_text
from .engine import (ROW_ID, Later, Names, Opening, classify, in_term, names_of, needs_of,
                     summarize)
from ..money import compile as money
from ..money.compile import chains
from ..money.currency import round_money
from ..money.rules import DECIMAL_OPS, capped
from .lines import (chain_slices, is_simple, period_end, period_start, prorated_minimum,
                    quarter_minimum, simple_slices, true_up_quarters, true_up_years)
from .statements import (Line, Reconciliation, Slice, Statement, lines_of, reconcile,
                         statements_of)
from .terms import Term, terms_of, vocabulary

Progress = Callable[[str], None]
# Lines settled before the run, by term key; or a function of the run's first day giving them.
OpeningSource = dict[str, list[Opening]] | Callable[[date], dict[str, list[Opening]]]
# Share slices settled before for periods after the run's last day, by term key; or a function of
# the run's last day giving them (the store supplies them, so a restatement cascades).
LaterSource = dict[str, list[Later]] | Callable[[date], dict[str, list[Later]]]


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
    # per source index: (rows, first charge day, last charge day), for the store's inputs table
    coverage: dict = field(default_factory=dict, repr=False)
    # Term keys whose periods after the run's dates were settled again (a cascade).
    cascaded: tuple[str, ...] = ()
    given: tuple[date | None, date | None] = (None, None)  # the dates as asked (--from, --to)
    rates: dict | None = None  # the exchange-rate table used: path, sha256, pairs

    @property
    def statements(self) -> list[Statement]:
        return statements_of(self.lines)

    @property
    def balanced(self) -> bool:
        return all(r.balanced for r in self.reconciliation)

    @property
    def pending(self) -> list[str]:
        """Obligations the run's dates stop short of, such as a minimum's year-end true-up."""
        return [text for r in self.reconciliation for text in r.pending]

    # notebooks: a short repr, the statement lines as HTML, Arrow and pandas tables of them

    def __repr__(self) -> str:
        totals: dict[str, Decimal] = {}
        for line in self.lines:
            totals[line.currency] = totals.get(line.currency, Decimal(0)) + line.amount
        money = ", ".join(f"{format(v, ',f')} {c}" for c, v in sorted(totals.items()))
        return (f"<Settlement {self.agreement} {self.start} → {self.end}: {len(self.lines)} "
                f"lines{', ' + money if money else ''}; {len(self.quarantine)} quarantined; "
                f"{'balanced' if self.balanced else 'NOT balanced'}>")

    def line_rows(self) -> list[dict]:
        return [line.to_dict() for line in self.lines]

    def _repr_html_(self) -> str:
        from ..agreement.tables import html_table
        rows = [{"period": line.label, "payer → payee": f"{line.payer} → {line.payee}",
                 "clause": line.clause, "version": line.version, "rows": line.rows,
                 "base": line.base, "rate": line.rate, "amount": line.amount,
                 "currency": line.currency} for line in self.lines]
        return html_table(rows, repr(self)[1:-1])

    def to_arrow(self):
        from ..agreement.tables import to_arrow
        return to_arrow(self.line_rows())

    def to_pandas(self):
        from ..agreement.tables import to_pandas
        return to_pandas(self.line_rows())

    @property
    def parameters(self) -> dict:
        out = {"start": self.start, "end": self.end, "engine": self.engine,
               "events": {k: v.isoformat() for k, v in sorted(self.events.items())}}
        if self.rates is not None:
            out["rates"] = self.rates
        return out

    def to_dict(self) -> dict:
        return {
            "agreement": self.agreement, "engine": self.engine, "start": self.start,
            "end": self.end, "events": self.events,
            "sources": [s.to_dict() for s in self.sources], "versions": self.versions,
            "terms": list(self.terms),
            "statements": [s.to_dict() for s in self.statements],
            "reconciliation": [r.to_dict() for r in self.reconciliation],
            "balanced": self.balanced, "pending": self.pending,
            "quarantine": [q.to_dict() for q in self.quarantine],
            "allocations": self.allocations,
            "rates": self.rates,
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
           opening: OpeningSource | None = None, later: LaterSource | None = None,
           allocations: str | Path | None = None,
           threads: int | None = None, progress: Progress | None = None,
           memory_limit: str | None = None, temp_dir: str | Path | None = None,
           spark_master: str | None = None, spark_remote: str | None = None,
           spark_conf: dict[str, str] | None = None, monitor: Any = None,
           rates: Any = None) -> Settlement:
    """Settle revenue shares of ``history`` over ``data`` (FOCUS exports or revenue tables: paths,
    or rows as dicts or an Arrow table). ``opening`` carries lines already settled before the
    run's first day (the store supplies them), so caps and life-to-date tiers continue;
    ``later`` the share slices settled before for periods after its last day, which it settles
    again, so a restatement cascades to every later period its caps, tiers and minimums reach.
    ``memory_limit`` and ``temp_dir`` hold DuckDB to a memory size, spilling to the directory;
    ``spark_master``/``spark_remote`` run the spark engine on a cluster or a Connect server;
    ``monitor`` (see progress.py) watches the rows being read. ``rates``: an exchange-rate
    table (a CSV or Parquet path, or ``currency.Rates``) that converts rows in other currencies
    instead of quarantining them (see settle/currency.py)."""
    step = progress or (lambda _: None)
    rates = as_rates(rates)
    events = dict(events or {})
    check_dates(start, end)
    check_events(events)
    check_memory(memory_limit)
    if temp_dir is not None:
        make_temp_dir(temp_dir)
    with tempfile.TemporaryDirectory(prefix="termsheet-", dir=temp_dir) as folder:
        con = focus.connect(threads)
        configure(con, memory_limit, temp_dir)
        needs = needs_of(terms_of(history, events), frozenset())
        sources = focus.load(con, _paths(data, Path(folder)), needs.costs, needs.groups)
        step("read")
        backend = backend_for(engine, con, master=spark_master, remote=spark_remote,
                              conf=spark_conf, temp_dir=temp_dir) \
            if engine == "spark" else backend_for(engine, con)
        try:
            if monitor is not None:
                monitor.start(con, sources, poll=engine == "duckdb")
            result = _run(history, backend, sources, start, end, events, opening or {},
                          later or {}, allocations, step, rates)
            for source in sources:  # rows given in memory: hashed while their file exists
                if Path(source.path).is_relative_to(folder):
                    source.sha256
        finally:
            if monitor is not None:
                monitor.stop()
            backend.close()
            con.close()
    return result


def _run(history, backend: Backend, sources, start, end, events, opening, later, allocations,
         step, rates=None):
    vocab = vocabulary(history)
    needs = needs_of(terms_of(history, events), vocab.currencies)
    if rates is not None:
        needs = replace(needs, rated=_rated(rates, vocab.currencies))
    raw = backend.cached(summarize(backend.rows, needs))
    groups = backend.records(raw.group_by([*needs.names, "bad"]).aggregate(
        first=raw.day.min(), last=raw.day.max()))
    names = names_of(groups, vocab)
    coverage = {r["source"]: (int(r["rows"]), r["first"], r["last"]) for r in backend.records(
        raw.group_by("source").aggregate(rows=raw.n.sum(), first=raw.day.min(),
                                         last=raw.day.max()))}
    summary, fx = classify(raw, names), None
    if rates is not None:
        fx = _fx(backend, groups, names, rates, history)
        summary = convert(summary, fx)
    summary = backend.cached(summary)
    step("summarize")
    first, last = _dates(backend, summary, groups, names, terms_of(history, events), start, end)
    if callable(opening):
        opening = opening(first) if first else {}
    carried_lines = opening  # every line before the run; the engine carries only what it earned
    opening = {key: kept for key, items in opening.items()
               if (kept := [o for o in items if o.kind not in advances.KINDS])}
    if callable(later):
        later = later(last) if last else {}
    every = terms_of(history, events) if first else []
    terms = [t for t in every if _overlaps(t, first, last)]
    check_whole_periods(terms, start, end)
    overlapping = {t.index for t in terms}
    linked = [c for c in chains(every, lambda t: t.clause, lambda t: t.currency)
              if any(t.index in overlapping for t in c)]
    later = {key: items for key, items in later.items()
             if any(t.key == key for chain in linked if not is_simple(chain, opening)
                    for t in chain)}
    slices = _slices(backend, summary, linked, first, last, opening, later)
    step("settle")
    carried = {key: sum((o.paid for o in items), Decimal(0)) for key, items in opening.items()}
    lines = lines_of(every, slices, carried)
    if rates is not None:
        lines = _with_conversions(lines, every, conversions(backend, summary, terms, first, last))
    if later:
        lines = _with_later_conversions(lines, later)
    lines = advances.recoup(terms, lines, first, last, carried_lines)
    settle_of = {t.key: t.clause.settle for t in every}
    reach = max([last, *(period_end(i.period, settle_of[key]) for key, items in later.items()
                         for i in items)]) if last else last
    pending = (pending_obligations(linked, slices, opening, first, reach)
               + pending_caps(linked, slices, opening, first, reach))
    recon = [replace(r, pending=tuple(text for currency, text in pending
                                       if currency == r.currency))
             for r in reconcile(backend.records(_reconciliation(summary, terms, start, end)))]
    _check_rows(sources, recon)
    quarantined = sum(r.quarantined.rows for r in recon)
    quarantine = _quarantine(backend, summary, sources, vocab) if quarantined else []
    step("reconcile")
    written = None
    if allocations is not None and terms:
        written = _allocations(backend, names, terms, slices, first, last, Path(allocations),
                               fx)
    return Settlement(history.agreement, backend.name, first, last, events, tuple(sources),
                      version_hashes(history), tuple(lines), tuple(recon), tuple(quarantine),
                      tuple(_term_info(t) for t in terms), written, tuple(slices), coverage,
                      tuple(sorted(later)), given=(start, end),
                      rates=rates.to_dict() if rates is not None else None)


def _rated(rates: Rates, currencies: frozenset[str]) -> tuple[tuple[str, date], ...]:
    """Currencies whose rows are all convertible from a day on (rates to every currency of
    the agreement): the summary need not list their rows as possibly unusable."""
    out = []
    for source in sorted(rates.currencies - currencies):
        firsts = [rates.first_day(source, target) for target in currencies]
        if all(firsts):
            out.append((source, max(firsts)))
    return tuple(out)


def _fx(backend, groups, names: Names, rates: Rates, history: History):
    """The rate each currency of the data takes on each of its days (``currency.convert``
    joins it to the summary, and to the rows for the allocations)."""
    import ibis
    days = [g[k] for g in groups for k in ("first", "last") if g[k] is not None]
    sources = {names.currency[g["currency"]] for g in groups
               if g["currency"] in names.currency} & set(rates.currencies)
    if not days or not sources:
        first = last = date(2000, 1, 1)
    else:
        first, last = min(days), max(days)

    def target_on(day: date) -> str | None:
        version = history.in_force(day)
        return version.currency if version is not None else None

    table = daily_table(rates, target_on, first, last, sources)
    if backend.name == "duckdb":  # cached() runs SQL text: the table must be one DuckDB knows
        backend.con.con.register("termsheet_fx", table)
        fx = backend.con.table("termsheet_fx")
    else:  # a view: Spark's cache() runs SQL text, which does not register in-memory tables
        import uuid  # named for this run: runs in one process share the Spark session
        fx = backend.con.create_view(f"termsheet_fx_{uuid.uuid4().hex}", ibis.memtable(table))
    return fx


def _with_conversions(lines: list[Line], terms: list[Term], found: dict) -> list[Line]:
    """Each line that converted rows records the rates it used."""
    by_key = {(terms[index].key, period, part): items
              for (index, period, part), items in found.items()}
    out = []
    for line in lines:
        items = by_key.get((f"{line.agreement}/{line.version}/{line.clause}", line.period,
                            line.part))
        if items and line.kind == "share":
            line = replace(line, detail={**(line.detail or {}), "conversions": items})
        out.append(line)
    return out



def _with_later_conversions(lines: list[Line], later: dict[str, list[Later]]) -> list[Line]:
    """A later line settled again from its stored slices (a restatement cascading) keeps the
    conversions recorded when its rows were read."""
    found = {(key, i.period, i.part): i.conversions for key, items in later.items()
             for i in items if i.conversions}
    out = []
    for line in lines:
        items = found.get((f"{line.agreement}/{line.version}/{line.clause}", line.period,
                           line.part))
        if items and line.kind == "share" and "conversions" not in (line.detail or {}):
            line = replace(line, detail={**(line.detail or {}), "conversions": list(items)})
        out.append(line)
    return out


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


def check_events(events: dict[str, date]) -> None:
    """Event dates a run can compute with: a clause may end the day before its event."""
    low, high = date.fromisoformat(focus.FIRST_DAY), date.fromisoformat(focus.LAST_DAY)
    problems = [Problem("E057", f"--event {name}={day} is outside the supported dates "
                        f"({low + timedelta(days=1)} to {high})", "--event")
                for name, day in sorted(events.items()) if not low < day <= high]
    if problems:
        raise TermsheetError(problems)


def check_whole_periods(terms: list[Term], start: date | None, end: date | None) -> None:
    """A run settles whole settlement periods: a period it would settle from only some of its
    days would replace, in the store, the line settled from all of them. Dates given must start
    and end periods (or the terms themselves)."""
    problems = []
    for term in terms:
        unit = term.clause.settle
        if start and start > term.start and start != period_start(start, unit,
                                                                  term.start_month):
            first = period_start(start, unit, term.start_month)
            problems.append(Problem(
                "E057", f"--from {start} starts inside a settlement period ({unit} from {first}) "
                f"of clause '{term.clause.id}' (version {term.version.version})", "--from",
                hint=f"a run settles whole periods: use --from {first} or "
                     f"{period_end(first, unit) + timedelta(days=1)}"))
        last = period_end(period_start(end, unit, term.start_month), unit) if end else None
        if end and (term.end is None or end < term.end) and end != last:
            problems.append(Problem(
                "E057", f"--to {end} ends inside a settlement period ({unit} to {last}) of "
                f"clause '{term.clause.id}' (version {term.version.version})", "--to",
                hint=f"a run settles whole periods: use --to {last} or "
                     f"{period_start(end, unit, term.start_month) - timedelta(days=1)}"))
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
            "E060", f"{counted} input rows counted, but {seen} reached the reconciliation",
            sources[0].path if sources else "<input>",
            hint="nothing was settled or stored; this is a bug in termsheet's reading of the "
                 "files, please report it")])


def _overlaps(term: Term, first: date | None, last: date | None) -> bool:
    return (first is None or term.end is None or term.end >= first) and \
        (last is None or term.start <= last)


def _slices(backend, summary, groups: list[list[Term]], first, last, opening,
            later: dict[str, list[Later]] | None = None) -> list[Slice]:
    """Every chain's slices: the simple ones (flat rates, nothing to carry) in one expression,
    each other chain in its own."""
    if not groups:
        return []
    simple = [t for chain in groups if is_simple(chain, opening) for t in chain
              if _overlaps(t, first, last)]
    parts = [simple_slices(summary, simple, first, last)] if simple else []
    later = later or {}
    for chain in groups:
        if not is_simple(chain, opening):
            until = max([last, *(period_end(i.period, t.clause.settle) for t in chain
                                 for i in later.get(t.key, ()))])
            parts.append(chain_slices(summary, chain, first, last,
                                      true_up_years(chain, first, until), opening, later,
                                      quarters=true_up_quarters(chain, first, until)))
    keys = {t.index: t.key for chain in groups for t in chain}
    expr = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    records = backend.records(expr.order_by(["term", "period", "segment", "grp"]))
    return [Slice(r["term"], r["period"], r["segment"], r["kind"], r["base"] or Decimal(0),
                  r["rows"], r["corrections"], r["first_day"], r["last_day"],
                  r["due"] or Decimal(0), r["paid_year"] or Decimal(0), r["paid"] or Decimal(0),
                  r["band"], r["grp"] or "", f"{keys[r['term']]}/{r['period']}/{r['kind']}")
            for r in records]


def pending_obligations(groups: list[list[Term]], slices: list[Slice],
                        opening: dict[str, list[Opening]], first: date | None,
                        last: date | None) -> list[tuple[str, str]]:
    """(currency, text) for each minimum whose contract year (or, for a quarterly minimum,
    quarter) the run's dates enter but stop before the end of: at most the minimum less what the
    year (quarter) has paid so far is pending."""
    if first is None or last is None:
        return []
    out = []
    for chain in groups:
        if all(t.clause.minimum is None for t in chain):
            continue
        month = chain[0].start_month
        paid = _paid_of(chain, slices, opening)
        for year, quarter in _windows(chain, first, last, _has_minimum):
            window_end, name, unit = _window(chain, year, quarter)
            if quarter is None:
                required = prorated_minimum(chain, year)
                inside = [a for p, a, _ in paid if money.contract_year(p, month) == year]
            else:
                required = quarter_minimum(chain, year, quarter)
                inside = [a for p, a, k in paid
                          if money.contract_quarter(p, month) == (year, quarter) and k == "share"]
            if window_end <= last or required is None or chain[0].start > last:
                continue
            so_far = sum(inside, Decimal(0))
            term = max((t for t in chain if t.start <= window_end), key=lambda t: t.start)
            cap = term.clause.cap
            limit = (cap.per_year if unit == "year" else cap.per_quarter) if cap else None
            left = capped(DECIMAL_OPS, max(required - so_far, Decimal(0)), so_far, limit)
            amount = round_money(left, term.currency, term.clause.rounding)
            out.append((term.currency,
                        f"{_quarterly(quarter)}minimum for {name} not yet settled: at most "
                        f"{amount:,} {term.currency} pending ({term.clause.id}: the run's dates "
                        f"end {last}, before the {unit}'s end {window_end}; a run through "
                        f"{window_end} settles it)"))
    return out


def pending_caps(groups: list[list[Term]], slices: list[Slice],
                 opening: dict[str, list[Opening]], first: date | None,
                 last: date | None) -> list[tuple[str, str]]:
    """(currency, text) for each cap per contract year (or quarter) whose window the run's dates
    enter but stop before the end of: what the window has paid, and at most how much more it
    may pay before the cap starts again. A total cap never starts again: nothing to say."""
    if first is None or last is None:
        return []
    out = []
    for chain in groups:
        month = chain[0].start_month
        paid = _paid_of(chain, slices, opening)
        for year, quarter in _windows(chain, first, last, _has_cap):
            window_end, name, unit = _window(chain, year, quarter)
            if window_end <= last or chain[0].start > last:
                continue
            term = max((t for t in chain if t.start <= last), key=lambda t: t.start)
            if not _has_cap(term, unit):
                continue
            inside = [a for p, a, _ in paid
                      if (money.contract_year(p, month) == year if quarter is None
                          else money.contract_quarter(p, month) == (year, quarter))]
            cap, cur = term.clause.cap, term.currency
            limit = round_money(cap.per_year if unit == "year" else cap.per_quarter, cur,
                                term.clause.rounding)
            so_far = round_money(sum(inside, Decimal(0)), cur, term.clause.rounding)
            left = max(limit - so_far, Decimal(0))
            out.append((cur, f"{_quarterly(quarter)}cap for {name}: {so_far:,} of {limit:,} "
                             f"{cur} paid when the run's dates end {last}; at most {left:,} "
                             f"{cur} more until it starts again after {window_end} "
                             f"({term.clause.id})"))
    return out


def _has_minimum(term: Term, unit: str) -> bool:
    minimum = term.clause.minimum
    return minimum is not None and (minimum.per_year if unit == "year"
                                    else minimum.per_quarter) is not None


def _has_cap(term: Term, unit: str) -> bool:
    cap = term.clause.cap
    return cap is not None and (cap.per_year if unit == "year" else cap.per_quarter) is not None


def _paid_of(chain: list[Term], slices: list[Slice],
             opening: dict[str, list[Opening]]) -> list[tuple[date, Decimal, str]]:
    """(period, paid, kind) of a chain's slices in this run and its lines carried in."""
    indexes = {t.index for t in chain}
    return ([(item.period, item.paid_year, item.kind) for item in slices if item.term in indexes]
            + [(o.period, o.paid_year, o.kind) for t in chain for o in opening.get(t.key, ())])


def _window(chain: list[Term], year: int, quarter: int | None) -> tuple[date, str, str]:
    """A contract year's (quarter None) or quarter's last day (within the chain's end), its name
    and its unit."""
    month = chain[0].start_month
    if quarter is None:
        end, name, unit = money.year_last(year, month), money.year_label(year, month), "year"
    else:
        end = money.quarter_last(year, quarter, month)
        name, unit = money.quarter_label(year, quarter, month), "quarter"
    return min(end, chain[-1].end or date.max), name, unit


def _quarterly(quarter: int | None) -> str:
    return "" if quarter is None else "quarterly "


def _windows(chain: list[Term], first: date, last: date,
             has: Callable[[Term, str], bool]) -> list[tuple[int, int | None]]:
    """The contract years (quarter None) and quarters the run's dates enter, for the terms of
    the chain that ``has(term, "year" | "quarter")`` names."""
    month = chain[0].start_month
    out: list[tuple[int, int | None]] = []
    start = max(first, chain[0].start)
    if any(has(t, "quarter") for t in chain):
        day = money.period_start(start, "quarter", month)
        while day <= last:
            out.append(money.contract_quarter(day, month))
            day = money.period_end(day, "quarter") + timedelta(days=1)
    if any(has(t, "year") for t in chain):
        out += [(year, None) for year in range(money.contract_year(start, month),
                                               money.contract_year(last, month) + 1)]
    return out


def _reconciliation(summary: ibis.Table, terms: list[Term], start, end) -> ibis.Table:
    settled = any_of([in_term(summary, term, start, end) for term in terms])
    inside = ibis.literal(True)
    if start:
        inside &= summary.day >= start
    if end:
        inside &= summary.day <= end
    status = ibis.cases((summary.reason.notnull(), "quarantined"), (~inside, "outside-dates"),
                        (settled, "settled"), else_="out-of-scope")
    # In the currency as read (a converted row counts in its own currency).
    currency = summary.currency_in if "currency_in" in summary.columns else summary.currency_code
    billed = summary.billed_in if "billed_in" in summary.columns else summary.billed
    t = summary.mutate(status=status, code=currency.coalesce("(none)"), amount_in=billed)
    return t.group_by([t.code.name("currency"), "status"]).aggregate(
        rows=t.n.sum(), amount=t.amount_in.sum())


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
    bad = summary.filter(summary.reason.notnull())
    extra = {}
    if "currency_in" in summary.columns:
        extra = {"currency_in": bad.currency_in, "day": bad.day,
                 "target": ibis.literal("/".join(sorted(vocab.currencies)))}
    bad = bad.select("reason", "currency", "suspects", **extra)
    expected = "/".join(sorted(vocab.currencies))
    out = []
    for group in backend.records(bad):
        code = group["reason"]
        for item in group["suspects"] or []:
            number, line, text = item.split("|", 2)
            source, row = divmod(int(number), ROW_ID)
            value = group["currency"] if code.startswith("currency") else (text or None)
            if code == "rate-missing":
                value = f"{group['currency_in']}->{group['target']} {group['day']}"
                out.append(Quarantined(source, sources[source].path, row, code, value,
                                       missing_text(value)))
                continue
            out.append(Quarantined(source, sources[source].path, row, code, value,
                                   focus.reason_text(code, value, expected),
                                   int(line) if line else None))
    return sorted(out, key=lambda q: (q.source, q.row))


def _term_info(term: Term) -> dict:
    return {"key": term.key, "version": term.version.version, "clause": term.clause.id,
            "payer": term.clause.payer, "payee": term.clause.payee, "settle": term.clause.settle,
            "start": term.start, "end": term.end, "rates": [s.describe() for s in term.segments]}


def _allocations(backend, names, terms, slices, first, last, path: Path, fx=None) -> str:
    from .allocations import write_allocations
    return write_allocations(backend, names, terms, slices, first, last, path, fx)
