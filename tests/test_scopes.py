"""Licences scoped by territory, field of use and channel (issue 16): hand-worked decisions in
tests/cases/scoped/, the command line and AuthZEN, checks, conflicts between scoped exclusive
licences, and the words of diff and timeline."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from termsheet import api
from termsheet.agreement import yamlpos
from termsheet.agreement.document import parse
from termsheet.decide import GrantLicense, UseLicense, decide
from termsheet.portfolio import load
from termsheet.portfolio.conflicts import find_conflicts

from support.cli import run_cli

HERE = Path(__file__).parent
DEAL = HERE / "documents" / "scoped-licence"
CASES = HERE / "cases" / "scoped" / "licences.yaml"


def cases() -> list:
    data, _ = yamlpos.load(CASES.read_text(encoding="utf-8"))
    return [pytest.param(case, id=case["name"]) for case in data]


def build(case: dict):
    scope = (case.get("territory"), case.get("field"), case.get("channel"))
    if case["action"] == "use-license":
        return UseLicense(case["licensee"], case["licensor"], case["subject"], case["date"],
                          frozenset(), *scope)
    return GrantLicense(case["licensor"], case["to"], case["subject"], case["date"],
                        case.get("exclusive", False), frozenset(), *scope)


@pytest.mark.parametrize("case", cases())
def test_scoped_case(case):
    decision = decide(api.load_history_of(DEAL), build(case))
    assert decision.allowed is case["expect"]["decision"], decision.reasons
    assert list(decision.clause_ids) == list(case["expect"]["deciding"]), decision.reasons
    scope = {k: case[k] for k in ("territory", "field", "channel") if k in case}
    assert {k: decision.to_dict()["action"][k] for k in scope} == scope


def test_cases_cover_before_during_and_after_each_term():
    data, _ = yamlpos.load(CASES.read_text(encoding="utf-8"))
    days = {case["date"] for case in data}
    # eu-exclusive 2026-01-01..2028-12-31; rest-non-exclusive 2026-01-01..2030-12-31
    assert min(days) < dt.date(2026, 1, 1)
    assert any(dt.date(2026, 1, 1) <= d <= dt.date(2028, 12, 31) for d in days)
    assert any(dt.date(2028, 12, 31) < d <= dt.date(2030, 12, 31) for d in days)
    assert max(days) > dt.date(2030, 12, 31)


def test_decide_command_takes_the_scope():
    ok = run_cli("decide", "--agreement", DEAL, "--as-of", "2026-03-01", "use-license",
                 "--licensee", "pharmaco", "--licensor", "helix", "--subject", "helix-model",
                 "--territory", "eu", "--field", "healthcare")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "in eu, for healthcare" in ok.stdout
    no = run_cli("decide", "--agreement", DEAL, "--as-of", "2026-03-01", "use-license",
                 "--licensee", "pharmaco", "--licensor", "helix", "--subject", "helix-model",
                 "--territory", "eu", "--field", "finance")
    assert no.returncode == 1
    bad = run_cli("decide", "--agreement", DEAL, "--as-of", "2026-03-01", "use-license",
                  "--licensee", "pharmaco", "--licensor", "helix", "--subject", "helix-model",
                  "--territory", "europe", "--json")
    assert bad.returncode == 1 and "E017" in bad.stdout + bad.stderr


def test_authzen_resource_properties_carry_the_scope():
    from termsheet.web.authzen import to_action
    history = api.load_history_of(DEAL)
    ev = ({
        "subject": {"type": "party", "id": "pharmaco"}, "action": {"name": "use-license"},
        "resource": {"type": "product", "id": "helix-model",
                     "properties": {"licensor": "helix", "territory": "fr",
                                    "field": "healthcare"}},
        "context": {"date": "2026-03-01"}})
    action = to_action(history, ev)
    assert (action.territory, action.field_of_use) == ("fr", "healthcare")
    assert decide(history, action).allowed


def test_unknown_territory_in_a_clause_is_positioned():
    text = (DEAL / "2025-06-01.md").read_text(encoding="utf-8")
    bad = text.replace("territories: [eu]\n", "territories: [europe]\n")
    _, problems = parse(bad, "x.md")
    assert [(p.code, p.clause) for p in problems] == [("E017", "eu-exclusive")]
    assert problems[0].line == bad.split("\n").index("territories: [europe]") + 1
    assert "did you mean 'eu'?" in problems[0].hint


def test_a_scoped_exclusive_licence_granted_twice_is_a_conflict(tmp_path):
    # helix-pharmaco grants pharmaco an exclusive licence in eu (de, fr, it) for healthcare,
    # 2026-01-01..2028-12-31. A second agreement grants medco an exclusive licence in [fr, us]
    # for healthcare from 2027-07-01: they meet in fr, healthcare, 2027-07-01..2028-12-31.
    shutil.copytree(DEAL, tmp_path / "helix-pharmaco")
    second = (DEAL / "2025-06-01.md").read_text(encoding="utf-8")
    second = second.replace("agreement: helix-pharmaco", "agreement: helix-medco")
    head, _, _ = second.partition("## 1.")
    second = head + """## 1. Exclusive licence in France and the US

From 1 July 2027 MedCo may use the Helix model in France and the United States for healthcare,
and Helix licenses it to no one else there.

```terms
id: medco-exclusive
kind: license
licensor: helix
licensee: medco
subject: [helix-model]
exclusive: true
territories: [fr, us]
fields: [healthcare]
from: 2027-07-01
```
"""
    (tmp_path / "helix-medco").mkdir()
    (tmp_path / "helix-medco" / "2025-06-01.md").write_text(second, encoding="utf-8")
    found = find_conflicts(load(tmp_path)).conflicts
    assert {(c.grants.clause, c.forbids.clause) for c in found} == {
        ("medco-exclusive", "eu-exclusive"), ("rest-non-exclusive", "medco-exclusive")}
    [c] = [c for c in found if c.forbids.clause == "eu-exclusive"]
    assert (c.start, c.end) == (dt.date(2027, 7, 1), dt.date(2028, 12, 31))
    assert "territories: fr" in c.explanation and "fields: healthcare" in c.explanation
    assert "for healthcare" in c.forbids.sentence and "France" in c.grants.sentence
    # pharmaco's non-exclusive licence outside the eu (retail, healthcare, through 2030) meets
    # medco's exclusive one in us, healthcare, retail, 2027-07-01..2030-12-31
    [rest] = [c for c in found if c.grants.clause == "rest-non-exclusive"]
    assert rest.forbids.clause == "medco-exclusive"
    assert (rest.start, rest.end) == (dt.date(2027, 7, 1), dt.date(2030, 12, 31))
    assert "territories: us; fields: healthcare; channels: retail" in rest.explanation


def test_narration_timeline_and_rows_show_scopes():
    from termsheet import diff, narrate
    from termsheet.agreement.describe import key_terms
    from termsheet.diff.timeline import table, timeline
    text = (DEAL / "2025-06-01.md").read_text(encoding="utf-8")
    a = parse(text, "a.md")[0]
    b = parse(text.replace("version: 2025-06-01", "version: 2026-06-01")
               .replace("territories: [eu]\n", "territories: [de, fr]\n"), "b.md")[0]
    en = [s.text for s in narrate(diff(a, b), "en")]
    zh = [s.text for s in narrate(diff(a, b), "zh")]
    assert en == ["“Exclusive licence in the EU”: PharmaCo AG's licence to helix-model now "
                  "holds in de and fr (before: eu)."]
    assert zh == ["「Exclusive licence in the EU」：PharmaCo AG对helix-model的许可地域改为de和fr"
                  "（原为eu）。"]
    rows = {r["clause"]: r for r in table(timeline(api.load_history_of(DEAL)))}
    assert rows["eu-exclusive"]["scope"] == "in eu, for healthcare"
    assert rows["rest-non-exclusive"]["scope"] == ("outside eu, for healthcare, through "
                                                   "retail")
    assert key_terms(a.clause("eu-exclusive")).endswith("in eu, for healthcare")
    # a licence added with a scope says so when narrated
    empty = parse(text.split("## 1.")[0], "e.md")[0]
    added = [s.text for s in narrate(diff(empty, a), "en") if "Exclusive licence" in s.text]
    assert "in eu, for healthcare" in added[0]


# ------------------------------------------------------------------------------------------------
# batches honour the scope: the same case gives the same decision one by one and in a batch


def test_a_batch_of_the_index_decides_under_each_scope():
    """The compiled index's batch path, fed by ``encode``, answers each case as expected.
    (Before, ``encode`` dropped the scope and the batch answered from the unscoped table: the
    use in de for healthcare during the EU term came out forbidden, and 6 of 16 cases wrong.)"""
    from termsheet.decide.index import index_for
    data, _ = yamlpos.load(CASES.read_text(encoding="utf-8"))
    history = api.load_history_of(DEAL)
    index = index_for(history)
    actions = [build(case) for case in data]
    codes = index.encode(actions)
    assert any(s >= 0 for s in codes["scope"]) and codes["scopes"]
    got = index.batch(**codes)
    assert [bool(code == 1) for code in got] == [case["expect"]["decision"] for case in data]
    assert [bool(code == 1) for code in got] == [decide(history, a).allowed for a in actions]


def _authzen(case: dict) -> dict:
    """A case as an AuthZEN evaluation: the licensee (or licensor) acts on the model, its
    scope as resource properties."""
    scope = {k: case[k] for k in ("territory", "field", "channel") if k in case}
    if case["action"] == "use-license":
        subject, properties = case["licensee"], {"licensor": case["licensor"], **scope}
    else:
        subject, properties = case["licensor"], {"to": case["to"], **scope}
    action = {"name": case["action"]}
    if case.get("exclusive"):
        action["properties"] = {"exclusive": True}
    return {"subject": {"type": "party", "id": subject}, "action": action,
            "resource": {"type": "product", "id": case["subject"], "properties": properties},
            "context": {"date": case["date"].isoformat()}}


def _api(case: dict) -> dict:
    """A case as a request of ``/api/agreements/{id}/decide``."""
    return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in case.items()
            if k not in ("name", "why", "expect")}


def test_the_server_decides_scoped_cases_alike_one_by_one_and_in_batches(tmp_path):
    """Each hand-worked case through AuthZEN (one evaluation, a batch, a batch whose defaults
    carry the scope) and through ``/decide`` and ``/decide/batch``: the expected decision
    every time. (Before, ``/decide`` and ``/decide/batch`` refused a scope: 422 "Extra inputs
    are not permitted" at ``body.requests.0.use-license.territory``.)"""
    from web_helpers import api_client
    from termsheet.web import Settings, create_app
    data, _ = yamlpos.load(CASES.read_text(encoding="utf-8"))
    expected = [case["expect"]["decision"] for case in data]
    app = create_app(Settings(agreements=DEAL))
    with api_client(app) as client:
        one = [client.post("/access/v1/evaluation", json=_authzen(c)).json()["decision"]
               for c in data]
        assert one == expected
        for _ in range(2):   # decided, then answered from the kept answers
            batch = client.post("/access/v1/evaluations",
                                json={"evaluations": [_authzen(c) for c in data]})
            assert [a["decision"] for a in batch.json()["evaluations"]] == expected
        for case, want in zip(data, expected):   # the scoped resource as the batch's default
            ev = _authzen(case)
            body = {"resource": ev.pop("resource"), "evaluations": [ev, ev]}
            answers = client.post("/access/v1/evaluations", json=body).json()["evaluations"]
            assert [a["decision"] for a in answers] == [want, want], case["name"]
        single = [client.post("/api/agreements/helix-pharmaco/decide", json=_api(c))
                  for c in data]
        assert [r.status_code for r in single] == [200] * len(data)
        assert [r.json()["decision"] for r in single] == expected
        batch = client.post("/api/agreements/helix-pharmaco/decide/batch",
                            json={"requests": [_api(c) for c in data]})
        assert batch.status_code == 200, batch.text
        assert [d["decision"] for d in batch.json()["decisions"]] == expected
        assert {k: batch.json()["decisions"][1]["action"][k] for k in ("territory", "field")} \
            == {"territory": "de", "field": "healthcare"}


def test_a_plan_of_the_scoped_cases_decides_each_as_worked(tmp_path):
    """Every hand-worked case as one dated action of a launch plan, checked by `termsheet check`:
    the plan keeps each action's territory, field and channel."""
    data, _ = yamlpos.load(CASES.read_text(encoding="utf-8"))
    keys = ("action", "licensee", "licensor", "subject", "to", "exclusive", "territory",
            "field", "channel")
    actions = [{**{k: case[k] for k in keys if k in case}, "date": case["date"].isoformat(),
                "note": case["name"]} for case in data]
    plan = tmp_path / "scoped.yaml"
    import json
    plan.write_text(f"plan: scoped\nagreement: {DEAL}\nactions:\n"
                    + "".join(f"  - {json.dumps(a)}\n" for a in actions), encoding="utf-8")
    result = run_cli("check", str(plan), "--json")
    report = json.loads(result.stdout)
    got = {d["note"]: (d["decision"], d["action"].get("territory"), d["action"].get("channel"))
           for d in report["decisions"]}
    want = {case["name"]: (case["expect"]["decision"], case.get("territory"), case.get("channel"))
            for case in data}
    assert got == want
    assert result.returncode == 1  # some cases are forbidden


def test_a_plans_unknown_territory_is_positioned_at_its_value(tmp_path):
    plan = tmp_path / "scoped.yaml"
    plan.write_text(f"agreement: {DEAL}\nactions:\n"
                    "  - {date: 2026-03-01, action: use-license, licensee: pharmaco,\n"
                    "     licensor: helix, subject: helix-model, territory: germany}\n",
                    encoding="utf-8")
    result = run_cli("check", str(plan))
    assert result.returncode == 1
    assert f"{plan}:4:56: E017 unknown territory 'germany'" in result.stdout + result.stderr


def test_the_decide_page_asks_scoped_questions():
    """Each hand-worked case through the decide page's form: territory, field of use and a
    licence's channel are fields of the form, and the verdict is the worked one."""
    from web_helpers import api_client
    from termsheet.web import Settings, create_app
    data, _ = yamlpos.load(CASES.read_text(encoding="utf-8"))
    app = create_app(Settings(agreements=DEAL))
    with api_client(app) as client:
        form = client.get("/agreements/helix-pharmaco/decide").text
        assert 'name="territory"' in form and 'name="field"' in form
        for case in data:
            use = case["action"] == "use-license"
            params = {"action": case["action"], "date": case["date"].isoformat(),
                      "party": case["licensee"] if use else case["licensor"],
                      "counterparty": case["licensor"] if use else case["to"],
                      "product": case["subject"], **{k: case[k] for k in
                                                     ("territory", "field", "channel")
                                                     if k in case}}
            if case.get("exclusive"):
                params["exclusive"] = "on"
            page = client.get("/agreements/helix-pharmaco/decide", params=params)
            assert page.status_code == 200, (case["name"], page.text[-600:])
            verdict = "Allowed" if case["expect"]["decision"] else "Not allowed"
            assert f'id="verdict">{verdict}<' in page.text, case["name"]
