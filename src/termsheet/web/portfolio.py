"""The portfolio on the server: conflicts between the agreements a principal may see, the
obligations calendar (also as ``.ics``), and every decision that flips between two versions
(:mod:`termsheet.portfolio`, :mod:`termsheet.diff.decisions`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from ..api import decision_diff
from ..api import Portfolio
from ..api import portfolio_calendar as calendar, to_ics
from ..api import find_conflicts
from .api import Viewer, catalog_of, visible, visible_ids
from .diffs import FromQ, ToQ, pair
from .html import Viewer as PageViewer, render
from .schemas import Out, errors

api = APIRouter(prefix="/api", tags=["agreements"], responses=errors(401, 404, 422))
pages = APIRouter(include_in_schema=False)

StartQ = Annotated[dt.date | None, Query(alias="from", description="First day (YYYY-MM-DD)")]
EndQ = Annotated[dt.date | None, Query(alias="to", description="Last day (YYYY-MM-DD)")]


class ConflictsOut(Out):
    agreements: list[str]
    conflicts: list[dict[str, Any]]


class CalendarOut(Out):
    entries: list[dict[str, Any]]
    undated: list[dict[str, Any]]


class DecisionsOut(Out):
    cases_compared: int
    cases_flipped: int
    rules: list[dict[str, Any]]


def portfolio_of(request: Request, principal) -> Portfolio:
    """The agreements this principal may see, as one portfolio."""
    catalog = catalog_of(request)
    ids = visible_ids(request, principal)
    return Portfolio(catalog.root, {a: catalog.history(a) for a in ids},
                     {a: catalog.folders[a] for a in ids})


def _period(start, end) -> None:
    if start is not None and end is not None and end < start:
        from .errors import HttpProblem
        raise HttpProblem(422, f"'to' {end} is before 'from' {start}", path="to")


@api.get("/conflicts", response_model=ConflictsOut)
def get_conflicts(request: Request, principal: Viewer, start: StartQ = None,
                  end: EndQ = None):
    """Every date range on which one agreement grants or requires what another forbids."""
    _period(start, end)
    return find_conflicts(portfolio_of(request, principal), start, end).to_dict()


@api.get("/calendar", response_model=CalendarOut)
def get_calendar(request: Request, principal: Viewer, start: StartQ = None, end: EndQ = None):
    """Every dated duty and deadline across the agreements."""
    _period(start, end)
    return calendar(portfolio_of(request, principal), start, end).to_dict()


@api.get("/agreements/{agreement}/decisions", response_model=DecisionsOut)
def get_decisions(agreement: str, request: Request, principal: Viewer, old: FromQ = None,
                  new: ToQ = None):
    """Every decision of two versions enumerated; those that flip, grouped into rules."""
    history = visible(request, principal, agreement)
    a, b = pair(request, history, old, new)
    return decision_diff(a, b).to_dict()


@pages.get("/conflicts", response_class=HTMLResponse)
def conflicts_page(request: Request, principal: PageViewer, start: StartQ = None,
                   end: EndQ = None):
    _period(start, end)
    report = find_conflicts(portfolio_of(request, principal), start, end)
    return render(request, "conflicts.html", principal, report=report, start=start, end=end)


@pages.get("/calendar", response_class=HTMLResponse)
def calendar_page(request: Request, principal: PageViewer, start: StartQ = None,
                  end: EndQ = None):
    _period(start, end)
    cal = calendar(portfolio_of(request, principal), start, end)
    return render(request, "calendar.html", principal, cal=cal, start=start, end=end)


@pages.get("/calendar.ics")
def calendar_ics(request: Request, principal: PageViewer, start: StartQ = None,
                 end: EndQ = None):
    _period(start, end)
    cal = calendar(portfolio_of(request, principal), start, end)
    return Response(to_ics(cal), media_type="text/calendar; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="termsheet.ics"'})


@pages.get("/agreements/{agreement}/decisions", response_class=HTMLResponse)
def decisions_page(agreement: str, request: Request, principal: PageViewer,
                   old: FromQ = None, new: ToQ = None):
    history = visible(request, principal, agreement)
    a, b = pair(request, history, old, new)
    report = decision_diff(a, b)
    return render(request, "decisions.html", principal, report=report, agreement=agreement,
                  versions=[v.version for v in history.versions], a=a.version, b=b.version)
