"""Limits on request size: a body larger than its route allows is refused with 413 before it is
read into memory (from Content-Length when given, else while it streams).

Each route has its limit (:func:`route_limits`): settlement uploads ``--max-upload``, batches of
decisions and evaluations 10,000,000 bytes, every other body ``--max-body``. A route is matched by its
whole path, never by a part of it."""

from __future__ import annotations

import json
import re

from fastapi import HTTPException

from ..api import Problem, render_json

DEFAULT_LIMIT = 1_000_000            # JSON requests: documents, decisions, plans
UPLOAD_LIMIT = 50_000_000            # settlement data
BATCH_LIMIT = 10_000_000             # 10,000 decisions or evaluations of up to 1,000 bytes each


def route_limits(default: int, upload: int) -> dict[str, int]:
    """Whole-path patterns of the routes whose bodies may be larger than ``default``."""
    return {r"/api/agreements/[^/]+/settle(/files)?": upload,
            r"/agreements/[^/]+/settle": upload,
            r"/api/agreements/[^/]+/decide/batch": BATCH_LIMIT,
            r"/access/v1/evaluations": BATCH_LIMIT}


class TooLarge(HTTPException):
    """Raised while the body streams in; an HTTPException, so that FastAPI's body reader passes
    it on unchanged and the one error shape reports it."""

    def __init__(self, limit: int):
        super().__init__(413, f"request body over the limit of {limit:,} bytes")


class BodyLimit:
    """ASGI middleware: ``limits`` maps a pattern of a whole path to its byte limit; other paths
    get ``default``."""

    def __init__(self, app, default: int = DEFAULT_LIMIT, limits: dict[str, int] | None = None):
        self.app = app
        self.default = default
        self.limits = [(re.compile(pattern), limit) for pattern, limit in (limits or {}).items()]
        self._known: dict[str, int] = {}

    def limit_for(self, path: str) -> int:
        known = self._known.get(path)
        if known is not None:
            return known
        found = self.default
        for pattern, limit in self.limits:
            if pattern.fullmatch(path):
                found = limit
                break
        if len(self._known) < 4096:   # the paths asked most (a client chooses them: bounded)
            self._known[path] = found
        return found

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope["path"])
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            await _refuse(scope, send, limit)
            return
        received = 0
        started = False

        async def counted():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise TooLarge(limit)
            return message

        async def tracked_send(message):
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted, tracked_send)
        except TooLarge:
            if not started:
                await _refuse(scope, send, limit)


async def _refuse(scope, send, limit: int) -> None:
    problem = Problem("E413", f"request body over the limit of {limit:,} bytes", scope["path"],
                      1, 1, None, "send less data per request, or start the server with a "
                                  "larger --max-body")
    body = json.dumps(render_json([problem])).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
