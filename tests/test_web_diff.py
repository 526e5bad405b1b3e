"""Diffs over HTTP, narrated in English or Chinese; the page and the endpoint say the same."""

from __future__ import annotations

import pytest

from web_helpers import api_client

# The tests of this module share one server and build on each other's state: one worker.
pytestmark = pytest.mark.xdist_group("test_web_diff")

A = "/api/agreements/openai-microsoft"


@pytest.fixture(scope="module")
def client(flagship_dir):
    from termsheet.web import Settings, create_app
    with api_client(create_app(Settings(agreements=flagship_dir))) as client:
        yield client


def test_default_diff_is_the_latest_against_what_it_amends(client):
    body = client.get(f"{A}/diff").json()
    assert (body["from"]["version"], body["to"]["version"]) == ("2026-02-27", "2026-04-27")
    # April 2026 drops both exclusivities, the national-security carve-out, the AGI clause and
    # Microsoft's share to OpenAI; it adds the cooperation on data centres, chips and security
    assert set(body["removed"]) == {"stateless-api-exclusivity", "api-exclusivity",
                                    "national-security-any-cloud", "agi-determination",
                                    "revenue-share-to-openai"}
    assert body["added"] == ["ai-cooperation"]
    share = next(c for c in body["clauses"] if c["id"] == "revenue-share-to-microsoft")
    until = next(t for t in share["changes"] if t["term"] == "until")
    assert (until["old"], until["new"]) == ("agi-verified", "2030-12-31")


def test_the_two_languages_narrate_the_same_changes(client):
    en = client.get(f"{A}/diff", params={"lang": "en"}).json()
    zh = client.get(f"{A}/diff", params={"lang": "zh"}).json()
    assert [(s["key"], s["term"]) for s in en["sentences"]] == \
        [(s["key"], s["term"]) for s in zh["sentences"]]
    assert "1 added, 5 removed" in en["summary"]
    assert "新增1条，删除5条" in zh["summary"]
    assert client.get(f"{A}/diff", params={"lang": "fr"}).status_code == 422


def test_provenance_can_be_left_out(client):
    every = client.get(f"{A}/diff").json()
    plain = client.get(f"{A}/diff", params={"provenance": "false"}).json()
    assert any(s["provenance"] for s in every["sentences"])
    assert not any(s["provenance"] for s in plain["sentences"])
    # microsoft-equity changed only its sources and note
    assert "microsoft-equity" in [c["id"] for c in every["clauses"]]
    assert "microsoft-equity" not in [c["id"] for c in plain["clauses"]]


def test_the_page_shows_what_the_endpoint_returns(client):
    data = client.get(f"{A}/diff", params={"from": "2025-10-28", "lang": "zh"}).json()
    page = client.get("/agreements/openai-microsoft/diff",
                      params={"from": "2025-10-28", "lang": "zh"}).text
    import html
    text = html.unescape(page)
    assert data["summary"] in text
    for sentence in data["sentences"]:
        assert sentence["text"] in text



def test_the_page_shows_terms_as_text_not_python_values(tmp_path):
    # a rate that becomes a dated schedule: a list of mappings on the page
    import html
    from datetime import date

    from termsheet.authoring.scaffold import init_agreement, new_version
    from termsheet.web import Settings, create_app
    folder = tmp_path / "agreements" / "acme-globex"
    init_agreement(folder)
    path = new_version(folder, date(2026, 7, 1))
    path.write_text(path.read_text().replace(
        "rate: 70%  ", "rate: [{from: 2026-07-01, rate: 70%}, {from: 2027-01-01, rate: 65%}]  "))
    with api_client(create_app(Settings(agreements=tmp_path / "agreements"))) as local:
        page = html.unescape(local.get("/agreements/acme-globex/diff").text)
    assert "{'" not in page and "Decimal(" not in page, page
    assert "from: 2026-07-01, rate: 70%" in page or "from: 2026-07-01, rate: 0.7" in page, page
