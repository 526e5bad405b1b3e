"""What guards every request before a route sees it, and what every answer carries.

:class:`Guard` is one ASGI middleware, in this order:

1. **Host**: a request whose ``Host`` is not an allowed host name is refused (400), so that a
   page of another site whose name was made to resolve to this server (DNS rebinding) cannot read
   or change anything. Allowed by default: ``localhost``, ``127.0.0.1``, ``::1`` and the host the
   server is bound to; ``termsheet serve --allow-host NAME`` adds names.
2. **Origin**: a state-changing request (POST, PUT, PATCH, DELETE) that a browser marks as coming
   from another origin (``Origin`` not this server's own, or ``Sec-Fetch-Site: cross-site``) is
   refused (403), even on an open server, which has no token to check.
3. **Rate of failures**: a client (by address) that has failed a token check or a sign-in
   ``FAILURES`` times within ``WINDOW`` seconds is answered 429 with ``Retry-After`` until the
   oldest failure leaves the window; a token verified before still passes.
4. **Token before body**: on a server with an access file, a state-changing request must bring a
   valid token in its headers (``Authorization`` or the sign-in cookie), checked before a byte of
   its body is read; without one it is answered 401 (a page: sent to sign in). ``/login`` itself
   takes its token in the form.

Every answer carries ``Content-Security-Policy`` (scripts, styles, images and forms from this
server only; no inline script; no framing), ``X-Content-Type-Options: nosniff``,
``X-Frame-Options: DENY`` and ``Referrer-Policy: same-origin``.

CSRF: every form of the pages carries a token (``csrf_token``) that must equal the value of the
``termsheet_csrf`` cookie, which the server sets (HttpOnly, SameSite=Strict) with the first page it
renders; :func:`csrf_checked` refuses a form posted without it (403). A site elsewhere can neither
read the cookie nor set it for this server, so it cannot write the form.
"""

from __future__ import annotations

import hmac
import json
import secrets
import time
from collections import deque
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Form, Request

from ..api import Problem, render_json
from .access import SCOPE_KEY
from .errors import HttpProblem

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
DEFAULT_HOSTS = ("localhost", "127.0.0.1", "::1")
CSRF_COOKIE = "termsheet_csrf"
CSRF_FIELD = "csrf_token"
FAILURES = 10          # failed token checks or sign-ins per client ...
WINDOW = 60.0          # ... within this many seconds, then 429
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = [(b"content-security-policy", CSP.encode()),
           (b"x-content-type-options", b"nosniff"),
           (b"x-frame-options", b"DENY"),
           (b"referrer-policy", b"same-origin")]
API_PREFIXES = ("/api/", "/access/", "/.well-known/", "/openapi.json", "/jobs/")


def host_name(host: str) -> str:
    """``Host`` header -> the name alone, lower case: ``[::1]:8000`` -> ``::1``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1:host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


class FailureLimit:
    """Failed token checks per client: at most ``limit`` within ``window`` seconds."""

    def __init__(self, limit: int = FAILURES, window: float = WINDOW, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self.failures: dict[str, deque[float]] = {}

    def _recent(self, key: str) -> deque[float]:
        times = self.failures.get(key)
        if times is None:
            return deque()
        horizon = self.clock() - self.window
        while times and times[0] <= horizon:
            times.popleft()
        if not times:
            self.failures.pop(key, None)
        return times

    def retry_after(self, key: str) -> int:
        """Seconds until ``key`` may try again; 0 when it may now."""
        times = self._recent(key)
        if len(times) < self.limit:
            return 0
        return max(1, int(times[-self.limit] + self.window - self.clock() + 0.999))

    def fail(self, key: str) -> None:
        times = self._recent(key)
        times.append(self.clock())
        self.failures[key] = times
        while len(times) > self.limit:
            times.popleft()
        if len(self.failures) > 100_000:   # bounded memory under a flood of addresses
            self.failures.pop(next(iter(self.failures)))


class Guard:
    """The ASGI middleware described above; ``app_state`` is the FastAPI app's state."""

    def __init__(self, app, allowed_hosts: tuple[str, ...] | None, app_state,
                 limiter: FailureLimit | None = None):
        self.app = app
        self.allowed = None if allowed_hosts is None else {host_name(h) for h in allowed_hosts}
        self.state = app_state
        self.limiter = limiter or FailureLimit()

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        path = scope["path"]

        async def send_secured(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *HEADERS]}
            await send(message)

        host = headers.get("host", "")
        if self.allowed is not None and host_name(host) not in self.allowed:
            await _refuse(send_secured, 400, f"host '{host[:100]}' is not served here", path,
                          "ask the server's own address; its operator can add a name with "
                          "`termsheet serve --allow-host NAME`")
            return
        changing = scope["method"] not in SAFE_METHODS
        if changing and not _same_origin(headers, host):
            await _refuse(send_secured, 403, "a request from another site may not change "
                          "anything here", path, "use the server's own pages, or a client "
                          "that is not a browser, with a token")
            return
        access = self.state.access
        token = _token(headers)
        client = (scope.get("client") or ("?", 0))[0]
        signing_in = changing and path == "/login"
        credentials = token is not None or signing_in
        # one keyed digest of the token, for the whole request (see access.SCOPE_KEY)
        known = access.remembered(token)[0] if token is not None else None
        if credentials and known is None:
            wait = self.limiter.retry_after(client)
            if wait:
                await _refuse(send_secured, 429, f"too many failed sign-ins or token checks "
                              f"from this address: try again in {wait} s", path,
                              f"wait {wait} seconds", {b"retry-after": str(wait).encode()})
                return
        if changing and not access.open and not signing_in:
            principal = known if known is not None else await _verify(access, token)
            if principal is None:
                if token is not None:
                    self.limiter.fail(client)
                await self._unauthenticated(scope, send_secured, token is not None)
                return
            scope[SCOPE_KEY] = (token, principal)

        async def watched(message):
            if message["type"] == "http.response.start" and message["status"] == 401 \
                    and credentials:
                self.limiter.fail(client)
            await send_secured(message)

        await self.app(scope, receive, watched)

    async def _unauthenticated(self, scope, send, had_token: bool) -> None:
        path = scope["path"]
        if not path.startswith(API_PREFIXES) and scope["method"] == "POST":
            # a page's form: sign in first, then come back to the page
            target = f"/login?next={quote(path)}".encode()
            await send({"type": "http.response.start", "status": 303,
                        "headers": [(b"location", target), (b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        await _refuse(send, 401, "the token is not valid" if had_token else "a token is "
                      "required", path, "send 'Authorization: Bearer ts_...' (see `termsheet "
                      "token add`)", {b"www-authenticate": b'Bearer realm="termsheet"'})


async def _verify(access, token: str | None):
    """The principal of a token, without blocking the event loop."""
    from .access import resolve_token
    return None if token is None else await resolve_token(access, token)


_READ = frozenset({b"host", b"origin", b"sec-fetch-site", b"authorization", b"cookie"})


def _headers(scope) -> dict[str, str]:
    """The headers the guard reads (the first of each), decoded."""
    out: dict[str, str] = {}
    for name, value in scope.get("headers") or []:
        name = name.lower()
        if name in _READ:
            key = name.decode("latin-1")
            if key not in out:
                out[key] = value.decode("latin-1")
    return out


def _token(headers: dict[str, str]) -> str | None:
    from .access import COOKIE
    scheme, _, value = headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return _cookies(headers).get(COOKIE)


def _cookies(headers: dict[str, str]) -> dict[str, str]:
    from http.cookies import SimpleCookie
    jar = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:   # a malformed Cookie header is no cookie
        return {}
    return {name: morsel.value for name, morsel in jar.items()}


def _same_origin(headers: dict[str, str], host: str) -> bool:
    """Whether a browser says the request comes from this server's own pages. A client that is
    not a browser sends neither header and is judged by its token alone."""
    origin = headers.get("origin")
    if origin is not None:
        parts = urlsplit(origin)
        return origin != "null" and bool(parts.netloc) \
            and parts.netloc.lower() == host.strip().lower()
    return headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


async def _refuse(send, status: int, message: str, path: str, hint: str,
                  extra: dict[bytes, bytes] | None = None) -> None:
    body = json.dumps(render_json([Problem(f"E{status}", message, path, 1, 1, None, hint)]))
    headers = [(b"content-type", b"application/json"),
               (b"content-length", str(len(body.encode())).encode()), *(extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body.encode()})


# ------------------------------------------------------------------------------------------------
# CSRF


def csrf_token(request: Request) -> tuple[str, bool]:
    """The CSRF token for the forms of a page: the cookie's value, or a new one (then True: the
    response must set the cookie)."""
    value = request.cookies.get(CSRF_COOKIE)
    if value and 20 <= len(value) <= 100:
        return value, False
    return secrets.token_urlsafe(32), True


def set_csrf_cookie(request: Request, response, value: str) -> None:
    response.set_cookie(CSRF_COOKIE, value, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")


async def csrf_checked(request: Request,
                       csrf_token: Annotated[str | None, Form(max_length=100)] = None) -> None:
    """A dependency of every page that takes a form: the form's token must match the cookie."""
    cookie = request.cookies.get(CSRF_COOKIE)
    if not cookie or not csrf_token or not hmac.compare_digest(cookie.encode(),
                                                               csrf_token.encode()):
        raise HttpProblem(403, "the form has no valid CSRF token", path=request.url.path,
                          hint="reload the page and submit its form again")
