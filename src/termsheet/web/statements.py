"""Routes and pages of settlement: settle (admin), statements, a line's input rows, the ledger,
runs with their reconciliation (admin). The work is in :mod:`.settlement`."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Path as Path_, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from ..api import Problem, TermsheetError
from .access import Principal
from .api import Admin, Viewer, visible
from .audit import audit, problems_of
from .html import Viewer as PageViewer, render
from .schemas import Out, errors
from .security import csrf_checked
from .settlement import (Ledger, entries_view, history_view, period_history, rows_to_csv,
                         safe_name, statements_view)

api = APIRouter(prefix="/api", tags=["settle"], responses=errors(401, 404, 413, 422))
pages = APIRouter(include_in_schema=False)
MAX_ROWS = 100_000
# The columns of an input row a page shows (the JSON has them all): the revenue table's, and
# the FOCUS columns that decide which clause a row falls under.
ROW_COLUMNS = ("date", "seller", "channel", "product", "amount", "currency", "PublisherName",
               "ServiceProviderName", "ProviderName", "HostProviderName", "InvoiceIssuerName",
               "ServiceName", "ChargeCategory", "ChargePeriodStart", "BilledCost",
               "BillingCurrency")
CHUNK = 1 << 20


class SettleIn(BaseModel):
    """Revenue rows (date, seller, channel, product, amount, currency), as a revenue table."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    rows: list[dict[str, str | int | float | None]] = Field(min_length=1, max_length=MAX_ROWS)
    start: dt.date | None = Field(None, alias="from", description="First day to settle")
    end: dt.date | None = Field(None, alias="to", description="Last day to settle")
    events: dict[Annotated[str, Field(max_length=100)], dt.date] = Field(
        default_factory=dict, max_length=50)
    rates: list[dict[str, str | int | float | None]] | None = Field(
        None, max_length=MAX_ROWS, description="An exchange-rate table: rows of date, from, to, "
        "rate; rows in other currencies are converted at the latest rate on or before their "
        "charge day")


class RunOut(Out):
    run: int
    agreement: str
    statements: list[dict[str, Any]]
    reconciliation: list[dict[str, Any]]
    quarantine: list[dict[str, Any]]
    posted: int
    restated: int


class StatementsOut(Out):
    agreement: str
    statements: list[dict[str, Any]]


class LedgerOut(Out):
    agreement: str
    entries: list[dict[str, Any]]


def ledger_of(request: Request) -> Ledger:
    return request.app.state.ledger


def _check_dates(start, end) -> None:
    if start and end and end < start:
        raise TermsheetError([Problem("E054", f"'to' {end} is before 'from' {start}", "to")])


@api.post("/agreements/{agreement}/settle", response_model=RunOut, status_code=201,
          responses=errors(403, 413))
def settle_rows(agreement: str, body: SettleIn, request: Request, principal: Admin):
    """Settle revenue rows posted as JSON (admin only): statements, reconciliation, quarantine;
    the run's ledger entries are posted to the store."""
    history = visible(request, principal, agreement)
    ledger = ledger_of(request)
    what = {"rows": len(body.rows), **body.model_dump(mode="json", by_alias=True,
                                                        exclude={"rows"})}
    try:
        _check_dates(body.start, body.end)
        rates = None
        if body.rates is not None:
            from ..api import rates_from
            rates = rates_from([{k: None if v is None else str(v) for k, v in row.items()}
                                for row in body.rates], "body.rates")
        with ledger.incoming(ledger.new_folder()) as folder:
            path = rows_to_csv(body.rows, folder)
            summary = ledger.settle(history, [path], body.start, body.end,
                                    dict(body.events), rates).summary
    except TermsheetError as err:
        audit(request, principal, "settle", what, problems_of(err))
        raise
    audit(request, principal, "settle", what, run_answer(summary))
    return summary


async def _save(uploads: list[UploadFile], folder) -> list:
    paths = []
    for index, upload in enumerate(uploads):
        target = folder / safe_name(upload.filename or "", index)
        with open(target, "wb") as handle:
            while chunk := await upload.read(CHUNK):
                handle.write(chunk)
        paths.append(target)
    return paths


@api.post("/agreements/{agreement}/settle/files", response_model=RunOut, status_code=201,
          responses=errors(403, 413))
async def settle_files(agreement: str, request: Request, principal: Admin,
                       files: Annotated[list[UploadFile], File(description="FOCUS exports or "
                                                               "revenue tables, CSV or Parquet")],
                       start: Annotated[dt.date | None, Form(alias="from")] = None,
                       end: Annotated[dt.date | None, Form(alias="to")] = None,
                       rates: Annotated[UploadFile | None, File(
                           description="An exchange-rate table (date, from, to, rate), CSV or "
                                       "Parquet: rows in other currencies are converted")] = None):
    """Settle uploaded files (admin only), with an exchange-rate table if given."""
    from starlette.concurrency import run_in_threadpool
    history = visible(request, principal, agreement)
    what = {"files": [f.filename for f in files], "from": start, "to": end,
            "rates": rates.filename if rates is not None else None}
    try:
        _check_dates(start, end)
        ledger = ledger_of(request)
        with ledger.incoming(ledger.new_folder()) as folder:
            paths = await _save(files, folder)
            table = await _save_rates(rates, folder)
            run = await run_in_threadpool(ledger.settle, history, paths, start, end, {}, table)
    except TermsheetError as err:
        audit(request, principal, "settle", what, problems_of(err))
        raise
    audit(request, principal, "settle", what, run_answer(run.summary))
    return run.summary


async def _save_rates(upload: UploadFile | None, folder):
    """An uploaded rate table, read (an E058 problem if it cannot be)."""
    if upload is None or not upload.filename:
        return None
    from ..api import load_rates
    target = folder / "rates" / safe_name(upload.filename, 0)
    target.parent.mkdir()
    with open(target, "wb") as handle:
        while chunk := await upload.read(CHUNK):
            handle.write(chunk)
    return load_rates(target)


TEXT = {"text/plain": {"schema": {"type": "string"}}}
TEXT_CSV = {"text/csv": {"schema": {"type": "string"}}}


@api.get("/agreements/{agreement}/statements", response_model=StatementsOut,
         responses={200: {"content": TEXT_CSV}})
def get_statements(agreement: str, request: Request, principal: Viewer,
                   format: Annotated[Literal["json", "csv"], Query()] = "json"):
    """The current statements (each line from the latest run that settled it); a party's token
    sees only those where it is payer or payee. ``format=csv``: one row per line."""
    from ..api import to_csv
    visible(request, principal, agreement)
    lines = ledger_of(request).lines(agreement, principal)
    if format == "csv":
        return Response(to_csv(lines), media_type="text/csv; charset=utf-8")
    return {"agreement": agreement, "statements": statements_view(lines)}


@api.get("/agreements/{agreement}/statements/rows", tags=["settle"])
def get_line_rows(agreement: str, request: Request, principal: Viewer,
                  line: Annotated[str, Query(max_length=300, description="A line's key")],
                  limit: Annotated[int, Query(ge=1, le=10_000)] = 1000) -> dict[str, Any]:
    """The input rows behind one statement line: each row's allocation and its fields."""
    visible(request, principal, agreement)
    return ledger_of(request).line_rows(agreement, line, principal, limit)


@api.get("/agreements/{agreement}/periods/{period}/history", tags=["settle"])
def get_period_history(agreement: str, period: Annotated[str, Path_(
        max_length=10, pattern=r"^\d{4}(-\d{2}|-Q[1-4])?$", description="2026-05, 2026-Q2 or 2026")],
        request: Request, principal: Viewer) -> dict[str, Any]:
    """The restatement history of one period: each of its lines (those a party's token may
    read) with its posting and every restatement, in order, and the total after each."""
    visible(request, principal, agreement)
    ledger = ledger_of(request)
    lines = ledger.lines(agreement, principal)
    return {"agreement": agreement, "period": period,
            "lines": period_history(lines, ledger.entries(agreement, principal), period)}


@api.get("/agreements/{agreement}/ledger", response_model=LedgerOut,
         responses={200: {"content": TEXT}})
def get_ledger(agreement: str, request: Request, principal: Viewer,
               format: Annotated[Literal["json", "beancount"], Query()] = "json"):
    """The append-only ledger: postings and restatements; a party's token sees its own.
    ``format=beancount``: a Beancount file that bean-check accepts."""
    from ..api import beancount
    visible(request, principal, agreement)
    entries = ledger_of(request).entries(agreement, principal)
    if format == "beancount":
        return Response(beancount(entries, f"{agreement} ledger"),
                        media_type="text/plain; charset=utf-8")
    return {"agreement": agreement, "entries": entries_view(entries)}


@api.get("/agreements/{agreement}/runs", tags=["settle"])
def list_runs(agreement: str, request: Request, principal: Viewer) -> list[dict[str, Any]]:
    """Settlement runs: their dates and what they posted."""
    visible(request, principal, agreement)
    return runs_seen(request, principal, agreement)


@api.get("/agreements/{agreement}/runs/{run}", response_model=RunOut, responses=errors(403))
def get_run(agreement: str, run: int, request: Request, principal: Admin):
    """One run in full (admin only): its sources, statements, reconciliation and quarantine."""
    visible(request, principal, agreement)
    return ledger_of(request).run_of(agreement, run).summary


def runs_seen(request: Request, principal: Principal, agreement: str) -> list[dict[str, Any]]:
    """The runs of an agreement as a principal may see them: admin, every run; a party, only
    the runs that settled a statement it pays or is paid on, counting only its own entries."""
    ledger = ledger_of(request)
    runs = [r for r in ledger.runs.values() if r.agreement == agreement]
    if principal.admin:
        return [_run_row(r.summary) for r in runs]
    counts: dict[tuple[int, str], int] = {}
    for entry in ledger.entries(agreement, principal):
        counts[entry.run, entry.type] = counts.get((entry.run, entry.type), 0) + 1
    return [{**_run_row(r.summary), "posted": counts.get((r.run, "posting"), 0),
             "restated": counts.get((r.run, "restatement"), 0)}
            for r in runs
            if any(principal.sees(s["payer"], s["payee"]) for s in r.summary["statements"])
            or (r.run, "posting") in counts or (r.run, "restatement") in counts]


def run_answer(summary: dict) -> dict[str, Any]:
    """What the audit log keeps of a run: its number, what it posted, whether it balanced."""
    return {"run": summary["run"], "posted": summary["posted"],
            "restated": summary["restated"], "balanced": summary["balanced"]}


def _run_row(summary: dict) -> dict[str, Any]:
    return {"run": summary["run"], "start": summary["start"], "end": summary["end"],
            "posted": summary["posted"], "restated": summary["restated"],
            "balanced": summary["balanced"]}


# ------------------------------------------------------------------------------------------------
# pages


def _page(request: Request, principal: Principal, agreement: str, status: int = 200,
          problems: list | None = None):
    ledger = ledger_of(request)
    lines = ledger.lines(agreement, principal)
    runs = [r.summary for r in ledger.runs.values() if r.agreement == agreement]
    entries = ledger.entries(agreement, principal)
    return render(request, "statements.html", principal, status=status, agreement=agreement,
                  statements=statements_view(lines), history=history_view(lines, entries),
                  entries=entries_view(entries),
                  runs=runs if principal.admin else runs_seen(request, principal, agreement),
                  latest=runs[-1] if runs and principal.admin else None,
                  problems=problems or [])


@pages.get("/agreements/{agreement}/statements", response_class=HTMLResponse)
def statements_page(agreement: str, request: Request, principal: PageViewer):
    visible(request, principal, agreement)
    return _page(request, principal, agreement)


@pages.post("/agreements/{agreement}/settle", response_class=HTMLResponse,
            dependencies=[Depends(csrf_checked)])
async def settle_page(agreement: str, request: Request, principal: PageViewer,
                      files: Annotated[list[UploadFile], File()],
                      start: Annotated[str, Form(alias="from", max_length=10)] = "",
                      end: Annotated[str, Form(alias="to", max_length=10)] = "",
                      rates: Annotated[UploadFile | None, File()] = None):
    from starlette.concurrency import run_in_threadpool
    from .errors import HttpProblem
    if not principal.admin:
        raise HttpProblem(403, "only admin may settle", path=request.url.path)
    history = visible(request, principal, agreement)
    ledger = ledger_of(request)
    what = {"files": [f.filename for f in files if f.filename], "from": start, "to": end}
    try:
        first = dt.date.fromisoformat(start) if start else None
        last = dt.date.fromisoformat(end) if end else None
        _check_dates(first, last)
        with ledger.incoming(ledger.new_folder()) as folder:
            paths = await _save([f for f in files if f.filename], folder)
            if not paths:
                raise ValueError("choose at least one file")
            table = await _save_rates(rates, folder)
            run = await run_in_threadpool(ledger.settle, history, paths, first, last, {}, table)
    except (ValueError, TermsheetError) as err:
        problems = getattr(err, "problems", None) or [Problem("E422", str(err), "form")]
        audit(request, principal, "settle", what, problems_of(TermsheetError(problems)))
        return _page(request, principal, agreement, 422, [p.to_dict() for p in problems])
    audit(request, principal, "settle", what, run_answer(run.summary))
    return RedirectResponse(f"/agreements/{quote(agreement)}/statements", status_code=303)


@pages.get("/agreements/{agreement}/statements/rows", response_class=HTMLResponse)
def rows_page(agreement: str, request: Request, principal: PageViewer,
              line: Annotated[str, Query(max_length=300)]):
    visible(request, principal, agreement)
    data = ledger_of(request).line_rows(agreement, line, principal, limit=200)
    present = {k for r in data["rows"] for k in r.get("input", {})}
    columns = [c for c in ROW_COLUMNS if c in present]
    return render(request, "rows.html", principal, agreement=agreement, data=data,
                  columns=columns)
