"""Hostile and unlucky input never crashes: extreme dates, deeply nested YAML, YAML alias bombs.

Each is bad input (or, for the extreme dates, odd but valid input): the answer is a decision, a
positioned problem with exit 1, or a 4xx; never exit 3 and never a 5xx. An alias bomb is refused
fast and within bounded memory (checked in a child process under an address-space limit).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from web_helpers import api_client

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "agreements" / "openai-microsoft"
A = "/api/agreements/openai-microsoft"
EXTREMES = ("0001-01-01", "0001-01-02", "9999-12-30", "9999-12-31")
# A 272-byte document with 7 levels of aliases: each level lists the one before 9 times, so the
# last names 9**7 = 4,782,969 copies of the first.
BOMB = textwrap.dedent("""\
    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
    b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
    c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
    d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
    e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
    f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
    g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
    """)


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT / "src")}


def termsheet(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "termsheet", *args], capture_output=True,
                          text=True, env=_env(), timeout=timeout)


@pytest.fixture(scope="module")
def client():
    from termsheet.web import Settings, create_app
    with api_client(create_app(Settings(agreements=FLAGSHIP))) as client:
        yield client


# ------------------------------------------------------------------------------------------------
# 14.5: extreme dates


@pytest.mark.parametrize("event", EXTREMES)
def test_an_extreme_event_date_is_decided_on_the_command_line(event):
    # agi-verified ends the exclusivity the day before it happens. On 0001-01-01 it has happened
    # before any version took effect, so on 2026-05-01 (version 2026-04-27, Azure-first) the
    # stateless API may go on AWS once it is on Azure: yes. On 9999-12-31 it has not happened by
    # 2026: the answer is the same as without the event, which the 2026-04-27 version also gives.
    done = termsheet("decide", "-a", str(FLAGSHIP), "--as-of", "2026-05-01",
                     "--event", f"agi-verified={event}", "distribute", "--party", "openai",
                     "--product", "openai-api", "--channel", "aws", "--json")
    assert done.returncode in (0, 1), done.stderr
    assert "bug in termsheet" not in done.stderr


@pytest.mark.parametrize("event", EXTREMES)
def test_an_extreme_event_date_is_never_a_5xx(client, event):
    question = {"subject": {"type": "party", "id": "openai"}, "action": {"name": "distribute"},
                "resource": {"type": "product", "id": "openai-api",
                             "properties": {"channel": "aws"}},
                "context": {"date": "2026-05-01", "available": {"azure": "2026-04-20"},
                            "events": {"agi-verified": event}}}
    one = client.post("/access/v1/evaluation", json=question)
    assert one.status_code == 200, one.text
    # before the 2026-04-27 revision, under 2025-10-28, the API stays Azure-exclusive until AGI
    # is verified: an event on the first day there is ended that exclusivity, one in 9999 did not
    early = {**question, "context": {**question["context"], "date": "2025-12-01"}}
    answer = client.post("/access/v1/evaluation", json=early)
    assert answer.status_code == 200, answer.text
    if event.startswith("0001"):
        assert answer.json()["decision"] is True, answer.json()
    else:
        assert answer.json()["decision"] is False, answer.json()
    many = client.post("/access/v1/evaluations", json={"evaluations": [question, early]})
    assert many.status_code == 200, many.text
    decide = client.post(f"{A}/decide", json={
        "action": "distribute", "party": "openai", "product": "openai-api", "channel": "aws",
        "date": "2026-05-01", "available": {"azure": "2026-04-20"},
        "events": {"agi-verified": event}})
    assert decide.status_code == 200, decide.text
    timeline = client.get(f"{A}/timeline", params={"event": f"agi-verified={event}"})
    assert timeline.status_code == 200, timeline.text
    history = client.get("/agreements/openai-microsoft",
                         params={"event": f"agi-verified={event}"})
    assert history.status_code == 200, history.text[:500]
    page = client.get("/agreements/openai-microsoft/decide",
                      params={"action": "distribute", "party": "openai",
                              "product": "openai-api", "channel": "aws", "date": "2026-05-01",
                              "event.agi-verified": event, "available.azure": "2026-04-20"})
    assert page.status_code == 200, page.text[:500]


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_an_extreme_decision_date(client, day):
    answer = client.post(f"{A}/decide", json={
        "action": "distribute", "party": "openai", "product": "openai-api", "channel": "aws",
        "date": day, "events": {"agi-verified": day}})
    assert answer.status_code in (200, 422), answer.text
    authzen = client.post("/access/v1/evaluation", json={
        "subject": {"type": "party", "id": "openai"}, "action": {"name": "distribute"},
        "resource": {"type": "product", "id": "openai-api", "properties": {"channel": "aws"}},
        "context": {"date": day, "events": {"agi-verified": day}}})
    assert authzen.status_code == 200, authzen.text


# ------------------------------------------------------------------------------------------------
# 14.7: deep nesting


def test_deeply_nested_yaml_is_a_positioned_problem(tmp_path, client):
    from termsheet.agreement.yamlpos import YamlError, load
    with pytest.raises(YamlError) as caught:
        load("[" * 100_000)
    assert "nest" in caught.value.message and caught.value.line == 1
    # well formed, 999 deep: within libyaml's own limit, over ours
    with pytest.raises(YamlError) as caught:
        load("[" * 999 + "]" * 999)
    assert "nest" in caught.value.message and caught.value.column == 65
    document = tmp_path / "deep.md"
    document.write_text("---\nagreement: deep\nnested: " + "[" * 100_000 + "\n---\n")
    done = termsheet("validate", str(document))
    assert done.returncode == 1, (done.returncode, done.stdout[-500:], done.stderr[-500:])
    assert "E001" in done.stdout + done.stderr
    deep = client.post("/api/validate", json={"text": document.read_text()})
    assert deep.status_code == 200, deep.text[:300]
    assert deep.json()["ok"] is False and deep.json()["errors"][0]["code"] == "E001"
    check = client.post(f"{A}/check", json={"text": "[" * 100_000})
    assert check.status_code == 422, check.text[:300]
    simulate = client.post(f"{A}/simulate", json={"text": "[" * 100_000})
    assert simulate.status_code == 422, simulate.text[:300]


# ------------------------------------------------------------------------------------------------
# 14.11: alias bombs

BOUNDED = """
import resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (1_500_000_000, 1_500_000_000))
from termsheet import api
started = time.monotonic()
problems = api.validate(sys.argv[1])
print(round(time.monotonic() - started, 2), [p.code for p in problems])
"""


def test_an_alias_bomb_is_refused_fast_in_bounded_memory(tmp_path, client):
    document = tmp_path / "bomb.md"
    document.write_text("---\n" + BOMB + "---\n")
    assert len(BOMB) == 272
    done = subprocess.run([sys.executable, "-c", BOUNDED, str(document)], capture_output=True,
                          text=True, env=_env(), timeout=60)
    assert done.returncode == 0, done.stderr[-800:]
    seconds, codes = done.stdout.rsplit(None, 1)[0], done.stdout
    assert float(seconds.split()[0]) < 5, done.stdout
    assert "E001" in codes
    cli = termsheet("validate", str(document), timeout=60)
    assert cli.returncode == 1 and "alias" in (cli.stdout + cli.stderr)
    served = client.post("/api/validate", json={"text": document.read_text()})
    assert served.status_code == 200 and served.json()["ok"] is False
    assert "alias" in served.json()["errors"][0]["message"]


def test_an_anchor_used_once_is_still_refused_with_its_position():
    from termsheet.agreement.yamlpos import YamlError, load
    with pytest.raises(YamlError) as caught:
        load("a: &x 1\nb: *x\n")
    assert caught.value.line == 1 and "alias" in caught.value.message


# ------------------------------------------------------------------------------------------------
# fuzz: random YAML with anchors, aliases and depth, posted to /api/validate

SCALARS = st.sampled_from(["1", "x", "2026-01-01", "0001-01-01", "9999-12-31", "10000-01-01",
                           "~", "''", "1.5", "-.inf"])


def _yaml(depth: int):
    leaf = st.one_of(SCALARS, st.sampled_from(["*a", "&a 1", "*b", "&b [1]", "<<: *a"]))
    if depth == 0:
        return leaf
    inner = _yaml(depth - 1)
    return st.one_of(
        leaf,
        st.lists(inner, max_size=4).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(st.sampled_from(["k", "v", "<<", "a"]), inner), max_size=3)
          .map(lambda pairs: "{" + ", ".join(f"{k}: {v}" for k, v in pairs) + "}"),
        st.integers(1, 3000).map(lambda n: "[" * n),
        st.tuples(st.sampled_from(["&a ", "&b "]), inner).map("".join))


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(body=_yaml(3), where=st.sampled_from(["front", "terms"]))
def test_fuzz_validate_never_answers_5xx(client, body, where):
    if where == "front":
        text = f"---\nagreement: fuzz\nversion: 2026-01-01\nextra: {body}\n---\n"
    else:
        text = ("---\nagreement: fuzz\nversion: 2026-01-01\n---\n\n## A\n\n```terms\n"
                f"id: a\nkind: {body}\n```\n")
    response = client.post("/api/validate", json={"text": text})
    assert response.status_code == 200, response.text[:300]
    assert json.loads(response.text)["ok"] in (True, False)
