"""Pages for a person, rendered on the server with Jinja2.

A page renders what its JSON endpoint returns: each handler builds the same data with the same
function from :mod:`.views` (or the feature modules) and hands it to a template. Pages need no
script to work; the little there is (``static/termsheet.js``) ships inside the package, as does the
stylesheet, so nothing is fetched from the network.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse

from . import charts, views
from .access import COOKIE, current
from .api import EventsQ, catalog_of, visible, visible_ids
from .html import Viewer, render
from .markup import document_html
from .security import csrf_checked

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def index(request: Request, principal: Viewer):
    catalog = catalog_of(request)
    ids = visible_ids(request, principal)
    if len(ids) == 1:
        return RedirectResponse(f"/agreements/{quote(ids[0])}", status_code=303)
    return render(request, "index.html", principal,
                  agreements=[views.agreement_summary(catalog.history(a)) for a in ids])


@router.get("/agreements/{agreement}", response_class=HTMLResponse)
def history_page(agreement: str, request: Request, principal: Viewer, event: EventsQ = []):
    history = visible(request, principal, agreement)
    data = views.history_view(history)
    timeline = views.timeline_view(history, views.event_dates(history, event))
    svg = charts.timeline_svg(timeline, link=f"/agreements/{quote(agreement)}/versions/")
    return render(request, "history.html", principal, data=data, timeline=timeline,
                  timeline_svg=svg, agreement=agreement)


@router.get("/agreements/{agreement}/versions/{version}", response_class=HTMLResponse)
def version_page(agreement: str, version: str, request: Request, principal: Viewer):
    history = visible(request, principal, agreement)
    found = catalog_of(request).version(agreement, version)
    data = views.version_view(history, found)
    html = document_html(catalog_of(request).text(agreement, version), found)
    return render(request, "version.html", principal, data=data, document=html,
                  agreement=agreement, versions=[v.version for v in history.versions])


@router.get("/reference", response_class=HTMLResponse)
def reference(request: Request):
    """The JSON API, read from the OpenAPI document: every operation, its parameters, its body
    and its answers."""
    document = request.app.openapi()
    groups: dict[str, list] = {}
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            tag = (operation.get("tags") or ["other"])[0]
            body = operation.get("requestBody", {}).get("content", {})
            groups.setdefault(tag, []).append({
                "method": method.upper(), "path": path, "summary": operation.get("summary", ""),
                "description": operation.get("description", ""),
                "parameters": operation.get("parameters", []),
                "body": [(kind, spec.get("schema", {}).get("$ref", "").split("/")[-1])
                         for kind, spec in body.items()],
                "responses": sorted(operation.get("responses", {})),
                "secured": bool(operation.get("security"))})
    return render(request, "reference.html", current(request), groups=groups,
                  schemas=sorted(document.get("components", {}).get("schemas", {})))


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, next: str = "/"):
    return render(request, "login.html", current(request), next=_local(next), failed=False)


@router.post("/login", response_class=HTMLResponse, dependencies=[Depends(csrf_checked)])
def login(request: Request, token: Annotated[str, Form(max_length=200)],
          next: Annotated[str, Form(max_length=500)] = "/"):
    principal = request.app.state.access.principal_for(token.strip())
    if principal is None:
        return render(request, "login.html", None, status=401, next=_local(next), failed=True)
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie(COOKIE, token.strip(), httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


@router.post("/logout", dependencies=[Depends(csrf_checked)])
def logout():
    """Sign out: a form's POST (the pages' "sign out" button), with its CSRF token, so that
    no link or image on another site can sign a person out."""
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE)
    return response


def _local(target: str) -> str:
    """Only a path on this server may follow a sign-in: never another site."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target
