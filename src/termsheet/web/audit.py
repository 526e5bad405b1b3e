"""The audit log: one JSON line per decision and per settlement action, rotated by size.

``termsheet serve --audit-log FILE`` (``Settings.audit_log``) writes, for every decision (the
decide API, its batches, plans, AuthZEN evaluations and the decision page) and every settlement
(JSON rows, uploaded files, the statements page's form), whether it succeeded or was refused::

    {"at": "2026-12-02T02:10:00.123456+00:00", "who": "8b21d4aa", "name": "microsoft-finance",
     "role": "party", "party": "microsoft", "action": "decide",
     "route": "/api/agreements/openai-microsoft/decide", "agreement": "openai-microsoft",
     "what": {"action": "distribute", ...}, "answer": {"decision": true, "version": "2026-04-27"}}

``who`` is the token's id (``local`` on an open server); ``at`` is the time of the request (UTC),
the one use of the clock in the server. The file rotates at ``max_bytes`` (10 MB by default),
keeping ``backups`` older files (``FILE.1`` ... ``FILE.5``), with the standard library's
:class:`logging.handlers.RotatingFileHandler`. Without ``--audit-log`` nothing is written.

This is not the request log: it records what was decided and settled, by whom, and the answer.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import logging.handlers
from pathlib import Path
from typing import Any

MAX_BYTES = 10_000_000
BACKUPS = 5


class AuditLog:
    """Writes audit records as JSON lines to a rotated file; ``AuditLog(None)`` writes nothing."""

    def __init__(self, path: str | Path | None, max_bytes: int = MAX_BYTES,
                 backups: int = BACKUPS):
        self.path = Path(path) if path is not None else None
        self.logger: logging.Logger | None = None
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(self.path, maxBytes=max_bytes,
                                                       backupCount=backups, encoding="utf-8")
        handler.setFormatter(logging.Formatter("%(message)s"))
        # a logger of its own per file, which passes nothing on to the application's loggers
        self.logger = logging.getLogger(f"termsheet.audit.{self.path.resolve()}")
        self.logger.handlers[:] = [handler]
        self.logger.setLevel(logging.INFO)
        self.logger.propagate = False

    @property
    def on(self) -> bool:
        return self.logger is not None

    def record(self, request, principal, action: str, what: Any, answer: Any,
               agreement: str | None = None) -> None:
        if self.logger is None:
            return
        self.write(principal, action, request.url.path,
                   agreement or request.path_params.get("agreement"), what, answer)

    def write(self, principal, action: str, route: str, agreement: str | None, what: Any,
              answer: Any) -> None:
        if self.logger is None:
            return
        entry = {"at": dt.datetime.now(dt.timezone.utc).isoformat(),
                 "who": (principal.id or "local") if principal is not None else None,
                 "name": getattr(principal, "name", None),
                 "role": getattr(principal, "role", None),
                 "party": getattr(principal, "party", None),
                 "action": action, "route": route, "agreement": agreement,
                 "what": what, "answer": answer}
        self.logger.info(json.dumps(entry, default=str, ensure_ascii=False))

    def close(self) -> None:
        if self.logger is not None:
            for handler in self.logger.handlers:
                handler.close()
            self.logger.handlers[:] = []


def audit(request, principal, action: str, what: Any, answer: Any,
          agreement: str | None = None) -> None:
    """Record one action in the app's audit log (if it keeps one)."""
    log: AuditLog | None = getattr(request.app.state, "audit", None)
    if log is not None and log.on:
        log.record(request, principal, action, what, answer, agreement)


def decision_answer(answer: dict[str, Any]) -> dict[str, Any]:
    """The part of a decision the log keeps: yes or no, and the version that decided."""
    context = answer.get("context") or {}
    return {"decision": answer.get("decision"), "version": context.get("version"),
            "clauses": context.get("clauses")}


def problems_of(err: Exception) -> dict[str, Any]:
    """The answer of a refused action: its problems' codes and messages."""
    problems = getattr(err, "problems", None) or []
    return {"ok": False, "errors": [{"code": p.code, "message": p.message} for p in problems]
            or [{"code": type(err).__name__, "message": str(err)[:300]}]}
