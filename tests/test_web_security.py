"""The server's guards: the token before the body, hosts and origins, CSRF tokens on forms,
security headers, the rate of failed tokens, runs and tokens that leak nothing, the audit log.

The three-party agreement (tests/cases/web/three-party): Acme pays North 10% of its sales on
North's cloud and South 15% of its sales on South's cloud. 1,000.00 sold on North's cloud in March
2026 is a statement Acme -> North of 100.00; 2,000.00 on South's cloud in April, Acme -> South of
300.00.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path

import pytest

from web_helpers import api_client, csrf_of, make_access

pytestmark = pytest.mark.xdist_group("test_web_security")

HERE = Path(__file__).parent
THREE = HERE / "cases" / "web" / "three-party"
ROOT = HERE.parent
FLAGSHIP = ROOT / "agreements" / "openai-microsoft"
T = "/api/agreements/three-party"
NORTH_ROW = {"date": "2026-03-05", "seller": "acme", "channel": "north-cloud",
             "product": "widget-api", "amount": "1000.00", "currency": "USD"}
SOUTH_ROW = {**NORTH_ROW, "date": "2026-04-09", "channel": "south-cloud", "amount": "2000.00"}
CSV = ("date,seller,channel,product,amount,currency\n"
       "2026-03-05,acme,north-cloud,widget-api,1000.00,USD\n")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture()
def guarded(tmp_path):
    """A server with an access file and an audit log."""
    from termsheet.web import Settings, create_app
    from termsheet.web.access import add_token
    shutil.copytree(THREE, tmp_path / "agreements" / "three-party")
    shutil.copytree(FLAGSHIP, tmp_path / "agreements" / "openai-microsoft")
    tokens = make_access(tmp_path / "access.yaml")
    extra = {name: add_token(tmp_path / "access.yaml", name, "party", name)
             for name in ("north", "south")}
    app = create_app(Settings(agreements=tmp_path / "agreements",
                              access=tmp_path / "access.yaml",
                              audit_log=tmp_path / "audit" / "audit.jsonl",
                              base_url="https://pdp.example.com"))
    with api_client(app) as client:
        yield client, tokens, extra, tmp_path, app


@pytest.fixture()
def open_server(tmp_path):
    """A local server without an access file: every request acts as admin."""
    from termsheet.web import Settings, create_app
    shutil.copytree(THREE, tmp_path / "open" / "three-party")
    app = create_app(Settings(agreements=tmp_path / "open"))
    with api_client(app) as client:
        yield client, app


# ------------------------------------------------------------------------------------------------
# 14.12: the token before the body; limits per route


def _call(app, path: str, headers: dict[str, str], chunks: int = 48):
    """Call the ASGI app with a 48 MB body in 1 MB chunks; answers (status, chunks read)."""
    read, sent = [], {}
    chunk = b"x" * 1_000_000

    async def receive():
        read.append(1)
        return {"type": "http.request", "body": chunk, "more_body": len(read) < chunks}

    async def send(message):
        if message["type"] == "http.response.start":
            sent["status"] = message["status"]

    raw = [(k.lower().encode(), v.encode()) for k, v in
           {"host": "127.0.0.1", "content-length": str(chunks * len(chunk)), **headers}.items()]
    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1",
             "method": "POST", "scheme": "http", "path": path, "raw_path": path.encode(),
             "query_string": b"", "root_path": "", "headers": raw,
             "client": ("10.0.0.9", 5000), "server": ("127.0.0.1", 8000)}
    asyncio.run(app(scope, receive, send))
    return sent["status"], len(read)


def test_a_request_without_a_token_is_refused_before_its_body_is_read(guarded):
    _, tokens, _, _, app = guarded
    for path, kind in ((f"{T}/settle/files", "multipart/form-data; boundary=x"),
                       (f"{T}/settle", "application/json"),
                       ("/access/v1/evaluations", "application/json")):
        status, read = _call(app, path, {"content-type": kind})
        assert (status, read) == (401, 0), path
        status, read = _call(app, path, {"content-type": kind, **bearer("ts_0000_wrong")})
        assert (status, read) == (401, 0), path


def test_a_route_is_matched_whole_for_its_body_limit(guarded):
    client, tokens, *_ = guarded
    # an agreement named "settle" does not make a decision route an upload route: 2 MB is over
    # the 1,000,000 bytes of a JSON body
    body = b'{"action": "distribute", "pad": "' + b"x" * 2_000_000 + b'"}'
    response = client.post("/api/agreements/settle/decide", content=body,
                           headers={**bearer(tokens.admin), "content-type": "application/json"})
    assert response.status_code == 413, response.text[:300]


# ------------------------------------------------------------------------------------------------
# 14.14: hosts and origins


def test_a_cross_site_form_cannot_settle_on_an_open_server(open_server):
    client, app = open_server
    form = {"files": ("north.csv", CSV.encode(), "text/csv")}
    attack = client.post("/agreements/three-party/settle", files=form,
                         headers={"Origin": "http://attacker.example"}, follow_redirects=False)
    assert attack.status_code == 403, attack.text[:300]
    fetch = client.post(f"{T}/settle", json={"rows": [NORTH_ROW]},
                        headers={"Sec-Fetch-Site": "cross-site"})
    assert fetch.status_code == 403
    other_port = client.post(f"{T}/settle", json={"rows": [NORTH_ROW]},
                             headers={"Origin": "http://127.0.0.1:3000"})
    assert other_port.status_code == 403
    assert app.state.ledger.runs == {}
    own = client.post(f"{T}/settle", json={"rows": [NORTH_ROW]},
                      headers={"Origin": "http://127.0.0.1"})
    assert own.status_code == 201, own.text[:300]
    assert list(app.state.ledger.runs) == [1]


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:8000",
                                  "127.0.0.1.attacker.example"])
def test_a_host_not_allowed_is_refused(open_server, host):
    client, _ = open_server
    for method, path in (("GET", "/"), ("GET", f"{T}/runs"),
                         ("GET", "/.well-known/authzen-configuration"), ("POST", f"{T}/settle")):
        response = client.request(method, path, headers={"Host": host},
                                  json={"rows": [NORTH_ROW]} if method == "POST" else None)
        assert response.status_code == 400, (method, path, response.status_code)
        assert response.json()["errors"][0]["code"] == "E400"


def test_allowed_hosts_can_be_added(tmp_path):
    from termsheet.web import Settings, create_app
    from termsheet.web.security import DEFAULT_HOSTS
    app = create_app(Settings(agreements=FLAGSHIP,
                              allowed_hosts=(*DEFAULT_HOSTS, "pdp.internal")))
    with api_client(app) as client:
        assert client.get("/api/agreements", headers={"Host": "pdp.internal:8000"}) \
            .status_code == 200
        assert client.get("/api/agreements", headers={"Host": "[::1]:8000"}).status_code == 200
        assert client.get("/api/agreements", headers={"Host": "pdp.other"}).status_code == 400


# ------------------------------------------------------------------------------------------------
# 14.15: runs, token ids, the PDP's metadata


def test_a_party_sees_only_its_own_runs(guarded):
    client, tokens, extra, *_ = guarded
    first = client.post(f"{T}/settle", json={"rows": [NORTH_ROW]}, headers=bearer(tokens.admin))
    second = client.post(f"{T}/settle", json={"rows": [SOUTH_ROW]}, headers=bearer(tokens.admin))
    assert (first.json()["run"], second.json()["run"]) == (1, 2)
    north = client.get(f"{T}/runs", headers=bearer(extra["north"])).json()
    # run 1 posted one entry, Acme -> North 100.00; run 2 is South's business
    assert [(r["run"], r["posted"], r["restated"]) for r in north] == [(1, 1, 0)]
    south = client.get(f"{T}/runs", headers=bearer(extra["south"])).json()
    assert [(r["run"], r["posted"]) for r in south] == [(2, 1)]
    everything = client.get(f"{T}/runs", headers=bearer(tokens.admin)).json()
    assert [r["run"] for r in everything] == [1, 2]
    page = client.get("/agreements/three-party/statements", headers=bearer(extra["north"]))
    assert page.status_code == 200 and "300.00" not in page.text


def test_an_unknown_token_id_costs_a_hash_like_a_known_one(guarded, monkeypatch):
    from termsheet.web import access as access_module
    _, tokens, _, _, app = guarded
    checked = []
    real = access_module.verify_secret
    monkeypatch.setattr(access_module, "verify_secret",
                        lambda secret, stored: checked.append(stored) or real(secret, stored))
    known_id = tokens.admin.split("_")[1]
    access = app.state.access
    for token in (f"ts_{known_id}_wrong-secret", "ts_ffffffff_wrong-secret", "ts_nonsense"):
        _, digest = access.remembered(token)
        assert access.verify(token, digest) is None
    # one scrypt each: against the entry's hash, then twice against the dummy
    assert len(checked) == 3 and checked[1] == checked[2] != checked[0]


def test_the_pdp_metadata_names_the_configured_address(guarded, open_server):
    client, tokens, *_ = guarded
    data = client.get("/.well-known/authzen-configuration",
                      headers={"Host": "localhost:8000"}).json()
    assert data["access_evaluation_endpoint"] == \
        "https://pdp.example.com/access/v1/evaluation"
    plain, _ = open_server
    data = plain.get("/.well-known/authzen-configuration").json()
    assert data["policy_decision_point"] == "http://127.0.0.1"


# ------------------------------------------------------------------------------------------------
# 12.3: CSRF, headers, rate limits


def test_csrf_a_form_without_its_token_is_refused_and_with_it_accepted(guarded):
    client, tokens, *_ = guarded
    refused = client.post("/login", data={"token": tokens.admin, "next": "/"},
                          follow_redirects=False)
    assert refused.status_code == 403 and "CSRF" in refused.text
    token = csrf_of(client)
    wrong = client.post("/login", data={"token": tokens.admin, "next": "/",
                                        "csrf_token": token[::-1]}, follow_redirects=False)
    assert wrong.status_code == 403
    signed_in = client.post("/login", data={"token": tokens.admin, "next": "/",
                                            "csrf_token": token}, follow_redirects=False)
    assert signed_in.status_code == 303 and "termsheet_token" in signed_in.headers["set-cookie"]
    form = {"files": ("north.csv", CSV.encode(), "text/csv")}
    no_token = client.post("/agreements/three-party/settle", files=form,
                           follow_redirects=False)
    assert no_token.status_code == 403
    assert client.get(f"{T}/runs").json() == []
    page_token = csrf_of(client, "/agreements/three-party/statements")
    assert page_token == token      # one token per browser, kept in its cookie
    settled = client.post("/agreements/three-party/settle", files=form,
                          data={"csrf_token": page_token}, follow_redirects=False)
    assert settled.status_code == 303, settled.text[:300]
    assert [r["run"] for r in client.get(f"{T}/runs").json()] == [1]


def test_csrf_on_the_simulation_form(open_server, tmp_path):
    client, _ = open_server
    refused = client.post("/agreements/three-party/simulate", data={"scenario": "x"},
                          follow_redirects=False)
    assert refused.status_code == 403
    token = csrf_of(client, "/agreements/three-party/simulate")
    answered = client.post("/agreements/three-party/simulate",
                           data={"scenario": "x", "csrf_token": token}, follow_redirects=False)
    assert answered.status_code != 403


def test_every_answer_carries_the_security_headers(guarded):
    client, tokens, *_ = guarded
    for response in (client.get("/login"), client.get("/agreements/three-party",
                                                       headers=bearer(tokens.admin)),
                     client.get("/api/agreements"), client.get("/static/termsheet.css"),
                     client.get("/nowhere", headers=bearer(tokens.admin))):
        csp = response.headers["content-security-policy"]
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "unsafe-inline" not in csp
        assert response.headers["x-content-type-options"] == "nosniff"
        assert response.headers["x-frame-options"] == "DENY"


def test_no_page_has_inline_script_or_style(guarded):
    client, tokens, *_ = guarded
    client.post(f"{T}/settle", json={"rows": [NORTH_ROW]}, headers=bearer(tokens.admin))
    for path in ("/login", "/agreements/three-party", "/agreements/three-party/statements",
                 "/agreements/three-party/decide", "/agreements/three-party/simulate",
                 "/agreements/openai-microsoft", "/reference"):
        html = client.get(path, headers=bearer(tokens.admin)).text
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], path
        assert " style=" not in html and "<style" not in html, path
        assert not re.search(r"\son[a-z]+=", html), path


def test_failed_tokens_are_limited_with_429_and_retry_after(guarded):
    client, tokens, *_ = guarded
    assert client.get("/api/agreements", headers=bearer(tokens.admin)).status_code == 200
    statuses = [client.get("/api/agreements", headers=bearer(f"ts_0000000{n % 10}_x"))
                .status_code for n in range(10)]
    assert statuses == [401] * 10
    limited = client.get("/api/agreements", headers=bearer("ts_00000000_y"))
    assert limited.status_code == 429 and 1 <= int(limited.headers["retry-after"]) <= 60
    assert limited.json()["errors"][0]["code"] == "E429"
    # sign-ins from the same address are held back too; a token verified before still works
    token = csrf_of(client)
    login = client.post("/login", data={"token": tokens.admin, "csrf_token": token})
    assert login.status_code == 429
    assert client.get("/api/agreements", headers=bearer(tokens.admin)).status_code == 200


def test_failed_sign_ins_count_and_the_window_passes():
    from termsheet.web.security import FailureLimit
    now = [1000.0]
    limit = FailureLimit(limit=3, window=60, clock=lambda: now[0])
    for step in range(3):
        assert limit.retry_after("a") == 0
        limit.fail("a")
        now[0] += 10
    # failures at 1000, 1010, 1020; at 1030 the oldest leaves the window at 1060
    assert limit.retry_after("a") == 30 and limit.retry_after("b") == 0
    now[0] = 1060.5
    assert limit.retry_after("a") == 0


def test_sign_in_failures_are_rate_limited(guarded):
    client, tokens, *_ = guarded
    token = csrf_of(client)
    statuses = [client.post("/login", data={"token": "ts_1_nope", "csrf_token": token})
                .status_code for _ in range(11)]
    assert statuses == [401] * 10 + [429]


# ------------------------------------------------------------------------------------------------
# 12.3: the audit log


def test_every_decision_and_settlement_is_in_the_audit_log(guarded):
    client, tokens, extra, root, _ = guarded
    admin_id, north_id = tokens.admin.split("_")[1], extra["north"].split("_")[1]
    question = {"subject": {"type": "party", "id": "openai"}, "action": {"name": "distribute"},
                "resource": {"type": "product", "id": "openai-api",
                             "properties": {"channel": "aws"}},
                "context": {"date": "2026-04-01", "agreement": "openai-microsoft"}}
    # before the April 2026 revision the stateless API is Azure-exclusive: no
    assert client.post("/access/v1/evaluation", json=question,
                       headers=bearer(tokens.admin)).json()["decision"] is False
    two = client.post("/access/v1/evaluations", json={"evaluations": [question, question]},
                      headers=bearer(tokens.admin))
    assert two.status_code == 200
    decided = client.post("/api/agreements/openai-microsoft/decide", json={
        "action": "distribute", "party": "openai", "product": "chatgpt", "channel": "aws",
        "date": "2026-04-01"}, headers=bearer(tokens.admin))
    assert decided.json()["decision"] is True
    client.post(f"{T}/settle", json={"rows": [NORTH_ROW]}, headers=bearer(tokens.admin))
    refused = client.post(f"{T}/settle", json={"rows": [NORTH_ROW], "from": "2026-03-31",
                                               "to": "2026-03-01"},
                          headers=bearer(tokens.admin))
    assert refused.status_code == 422
    north = client.get(f"{T}/runs", headers=bearer(extra["north"]))
    assert north.status_code == 200
    lines = [json.loads(line) for line in
             (root / "audit" / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert [(e["action"], e["who"]) for e in lines] == [
        ("evaluate", admin_id), ("evaluate", admin_id), ("evaluate", admin_id),
        ("decide", admin_id), ("settle", admin_id), ("settle", admin_id)]
    assert [e["answer"]["decision"] for e in lines[:4]] == [False, False, False, True]
    assert lines[0]["answer"]["version"] == "2026-02-27"
    assert lines[0]["what"]["resource"]["id"] == "openai-api"
    assert lines[3]["agreement"] == "openai-microsoft" and lines[3]["what"]["product"] == "chatgpt"
    assert lines[4]["answer"] == {"run": 1, "posted": 1, "restated": 0, "balanced": True}
    assert lines[5]["answer"]["ok"] is False and lines[5]["answer"]["errors"][0]["code"] == "E054"
    assert all(e["at"].endswith("+00:00") for e in lines) and north_id not in str(lines)


def test_the_audit_log_rotates(tmp_path):
    from types import SimpleNamespace

    from termsheet.web.audit import AuditLog
    log = AuditLog(tmp_path / "audit.jsonl", max_bytes=600, backups=2)
    request = SimpleNamespace(url=SimpleNamespace(path="/x"), path_params={})
    who = SimpleNamespace(id="abcd1234", name="n", role="admin", party=None)
    for n in range(20):
        log.record(request, who, "decide", {"n": n}, {"decision": True})
    log.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["audit.jsonl", "audit.jsonl.1", "audit.jsonl.2"]
    for name in files:
        for line in (tmp_path / name).read_text().splitlines():
            assert json.loads(line)["who"] == "abcd1234"
    # the newest record is in the current file
    assert '"n": 19' in (tmp_path / "audit.jsonl").read_text()


def test_every_form_that_posts_carries_a_csrf_token_and_every_page_post_checks_it(guarded):
    from termsheet.web.security import csrf_checked
    _, _, _, _, app = guarded
    templates = Path(__import__("termsheet.web", fromlist=["x"]).__file__).parent / "templates"
    forms = 0
    for template in templates.glob("*.html"):
        for form in re.findall(r"<form[^>]*>", template.read_text(encoding="utf-8")):
            if 'method="post"' in form:
                forms += 1
                after = template.read_text(encoding="utf-8").split(form, 1)[1]
                assert after.lstrip().startswith(
                    '<input type="hidden" name="csrf_token" value="{{ csrf_token }}">'), \
                    (template.name, form)
    assert forms >= 3
    from termsheet.web.app import routers
    pages = [r for router in routers() for r in router.routes
             if "POST" in getattr(r, "methods", ()) and not r.include_in_schema]
    assert pages
    for route in pages:
        calls = {d.call for d in route.dependant.dependencies}
        assert csrf_checked in calls, route.path
