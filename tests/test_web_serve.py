"""Serving as a service: jobs kept in the store (limits, fair turns, a restart), agreements reloaded
from disk, the verified-token cache's expiry, and the decision indexes kept with the agreements.

The simulation is the flat one of test_web_simulate (worked by hand there): 200 futures, Microsoft's
value 400,000 under 2026-04-27.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from support.web import SCENARIO
from web_helpers import api_client, csrf_of, make_access

A = "/api/agreements/openai-microsoft"
ROOT = Path(__file__).resolve().parents[1]


def copy_flagship(flagship_dir: Path, tmp_path: Path) -> Path:
    """tmp/agreements/openai-microsoft and tmp/scenarios/tiny.yaml beside it."""
    agreements = tmp_path / "agreements"
    shutil.copytree(flagship_dir, agreements / "openai-microsoft")
    (tmp_path / "scenarios").mkdir()
    (tmp_path / "scenarios" / "tiny.yaml").write_text(SCENARIO)
    return agreements


def microsoft_value(job: dict) -> float:
    outcome = job["result"]["outcomes"][0]
    return next(p for p in outcome["parties"] if p["party"] == "microsoft")["npv"]["mean"]


# ------------------------------------------------------------------------------------------------
# job limits and fair turns


def test_the_job_after_the_limit_is_429_with_retry_after(flagship_dir, tmp_path):
    """Two jobs per token, three in all; no job thread, so the jobs stay queued."""
    from termsheet.web import Settings, create_app
    agreements = copy_flagship(flagship_dir, tmp_path)
    tokens = make_access(tmp_path / "access.yaml")
    app = create_app(Settings(agreements=agreements, access=tmp_path / "access.yaml",
                              job_workers=0, jobs_per_token=2, jobs_total=3))
    with api_client(app) as client:
        def start(who):
            return client.post(f"{A}/simulate", json={"scenario": "tiny"},
                               headers=tokens.header(who))
        assert [start("openai").status_code for _ in range(2)] == [202, 202]
        third = start("openai")
        assert third.status_code == 429
        assert third.headers["retry-after"] == "10"
        error = third.json()["errors"][0]
        assert error["code"] == "E429" and "'openai-finance' already has 2 job(s)" in \
            error["message"]
        # another token still has its turn, up to the server's total of three
        assert start("microsoft").status_code == 202
        over = start("microsoft")
        assert over.status_code == 429
        assert "the server already has 3 job(s)" in over.json()["errors"][0]["message"]
        # the page says the same, as a page
        csrf = csrf_of(client, "/agreements/openai-microsoft/simulate")
        page = client.post("/agreements/openai-microsoft/simulate",
                           data={"scenario": "tiny", "csrf_token": csrf},
                           headers={**tokens.header("admin"), "Accept": "text/html"})
        assert page.status_code == 429


def test_jobs_take_turns_across_tokens(tmp_path):
    """One job thread; A queues three jobs, B one after them: B's runs second, not fourth."""
    from termsheet.web.jobs import JobRunner
    from termsheet.web.settlement import Ledger
    ledger = Ledger.open(tmp_path / "store.duckdb")
    started, release = [], threading.Event()

    def build(spec):
        def work(progress):
            started.append(spec["name"])
            release.wait(10)
            return {"name": spec["name"]}
        return work

    runner = JobRunner(ledger, {"test": build}, workers=1, per_token=5, poll=0.05)
    runner.start()
    try:
        first = runner.submit("test", "a", {}, {"name": "a1"})
        deadline = time.monotonic() + 10
        while started != ["a1"] and time.monotonic() < deadline:
            time.sleep(0.01)
        for name in ("a2", "a3"):
            runner.submit("test", "a", {}, {"name": name})
        runner.submit("test", "b", {}, {"name": "b1"})
        release.set()
        while len(started) < 4 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert started == ["a1", "b1", "a2", "a3"]
        while runner.get(first.id).status != "done" and time.monotonic() < deadline:
            time.sleep(0.01)
        assert runner.get(first.id).result == {"name": "a1"}
    finally:
        release.set()
        runner.shutdown()
        ledger.close()


# ------------------------------------------------------------------------------------------------
# a restart


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(agreements: Path, store: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    process = subprocess.Popen(
        [sys.executable, "-m", "termsheet", "serve", "--agreements", str(agreements),
         "--store", str(store), "--host", "127.0.0.1", "--port", str(port), *extra],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            stop(process)
            raise AssertionError(process.stderr.read().decode())
        try:
            httpx.get(f"{base}/api/agreements", timeout=2).raise_for_status()
            return process, base
        except httpx.HTTPError:
            time.sleep(0.1)
    stop(process)
    raise AssertionError("the server did not start")


def stop(process: subprocess.Popen) -> None:
    """SIGTERM to the server and its worker processes (its own process group), then SIGKILL."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait(5)


def wait_done(base: str, job_id: str, seconds: float = 60) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        job = httpx.get(f"{base}/api/jobs/{job_id}", timeout=10).json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.1)


def test_a_job_survives_a_server_restart(flagship_dir, tmp_path):
    """A finished job's result is read after a restart; a job the server was stopped before it
    ran is run by the next server."""
    agreements = copy_flagship(flagship_dir, tmp_path)
    store = tmp_path / "store.duckdb"
    process, base = serve(agreements, store)
    try:
        done = httpx.post(f"{base}{A}/simulate", json={"scenario": "tiny"}, timeout=30).json()
        before = wait_done(base, done["id"])
        assert before["status"] == "done"
        assert microsoft_value(before) == pytest.approx(400000.0)
        pending = httpx.post(f"{base}{A}/simulate", json={"scenario": "tiny", "futures": 50},
                             timeout=30).json()
    finally:
        stop(process)
    process, base = serve(agreements, store)
    try:
        after = httpx.get(f"{base}/api/jobs/{done['id']}", timeout=10).json()
        assert after["status"] == "done" and after["result"] == before["result"]
        later = wait_done(base, pending["id"])
        assert later["status"] == "done", later["errors"]
        assert later["progress"]["total"] == 50
        assert microsoft_value(later) == pytest.approx(400000.0)
    finally:
        stop(process)


def test_several_workers_need_a_store(flagship_dir, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "termsheet", "serve", "--agreements", str(flagship_dir),
         "--workers", "2"], capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")}, timeout=60)
    assert result.returncode == 2
    assert "pass --store FILE" in result.stderr


def test_two_workers_share_jobs_through_the_store(flagship_dir, tmp_path):
    """Two processes behind one port: whichever answers, the job is there."""
    agreements = copy_flagship(flagship_dir, tmp_path)
    process, base = serve(agreements, tmp_path / "store.duckdb", "--workers", "2")
    try:
        started = httpx.post(f"{base}{A}/simulate", json={"scenario": "tiny"}, timeout=30)
        assert started.status_code == 202
        job = wait_done(base, started.json()["id"])
        assert job["status"] == "done" and microsoft_value(job) == pytest.approx(400000.0)
        # every poll, on either process, finds it
        for _ in range(10):
            again = httpx.get(f"{base}/api/jobs/{job['id']}", timeout=10)
            assert again.status_code == 200 and again.json()["status"] == "done"
    finally:
        stop(process)


# ------------------------------------------------------------------------------------------------
# reload


def test_a_broken_edit_keeps_the_old_agreements_and_reports_where(flagship_dir, tmp_path):
    from termsheet.web import Settings, create_app
    agreements = copy_flagship(flagship_dir, tmp_path)
    latest = agreements / "openai-microsoft" / "2026-04-27.md"
    text = latest.read_text()
    app = create_app(Settings(agreements=agreements, reload_agreements=True,
                              reload_every=0.05))
    version = f"{A}/versions/2026-04-27"
    question = {"subject": {"type": "party", "id": "openai"}, "action": {"name": "distribute"},
                "resource": {"type": "product", "id": "chatgpt", "properties": {"channel": "aws"}},
                "context": {"date": "2026-04-01"}}  # under 2026-02-27 apps may go to any cloud

    def settled(client, condition, seconds=10):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            status = client.get("/api/reload").json()
            if condition(status):
                return status
            time.sleep(0.05)
        raise AssertionError(f"not reloaded: {status}")

    with api_client(app) as client:
        assert client.post("/access/v1/evaluation", json=question).json()["decision"] is True
        # month 13 is not a month: the problem points at the date, after "effective: "
        line = text.splitlines().index("effective: 2026-04-27") + 1
        latest.write_text(text.replace("effective: 2026-04-27", "effective: 2026-13-45"))
        status = settled(client, lambda s: s["problems"])
        problem = status["problems"][0]
        assert problem["code"] == "E024" and problem["line"] == line
        assert problem["column"] == len("effective: ") + 1
        assert problem["path"].endswith("2026-04-27.md")
        assert status["generation"] == 0
        # the old version keeps serving, pages and decisions alike
        assert client.get(version).json()["effective"] == "2026-04-27"
        assert client.post("/access/v1/evaluation", json=question).json()["decision"] is True
        # a good edit is served, and the problems are gone
        edited = text.replace("en: The next phase of the Microsoft–OpenAI partnership",
                              "en: The next phase, edited")
        assert edited != text
        latest.write_text(edited)
        status = settled(client, lambda s: s["generation"] == 1)
        assert status["problems"] == []
        assert client.get(version).json()["title"] == "The next phase, edited"
        assert client.post("/access/v1/evaluation", json=question).json()["decision"] is True


def test_a_request_keeps_the_agreements_it_started_with(flagship_dir):
    """catalog_of pins the agreements for the rest of the request, whatever a reload swaps."""
    from starlette.requests import Request

    from termsheet.web import Settings, create_app
    from termsheet.web.api import catalog_of
    from termsheet.web.catalog import Catalog
    app = create_app(Settings(agreements=flagship_dir))
    request = Request({"type": "http", "app": app, "method": "GET", "path": "/",
                       "headers": []})
    old = catalog_of(request)
    app.state.catalog = Catalog.load(flagship_dir)      # what a reload does
    assert catalog_of(request) is old
    assert catalog_of(Request({"type": "http", "app": app, "method": "GET", "path": "/",
                               "headers": []})) is app.state.catalog


def test_the_reload_status_is_for_admin(flagship_dir, tmp_path):
    from termsheet.web import Settings, create_app
    tokens = make_access(tmp_path / "access.yaml")
    app = create_app(Settings(agreements=flagship_dir, access=tmp_path / "access.yaml"))
    with api_client(app) as client:
        assert client.get("/api/reload", headers=tokens.header("openai")).status_code == 403
        status = client.get("/api/reload", headers=tokens.header("admin")).json()
        assert status["watching"] is False and status["agreements"] == ["openai-microsoft"]


# ------------------------------------------------------------------------------------------------
# state kept with the agreements; the token cache


def test_decision_indexes_live_with_the_loaded_agreements(flagship_dir):
    from termsheet.decide.index import DEFAULT_CACHE
    from termsheet.web import Settings, create_app
    app = create_app(Settings(agreements=flagship_dir))
    catalog = app.state.catalog
    history = catalog.history("openai-microsoft")
    question = {"subject": {"type": "party", "id": "openai"}, "action": {"name": "distribute"},
                "resource": {"type": "product", "id": "chatgpt", "properties": {"channel": "aws"}},
                "context": {"date": "2026-04-01"}}  # under 2026-02-27 apps may go to any cloud
    with api_client(app) as client:
        assert client.post("/access/v1/evaluation", json=question).json()["decision"] is True
    assert any(kept is history for kept, _ in catalog.indexes._items.values())
    assert not any(kept is history for kept, _ in DEFAULT_CACHE._items.values())


def test_the_index_cache_compiles_once_across_threads(flagship):
    from termsheet.decide.index import IndexCache
    cache, got = IndexCache(), []
    threads = [threading.Thread(target=lambda: got.append(cache.get(flagship)))
               for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(index) for index in got}) == 1 and len(cache._items) == 1


def test_a_verified_token_is_checked_again_after_it_expires(tmp_path):
    from termsheet.web.access import Access, add_token
    token = add_token(tmp_path / "access.yaml", "desk", "admin")
    access = Access.from_file(tmp_path / "access.yaml")
    access.ttl = 0.2
    assert access.remembered(token)[0] is None           # never seen: scrypt is due
    assert access.principal_for(token).name == "desk"    # checked (scrypt) and remembered
    assert access.remembered(token)[0].name == "desk"    # within the period: no scrypt
    time.sleep(0.3)
    assert access.remembered(token)[0] is None           # expired: checked again
    assert access.principal_for(token).name == "desk"


def test_kept_answers_do_not_let_a_bad_item_through(flagship_dir):
    """An item answered before is answered from the kept answers; a new item of the wrong shape
    in the same batch is still a 400 that names it, and an unknown field type a 400 too."""
    from termsheet.web import Settings, create_app
    good = {"subject": {"type": "party", "id": "openai"}, "action": {"name": "distribute"},
            "resource": {"type": "product", "id": "chatgpt", "properties": {"channel": "aws"}},
            "context": {"date": "2026-04-01"}}  # under 2026-02-27 apps may go to any cloud
    bad = {**good, "subject": {"type": 7, "id": "openai"}}
    app = create_app(Settings(agreements=flagship_dir))
    with api_client(app) as client:
        first = client.post("/access/v1/evaluations", json={"evaluations": [good]})
        assert [a["decision"] for a in first.json()["evaluations"]] == [True]
        assert app.state.catalog.answers            # kept
        again = client.post("/access/v1/evaluations", json={"evaluations": [good, bad]})
        assert again.status_code == 400
        assert again.json()["errors"][0]["path"] == "body.evaluations.1.subject.type"
        one = client.post("/access/v1/evaluation", json=bad)
        assert one.status_code == 400 and one.json()["errors"][0]["path"] == \
            "body.subject.type"
        text = client.post("/access/v1/evaluation", content=b"{}",
                           headers={"content-type": "text/plain"})
        assert text.status_code == 400


@pytest.mark.parametrize("stored", [False, True], ids=["memory", "file"])
def test_an_app_started_again_in_one_process_still_answers(flagship_dir, tmp_path, stored):
    """An ASGI server may run the app's start-up again after its shut-down in one process (a test
    client per request does): the store opens again, jobs run, settling works; in memory, what
    the first life held is gone, in a file it is kept."""
    from termsheet.web import Settings, create_app
    agreements = copy_flagship(flagship_dir, tmp_path)
    app = create_app(Settings(agreements=agreements, scenarios=tmp_path / "scenarios",
                              store=tmp_path / "store.duckdb" if stored else None))
    rows = {"rows": [{"date": "2026-06-01", "seller": "OpenAI", "channel": "direct",
                      "product": "sora", "amount": 10, "currency": "USD"}]}
    with api_client(app) as client:
        assert client.post(f"{A}/settle", json=rows).status_code == 201
    with api_client(app) as client:
        # 10.00 of Sora in June 2026 at 20% to Microsoft: 2.00
        again = client.post(f"{A}/settle", json=rows)
        assert again.status_code == 201, again.text
        assert again.json()["statements"][0]["total"] == "2.00"
        assert again.json()["run"] == (2 if stored else 1)
        job = client.post(f"{A}/simulate", json={"scenario": "tiny"})
        assert job.status_code in (201, 202), job.text
        deadline = time.monotonic() + 60
        while (state := client.get(f"/api/jobs/{job.json()['id']}").json())["status"] not in (
                "done", "failed") and time.monotonic() < deadline:
            time.sleep(0.1)
        assert state["status"] == "done", state
        assert microsoft_value(state) == pytest.approx(400000.0)
