"""One log record per request: method, path, status, time and the id of the token used.

A token is ``ts_<id>_<secret>``; only its id (the public half, also in the access file) is logged,
never the secret. Records go to the ``termsheet.web.requests`` logger at info level, with the
fields as attributes (``method``, ``path``, ``status``, ``ms``, ``token``) for JSON logs; nothing
is done when that level is off.
"""

from __future__ import annotations

import logging
import time
from http.cookies import CookieError, SimpleCookie

from .access import COOKIE, SCOPE_KEY, split_token

logger = logging.getLogger("termsheet.web.requests")


def token_id(headers: list[tuple[bytes, bytes]]) -> str | None:
    """The id of the token a request carries (bearer header, else the session cookie)."""
    token = None
    for name, value in headers:
        if name == b"authorization":
            scheme, _, rest = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and rest.strip():
                token = rest.strip()
                break
        elif name == b"cookie" and token is None:
            try:
                morsel = SimpleCookie(value.decode("latin-1")).get(COOKIE)
            except CookieError:
                morsel = None
            token = morsel.value if morsel else None
    parts = split_token(token) if token else None
    return parts[0] if parts else ("(malformed)" if token else None)


class RequestLog:
    """ASGI middleware: times each HTTP request and logs it when it is done."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not logger.isEnabledFor(logging.INFO):
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # unless a response starts

        async def sending(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            ms = round((time.perf_counter() - start) * 1000, 1)
            method, path = scope["method"], scope["path"]
            found = scope.get(SCOPE_KEY)    # the token the guard verified: not read again
            parts = split_token(found[0]) if found is not None and found[0] else None
            token = parts[0] if parts else token_id(scope.get("headers") or [])
            logger.info("%s %s %s %.1f ms%s", method, path, status, ms,
                        f" token {token}" if token else "",
                        extra={"method": method, "path": path, "status": status, "ms": ms,
                               "token": token})
