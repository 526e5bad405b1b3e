"""Access: tokens stored hashed, 401 and 403 in the one error shape, and a party that can never read
another party's statements, by any route of the server.

The three-party agreement (tests/cases/web/three-party) has Acme pay North 10% of its sales on
North's cloud and South 15% of its sales on South's cloud. Settled by hand: Acme sold 1,111.11 on
North's cloud and 2,345.67 on South's in March 2026, so Acme owes North 111.11 (111.111 rounded)
and South 351.85 (351.8505 rounded half up).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from web_helpers import api_client, csrf_of, make_access
from support.web import SCENARIO  # noqa: F401

# The tests of this module share one server and build on each other's state: one worker.
pytestmark = pytest.mark.xdist_group("test_web_access")

HERE = Path(__file__).parent
THREE = HERE / "cases" / "web" / "three-party"
SOUTH_KEY = "three-party/2026-01-01/share-to-south/2026-03-01/share"
NORTH_KEY = "three-party/2026-01-01/share-to-north/2026-03-01/share"
# What only South's statement, its ledger entry and its input rows contain.
SOUTH_MARKS = ("351.85", "2345.67", "2,345.67", SOUTH_KEY)


@pytest.fixture(scope="module")
def world(tmp_path_factory, flagship_dir):
    from termsheet.web import Settings, create_app
    from termsheet.web.access import add_token
    root = tmp_path_factory.mktemp("access")
    shutil.copytree(THREE, root / "agreements" / "three-party")
    shutil.copytree(flagship_dir, root / "agreements" / "openai-microsoft")
    tokens = make_access(root / "access.yaml")
    extra = {"acme": add_token(root / "access.yaml", "acme", "party", "acme"),
             "north": add_token(root / "access.yaml", "north", "party", "north"),
             "south": add_token(root / "access.yaml", "south", "party", "south")}
    app = create_app(Settings(agreements=root / "agreements", access=root / "access.yaml"))
    with api_client(app) as client:
        rows = [{"date": "2026-03-05", "seller": "acme", "channel": "north-cloud",
                 "product": "widget-api", "amount": "1111.11", "currency": "USD"},
                {"date": "2026-03-09", "seller": "acme", "channel": "south-cloud",
                 "product": "widget-api", "amount": "2345.67", "currency": "USD"}]
        settled = client.post("/api/agreements/three-party/settle", json={"rows": rows},
                              headers=tokens.header("admin"))
        assert settled.status_code == 201, settled.text
        yield client, tokens, extra, root, app


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_the_access_file_holds_hashes_not_tokens(world):
    _, tokens, extra, root, _ = world
    text = (root / "access.yaml").read_text()
    for token in (tokens.admin, tokens.openai, *extra.values()):
        secret = token.split("_", 2)[2]
        assert secret not in text and token not in text
    assert text.count("hash: scrypt$16384$8$1$") == 7


def test_no_token_and_a_wrong_token_are_401_in_the_one_shape(world):
    client, tokens, *_ = world
    for headers in ({}, bearer("ts_00000000_wrong"), bearer(tokens.admin[:-1] + "x"),
                    {"Authorization": "Basic Zm9vOmJhcg=="}):
        response = client.get("/api/agreements", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        body = response.json()
        assert body["ok"] is False and body["errors"][0]["code"] == "E401"
        assert set(body["errors"][0]) == {"code", "message", "path", "line", "column", "clause",
                                          "hint"}


def test_a_party_may_not_upload_or_settle_403(world, flagship_dir):
    client, _, extra, *_ = world
    text = (flagship_dir / "2026-04-27.md").read_text()
    for path, body in (("/api/agreements", {"text": text}),
                       ("/api/agreements/three-party/settle",
                        {"rows": [{"date": "2026-03-01", "seller": "acme", "channel": "direct",
                                   "product": "widget-api", "amount": "1", "currency": "USD"}]})):
        response = client.post(path, json=body, headers=bearer(extra["acme"]))
        assert response.status_code == 403, path
        assert response.json()["errors"][0]["code"] == "E403"
    response = client.get("/api/agreements/three-party/runs/1", headers=bearer(extra["north"]))
    assert response.status_code == 403


def test_a_party_sees_only_the_agreements_it_is_party_to(world):
    client, tokens, extra, *_ = world
    seen = lambda token: [a["agreement"] for a in  # noqa: E731
                          client.get("/api/agreements", headers=bearer(token)).json()]
    assert seen(tokens.admin) == ["openai-microsoft", "three-party"]
    assert seen(extra["north"]) == ["three-party"]
    assert seen(tokens.microsoft) == ["openai-microsoft"]
    assert seen(tokens.amazon) == []
    response = client.get("/api/agreements/three-party", headers=bearer(tokens.microsoft))
    assert response.status_code == 404


def test_each_party_reads_its_own_statement(world):
    client, tokens, extra, *_ = world
    def totals(token):
        body = client.get("/api/agreements/three-party/statements", headers=bearer(token)).json()
        return {(s["payer"], s["payee"], s["period"]): s["total"] for s in body["statements"]}
    assert totals(extra["north"]) == {("acme", "north", "2026-03"): "111.11"}
    assert totals(extra["south"]) == {("acme", "south", "2026-03"): "351.85"}
    assert totals(extra["acme"]) == totals(tokens.admin) == {
        ("acme", "north", "2026-03"): "111.11", ("acme", "south", "2026-03"): "351.85"}
    ledger = client.get("/api/agreements/three-party/ledger", headers=bearer(extra["north"]))
    assert [(e["payee"], e["amount"]) for e in ledger.json()["entries"]] == [("north", "111.11")]


def _candidates(name: str) -> list[str]:
    return {"agreement": ["three-party", "openai-microsoft"], "version": ["2026-01-01"],
            "clause": ["share-to-south", "share-to-north"], "run": ["1", "2"],
            "job_id": ["0" * 16]}.get(name, ["x"])


def _requests(app):
    """Every route of the app, with every candidate for its path parameters and line keys."""
    import itertools
    from fastapi.routing import APIRoute
    from termsheet.web.app import routers
    for route in [r for router in routers() for r in router.routes]:
        if not isinstance(route, APIRoute):
            continue
        names = re.findall(r"{(\w+)}", route.path)
        for values in itertools.product(*(_candidates(n) for n in names)):
            path = route.path
            for name, value in zip(names, values):
                path = path.replace("{" + name + "}", value)
            for method in sorted(route.methods - {"HEAD"}):
                for line in (SOUTH_KEY, NORTH_KEY):
                    yield method, path, {"line": line}


def _leaks(client, app, headers) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for method, path, params in _requests(app):
        response = client.request(method, path, params=params, headers=headers,
                                  json={} if method == "POST" else None)
        assert response.status_code < 500, (method, path, response.text)
        hits = [m for m in SOUTH_MARKS if m in response.text]
        if hits:
            found[f"{method} {path}"] = hits
    return found


def test_north_can_never_read_south_statement_by_any_route(world):
    client, tokens, extra, _, app = world
    routes = list(_requests(app))
    assert len({(m, p) for m, p, _ in routes}) > 40   # every route is tried, pages included
    # the marks are there to be found: admin and South read them ...
    assert _leaks(client, app, bearer(tokens.admin))
    assert "GET /api/agreements/three-party/statements" in _leaks(client, app,
                                                                   bearer(extra["south"]))
    # ... and North, by header or by the pages' cookie, never does
    assert _leaks(client, app, bearer(extra["north"])) == {}
    client.cookies.set("termsheet_token", extra["north"])
    try:
        assert _leaks(client, app, {}) == {}
    finally:
        client.cookies.clear()


def test_the_rows_behind_a_line_are_its_parties_only(world):
    client, _, extra, *_ = world
    url = "/api/agreements/three-party/statements/rows"
    own = client.get(url, params={"line": NORTH_KEY}, headers=bearer(extra["north"]))
    assert own.status_code == 200
    assert [(r["row"], r["base"], r["allocated"]) for r in own.json()["rows"]] == [
        (1, "1111.1100000000", "111.1110000000")]
    assert own.json()["rows"][0]["input"]["channel"] == "north-cloud"
    other = client.get(url, params={"line": SOUTH_KEY}, headers=bearer(extra["north"]))
    assert other.status_code == 404 and other.json()["errors"][0]["code"] == "E404"


def test_pages_ask_for_a_token_and_sign_in_sets_a_strict_cookie(world):
    client, _, extra, *_ = world
    response = client.get("/agreements/three-party/statements", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/agreements/three-party/statements"
    csrf = csrf_of(client)
    bad = client.post("/login", data={"token": "ts_nope_nope", "next": "/", "csrf_token": csrf})
    assert bad.status_code == 401 and "not valid" in bad.text
    good = client.post("/login", data={"token": extra["north"], "next": "https://evil.example/",
                                       "csrf_token": csrf}, follow_redirects=False)
    assert good.status_code == 303 and good.headers["location"] == "/"
    cookie = good.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    client.cookies.clear()


def test_signing_out_is_a_form_post_with_its_csrf_token(world):
    """A GET (a link, an image on another site) signs no one out; the pages' button posts a
    form with the CSRF token, which clears the sign-in cookie."""
    client, _, extra, *_ = world
    csrf = csrf_of(client)
    signed = client.post("/login", data={"token": extra["north"], "next": "/",
                                         "csrf_token": csrf}, follow_redirects=False)
    assert signed.status_code == 303
    page = client.get("/agreements/three-party")
    assert page.status_code == 200
    assert '<form class="logout" method="post" action="/logout">' in page.text
    assert 'href="/logout"' not in page.text
    assert client.get("/logout", follow_redirects=False).status_code == 405
    refused = client.post("/logout", follow_redirects=False)
    assert refused.status_code == 403                      # no CSRF token
    assert client.get("/agreements/three-party").status_code == 200   # still signed in
    out = client.post("/logout", data={"csrf_token": csrf_of(client, "/agreements/three-party")},
                      follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    assert 'termsheet_token=""' in out.headers["set-cookie"] or "max-age=0" in \
        out.headers["set-cookie"].lower()
    client.cookies.clear()


def test_jobs_belong_to_whoever_started_them(world):
    client, tokens, *_ = world
    started = client.post("/api/agreements/openai-microsoft/simulate",
                          json={"text": SCENARIO, "futures": 200},
                          headers=tokens.header("microsoft"))
    assert started.status_code == 202, started.text
    job = started.json()["id"]
    assert client.get(f"/api/jobs/{job}", headers=tokens.header("microsoft")).status_code == 200
    assert client.get(f"/api/jobs/{job}", headers=tokens.header("openai")).status_code == 404
    assert client.get(f"/api/jobs/{job}", headers=tokens.header("admin")).status_code == 200


