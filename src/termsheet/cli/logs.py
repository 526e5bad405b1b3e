"""Logging for the command line and the server it runs: ``-v`` (info), ``-vv`` (debug) to stderr,
as text or, with ``--log-json``, as one JSON object per line. Loggers are named ``termsheet.*``;
the server's request log is ``termsheet.web.requests``."""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone

# the fields a record may carry beyond the message (extra={...}), in the order they are shown
FIELDS = ("method", "path", "status", "ms", "token", "client")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        data = {"time": datetime.fromtimestamp(record.created, timezone.utc)
                .isoformat(timespec="milliseconds"),
                "level": record.levelname.lower(), "logger": record.name,
                "message": record.getMessage()}
        data.update({name: getattr(record, name) for name in FIELDS if hasattr(record, name)})
        if record.exc_info:
            data["error"] = self.formatException(record.exc_info)
        return json.dumps(data, ensure_ascii=False, default=str)


def configure(verbose: int = 1, as_json: bool = False) -> None:
    """Send termsheet's logs to stderr: info with one -v, debug with two."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter() if as_json else
                         logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    logger = logging.getLogger("termsheet")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG if verbose >= 2 else logging.INFO)
    logger.propagate = False
