"""Who may do what: API tokens per party and an admin role, read from a file, stored hashed.

The access file is YAML::

    # termsheet access: tokens are stored hashed; create them with `termsheet token add`
    tokens:
      - {id: 3f9a0c1e, name: finance-desk, role: admin, hash: "scrypt$16384$8$1$<salt>$<key>"}
      - {id: 8b21d4aa, name: microsoft, role: party, party: microsoft, hash: "scrypt$..."}

A token reads ``ts_<id>_<secret>``: the id picks the entry, so a request costs one scrypt at
most, and the secret is checked against the salted hash. A verified token is remembered under a
keyed digest for ``VERIFIED_FOR`` seconds (at most ``VERIFIED_KEPT`` of them), so that scrypt runs
once per token and period, not once per request: a request with a token seen lately costs one
keyed SHA-256 and a dictionary lookup.

Roles: ``admin`` may do everything, including uploading versions and settling; ``party`` may read
agreements, decide, simulate and diff, and sees only the statements and ledger entries where its
party is payer or payee. Without an access file the server is *open*: every request acts as admin,
which ``termsheet serve`` allows only on a loopback address.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import yaml
from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.requests import cookie_parser

from ..api import write_atomic
from ..api import Problem, TermsheetError
from .errors import HttpProblem

Role = Literal["admin", "party"]
SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}
TOKEN_PREFIX = "ts_"
COOKIE = "termsheet_token"
VERIFIED_FOR = 300.0      # seconds a verified token is trusted before scrypt checks it again
VERIFIED_KEPT = 10_000    # verified tokens remembered at most (the oldest are dropped first)
# Declares the scheme in the OpenAPI document; the token itself is read by request_token.
BEARER = HTTPBearer(auto_error=False, scheme_name="token",
                    description="An API token, ts_<id>_<secret> (`termsheet token add`)")


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is asking: a named token with a role, and for role ``party`` the party it speaks for."""

    name: str
    role: Role
    party: str | None = None
    id: str | None = None      # the token's id (the audit log's "who"); None: the open server

    @property
    def admin(self) -> bool:
        return self.role == "admin"

    def sees(self, *parties: str | None) -> bool:
        """Whether a record between these parties (payer, payee) may be shown to this principal."""
        return self.admin or (self.party is not None and self.party in parties)


OPEN = Principal("local", "admin")


@dataclass(frozen=True, slots=True)
class TokenEntry:
    id: str
    name: str
    role: Role
    hash: str
    party: str | None = None

    def principal(self) -> Principal:
        return Principal(self.name, self.role, self.party, self.id)


# ------------------------------------------------------------------------------------------------
# hashing


def hash_secret(secret: str, salt: bytes | None = None) -> str:
    salt = salt or secrets.token_bytes(16)
    key = hashlib.scrypt(secret.encode(), salt=salt, dklen=32, maxmem=64 * 1024 * 1024, **SCRYPT)
    return f"scrypt${SCRYPT['n']}${SCRYPT['r']}${SCRYPT['p']}${salt.hex()}${key.hex()}"


def verify_secret(secret: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, key = stored.split("$")
        if scheme != "scrypt":
            return False
        got = hashlib.scrypt(secret.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r),
                             p=int(p), dklen=len(key) // 2, maxmem=64 * 1024 * 1024)
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(got.hex(), key)


def new_token() -> tuple[str, str, str]:
    """(token id, secret, the token as handed to its holder)."""
    token_id, secret = secrets.token_hex(4), secrets.token_urlsafe(32)
    return token_id, secret, f"{TOKEN_PREFIX}{token_id}_{secret}"


def split_token(token: str) -> tuple[str, str] | None:
    if not token.startswith(TOKEN_PREFIX):
        return None
    token_id, sep, secret = token[len(TOKEN_PREFIX):].partition("_")
    return (token_id, secret) if sep and token_id and secret else None


# ------------------------------------------------------------------------------------------------
# the access file


def read_entries(path: str | Path) -> list[TokenEntry]:
    path = Path(path)
    if not path.exists():
        return []
    from ..api import not_a_file
    if (problem := not_a_file(path, "an access file (YAML)")):
        raise TermsheetError([problem])
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8-sig")) or {}
    except (OSError, UnicodeDecodeError) as err:
        raise TermsheetError([Problem("E004", f"cannot read the access file: {err}",
                                      str(path))]) from None
    except yaml.YAMLError as err:
        raise TermsheetError([Problem("E001", f"YAML syntax error in access file: {err}",
                                      str(path))])
    shape = "an access file is a mapping with a list of tokens: 'tokens: [{id, name, role, hash}]'"
    if not isinstance(data, dict):
        raise TermsheetError([Problem("E023", f"the access file holds a {_kind(data)}, not a "
                                      "mapping", str(path), hint=shape)])
    tokens = data.get("tokens") or []
    if not isinstance(tokens, list):
        raise TermsheetError([Problem("E023", f"'tokens' is a {_kind(tokens)}, not a list",
                                      str(path), hint=shape)])
    entries, problems = [], []
    for index, item in enumerate(tokens):
        if not isinstance(item, dict):
            problems.append(Problem("E023", f"token {index + 1} is a {_kind(item)}, not a "
                                    "mapping", str(path), hint=shape))
            continue
        try:
            entry = TokenEntry(id=str(item["id"]), name=str(item["name"]), role=item["role"],
                               hash=str(item["hash"]), party=item.get("party"))
        except (KeyError, TypeError) as err:
            problems.append(Problem("E021", f"token {index + 1} lacks {err}", str(path)))
            continue
        if entry.role not in ("admin", "party") or (entry.role == "party") != bool(entry.party):
            problems.append(Problem("E023", f"token '{entry.name}': role must be admin, or "
                                    "party with a party id", str(path)))
            continue
        entries.append(entry)
    if problems:
        raise TermsheetError(problems)
    return entries


def _kind(value) -> str:
    return {str: "text", list: "list", int: "number", float: "number", bool: "yes/no",
            type(None): "nothing"}.get(type(value), type(value).__name__)


def write_entries(path: str | Path, entries: list[TokenEntry]) -> None:
    rows = []
    for e in entries:
        row = {"id": e.id, "name": e.name, "role": e.role}
        if e.party:
            row["party"] = e.party
        rows.append({**row, "hash": e.hash})
    text = ("# termsheet access: tokens are stored hashed; create them with "
            "`termsheet token add`\n" + yaml.safe_dump({"tokens": rows}, sort_keys=False))
    write_atomic(Path(path), text)


def add_token(path: str | Path, name: str, role: Role, party: str | None = None) -> str:
    """Add a token to the access file; returns the token, which is shown only this once."""
    entries = [e for e in read_entries(path) if e.name != name]
    token_id, secret, token = new_token()
    entries.append(TokenEntry(token_id, name, role, hash_secret(secret), party))
    write_entries(path, entries)
    return token


def remove_token(path: str | Path, name: str) -> bool:
    entries = read_entries(path)
    kept = [e for e in entries if e.name != name]
    write_entries(path, kept)
    return len(kept) != len(entries)


# ------------------------------------------------------------------------------------------------
# requests


class Access:
    """Resolves the principal of a request; ``Access(None)`` is the open server."""

    def __init__(self, entries: list[TokenEntry] | None, ttl: float = VERIFIED_FOR):
        self.open = entries is None
        self.entries = {e.id: e for e in entries or []}
        self.ttl = ttl
        self._key = secrets.token_bytes(32)
        self._verified: dict[bytes, tuple[Principal, float]] = {}   # digest -> (who, until)
        self.checking: dict[bytes, object] = {}   # digest -> the check under way (a future)
        # an unknown id is checked against this, so that it takes as long as a wrong secret
        # and the time of an answer does not tell which ids exist
        self._dummy = hash_secret(secrets.token_urlsafe(16)) if self.entries else None

    @classmethod
    def from_file(cls, path: str | Path | None) -> "Access":
        return cls(None if path is None else read_entries(path))

    def principal_for(self, token: str | None) -> Principal | None:
        """The principal a token stands for; None when it is missing or wrong."""
        known, digest = self.remembered(token)
        if known is not None or digest is None:
            return known
        return self.verify(token, digest)

    def remembered(self, token: str | None) -> tuple[Principal | None, bytes | None]:
        """Without hashing anything slow: the principal (open server, or a token verified
        before), or None and the token's digest when it still has to be checked."""
        if self.open:
            return OPEN, None
        if not token:
            return None, None
        # keyed BLAKE2b (a MAC by design; a few times cheaper than HMAC-SHA-256 here)
        digest = hashlib.blake2b(token.encode(), key=self._key, digest_size=32).digest()
        hit = self._verified.get(digest)
        if hit is not None and hit[1] > time.monotonic():
            return hit[0], digest
        return None, digest

    def verify(self, token: str, digest: bytes) -> Principal | None:
        """Check a token against its entry's scrypt hash (slow on purpose) and remember it."""
        parts = split_token(token)
        entry = self.entries.get(parts[0]) if parts else None
        if entry is None:
            if self._dummy is not None:
                verify_secret(parts[1] if parts else token, self._dummy)
            return None
        if not verify_secret(parts[1], entry.hash):
            return None
        principal = entry.principal()
        while len(self._verified) >= VERIFIED_KEPT:
            self._verified.pop(next(iter(self._verified), None), None)
        self._verified.pop(digest, None)   # re-inserted last: the oldest stay first in line
        self._verified[digest] = (principal, time.monotonic() + self.ttl)
        return principal


def request_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.cookies.get(COOKIE)


def current(request: Request) -> Principal | None:
    """The principal of a request, or None for an anonymous one (blocking: for pages)."""
    access: Access = request.app.state.access
    return access.principal_for(request_token(request))


async def resolve(request: Request) -> Principal | None:
    """The principal of a request without blocking the event loop: a token seen before costs
    one keyed SHA-256; a new one is checked against its scrypt hash on a worker thread, once,
    however many requests bring it at the same moment. A request the middleware has already
    checked (a POST to a server with tokens) is not checked again."""
    found = request.scope.get(SCOPE_KEY)
    if found is not None:
        return found[1]
    return await resolve_token(request.app.state.access, request_token(request))


# Where the middleware (web/security.py, Guard) leaves the token it read and the principal it
# verified, so that nothing after it reads or checks the token again: (token, principal).
SCOPE_KEY = "termsheet.principal"


def scope_token(headers) -> str | None:
    """The token of a request from its ASGI headers: the bearer header, else the cookie."""
    cookie = None
    for name, value in headers:
        if name == b"authorization":
            scheme, _, rest = value.decode("latin-1").partition(" ")
            if scheme.lower() == "bearer" and rest.strip():
                return rest.strip()
        elif name == b"cookie":
            cookie = value.decode("latin-1")
    return cookie_parser(cookie).get(COOKIE) if cookie else None


async def principal_of(scope) -> tuple[str | None, Principal | None]:
    """(token, principal) of an ASGI request: as the middleware found them, else resolved."""
    found = scope.get(SCOPE_KEY)
    if found is not None:
        return found
    token = scope_token(scope["headers"])
    return token, await resolve_token(scope["app"].state.access, token)


async def resolve_token(access: Access, token: str | None) -> Principal | None:
    """:func:`resolve` for a token already read from its request."""
    import asyncio

    from starlette.concurrency import run_in_threadpool
    known, digest = access.remembered(token)
    if known is not None or digest is None:
        return known
    pending = access.checking.get(digest)
    if pending is None:
        pending = asyncio.ensure_future(run_in_threadpool(access.verify, token, digest))
        access.checking[digest] = pending
        pending.add_done_callback(lambda _: access.checking.pop(digest, None))
    return await asyncio.shield(pending)


async def authenticated(request: Request,
                        _: HTTPAuthorizationCredentials | None = Security(BEARER)) -> Principal:
    """A FastAPI dependency: any valid token; 401 otherwise."""
    principal = await resolve(request)
    if principal is None:
        had_token = request_token(request) is not None
        raise HttpProblem(401, "the token is not valid" if had_token else "a token is required",
                          path=request.url.path,
                          hint="send 'Authorization: Bearer ts_...' (see `termsheet token add`)",
                          headers={"WWW-Authenticate": 'Bearer realm="termsheet"'})
    return principal


async def admin(request: Request,
                _: HTTPAuthorizationCredentials | None = Security(BEARER)) -> Principal:
    """A FastAPI dependency: the admin role; 401 without a token, 403 with a party's token."""
    principal = await authenticated(request)
    if not principal.admin:
        raise HttpProblem(403, f"'{principal.name}' may not do this: only admin may",
                          path=request.url.path,
                          hint="uploading versions and settling take an admin token")
    return principal
