"""settle, statements, ledger, generate-billing: revenue shares from billing and revenue data."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Optional

import typer
from rich.progress import (BarColumn, Progress, ProgressColumn, Task, TextColumn,
                           TimeElapsedColumn)
from rich.text import Text

from .. import api
from ..api import write_atomic
from ..api import Problem, TermsheetError
from ..api import counterparty, settle_render as render
from ..api import MEMORY
from ..api import load_rates
from ..api import plan_inputs as plan
from ..api import Monitor
from ..api import beancount
from ..api import settle as run_settle
from ..api import DEFAULT_STORE, Store
from .common import Fitted, console, console_err, parse_date, print_json

FORMATS = ("table", "json", "csv", "html", "xlsx")
STEPS = ("read", "summarize", "settle", "reconcile", "store")


def _events(items: list[str] | None) -> dict[str, date]:
    out = {}
    for item in items or []:
        name, _, day = item.partition("=")
        if not name or not day:
            raise typer.BadParameter(f"'{item}' is not ID=YYYY-MM-DD", param_hint="--event")
        out[name.strip()] = parse_date(day.strip(), "--event")
    return out


def _pairs(items: list[str] | None, option: str) -> dict[str, str]:
    out = {}
    for item in items or []:
        name, _, value = item.partition("=")
        if not name.strip() or not value.strip():
            raise typer.BadParameter(f"'{item}' is not KEY=VALUE", param_hint=option)
        out[name.strip()] = value.strip()
    return out


class RowsPerSecond(ProgressColumn):
    """Rows read per second, while DuckDB reads them."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:,.0f} rows/s" if speed and task.total else "", style="cyan")


def _progress(off: bool) -> Progress:
    """The bar on stderr: the step under way, its rows read of all and rows per second. Off with
    --quiet or --json, and when stderr is not a terminal (a pipe, a log file, CI)."""
    return Progress(TextColumn("{task.description:<10}"), BarColumn(),
                    TextColumn("{task.fields[rows]}"), RowsPerSecond(), TimeElapsedColumn(),
                    console=console_err, transient=True,
                    disable=off or not console_err.is_terminal)


def _check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise typer.BadParameter(f"'{fmt}' is not one of {', '.join(FORMATS)}",
                                 param_hint="--format")
    return fmt


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
    else:
        write_atomic(output, text)
        console_err.print(f"wrote {output}", markup=False)


def _write_xlsx(data: bytes, output: Path | None) -> None:
    if output is None:
        raise typer.BadParameter("an Excel workbook needs a file: -o FILE.xlsx",
                                 param_hint="--output")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    console_err.print(f"wrote {output}", markup=False)


def _show_lines(lines, fmt: str, output: Path | None, title: str, data: dict) -> None:
    if fmt == "json":
        from .common import to_json
        _emit(to_json(data), output)
    elif fmt == "csv":
        _emit(render.to_csv(lines), output)
    elif fmt == "html":
        _emit(render.to_html(lines, title), output)
    elif fmt == "xlsx":
        _write_xlsx(render.to_xlsx(lines, title), output)
    else:
        console.print(render.statements_table(lines, title))


def settle(
    data: list[Path] = typer.Argument(..., help="FOCUS exports or revenue tables (CSV, Parquet)."),
    agreement: Path = typer.Option(..., "--agreement", "-a", help="Folder of agreement versions "
                                   "(or one version's file)."),
    start: Optional[str] = typer.Option(None, "--from", help="First charge day to settle."),
    end: Optional[str] = typer.Option(None, "--to", help="Last charge day to settle."),
    engine: str = typer.Option("duckdb", "--engine", help="duckdb (in-process) or spark (local)."),
    store: Path = typer.Option(Path(DEFAULT_STORE), "--store", help="The store (DuckDB file)."),
    no_store: bool = typer.Option(False, "--no-store", help="Settle without recording a run."),
    events: Optional[list[str]] = typer.Option(None, "--event", help="An event's date, "
                                               "ID=YYYY-MM-DD (repeatable)."),
    allocations: Optional[Path] = typer.Option(None, "--allocations", help="Write per-row "
                                               "allocations to this Parquet file."),
    fmt: str = typer.Option("table", "--format", help="table, json, csv, html or xlsx (with -o)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o", help="Write statements here."),
    as_json: bool = typer.Option(False, "--json", help="Print the whole run as JSON."),
    rates: Optional[Path] = typer.Option(None, "--rates", help="Exchange-rate table (CSV or "
                                         "Parquet: date, from, to, rate): rows in other "
                                         "currencies are converted, not quarantined."),
    documents: Optional[Path] = typer.Option(None, "--statements", help="Write each statement "
                                             "as JSON, CSV, HTML and PDF into this folder."),
    memory_limit: Optional[str] = typer.Option(None, "--memory-limit", help="Hold DuckDB to "
                                               "this much memory, e.g. 2GB; it spills the rest."),
    temp_dir: Optional[Path] = typer.Option(None, "--temp-dir", help="Where DuckDB spills (and "
                                            "Spark's copy of the rows goes)."),
    spark_master: Optional[str] = typer.Option(None, "--spark-master", help="With --engine "
                                               "spark: a cluster, spark://HOST:PORT."),
    spark_remote: Optional[str] = typer.Option(None, "--spark-remote", help="With --engine "
                                               "spark: a Spark Connect server, sc://HOST:PORT."),
    spark_conf: Optional[list[str]] = typer.Option(None, "--spark-conf", help="A Spark "
                                                   "setting, KEY=VALUE (repeatable)."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
) -> None:
    """Settle the revenue shares of an agreement over billing and revenue data."""
    fmt = "json" if as_json else _check_format(fmt)
    first, last = parse_date(start, "--from"), parse_date(end, "--to")
    if (spark_master or spark_remote) and engine != "spark":
        raise typer.BadParameter("needs --engine spark", param_hint="--spark-master/--spark-remote")
    if memory_limit is not None and not MEMORY.match(memory_limit):
        raise typer.BadParameter(f"'{memory_limit}' is not a memory size such as 2GB",
                                 param_hint="--memory-limit")
    conf = _pairs(spark_conf, "--spark-conf")
    history = api.load_history_of(agreement)
    scenario = _events(events)
    table = load_rates(rates) if rates is not None else None
    with _progress(quiet or as_json) as progress:
        task = progress.add_task("read", total=None, rows="")

        def step(name: str) -> None:
            following = STEPS[min(STEPS.index(name) + 1, len(STEPS) - 1)]
            progress.reset(task, description=following, total=monitor.total or None,
                           completed=0, rows="")

        def rows(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total or None,
                            rows=f"{done:,}/{total:,} rows" if total else "")

        monitor = Monitor(rows)
        ledger = None if no_store else Store(store)
        try:
            opening = (lambda day: ledger.opening(history.agreement, day)) if ledger else None
            later = (lambda day: ledger.later(history.agreement, day)) if ledger else None
            todo = plan(ledger, history, data, first, last, memory_limit)
            if todo.incremental:
                first = todo.start
            result = run_settle(history, todo.read, start=first, end=last,
                                events=scenario, engine=engine, opening=opening, later=later,
                                allocations=allocations, progress=step,
                                memory_limit=memory_limit, temp_dir=temp_dir,
                                spark_master=spark_master, spark_remote=spark_remote,
                                spark_conf=conf, monitor=monitor, rates=table)
            posted = ledger.record(result, todo.skipped) if ledger else None
            step("store")
        finally:
            if ledger:
                ledger.close()
    data_out = result.to_dict()
    data_out["store"] = None if posted is None else {
        "path": str(store), "run": posted.run, "postings": posted.postings,
        "restatements": posted.restatements,
        "skipped": [{"path": i["path"], "sha256": i["sha256"]} for i in todo.skipped]}
    if documents is not None:
        written = counterparty.write(counterparty.from_settlement(
            result, history, posted.run if posted else None), documents)
        data_out["statement_files"] = [str(p) for p in written]
        if fmt == "table":
            console_err.print(f"wrote {len(written)} statement file(s) to {documents}", markup=False)
    if fmt != "table":
        _show_lines(result.lines, fmt, output, f"{history.agreement} statements", data_out)
        return
    _summary(result, posted, store, output, todo)


def _summary(result, posted, store: Path, output: Path | None, todo) -> None:
    title = (f"{result.agreement}: statements {result.start} to {result.end}"
             if result.start is not None else f"{result.agreement}: no statement (no row settled)")
    console.print(render.statements_table(result.lines, title, result.pending))
    console.print(render.Reconciled(result.reconciliation))
    if result.quarantine:
        console.print(f"[yellow]{len(result.quarantine)} row(s) quarantined[/yellow]")
        for q in result.quarantine[:10]:
            where = f"row {q.row}" + (f" (line {q.line})" if q.line else "")
            console.print(f"  {q.path}: {where}: {q.reason}", markup=False, soft_wrap=True)
        if len(result.quarantine) > 10:
            console.print(f"  ... and {len(result.quarantine) - 10} more (--json lists all)")
    if result.allocations:
        console.print(f"allocations: {result.allocations}", markup=False)
    if todo.skipped:
        console.print(f"incremental: from {todo.start}; {len(todo.skipped)} file(s) already "
                      f"settled not read again: " + ", ".join(Path(i["path"]).name
                                                            for i in todo.skipped),
                      markup=False, soft_wrap=True)
    if posted is not None:
        console.print(f"store {store}: run {posted.run}, {posted.postings} posting(s), "
                      f"{posted.restatements} restatement(s)"
                      + (" — nothing new to post" if not posted.entries else ""), soft_wrap=True,
                      markup=False)


def statements(
    store: Path = typer.Option(Path(DEFAULT_STORE), "--store", help="The store (DuckDB file)."),
    agreement: Optional[str] = typer.Option(None, "--agreement", help="Only this agreement id."),
    fmt: str = typer.Option("table", "--format", help="table, json, csv, html or xlsx (with -o)."),
    output: Optional[Path] = typer.Option(None, "--output", "-o"),
    as_json: bool = typer.Option(False, "--json"),
    documents: Optional[Path] = typer.Option(None, "--statements", help="Write each statement "
                                             "as JSON, CSV, HTML and PDF into this folder."),
    texts: Optional[Path] = typer.Option(None, "--documents", help="The agreement's folder, "
                                         "to quote its clauses in the statement files."),
) -> None:
    """The statements in the store: each line as last settled."""
    fmt = "json" if as_json else _check_format(fmt)
    history = api.load_history_of(texts) if texts is not None else None
    with Store(store, read_only=True) as db:
        lines = db.current_lines(agreement)
        docs = _stored_documents(db, agreement, history) if documents is not None else []
    data = {"store": str(store), "statements": [s.to_dict() for s in
                                                render.statements_of(lines)]}
    if documents is not None:
        data["statement_files"] = [str(p) for p in counterparty.write(docs, documents)]
        if fmt == "table":
            console_err.print(f"wrote {len(data['statement_files'])} statement file(s) to "
                              f"{documents}", markup=False)
    _show_lines(lines, fmt, output, "statements", data)


def _stored_documents(db: Store, agreement: str | None, history) -> list[dict]:
    """Statement documents from the store: each statement with the run that settled it."""
    texts = counterparty.clause_texts(history)
    docs = []
    for run, lines in db.lines_by_run(agreement).items():
        found = db.provenance(run)
        docs += counterparty.documents(
            lines, clauses=texts, versions=found["versions"],
            inputs=[{k: i.get(k) for k in ("path", "sha256", "kind")} for i in found["inputs"]],
            rates=found["rates"], reconciliation=found["reconciliation"], run=run)
    return docs


def runs(
    store: Path = typer.Option(Path(DEFAULT_STORE), "--store", help="The store (DuckDB file)."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The runs in the store, each with the inputs (by sha256) it read or found settled."""
    with Store(store, read_only=True) as db:
        items = db.runs()
        inputs = db.inputs()
    for run in items:
        run["inputs"] = [{k: v for k, v in i.items() if k not in ("run", "versions")}
                         for i in inputs if i["run"] == run["run"]]
        run.pop("parameters", None), run.pop("versions", None)
    if as_json:
        print_json({"store": str(store), "runs": items})
        return
    # the table where it fits, else a run a few lines; paths as written, never as markup
    table = Fitted(f"runs in {store}", ("run", "agreement", "engine", "from", "to", "posted",
                                        "restated", "inputs"), right=("posted", "restated"))
    for run in items:
        read = [f"{Path(i['path']).name} {i['sha256'][:12]} ({i['rows']:,} rows)"
                for i in run["inputs"] if i["read"]]
        kept = [f"{Path(i['path']).name} {i['sha256'][:12]} (settled before)"
                for i in run["inputs"] if not i["read"]]
        table.add_row(f"run {run['run']}", run["agreement"], run["engine"], str(run["start"]),
                      str(run["end"]), str(run["posted"]), str(run["restated"]),
                      "; ".join(read + kept))
    console.print(table)


def ledger(
    store: Path = typer.Option(Path(DEFAULT_STORE), "--store", help="The store (DuckDB file)."),
    fmt: str = typer.Option("beancount", "--format", help="beancount or json."),
    agreement: Optional[str] = typer.Option(None, "--agreement", help="Only this agreement id."),
    output: Optional[Path] = typer.Option(None, "--output", "-o"),
    as_json: bool = typer.Option(False, "--json"),
    party: Optional[str] = typer.Option(None, "--party", help="Only this party's books (a "
                                        "Beancount file for Fava)."),
) -> None:
    """The append-only ledger: postings and restatements, as Beancount or JSON."""
    if fmt not in ("beancount", "json"):
        raise typer.BadParameter(f"'{fmt}' is not beancount or json", param_hint="--format")
    with Store(store, read_only=True) as db:
        entries = db.entries(agreement)
    if as_json or fmt == "json":
        from .common import to_json
        _emit(to_json({"store": str(store), "entries": [e.to_dict() for e in entries]}), output)
    else:
        title = f"termsheet ledger {agreement or ''}".strip() + (f" ({party})" if party else "")
        _emit(beancount(entries, title, party), output)


def _month(text: str, option: str, last: bool = False) -> date:
    try:
        if len(text) == 7:
            day = date.fromisoformat(text + "-01")
            if last:
                from ..api import period_end
                return period_end(day, "month")
            return day
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"'{text}' is not YYYY-MM or YYYY-MM-DD", param_hint=option)


def generate_billing(
    folder: Path = typer.Argument(..., help="Where to write the files."),
    start: str = typer.Option("2025-07", "--from", help="First month, YYYY-MM."),
    end: str = typer.Option("2026-12", "--to", help="Last month, YYYY-MM."),
    rows: int = typer.Option(10_000, "--rows", min=1, help="FOCUS rows to write."),
    seed: int = typer.Option(7, "--seed"),
    fmt: str = typer.Option("csv", "--format", help="csv or parquet."),
    version: str = typer.Option("1.2", "--focus-version", help="1.2 or 1.3 column names."),
    quirks: bool = typer.Option(True, "--quirks/--no-quirks", help="Real exports' quirks and "
                                "a few unusable rows."),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Write synthetic FOCUS billing data and a revenue table for the flagship."""
    from ..api import generate
    if fmt not in ("csv", "parquet") or version not in ("1.2", "1.3"):
        raise TermsheetError([Problem("E056", "--format is csv or parquet; --focus-version is "
                                      "1.2 or 1.3", "<command line>")])
    first, last = _month(start, "--from"), _month(end, "--to", last=True)
    if last < first:
        raise TermsheetError([Problem("E054", f"--to {end} is before --from {start}", "--to")])
    if not date(1900, 1, 1) <= first <= last <= date(9998, 12, 31) or \
            (last.year - first.year) * 12 + last.month - first.month >= 1200:
        raise TermsheetError([Problem("E057", f"--from {start} --to {end}: synthetic data is "
                                      "made for at most 100 years between 1900 and 9998",
                                      "--from")])
    paths = generate(folder, first, last, rows, seed, fmt, version, quirks)
    if as_json:
        print_json({"files": [str(p) for p in paths], "from": first, "to": last, "rows": rows,
                    "seed": seed})
    else:
        for path in paths:
            console.print(f"wrote {path}", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(settle)
    app.command()(statements)
    app.command()(ledger)
    app.command()(runs)
    app.command("generate-billing")(generate_billing)


def settle_section() -> None:
    """The demo: synthetic billing for 2025-07..2026-12 settled under the versions in force."""
    import tempfile

    from rich.table import Table

    from ..api import generate
    from ..examples import flagship_dir
    history = api.load_history_of(flagship_dir())
    console.rule("[bold]settle[/bold]: who owes whom, 2025-07 to 2026-12, from synthetic "
                 "FOCUS billing and direct sales")
    with tempfile.TemporaryDirectory(prefix="termsheet-demo-") as folder:
        files = generate(Path(folder) / "data", date(2025, 7, 1), date(2026, 12, 31),
                         rows=6_000, seed=7, fmt="parquet")
        with Store(Path(folder) / "demo.duckdb") as db:
            result = run_settle(history, files,
                                opening=lambda day: db.opening(history.agreement, day))
            posted = db.record(result)
            again = db.record(run_settle(history, files,
                                         opening=lambda day: db.opening(history.agreement, day)))
    table = Table(caption="; ".join(render.notes_of(result.lines)))
    for column in ("month", "OpenAI → Microsoft", "Microsoft → OpenAI", "versions in force"):
        table.add_column(column, justify="left" if column in ("month", "versions in force")
                         else "right", overflow="fold")
    months: dict[str, dict] = {}
    for line in result.lines:
        row = months.setdefault(line.label, {"openai": 0, "microsoft": 0, "versions": set()})
        row[line.payer] += line.amount
        row["versions"].add(line.version)
    for label, row in months.items():
        table.add_row(label, render.money(row["openai"], "USD"),
                      render.money(row["microsoft"], "USD") if row["microsoft"] else "—",
                      ", ".join(sorted(row["versions"])))
    sums = render.totals(result.lines)
    table.add_row("total", render.money(sums.get(("openai", "microsoft", "USD"), 0), "USD"),
                  render.money(sums.get(("microsoft", "openai", "USD"), 0), "USD"), "",
                  style="bold")
    console.print(table)
    _demo_footer(result, posted, again)


def _demo_footer(result, posted, again) -> None:
    capped = [l for l in result.lines if l.version == "2026-04-27"]
    paid = sum(l.amount for l in capped)
    console.print(f"20% each way before 2026-04-27; from 2026-04-27 only OpenAI pays Microsoft "
                  f"(20%, total cap $38B): {render.money(paid, 'USD')} USD paid under it, "
                  f"{paid / 38_000_000_000:.1%} of the cap.", soft_wrap=True)
    for r in result.reconciliation:
        console.print(f"{r.currency}: {r.rows_in.rows:,} rows in = {r.settled.rows:,} settled + "
                      f"{r.out_of_scope.rows:,} out of scope + {r.quarantined.rows:,} "
                      f"quarantined" + (" ✓" if r.balanced else " ✗"), soft_wrap=True)
    for q in result.quarantine:
        console.print(f"  quarantined: row {q.row}: {q.reason}", markup=False, soft_wrap=True)
    console.print(f"ledger: {posted.postings} postings; the same data again posts "
                  f"{len(again.entries)} (run {again.run})", soft_wrap=True)
