"""Simulations over HTTP: a job answered at once (202), its progress, its result.

The scenario is flat so the answer can be worked out by hand: OpenAI's direct ChatGPT sales were
1,000,000 in 2025 and grow 10% a year with no volatility, so 1,100,000 in 2026 and 1,210,000 in
2027. Under 2026-04-27 OpenAI pays Microsoft 20% (well under the cap): 220,000 and 242,000,
discounted at 10% a year to 2026-01-01 from each year's end: 200,000 + 200,000 = 400,000.
"""

from __future__ import annotations

import time

import pytest

from support.web import SCENARIO
from web_helpers import api_client

# The tests of this module share one server and build on each other's state: one worker.
pytestmark = pytest.mark.xdist_group("test_web_simulate")

A = "/api/agreements/openai-microsoft"


@pytest.fixture(scope="module")
def client(flagship_dir, tmp_path_factory):
    from termsheet.web import Settings, create_app
    scenarios = tmp_path_factory.mktemp("scenarios")
    (scenarios / "tiny.yaml").write_text(SCENARIO)
    (scenarios / "elsewhere.yaml").write_text(SCENARIO.replace("agreement: openai-microsoft",
                                                               "agreement: another"))
    app = create_app(Settings(agreements=flagship_dir, scenarios=scenarios))
    with api_client(app) as client:
        yield client


def wait(client, location: str, seconds: float = 30) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        job = client.get(location).json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def test_the_server_lists_its_scenarios_for_the_agreement(client):
    assert client.get(f"{A}/scenarios").json() == ["tiny"]


def test_a_simulation_is_a_job_with_progress_then_a_result(client):
    started = client.post(f"{A}/simulate", json={"scenario": "tiny"})
    assert started.status_code == 202
    assert started.headers["location"] == f"/api/jobs/{started.json()['id']}"
    assert started.json()["status"] in ("queued", "running", "done")
    job = wait(client, started.headers["location"])
    assert job["status"] == "done", job["errors"]
    assert job["progress"] == {"done": 200, "total": 200, "fraction": 1.0, "note": "futures"}
    result = job["result"]
    assert result["versions"] == ["2026-04-27"] and result["years"] == [2026, 2027]
    outcome = result["outcomes"][0]
    microsoft = next(p for p in outcome["parties"] if p["party"] == "microsoft")
    openai = next(p for p in outcome["parties"] if p["party"] == "openai")
    assert [round(f["mean"], 2) for f in microsoft["flows"]] == [220000.0, 242000.0]
    assert microsoft["npv"]["mean"] == pytest.approx(400000.0)
    assert openai["npv"]["mean"] == pytest.approx(-400000.0)
    assert microsoft["clauses"] == {"revenue-share-to-microsoft": pytest.approx(400000.0)}
    # one histogram per version and party, every future counted in range or outside it
    assert len(result["histograms"]) == 2
    for histogram in result["histograms"]:
        assert sum(histogram["counts"]) + histogram["outside"] == 200
        assert len(histogram["edges"]) == len(histogram["counts"]) + 1


def test_settings_move_a_parameter(client):
    started = client.post(f"{A}/simulate", json={
        "scenario": "tiny", "futures": 10, "settings": ["sales.growth=0%"]})
    job = wait(client, started.headers["location"])
    microsoft = next(p for p in job["result"]["outcomes"][0]["parties"]
                     if p["party"] == "microsoft")
    assert [round(f["mean"], 2) for f in microsoft["flows"]] == [200000.0, 200000.0]


def test_a_bad_scenario_is_refused_at_once_with_positions(client):
    broken = SCENARIO.replace("discount-rate: 10%", "discount-rate: 10%\nstrams: {}")
    response = client.post(f"{A}/simulate", json={"text": broken})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["code"] == "E022" and error["line"] == 9
    unknown = client.post(f"{A}/simulate", json={"scenario": "tinny"})
    assert unknown.status_code == 404 and "did you mean 'tiny'" in unknown.json()["errors"][0][
        "hint"]
    version = client.post(f"{A}/simulate", json={"scenario": "tiny", "versions": ["2026-04-28"]})
    assert version.status_code == 422


def test_an_unknown_job_is_404(client):
    assert client.get("/api/jobs/nope").status_code == 404


def test_the_result_page_speaks_the_agreements_currency(flagship_dir, tmp_path):
    """The flagship priced in euros: the page's headings, tables and charts are in EUR (the
    hand-worked NPV above, 400,000, reads €400K)."""
    import shutil
    from termsheet.web import Settings, create_app
    deal = tmp_path / "agreements" / "openai-microsoft"
    shutil.copytree(flagship_dir, deal)
    for path in deal.glob("*.md"):
        path.write_text(path.read_text().replace("\ncurrency: USD\n", "\ncurrency: EUR\n"))
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    (scenarios / "tiny.yaml").write_text(SCENARIO)
    app = create_app(Settings(agreements=deal.parent, scenarios=scenarios))
    with api_client(app) as client:
        started = client.post(f"{A}/simulate", json={"scenario": "tiny"})
        job = wait(client, started.headers["location"])
        assert job["status"] == "done", job["errors"]
        page = client.get(f"/agreements/openai-microsoft/simulate/{job['id']}").text
    assert "(NPV of flows + equity, EUR)" in page and "USD" not in page
    assert '<td class="num">€400K</td>' in page and '<td class="num">−€400K</td>' in page
    assert "net cash flow to microsoft per year (EUR)" in page and ">€242K</text>" in page
