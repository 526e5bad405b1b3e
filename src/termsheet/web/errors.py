"""One error shape for every failure the server reports.

Every error body is ``{"ok": false, "errors": [problem, ...]}``, the shape ``termsheet validate
--json`` prints, whether it is a bad document (422), a missing token (401), a forbidden route (403),
an unknown agreement (404) or a body over the size limit (413). Codes for HTTP failures are
``E`` followed by the status (``E401``); a problem's ``path`` is the request path or the part of
the request body at fault (``body.context.date``).
"""

from __future__ import annotations

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..api import Problem, TermsheetError, render_json

TITLES = {400: "bad request", 401: "unauthorized", 403: "forbidden", 404: "not found",
          405: "method not allowed", 406: "not acceptable", 409: "conflict",
          413: "request body too large", 415: "unsupported media type",
          422: "unprocessable request", 500: "internal error"}

class HttpProblem(Exception):
    """A failure with an HTTP status and the problems that explain it."""

    def __init__(self, status: int, message: str, *, path: str = "", hint: str | None = None,
                 problems: list[Problem] | None = None, headers: dict[str, str] | None = None):
        self.status = status
        self.problems = problems or [Problem(f"E{status}", message, path, 1, 1, None, hint)]
        self.headers = headers or {}
        super().__init__(message)


def error_body(problems: list[Problem]) -> dict:
    return render_json(problems)


def problem_response(status: int, problems: list[Problem],
                     headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(error_body(problems), status_code=status, headers=headers)


def status_of(err: TermsheetError) -> int:
    """Problems from the engine are bad input (a document, a date, a name in a request): 422.
    Addresses that name nothing are answered 404 before the engine is asked."""
    return 422


def _where(loc: tuple) -> str:
    return ".".join(str(part) for part in loc)


async def on_http_problem(request: Request, err: HttpProblem) -> JSONResponse:
    return problem_response(err.status, err.problems, err.headers)


async def on_termsheet_error(request: Request, err: TermsheetError) -> JSONResponse:
    return problem_response(status_of(err), err.problems)


async def on_validation_error(request: Request, err: RequestValidationError) -> JSONResponse:
    problems = []
    code = "E400" if request.url.path.startswith("/access/") else "E422"
    for item in err.errors():
        where = _where(item.get("loc", ()))
        problems.append(Problem(code, f"{item.get('msg', 'invalid value')}", where, 1, 1,
                                None, f"see the request's schema at /reference ({item.get('type')})"))
    # AuthZEN answers a request that is not an evaluation with 400 Bad Request
    status = 400 if request.url.path.startswith("/access/") else 422
    return problem_response(status, problems)


async def on_http_exception(request: Request, err: StarletteHTTPException) -> JSONResponse:
    status = err.status_code
    message = err.detail if isinstance(err.detail, str) else TITLES.get(status, "error")
    if status == 400 and not request.url.path.startswith("/access/"):
        # a body that cannot be read at all (not UTF-8, say) is bad input like any other: 422;
        # AuthZEN keeps its 400
        status = 422
    problem = Problem(f"E{status}", message, request.url.path, 1, 1)
    return problem_response(status, [problem], getattr(err, "headers", None))


async def on_unexpected(request: Request, err: Exception) -> JSONResponse:
    # A bug: say so in the one shape, never with a traceback in the body.
    problem = Problem("E500", f"internal error: {type(err).__name__}", request.url.path, 1, 1,
                      None, "this is a bug in termsheet; the server log has the details")
    return problem_response(500, [problem])


HANDLERS = (
    (HttpProblem, on_http_problem),
    (TermsheetError, on_termsheet_error),
    (RequestValidationError, on_validation_error),
    (StarletteHTTPException, on_http_exception),
    (Exception, on_unexpected),
)
