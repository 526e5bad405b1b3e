"""The JSON API against the app (httpx through FastAPI's TestClient): agreements, versions, text,
clauses, timeline, validate and upload. Expected values are read off the flagship documents."""

from __future__ import annotations

import shutil

import pytest

from web_helpers import make_access, api_client

# The tests of a fixture share its server: one worker. The tests that upload have a server of
# their own, so that the others read the flagship as shipped whatever the order.
pytestmark = pytest.mark.xdist_group("test_web_api")

A = "/api/agreements/openai-microsoft"


def serve(tmp_path_factory, flagship_dir):
    from termsheet.web import Settings, create_app
    root = tmp_path_factory.mktemp("served")
    shutil.copytree(flagship_dir, root / "agreements" / "openai-microsoft")
    tokens = make_access(root / "access.yaml")
    app = create_app(Settings(agreements=root / "agreements", access=root / "access.yaml"))
    with api_client(app) as client:
        yield client, tokens, root


@pytest.fixture(scope="module")
def served(tmp_path_factory, flagship_dir):
    yield from serve(tmp_path_factory, flagship_dir)


@pytest.fixture(scope="module")
def written(tmp_path_factory, flagship_dir):
    yield from serve(tmp_path_factory, flagship_dir)


@pytest.fixture
def client(served):
    return served[0]


@pytest.fixture
def admin(served):
    return served[1].header("admin")


def test_list_and_history(client, admin):
    listed = client.get("/api/agreements", headers=admin).json()
    assert [a["agreement"] for a in listed] == ["openai-microsoft"]
    history = client.get(A, headers=admin).json()
    assert [v["version"] for v in history["history"]] == [
        "2019-07-22", "2020-09-22", "2023-01-23", "2025-01-21", "2025-10-28", "2026-02-27",
        "2026-04-27"]
    windows = {v["version"]: (v["effective"], v["until"]) for v in history["history"]}
    assert windows["2025-10-28"] == ("2025-10-28", "2026-02-26")
    assert windows["2026-04-27"] == ("2026-04-27", None)


@pytest.mark.parametrize("day,version", [("2026-05-01", "2026-04-27"),
                                         ("2026-04-01", "2026-02-27"),
                                         ("2019-07-22", "2019-07-22"),
                                         ("2023-01-22", "2020-09-22")])
def test_in_force(client, admin, day, version):
    response = client.get(f"{A}/in-force", params={"date": day}, headers=admin)
    assert response.status_code == 200
    assert response.json()["version"] == version


def test_before_the_first_version_is_404_with_a_hint(client, admin):
    response = client.get(f"{A}/in-force", params={"date": "2019-07-21"}, headers=admin)
    assert response.status_code == 404
    error = response.json()["errors"][0]
    assert error["code"] == "E404" and "2019-07-21" in error["message"]
    assert "2019-07-22" in error["hint"]


def test_version_clauses_and_terms(client, admin):
    version = client.get(f"{A}/versions/2026-04-27", headers=admin).json()
    assert [c["id"] for c in version["clauses"]] == [
        "any-cloud", "ip-license", "research-ip-license", "revenue-share-to-microsoft",
        "microsoft-equity", "azure-commitment", "ai-cooperation",
        "preferred-commercialization-partner"]
    assert version["previous"] == "2026-02-27" and version["next"] is None
    share = client.get(f"{A}/versions/2026-04-27/clauses/revenue-share-to-microsoft",
                       headers=admin).json()
    assert share["terms"]["rate"] == "20%"
    assert share["terms"]["cap"] == {"total": 38000000000}
    assert share["terms"]["until"] == "2030-12-31"
    assert share["assumed"] == {"rate": "cnbc", "cap": "the-information"}
    assert share["span"]["path"].endswith("2026-04-27.md")
    # the versions that have a revenue share to Microsoft: from 2023 on
    assert share["versions"] == ["2023-01-23", "2025-01-21", "2025-10-28", "2026-02-27",
                                 "2026-04-27"]


def test_text_is_the_document_as_written(client, admin, flagship_dir):
    response = client.get(f"{A}/versions/2020-09-22/text", headers=admin)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/markdown")
    assert response.text == (flagship_dir / "2020-09-22.md").read_text(encoding="utf-8")


def test_timeline_spans(client, admin):
    timeline = client.get(f"{A}/timeline", headers=admin).json()
    rows = {r["clause"]: r for r in timeline["rows"]}
    # Azure exclusivity: from 2019-07-22 until the 2025-01-21 version replaced it
    exclusivity = rows["azure-exclusivity"]
    assert exclusivity["start"] == "2019-07-22" and exclusivity["end"] == "2025-01-20"
    # Microsoft's share to OpenAI ends on a verified AGI (never, here) or when 2026-04-27 drops it
    last = rows["revenue-share-to-openai"]["segments"][-1]
    assert last["version"] == "2026-02-27" and last["end"] == "2026-04-26"
    assert last["pending_events"] == ["agi-verified"]
    # the share to Microsoft runs through 2030 in the latest version
    assert rows["revenue-share-to-microsoft"]["end"] == "2030-12-31"


def test_timeline_with_an_event_date(client, admin):
    timeline = client.get(f"{A}/timeline", params={"event": "agi-verified=2026-01-15"},
                          headers=admin).json()
    rows = {r["clause"]: r for r in timeline["rows"]}
    # a term that ends on the event ends the day before it
    segment = next(s for s in rows["revenue-share-to-openai"]["segments"]
                   if s["version"] == "2025-10-28")
    assert segment["end"] == "2026-01-14"
    assert timeline["events"] == {"agi-verified": "2026-01-15"}
    bad = client.get(f"{A}/timeline", params={"event": "agi-verifed=2026-01-15"},
                     headers=admin)
    assert bad.status_code == 422 and "did you mean 'agi-verified'" in bad.json()["errors"][0][
        "hint"]


def test_unknown_names_are_404_with_hints(client, admin):
    for path, hint in ((f"{A}x", "openai-microsoft"),
                       (f"{A}/versions/2026-04-28", "2026-04-27"),
                       (f"{A}/versions/2026-04-27/clauses/any-clod", "any-cloud")):
        response = client.get(path, headers=admin)
        assert response.status_code == 404, path
        body = response.json()
        assert body["ok"] is False and "did you mean" in body["errors"][0]["hint"]
        assert hint in body["errors"][0]["hint"]


def test_validate_reports_every_problem(client, admin, flagship_dir):
    text = (flagship_dir / "2026-04-27.md").read_text(encoding="utf-8")
    assert client.post("/api/validate", json={"text": text}, headers=admin).json() == \
        {"ok": True, "errors": []}
    broken = text.replace("payer: openai", "payer: opneai").replace(
        "until: 2030-12-31\ncap", "until: 2030-12-32\ncap")
    body = client.post("/api/validate", json={"text": broken, "path": "mine.md"},
                       headers=admin).json()
    assert body["ok"] is False
    codes = {(e["code"], e["path"]) for e in body["errors"]}
    assert {("E010", "mine.md"), ("E024", "mine.md")} <= codes
    unknown = next(e for e in body["errors"] if e["code"] == "E010")
    assert unknown["line"] == text[:text.index("payer: openai")].count("\n") + 1
    assert unknown["clause"] == "revenue-share-to-microsoft"


def test_bad_json_body_is_422_in_the_one_shape(client, admin):
    response = client.post("/api/validate", content=b"{not json",
                           headers={**admin, "content-type": "application/json"})
    assert response.status_code == 422
    assert response.json()["ok"] is False and response.json()["errors"][0]["code"] == "E422"


def test_upload_a_new_version_then_conflict(written, flagship_dir):
    client, tokens, root = written
    text = (flagship_dir / "2026-04-27.md").read_text(encoding="utf-8")
    amended = (text.replace("version: 2026-04-27", "version: 2027-01-01")
               .replace("effective: 2026-04-27", "effective: 2027-01-01")
               .replace("amends: 2026-02-27", "amends: 2026-04-27")
               .replace("rate: 20%", "rate: 15%"))
    created = client.post("/api/agreements", json={"text": amended, "path": "2027.md"},
                          headers=tokens.header("admin"))
    assert created.status_code == 201, created.text
    assert created.json()["version"] == "2027-01-01"
    assert (root / "agreements" / "openai-microsoft" / "2027-01-01.md").exists()
    in_force = client.get(f"{A}/in-force", params={"date": "2027-06-30"},
                          headers=tokens.header("admin")).json()
    share = next(c for c in in_force["clauses"] if c["id"] == "revenue-share-to-microsoft")
    assert share["terms"]["rate"] == "15%"
    again = client.post("/api/agreements", json={"text": amended},
                        headers=tokens.header("admin"))
    assert again.status_code == 409 and again.json()["errors"][0]["code"] == "E409"


def test_upload_of_a_bad_document_writes_nothing(written, flagship_dir):
    client, tokens, root = written
    before = sorted(p.name for p in (root / "agreements" / "openai-microsoft").iterdir())
    text = (flagship_dir / "2026-04-27.md").read_text(encoding="utf-8")
    broken = text.replace("version: 2026-04-27", "version: 2028-01-01").replace(
        "amends: 2026-02-27", "amends: 2025-13-01")
    response = client.post("/api/agreements", json={"text": broken},
                           headers=tokens.header("admin"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "E030"
    assert sorted(p.name for p in (root / "agreements" / "openai-microsoft").iterdir()) == before


def test_body_over_the_limit_is_413(client, admin):
    response = client.post("/api/validate", json={"text": "x" * 1_100_000}, headers=admin)
    assert response.status_code == 413
    error = response.json()["errors"][0]
    assert error["code"] == "E413" and "1,000,000" in error["message"]


def test_openapi_document_lists_the_routes(client):
    document = client.get("/openapi.json").json()
    paths = set(document["paths"])
    assert {"/api/agreements", "/api/agreements/{agreement}/versions/{version}/text",
            "/api/validate"} <= paths
    assert "token" in document["components"]["securitySchemes"]
