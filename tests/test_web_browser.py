"""The pages in a real browser: Playwright driving the system's Chromium against a live server on
127.0.0.1. Every page is opened and photographed; the decision form is submitted, the diff's
language switched, data settled through the upload form and a simulation run through its form.
No page may fetch anything from anywhere but the server itself.

Screenshots go to $TERMSHEET_SCREENSHOTS when it is set (``out/screenshots``, say), else to a
temporary folder.
"""

from __future__ import annotations

import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from support.web import SCENARIO
from web_helpers import CHROMIUM, LiveServer, launch_chromium, make_access

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("test_web_browser"),
              pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")]


@pytest.fixture(scope="module")
def shots(tmp_path_factory) -> Path:
    folder = os.environ.get("TERMSHEET_SCREENSHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture(scope="module")
def site(tmp_path_factory, flagship_dir):
    from termsheet.settle.generate import generate
    from termsheet.web import Settings, create_app
    root = tmp_path_factory.mktemp("site")
    shutil.copytree(flagship_dir, root / "agreements" / "openai-microsoft")
    (root / "scenarios").mkdir()
    (root / "scenarios" / "openai-microsoft.yaml").write_text(
        SCENARIO.replace("versions: [2026-04-27]", "versions: [2025-10-28, 2026-04-27]")
        .replace("horizon: 2", "horizon: 6").replace("volatility: 0%", "volatility: 30%"))
    data = generate(root / "data", date(2026, 1, 1), date(2026, 6, 30), rows=400, seed=11)
    tokens = make_access(root / "access.yaml")
    app = create_app(Settings(agreements=root / "agreements", access=root / "access.yaml",
                              scenarios=root / "scenarios", store=root / "store.duckdb"))
    with LiveServer(app) as server:
        yield server, tokens, data


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        yield browser
        browser.close()


class Visit:
    """A signed-in page that records every request and every console error."""

    def __init__(self, browser, server, token: str, shots: Path):
        self.server, self.shots = server, shots
        self.context = browser.new_context(viewport={"width": 1280, "height": 900})
        self.page = self.context.new_page()
        self.requests, self.errors = [], []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.expected_404: set[str] = set()
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.goto(server.url + "/login?next=/")
        self.shot("login")
        self.page.fill("input[name=token]", token)
        self.page.click("button[type=submit]")

    def _console(self, message) -> None:
        if message.type == "error" and not (
                "404" in message.text and self.page.url in self.expected_404):
            self.errors.append(f"{self.page.url}: {message.text}")

    def go(self, path: str, name: str | None = None):
        response = self.page.goto(self.server.url + path)
        if name:
            self.shot(name)
        return response

    def shot(self, name: str) -> None:
        self.page.screenshot(path=str(self.shots / f"{name}.png"), full_page=True)

    def close(self) -> None:
        outside = [u for u in self.requests if not u.startswith(self.server.url)]
        assert outside == [], outside
        assert self.errors == [], self.errors
        self.context.close()


@pytest.fixture(scope="module")
def admin(browser, site, shots):
    server, tokens, _ = site
    visit = Visit(browser, server, tokens.admin, shots)
    yield visit
    visit.close()


def test_history_page_with_its_timeline(admin):
    page = admin.page
    admin.go("/agreements/openai-microsoft", "history")
    assert page.title().startswith("openai-microsoft")
    assert page.locator("svg.timeline rect").count() > 40
    assert page.locator("ol.history li").count() == 7
    page.click("ol.history li >> nth=0 >> text=The next phase")
    page.wait_for_url("**/versions/2026-04-27")


def test_version_page_anchors_and_terms_panel(admin):
    page = admin.page
    admin.go("/agreements/openai-microsoft/versions/2026-04-27", "version")
    assert page.locator("aside.panel li").count() == 8
    page.click("aside.panel a[href='#revenue-share-to-microsoft']")
    assert page.url.endswith("#revenue-share-to-microsoft")
    heading = page.locator("h2#revenue-share-to-microsoft")
    assert "Revenue share to Microsoft" in heading.inner_text()
    assert heading.is_visible()
    assert "cap: {total: 38000000000}" in page.locator(
        "#terms-revenue-share-to-microsoft").inner_text()


def test_diff_switches_language(admin):
    page = admin.page
    admin.go("/agreements/openai-microsoft/diff", "diff-en")
    assert "1 added, 5 removed" in page.inner_text("#summary")
    page.click("#lang-zh")
    page.wait_for_url("**lang=zh**")
    admin.shot("diff-zh")
    assert page.get_attribute("html", "lang") == "zh"
    assert "新增1条" in page.inner_text("#summary")
    page.click("#lang-en")
    page.wait_for_url("**lang=en**")
    assert "1 added" in page.inner_text("#summary")


def test_decision_form(admin):
    page = admin.page
    admin.go("/agreements/openai-microsoft/decide", "decide-form")
    page.select_option("#f-action", "distribute")
    page.select_option("#f-party", "openai")
    page.select_option("#f-product", "openai-api")
    page.select_option("#f-channel", "aws")
    page.fill("#f-date", "2026-04-01")
    page.click("#f-submit")
    page.wait_for_selector("#verdict")
    admin.shot("decide-no")
    assert page.inner_text("#verdict") == "Not allowed"
    assert "stateless-api-exclusivity" in page.inner_text("#decision")
    page.fill("#f-date", "2026-05-01")
    page.click("details summary")
    page.fill("#f-available-azure", "2026-04-20")
    page.click("#f-submit")
    page.wait_for_selector("#verdict")
    admin.shot("decide-yes")
    assert page.inner_text("#verdict") == "Allowed"
    assert "2026-04-27" in page.inner_text("#decision")


def test_settle_through_the_form_then_drill_down(admin, site):
    page = admin.page
    _, _, data = site
    admin.go("/agreements/openai-microsoft/statements", "statements-empty")
    page.set_input_files("#settle-form input[type=file]", [str(p) for p in data])
    page.click("#settle-form button")
    page.wait_for_selector("section.statement")
    admin.shot("statements")
    assert page.locator("section.statement").count() >= 6
    assert "balanced" in page.inner_text("#reconciliation")
    page.click("a.drill >> nth=0")
    page.wait_for_selector("#rows")
    admin.shot("statement-rows")
    assert page.locator("#rows tbody tr").count() >= 1
    page.click("p.lede a")    # the clause the line comes from
    page.wait_for_url("**/versions/*#*")


def test_simulation_form_progress_and_charts(admin):
    page = admin.page
    admin.go("/agreements/openai-microsoft/simulate", "simulate-form")
    page.fill("#s-futures", "20000")
    page.click("#s-submit")
    page.wait_for_url("**/simulate/*")
    page.wait_for_selector("#values", timeout=60_000)
    admin.shot("simulation")
    assert page.locator("svg.chart").count() == 6   # two histograms and a flow chart a party
    assert "2026-04-27 minus 2025-10-28" in page.inner_text("#values")


def test_api_reference_page(admin):
    admin.go("/reference", "reference")
    text = admin.page.inner_text("main")
    assert "/access/v1/evaluation" in text and "/api/agreements/{agreement}/decide" in text


def test_error_page(admin):
    admin.expected_404.add(admin.server.url + "/agreements/openai-microsoft/versions/2026-04-28")
    response = admin.go("/agreements/openai-microsoft/versions/2026-04-28", "not-found")
    assert response.status == 404
    assert "did you mean" in admin.page.inner_text("ul.problems")


def test_a_party_sees_its_own_statements(browser, site, shots, admin):
    server, tokens, _ = site
    visit = Visit(browser, server, tokens.openai, shots)
    try:
        visit.go("/agreements/openai-microsoft/statements", "statements-openai")
        text = visit.page.inner_text("main")
        assert "Statements and ledger entries where openai is payer or payee" in text
        assert visit.page.locator("#settle-form").count() == 0      # admin only
        assert visit.page.locator("#reconciliation").count() == 0   # admin only
    finally:
        visit.close()
