"""The portfolio over HTTP: the home page lists both agreements, the conflicts and calendar pages
and endpoints say what the command line says, and the diff page leads to every decision."""

from __future__ import annotations

import pytest
from icalendar import Calendar

from web_helpers import api_client

pytestmark = pytest.mark.xdist_group("test_web_portfolio")


@pytest.fixture(scope="module")
def client(flagship_dir):
    from termsheet.web import Settings, create_app
    with api_client(create_app(Settings(agreements=flagship_dir.parent))) as client:
        yield client


def test_home_lists_every_agreement_with_the_portfolio_pages(client):
    page = client.get("/", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "/agreements/openai-amazon" in page.text and "/agreements/openai-microsoft" in page.text
    assert 'href="/conflicts"' in page.text and 'href="/calendar"' in page.text


def test_conflicts_endpoint_and_page(client):
    body = client.get("/api/conflicts", params={"from": "2026-03-01", "to": "2026-03-31"}).json()
    # see tests/test_portfolio.py: in March 2026 the runtime on Bedrock meets api-exclusivity and
    # the custom-models licence meets the exclusive ip-license
    assert {(c["grants"]["clause"], c["forbids"]["clause"]) for c in body["conflicts"]} == {
        ("custom-models-license", "ip-license"),
        ("stateful-runtime-on-bedrock", "api-exclusivity")}
    page = client.get("/conflicts", params={"from": "2026-03-01", "to": "2026-03-31"},
                      headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "must still be served from Azure" in page.text
    assert "(openai, distribute, frontier-on-bedrock, aws)" in page.text
    bad = client.get("/api/conflicts", params={"from": "2026-05-01", "to": "2026-04-01"})
    assert bad.status_code == 422


def test_calendar_endpoint_page_and_ics(client):
    body = client.get("/api/calendar", params={"from": "2032-01-01", "to": "2032-12-31"}).json()
    # aws-compute is due 2032-11-02; ip-license ends 2032-12-31
    assert [(e["date"], e["clause"]) for e in body["entries"]] == [
        ("2032-11-02", "aws-compute"), ("2032-12-31", "ip-license")]
    page = client.get("/calendar", headers={"accept": "text/html"})
    assert page.status_code == 200 and "microsoft-declines-support" in page.text
    ics = client.get("/calendar.ics", params={"from": "2032-01-01", "to": "2032-12-31"})
    assert ics.headers["content-type"].startswith("text/calendar")
    events = list(Calendar.from_ical(ics.content).walk("VEVENT"))
    assert sorted(str(e["UID"]).split(".")[2] for e in events) == ["aws-compute", "ip-license"]


def test_decisions_endpoint_and_page(client):
    a = "/agreements/openai-microsoft"
    body = client.get(f"/api{a}/decisions",
                      params={"from": "2026-02-27", "to": "2026-04-27"}).json()
    assert body["cases_compared"] == 2748  # worked in tests/test_diff_decisions.py
    page = client.get(f"{a}/decisions", params={"from": "2026-02-27", "to": "2026-04-27"},
                      headers={"accept": "text/html"})
    assert "2,748 cases compared" in page.text
    diff = client.get(f"{a}/diff", headers={"accept": "text/html"})
    assert f'href="{a}/decisions?from=2026-02-27&amp;to=2026-04-27"' in diff.text
