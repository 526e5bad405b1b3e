"""The FastAPI application: ``create_app(settings)``.

Three surfaces over one facade: the JSON API under ``/api`` (with its OpenAPI document at
``/openapi.json``), the OpenID AuthZEN evaluation endpoints under ``/access/v1``, and pages for a
person at the other addresses. Errors take one shape everywhere (see :mod:`.errors`); a page shows
the same problems as an HTML page.
"""

from __future__ import annotations

from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from .. import __version__
from . import api, authzen, decisions, diffs, html, pages, simulation, statements
from .access import Access
from .catalog import Catalog
from .errors import HANDLERS, status_of
from .jobs import JobRunner
from .limits import DEFAULT_LIMIT, UPLOAD_LIMIT, BodyLimit
from .requestlog import RequestLog
from .settlement import Ledger

HERE = Path(__file__).parent
# Feature modules: each has an ``api`` router (JSON) and a ``pages`` router (HTML).
FEATURES = (decisions, diffs, simulation, statements)
API_PREFIXES = ("/api/", "/access/", "/.well-known/", "/openapi.json", "/jobs/")


@dataclass(frozen=True)
class Settings:
    """How a server is set up; every field has a safe default for a local, open server."""

    agreements: Path = Path("agreements")
    store: Path | None = None
    scenarios: Path | None = None
    access: Path | None = None
    max_body: int = DEFAULT_LIMIT
    max_upload: int = UPLOAD_LIMIT
    job_workers: int = 1

    def scenarios_dir(self) -> Path | None:
        """``scenarios``, else a ``scenarios`` folder beside the agreements folder."""
        if self.scenarios is not None:
            return Path(self.scenarios)
        root = Path(self.agreements).resolve()
        for folder in (root.parent / "scenarios", root.parent.parent / "scenarios"):
            if folder.is_dir():
                return folder
        return None


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(
        title="termsheet", version=__version__, lifespan=_lifespan,
        # the API reference is a page of this server (/reference): the stock ones fetch their
        # scripts from the network
        docs_url=None, redoc_url=None,
        description="Partnership agreements you can run: the versions of an agreement, "
                    "decisions (also as OpenID AuthZEN evaluations), settlement, simulation "
                    "and diffs. Every error body is `{ok: false, errors: [problem, ...]}`.",
        openapi_tags=[{"name": name} for name in
                      ("agreements", "decide", "settle", "simulate", "diff", "authzen")],
    )
    app.state.settings = settings
    app.state.catalog = Catalog.load(settings.agreements)
    app.state.access = Access.from_file(settings.access)
    app.state.jobs = JobRunner(workers=settings.job_workers)
    app.state.ledger = Ledger.open(settings.store)
    for exc, handler in HANDLERS:
        app.add_exception_handler(exc, _negotiated(handler))
    app.add_middleware(BodyLimit, default=settings.max_body,
                       limits={"/settle": settings.max_upload})
    app.add_middleware(RequestLog)  # outermost: sees every request, rejected ones included
    for router in routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app


def routers() -> list:
    """Every router of the app, in the order they are tried: the JSON routes, then the pages."""
    return [*(m.api for m in FEATURES), api.router, authzen.router, pages.router,
            *(m.pages for m in FEATURES)]


@asynccontextmanager
async def _lifespan(app: FastAPI):
    yield
    app.state.jobs.shutdown()
    app.state.ledger.close()


def wants_page(request: Request) -> bool:
    path = request.url.path
    if path.startswith(API_PREFIXES):
        return False
    accept = request.headers.get("accept", "") or "*/*"
    return "text/html" in accept or "*/*" in accept


def _negotiated(handler):
    async def handle(request: Request, err: Exception):
        response = await handler(request, err)
        if not wants_page(request):
            return response
        return html.error_page(request, response)
    return handle


__all__ = ["Settings", "create_app", "status_of"]
