"""Launch plans: the shipped flagship plans, state carried in date order, positioned problems."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from termsheet import TermsheetError
from termsheet.decide.plans import check_plan, load_plan, parse_plan

PLANS = Path(__file__).resolve().parents[1] / "plans"

# Expected (decision, deciding clauses) per action in file order, worked out from the clauses.
A, F = True, False
SHIPPED = {
    "openai-on-aws.yaml": [
        (A, ["any-cloud"]), (A, ["api-exclusivity"]), (A, ["stateless-api-exclusivity"]),
        (A, []), (A, ["any-cloud"]), (A, ["any-cloud"]), (A, ["any-cloud"]),
        (A, ["any-cloud"]), (A, ["any-cloud"]), (A, ["ip-license"])],
    "openai-on-aws-before-the-rewrite.yaml": [
        (F, ["stateless-api-exclusivity"]), (F, ["api-exclusivity"]), (A, ["any-cloud"]),
        (A, ["national-security-any-cloud"]), (F, ["ip-license"]), (F, ["any-cloud"])],
    "trigger-across-versions.yaml": [
        (F, ["azure-exclusivity"])] * 3 + [
        (F, ["api-exclusivity"]), (F, ["stateless-api-exclusivity"]),
        (F, ["stateless-api-exclusivity"]), (A, ["any-cloud"])],
    "api-vs-apps-2025-10-28.yaml": [
        (F, ["stateless-api-exclusivity"]), (A, []), (F, ["api-exclusivity"]),
        (A, ["national-security-any-cloud"]), (A, ["any-cloud"]), (A, ["any-cloud"]),
        (A, ["any-cloud"])],
    "stateless-api-2026-02-27.yaml": [
        (F, ["stateless-api-exclusivity"]), (A, ["stateless-api-exclusivity"]),
        (A, ["national-security-any-cloud"]), (F, ["api-exclusivity"]), (A, [])],
    "azure-first-2026-04-27.yaml": [
        (F, ["any-cloud"]), (A, ["any-cloud"]), (A, ["any-cloud"]), (A, ["any-cloud"]),
        (A, ["any-cloud"])],
    "microsoft-models-2031.yaml": [(A, ["ip-license"]), (F, ["research-ip-license"])],
    "exclusive-licence-to-a-third-party.yaml": [(F, ["ip-license"]), (A, ["ip-license"])],
}


def decisions(report):
    by_line = sorted(report.results, key=lambda r: r.step.line)
    return [(r.decision.allowed, list(r.decision.clause_ids)) for r in by_line]


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_shipped_plan(flagship, name):
    report = check_plan(load_plan(PLANS / name), flagship)
    assert decisions(report) == SHIPPED[name]
    assert report.ok is all(allowed for allowed, _ in SHIPPED[name])


def test_every_shipped_plan_is_tested():
    assert {p.name for p in PLANS.glob("*.yaml")} >= set(SHIPPED)


# Microsoft's use of models (first) and research IP (second) on 2031-06-01, under each version.
MODELS_2031 = [
    ("2019-07-22", {}, [(F, []), (F, [])]),
    ("2020-09-22", {}, [(A, ["gpt3-license"]), (F, [])]),
    ("2023-01-23", {}, [(A, ["ip-license"]), (F, [])]),
    ("2025-01-21", {}, [(F, ["ip-license"]), (F, [])]),
    ("2025-10-28", {}, [(A, ["ip-license"]), (F, ["research-ip-license"])]),
    ("2025-10-28", {"agi-verified": date(2029, 1, 1)},
     [(A, ["ip-license"]), (F, ["research-ip-license"])]),
    ("2026-02-27", {"agi-verified": date(2029, 1, 1)},
     [(A, ["ip-license"]), (F, ["research-ip-license"])]),
    ("2026-04-27", {"agi-verified": date(2029, 1, 1)},
     [(A, ["ip-license"]), (F, ["research-ip-license"])]),
]


@pytest.mark.parametrize("version, events, expected", MODELS_2031)
def test_models_in_2031_under_each_version(flagship, version, events, expected):
    report = check_plan(load_plan(PLANS / "microsoft-models-2031.yaml"), flagship, events,
                        version=version)
    assert decisions(report) == expected
    assert {r.decision.version for r in report.results} == {version}


def test_a_forbidden_launch_is_not_taken(flagship):
    """AWS is refused on the 4th; once on Azure on the 11th, AWS on the 18th is fine."""
    report = check_plan(load_plan(PLANS / "azure-first-2026-04-27.yaml"), flagship)
    assert report.available["chatgpt"] == {"azure": date(2026, 5, 11),
                                           "aws": date(2026, 5, 18),
                                           "direct": date(2026, 5, 18)}
    assert report.available["sora"] == {"aws": date(2026, 5, 4)}
    assert report.to_dict()["summary"] == {
        "actions": 5, "allowed": 4, "forbidden": 1, "obligations": report.obligations()}


def test_plan_facts_apply_to_every_action(flagship):
    plan = parse_plan("""
facts: [microsoft-declines-support]
actions:
  - {date: 2026-05-04, action: distribute, party: openai, product: chatgpt, channel: aws}
""")
    assert check_plan(plan, flagship).ok


def problems_of(text: str, flagship=None) -> list[str]:
    with pytest.raises(TermsheetError) as err:
        plan = parse_plan(text, "plan.yaml")
        check_plan(plan, flagship)
    return [f"{p.line}:{p.column} {p.code} {p.message}" for p in err.value.problems]


def test_yaml_syntax_error_is_positioned():
    assert problems_of("actions:\n  - {date: 2026-05-01, action: [distribute\n") == [
        "3:1 E001 YAML syntax error: while parsing a flow sequence: expected ',' or ']', "
        "but got '<stream end>' (the construct opened at line 2, column 32)"]


def test_field_problems_are_positioned_all_at_once():
    text = """plan: broken
actions:
  - {date: 2026-05-01, action: distribute, party: openai, product: chatgpt}
  - {date: 2026-13-01, action: distribute, party: openai, product: chatgpt, channel: aws}
  - {date: 2026-05-01, action: distribute, party: openai, product: chatgpt, channel: aws,
     colour: blue}
  - {date: 2026-05-01, action: distrbute}
"""
    assert problems_of(text) == [
        "3:5 E021 missing field 'channel' for action 'distribute'",
        "4:12 E024 bad date 2026-13-01",
        "6:6 E022 unknown field 'colour'",
        "7:32 E023 unknown action 'distrbute'",
    ]


def test_unknown_names_point_at_the_field(flagship):
    text = """actions:
  - {date: 2026-05-01, action: distribute, party: openai, product: chatgtp, channel: aws}
  - {date: 2026-05-01, action: buy-compute, party: openai, from: amazn}
"""
    assert problems_of(text, flagship) == [
        "2:68 E012 unknown product 'chatgtp'",
        "3:66 E010 unknown party or channel 'amazn'",
    ]


def test_unknown_event_in_a_plan(flagship):
    text = "events: {agi: 2029-01-01}\nactions:\n  - {date: 2026-05-01, action: buy-compute, " \
           "party: openai, from: aws}\n"
    assert problems_of(text, flagship) == ["1:15 E013 unknown event 'agi'"]


def test_a_plan_needs_actions():
    assert problems_of("plan: empty\n") == ["1:1 E021 the plan has no 'actions' list"]


def test_an_action_before_the_first_version_points_at_its_date(flagship):
    text = """actions:
  - {date: 2026-05-01, action: buy-compute, party: openai, from: aws}
  - {date: 2018-01-01, action: buy-compute, party: openai, from: aws}
"""
    assert problems_of(text, flagship) == ["3:12 E040 no version in force on 2018-01-01"]
