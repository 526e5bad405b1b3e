"""What every page shares: the templates, the signed-in principal, rendering, error pages."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from . import charts
from .access import Principal, current, resolve
from .errors import HttpProblem
from .security import csrf_token, set_csrf_cookie

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=HERE / "templates")
templates.env.filters["short"] = charts.short


def _money(value, currency: str) -> str:
    """A settled amount at its currency's minor unit, grouped (1,234.50 USD, 1,235 JPY): a
    Decimal, never a float."""
    from .. import api
    return api.money_number(Decimal(str(value)), currency)


def _exact(value) -> str:
    """Every decimal there is (at least two): reconciliations and input rows are exact."""
    from .. import api
    return api.settle_render.exact(Decimal(str(value)))


templates.env.filters["money"] = _money
templates.env.filters["exact"] = _exact


async def viewer(request: Request) -> Principal:
    principal = await resolve(request)
    if principal is None:
        raise HttpProblem(401, "sign in with a token to see this page", path=request.url.path)
    return principal


Viewer = Annotated[Principal, Depends(viewer)]


def render(request: Request, template: str, principal: Principal | None, status: int = 200,
           **context) -> HTMLResponse:
    token, new = csrf_token(request)
    context.update(principal=principal, open=request.app.state.access.open, csrf_token=token)
    response = templates.TemplateResponse(request, template, context, status_code=status)
    if new:
        set_csrf_cookie(request, response, token)
    return response


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
