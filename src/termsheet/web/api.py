"""JSON routes over the facade: agreements, versions, text, clauses, timeline, validate, upload.

Every route takes a token (any role) except where it says admin; a party's token sees only the
agreements it is a party to. The feature routes (decide, settle, simulate, diff) live in their own
modules and are included here, so that ``/api`` is one router.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import PlainTextResponse, Response

from ..api import parse
from ..api import History
from ..api import render_json
from . import views
from .access import Principal, admin, authenticated
from .catalog import Catalog
from .errors import HttpProblem
from .schemas import (
    AgreementOut, ClauseInVersion, ClauseOut, DocumentIn, HistoryOut, JobOut, Problems,
    TimelineOut, VersionLink, VersionOut, errors,
)

router = APIRouter(prefix="/api", responses=errors(401, 404, 413, 422))
Viewer = Annotated[Principal, Depends(authenticated)]
Admin = Annotated[Principal, Depends(admin)]
EventsQ = Annotated[list[Annotated[str, Query(max_length=120)]],
                    Query(max_length=20, description="NAME=YYYY-MM-DD, repeatable")]


def catalog_of(request: Request) -> Catalog:
    """The agreements a request is answered from: the server's at the moment the request first
    asks, then the same ones for the rest of the request, even when a reload swaps them in
    between (a request sees the old agreements or the new, never some of each)."""
    pinned = request.scope.get("termsheet.catalog")
    if pinned is None:
        pinned = request.scope["termsheet.catalog"] = request.app.state.catalog
    return pinned


def visible(request: Request, principal: Principal, agreement: str) -> History:
    """The history of an agreement the principal may see; 404 for one it may not."""
    return visible_in(catalog_of(request), principal, agreement)


def visible_in(catalog: Catalog, principal: Principal, agreement: str) -> History:
    """:func:`visible` in the agreements given."""
    history = catalog.history(agreement)
    if principal.admin or principal.party in history.latest.parties \
            or any(principal.party in v.parties for v in history.versions):
        return history
    raise HttpProblem(404, f"no agreement '{agreement}'", path=agreement)


def visible_ids(request: Request, principal: Principal) -> list[str]:
    out = []
    for agreement in catalog_of(request).ids:
        try:
            visible(request, principal, agreement)
        except HttpProblem:
            continue
        out.append(agreement)
    return out


def version_of(request: Request, principal: Principal, agreement: str, version: str):
    history = visible(request, principal, agreement)
    return history, catalog_of(request).version(agreement, version)


@router.get("/agreements", response_model=list[AgreementOut], tags=["agreements"])
def list_agreements(request: Request, principal: Viewer):
    """The agreements this server holds (those the token's party is a party to)."""
    catalog = catalog_of(request)
    return [views.agreement_summary(catalog.history(a)) for a in visible_ids(request, principal)]


@router.get("/agreements/{agreement}", response_model=HistoryOut, tags=["agreements"])
def get_history(agreement: str, request: Request, principal: Viewer):
    """An agreement's history: every version with the days it was in force."""
    return views.history_view(visible(request, principal, agreement))


@router.get("/agreements/{agreement}/timeline", response_model=TimelineOut,
            tags=["agreements"])
def get_timeline(agreement: str, request: Request, principal: Viewer, event: EventsQ = []):
    """When each version and each clause was in force; ``event=NAME=YYYY-MM-DD`` gives an event
    a date (repeatable), which ends the terms that end on it."""
    history = visible(request, principal, agreement)
    return views.timeline_view(history, views.event_dates(history, event))


@router.get("/agreements/{agreement}/in-force", response_model=VersionOut, tags=["agreements"])
def in_force(agreement: str, request: Request, principal: Viewer,
             on: Annotated[date, Query(alias="date", description="YYYY-MM-DD")]):
    """The version in force on a date."""
    history = visible(request, principal, agreement)
    version = history.in_force(on)
    if version is None:
        raise HttpProblem(404, f"no version in force on {on}", path=agreement,
                          hint=f"the first version, {history.first.version}, is effective "
                               f"{history.first.effective}")
    return views.version_view(history, version)


@router.get("/agreements/{agreement}/versions", response_model=list[VersionLink],
            tags=["agreements"])
def list_versions(agreement: str, request: Request, principal: Viewer):
    history = visible(request, principal, agreement)
    return [views.version_link(v, history) for v in history.versions]


@router.get("/agreements/{agreement}/versions/{version}", response_model=VersionOut,
            tags=["agreements"])
def get_version(agreement: str, version: str, request: Request, principal: Viewer):
    """One version: front matter and every clause with its heading, prose, terms and position."""
    history, found = version_of(request, principal, agreement, version)
    return views.version_view(history, found)


@router.get("/agreements/{agreement}/versions/{version}/text", tags=["agreements"],
            response_model=None, response_class=Response,
            responses={200: {"content": {"text/markdown": {"schema": {"type": "string"}}},
                             "description": "The document as written"}})
def get_text(agreement: str, version: str, request: Request,
             principal: Viewer) -> PlainTextResponse:
    """The document exactly as written: Markdown with front matter and terms blocks."""
    version_of(request, principal, agreement, version)
    return PlainTextResponse(catalog_of(request).text(agreement, version),
                             media_type="text/markdown; charset=utf-8")


@router.get("/agreements/{agreement}/versions/{version}/clauses",
            response_model=list[ClauseOut], tags=["agreements"])
def list_clauses(agreement: str, version: str, request: Request, principal: Viewer):
    _, found = version_of(request, principal, agreement, version)
    return [views.clause_view(c, found) for c in found.clauses]


@router.get("/agreements/{agreement}/versions/{version}/clauses/{clause}",
            response_model=ClauseInVersion, tags=["agreements"])
def get_clause(agreement: str, version: str, clause: str, request: Request,
               principal: Viewer):
    """One clause of a version, and the versions that have a clause with that id."""
    history, found = version_of(request, principal, agreement, version)
    if found.clause(clause) is None:
        from ..api import known_hint
        raise HttpProblem(404, f"no clause '{clause}' in version '{version}'",
                          path=f"{agreement}@{version}",
                          hint=known_hint(clause, [c.id for c in found.clauses]))
    return views.clause_in_version(history, found, clause)


@router.post("/validate", response_model=Problems, tags=["agreements"])
def validate(document: DocumentIn, principal: Viewer):
    """Every problem of a document, positioned; ``ok`` is true when there are none."""
    _, problems = parse(document.text, document.path)
    return render_json(problems)


@router.post("/agreements", response_model=VersionOut, status_code=201, tags=["agreements"],
             responses=errors(403, 409))
def upload_version(document: DocumentIn, request: Request, principal: Admin):
    """Add a version (admin only). It must be valid and fit the agreement's amendment chain;
    an existing version is never overwritten."""
    version = catalog_of(request).add_version(document.text, document.path)
    history = catalog_of(request).history(version.agreement)
    return views.version_view(history, version)


@router.get("/jobs/{job_id}", response_model=JobOut, tags=["simulate"])
async def get_job(job_id: str, request: Request,
            principal: Viewer):
    """A background job: its status, progress and, once done, its result."""
    job = request.app.state.jobs.get(job_id)
    if job is None or not (principal.admin or job.owner == principal.name):
        raise HttpProblem(404, f"no job '{job_id}'", path=f"/api/jobs/{job_id}")
    return job.to_dict()
