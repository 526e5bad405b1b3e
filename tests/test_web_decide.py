"""Decisions over HTTP: the JSON API (one, a batch, a plan) and the OpenID AuthZEN endpoints.
Cases are data (tests/cases/web/authzen.yaml), answers read off the flagship documents."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from web_helpers import api_client

# The tests of this module share one server and build on each other's state: one worker.
pytestmark = pytest.mark.xdist_group("test_web_decide")

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "web" / "authzen.yaml").read_text())
A = "/api/agreements/openai-microsoft"


def _text(value):
    if isinstance(value, dict):
        return {k: _text(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_text(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


@pytest.fixture(scope="module")
def client(flagship_dir):
    from termsheet.web import Settings, create_app
    with api_client(create_app(Settings(agreements=flagship_dir))) as client:
        yield client


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_authzen_evaluation(client, case):
    response = client.post("/access/v1/evaluation", json=_text(case["request"]))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"decision", "context"}
    assert body["decision"] is case["decision"]
    assert body["context"]["version"] == str(case["version"])
    assert body["context"]["reasons"]
    for clause in case.get("clauses", []):
        assert clause in body["context"]["clauses"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_json_api_gives_the_same_answer(client, case):
    """The same question in the plan's words, to /api/.../decide."""
    request = _text(case["request"])
    name, party = request["action"]["name"], request["subject"]["id"]
    resource, context = request["resource"], request["context"]
    props = resource.get("properties", {})
    body = {"action": name, "date": context["date"], "facts": context.get("facts", [])}
    if name == "distribute":
        body.update(party=party, product=resource["id"], channel=props["channel"],
                    available=context.get("available", {}))
    elif name == "use-license":
        body.update(licensee=party, licensor="openai", subject=resource["id"])
    else:
        body.update(licensor=party, to=props["to"], subject=resource["id"])
    answer = client.post(f"{A}/decide", json=body).json()
    assert answer["decision"] is case["decision"]
    assert answer["version"] == str(case["version"])
    assert answer["action"]["action"] == name


def test_evaluations_with_defaults_and_semantics(client):
    forbidden = {"resource": {"type": "product", "id": "openai-api",
                              "properties": {"channel": "aws"}}}
    allowed = {"resource": {"type": "product", "id": "chatgpt", "properties": {"channel": "aws"}}}
    request = {"subject": {"type": "party", "id": "openai"}, "action": {"name": "distribute"},
               "context": {"date": "2026-04-01"}, "evaluations": [allowed, forbidden, allowed]}
    every = client.post("/access/v1/evaluations", json=request).json()["evaluations"]
    assert [e["decision"] for e in every] == [True, False, True]
    request["options"] = {"evaluations_semantic": "deny_on_first_deny"}
    first_deny = client.post("/access/v1/evaluations", json=request).json()["evaluations"]
    assert [e["decision"] for e in first_deny] == [True, False]
    request["options"] = {"evaluations_semantic": "permit_on_first_permit"}
    request["evaluations"] = [forbidden, allowed, forbidden]
    first_permit = client.post("/access/v1/evaluations", json=request).json()["evaluations"]
    assert [e["decision"] for e in first_permit] == [False, True]
    # an item's own context replaces the default's keys: on 2026-05-01 with Azure first
    request["options"] = {}
    request["evaluations"] = [{**forbidden, "context": {"date": "2026-05-01",
                                                        "available": {"azure": "2026-04-20"}}}]
    later = client.post("/access/v1/evaluations", json=request).json()["evaluations"]
    assert later[0]["decision"] is True and later[0]["context"]["version"] == "2026-04-27"


def test_evaluations_without_an_array_is_one_evaluation(client):
    request = dict(_text(CASES[0]["request"]))
    body = client.post("/access/v1/evaluations", json=request).json()
    assert body["decision"] is False and "evaluations" not in body


def test_request_id_is_echoed(client):
    response = client.post("/access/v1/evaluation", json=_text(CASES[1]["request"]),
                           headers={"X-Request-ID": "req-42"})
    assert response.headers["x-request-id"] == "req-42"


@pytest.mark.parametrize("change,reason", [
    ({"subject": {"type": "party", "id": "opneai"}}, "did you mean 'openai'"),
    ({"subject": {"type": "user", "id": "openai"}}, "subject.type must be 'party'"),
    ({"context": {}}, "context.date is required"),
    ({"context": {"date": "2026-13-01"}}, "is not a date"),
    ({"action": {"name": "resell"}}, "unknown action 'resell'"),
    ({"resource": {"type": "product", "id": "openai-api"}}, "needs resource.properties.channel"),
    ({"context": {"date": "2026-04-01", "events": {"agi-verifed": "2026-01-01"}}},
     "did you mean 'agi-verified'"),
])
def test_a_question_the_agreement_cannot_answer_is_denied_with_reasons(client, change, reason):
    request = {**_text(CASES[0]["request"]), **change}
    body = client.post("/access/v1/evaluation", json=request).json()
    assert body["decision"] is False
    assert any(reason in r for r in body["context"]["reasons"]), body


def test_not_an_evaluation_is_400_in_the_one_shape(client):
    response = client.post("/access/v1/evaluation", json={"subject": {"type": "party"}})
    assert response.status_code == 400
    body = response.json()
    assert body["ok"] is False
    assert {e["path"] for e in body["errors"]} == {"body.subject.id", "body.action",
                                                   "body.resource"}
    missing = client.post("/access/v1/evaluations", json={"evaluations": [{}]})
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["path"] == "evaluations.0.subject"


def test_pdp_metadata(client):
    meta = client.get("/.well-known/authzen-configuration").json()
    assert meta["access_evaluation_endpoint"].endswith("/access/v1/evaluation")
    assert meta["access_evaluations_endpoint"].endswith("/access/v1/evaluations")


def test_batch_counts_and_positions_a_bad_request(client):
    requests = [{"action": "distribute", "party": "openai", "product": p, "channel": "aws",
                 "date": "2026-04-01"} for p in ("openai-api", "chatgpt", "sora")]
    body = client.post(f"{A}/decide/batch", json={"requests": requests}).json()
    assert body["summary"] == {"decisions": 3, "allowed": 2, "forbidden": 1}
    requests[2]["product"] = "soar"
    bad = client.post(f"{A}/decide/batch", json={"requests": requests})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["path"] == "requests.2"
    assert "did you mean 'sora'" in bad.json()["errors"][0]["hint"]


def test_check_a_plan(client):
    plan = """\
plan: OpenAI on AWS
actions:
  - {date: 2026-04-20, action: distribute, party: openai, product: openai-api, channel: azure}
  - {date: 2026-05-01, action: distribute, party: openai, product: openai-api, channel: aws}
  - {date: 2026-04-01, action: distribute, party: openai, product: openai-api, channel: aws}
"""
    report = client.post(f"{A}/check", json={"text": plan}).json()
    assert report["ok"] is False
    assert report["summary"]["allowed"] == 2 and report["summary"]["forbidden"] == 1
    # checked in date order: the stateless API on AWS on 2026-04-01 comes first, under 2026-02-27,
    # and is forbidden, so it is not taken as a launch; AWS on 2026-05-01 follows Azure's launch
    assert [d["decision"] for d in report["decisions"]] == [False, True, True]
    assert report["decisions"][0]["version"] == "2026-02-27"
    assert report["available"]["openai-api"] == {"aws": "2026-05-01", "azure": "2026-04-20"}
    bad = client.post(f"{A}/check", json={"text": plan.replace("party: openai", "party: opnai",
                                                               1)})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["line"] == 3 and bad.json()["errors"][0]["code"] == "E010"
