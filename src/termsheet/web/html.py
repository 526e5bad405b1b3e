"""What every page shares: the templates, the signed-in principal, rendering, error pages."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from . import charts
from .access import Principal, current, resolve
from .errors import HttpProblem

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["short"] = charts.short


async def viewer(request: Request) -> Principal:
    principal = await resolve(request)
    if principal is None:
        raise HttpProblem(401, "sign in with a token to see this page", path=request.url.path)
    return principal


Viewer = Annotated[Principal, Depends(viewer)]


def render(request: Request, template: str, principal: Principal | None, status: int = 200,
           **context) -> HTMLResponse:
    context.update(principal=principal, open=request.app.state.access.open)
    return templates.TemplateResponse(request, template, context, status_code=status)


def error_page(request: Request, response: JSONResponse) -> Response:
    """The page for an error the JSON surfaces report as ``{ok: false, errors}``."""
    if response.status_code == 401:
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    body = json.loads(response.body)
    agreement = request.path_params.get("agreement")
    known = agreement in request.scope.get("termsheet.catalog", request.app.state.catalog).histories
    return render(request, "error.html", current(request), status=response.status_code,
                  status_code=response.status_code, problems=body.get("errors", []),
                  agreement=agreement if known else None)
