"""The FastAPI application: ``create_app(settings)``.

Three surfaces over one facade: the JSON API under ``/api`` (with its OpenAPI document at
``/openapi.json``), the OpenID AuthZEN evaluation endpoints under ``/access/v1``, and pages for a
person at the other addresses. Errors take one shape everywhere (see :mod:`.errors`); a page shows
the same problems as an HTML page.
"""

from __future__ import annotations

import gc
import json
import os
from contextlib import asynccontextmanager
from dataclasses import asdict, dataclass, fields
from functools import partial
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.staticfiles import StaticFiles

from .. import __version__
from . import (
    api, authzen, decisions, diffs, html, pages, portfolio, reload, simulation, statements,
)
from .access import Access
from .audit import AuditLog
from .catalog import Catalog
from .errors import HANDLERS, status_of
from .jobs import PER_TOKEN, TOTAL, JobRunner
from .limits import DEFAULT_LIMIT, UPLOAD_LIMIT, BodyLimit, route_limits
from .reload import Reloader
from .requestlog import RequestLog
from .security import DEFAULT_HOSTS, FAILURES, FailureLimit, Guard
from .settlement import Ledger

HERE = Path(__file__).parent
# Feature modules: each has an ``api`` router (JSON) and a ``pages`` router (HTML).
FEATURES = (decisions, diffs, simulation, statements, portfolio)
API_PREFIXES = ("/api/", "/access/", "/.well-known/", "/openapi.json", "/jobs/")
ENVIRONMENT = "TERMSHEET_SERVE_SETTINGS"   # the settings, as JSON, for each worker process
TELEMETRY_OFF = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}


@dataclass(frozen=True)
class Settings:
    """How a server is set up; every field has a safe default for a local, open server."""

    agreements: Path = Path("agreements")
    store: Path | None = None
    scenarios: Path | None = None
    access: Path | None = None
    max_body: int = DEFAULT_LIMIT
    max_upload: int = UPLOAD_LIMIT
    job_workers: int = 1            # job threads per process (0: this process runs none)
    jobs_per_token: int = PER_TOKEN  # jobs queued or running per token, then 429
    jobs_total: int = TOTAL          # jobs queued or running in the server, then 429
    workers: int = 1                 # server processes sharing the store
    reload_agreements: bool = False  # watch the agreements folder and reload on a change
    reload_every: float = 1.0        # seconds between looks at the folder
    # hardening (see termsheet.web.security and termsheet.web.audit)
    allowed_hosts: tuple[str, ...] = DEFAULT_HOSTS
    base_url: str | None = None      # the server's address as clients know it (AuthZEN metadata)
    audit_log: Path | None = None
    token_failures: int = FAILURES   # failed token checks per client a minute, then 429

    def to_environment(self) -> str:
        return json.dumps({k: (str(v) if isinstance(v, Path) else v)
                           for k, v in asdict(self).items()})

    @classmethod
    def from_environment(cls, text: str) -> "Settings":
        data = json.loads(text)
        paths = {"agreements", "store", "scenarios", "access", "audit_log"}
        if "allowed_hosts" in data:
            data["allowed_hosts"] = tuple(data["allowed_hosts"])
        return cls(**{f.name: (Path(data[f.name]) if f.name in paths and data[f.name]
                               is not None else data[f.name]) for f in fields(cls)
                      if f.name in data})

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
        # no OpenTelemetry: the server keeps its own request log and audit log, and FastAPI's
        # check of the telemetry providers would otherwise run on every request
        telemetry=TELEMETRY_OFF,
    )
    app.state.settings = settings
    app.state.catalog = load_catalog(settings)
    app.state.access = Access.from_file(settings.access)
    app.state.ledger = Ledger.open(settings.store, shared=settings.workers > 1)
    app.state.jobs = JobRunner(app.state.ledger, {"simulate": partial(simulation.job_work, app)},
                               workers=settings.job_workers, per_token=settings.jobs_per_token,
                               total=settings.jobs_total)
    app.state.reloader = Reloader(app, partial(load_catalog, settings), settings.agreements,
                                  every=settings.reload_every)
    if settings.reload_agreements:
        app.state.reloader.start()
    for exc, handler in HANDLERS:
        app.add_exception_handler(exc, _negotiated(handler))
    app.state.audit = AuditLog(settings.audit_log)
    # the AuthZEN decisions, answered ahead of FastAPI's routes (see web/authzen.py)
    app.state.fast_routes = authzen.fast_routes()
    app.add_middleware(authzen.FastRoutes, routes=app.state.fast_routes)   # innermost
    app.add_middleware(BodyLimit, default=settings.max_body,
                       limits=route_limits(settings.max_body, settings.max_upload))
    app.add_middleware(Guard, allowed_hosts=settings.allowed_hosts, app_state=app.state,
                       limiter=FailureLimit(settings.token_failures))
    app.add_middleware(RequestLog)  # outermost: sees every request, rejected ones included
    for router in routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app


def load_catalog(settings: Settings) -> Catalog:
    """The agreements the server answers from: loaded at start, and again by a reload."""
    return Catalog.load(settings.agreements)


def app_from_environment() -> FastAPI:
    """The app of one worker process of ``termsheet serve --workers N``."""
    app = create_app(Settings.from_environment(os.environ[ENVIRONMENT]))
    freeze_heap()
    return app


def freeze_heap() -> None:
    """Put what was built at start (modules, the agreements and their indexes, the app), which
    lives as long as the server process, out of the garbage collector's sight: the collections
    that a request's allocations set off then walk only what requests made, not the whole heap.
    For a server process only (what is frozen is never collected)."""
    gc.collect()
    gc.freeze()


def routers() -> list:
    """Every router of the app, in the order they are tried: the JSON routes, then the pages."""
    return [*(m.api for m in FEATURES), api.router, reload.api, authzen.router, pages.router,
            *(m.pages for m in FEATURES)]


@asynccontextmanager
async def _lifespan(app: FastAPI):
    app.state.jobs.start()      # jobs queued before a restart run again
    yield
    app.state.reloader.stop()
    app.state.jobs.shutdown()
    app.state.ledger.close()
    app.state.audit.close()


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


__all__ = ["ENVIRONMENT", "Settings", "app_from_environment", "create_app", "load_catalog",
           "status_of"]
