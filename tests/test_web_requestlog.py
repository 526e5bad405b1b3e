"""The server logs each request: method, path, status, time, the token's id, never its secret."""

from __future__ import annotations

import json
import logging
import shutil

from web_helpers import api_client, make_access


def test_each_request_is_logged_without_the_secret(tmp_path, flagship_dir, caplog):
    from termsheet.web import Settings, create_app
    shutil.copytree(flagship_dir, tmp_path / "agreements" / "openai-microsoft")
    tokens = make_access(tmp_path / "access.yaml")
    app = create_app(Settings(agreements=tmp_path / "agreements",
                              access=tmp_path / "access.yaml"))
    token_id, secret = tokens.openai.removeprefix("ts_").split("_", 1)
    with caplog.at_level(logging.INFO, logger="termsheet.web.requests"), api_client(app) as client:
        assert client.get("/api/agreements", headers=tokens.header("openai")).status_code == 200
        assert client.get("/api/agreements").status_code == 401
        assert client.get("/api/agreements/nothing-here",
                          headers=tokens.header("admin")).status_code == 404
    records = [r for r in caplog.records if r.name == "termsheet.web.requests"]
    assert [(r.method, r.path, r.status, r.token) for r in records] == [
        ("GET", "/api/agreements", 200, token_id),
        ("GET", "/api/agreements", 401, None),
        ("GET", "/api/agreements/nothing-here", 404,
         tokens.admin.removeprefix("ts_").split("_", 1)[0]),
    ]
    assert all(r.ms >= 0 for r in records)
    text = caplog.text
    assert secret not in text and tokens.openai not in text
    assert "GET /api/agreements 200" in records[0].getMessage()


def test_json_log_lines(capsys):
    from termsheet.cli.logs import configure
    configure(1, as_json=True)
    try:
        logging.getLogger("termsheet.web.requests").info(
            "GET / 200 1.0 ms", extra={"method": "GET", "path": "/", "status": 200, "ms": 1.0,
                                       "token": "ab12cd34"})
    finally:
        logging.getLogger("termsheet").handlers[:] = []
        logging.getLogger("termsheet").propagate = True
        logging.getLogger("termsheet").setLevel(logging.NOTSET)
    line = json.loads(capsys.readouterr().err.strip())
    assert {k: line[k] for k in ("level", "logger", "method", "path", "status", "ms", "token")} \
        == {"level": "info", "logger": "termsheet.web.requests", "method": "GET", "path": "/",
            "status": 200, "ms": 1.0, "token": "ab12cd34"}
