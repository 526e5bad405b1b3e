"""Limits on request size: a body larger than its route allows is refused with 413 before it is
read into memory (from Content-Length when given, else while it streams)."""

from __future__ import annotations

import json

from fastapi import HTTPException

from ..agreement.problems import Problem, render_json

DEFAULT_LIMIT = 1_000_000            # JSON requests: documents, decisions, plans
UPLOAD_LIMIT = 50_000_000            # settlement data
BATCH_LIMIT = 10_000_000             # 10,000 decisions or evaluations of up to 1,000 bytes each


class TooLarge(HTTPException):
    """Raised while the body streams in; an HTTPException, so that FastAPI's body reader passes
    it on unchanged and the one error shape reports it."""

    def __init__(self, limit: int):
        super().__init__(413, f"request body over the limit of {limit:,} bytes")


class BodyLimit:
    """ASGI middleware: ``limits`` maps a part of a path (``/settle``) to its byte limit; other
    paths get ``default``."""

    def __init__(self, app, default: int = DEFAULT_LIMIT, limits: dict[str, int] | None = None):
        self.app = app
        self.default = default
        self.limits = sorted((limits or {}).items(), key=lambda item: -len(item[0]))

    def limit_for(self, path: str) -> int:
        for part, limit in self.limits:
            if part in path:
                return limit
        return self.default

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
