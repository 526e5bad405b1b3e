"""Shared by the tests of the web surface: an access file with one token per role, a live server
on 127.0.0.1 in a thread, and a Chromium launched from the system's package."""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


@dataclass(frozen=True)
class Tokens:
    admin: str
    openai: str
    microsoft: str
    amazon: str  # a party to no agreement on the server

    def header(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {getattr(self, who)}"}


def make_access(path: Path) -> Tokens:
    from termsheet.web.access import add_token
    return Tokens(admin=add_token(path, "finance-desk", "admin"),
                  openai=add_token(path, "openai-finance", "party", "openai"),
                  microsoft=add_token(path, "microsoft-finance", "party", "microsoft"),
                  amazon=add_token(path, "amazon-partner", "party", "amazon"))


class LiveServer:
    """uvicorn serving an app on 127.0.0.1 and a free port, in a daemon thread."""

    def __init__(self, app):
        import uvicorn
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]},
                                       daemon=True)

    def __enter__(self) -> "LiveServer":
        self.thread.start()
        deadline = time.monotonic() + 15
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


def api_client(app):
    """FastAPI's TestClient (httpx underneath), imported without its deprecation notice."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    # the server answers only the host names it allows (localhost, 127.0.0.1, ::1 by default)
    return TestClient(app, base_url="http://127.0.0.1")


def csrf_of(client, page: str = "/login") -> str:
    """The CSRF token a page's forms carry (the page also sets the cookie it must match)."""
    import re
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(page).text)
    assert found, f"no CSRF token on {page}"
    return found.group(1)


def launch_chromium(playwright):
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
