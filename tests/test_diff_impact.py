"""The effect of the seed's revision: decisions that flip on a launch plan, and money per party
from revenue data and from a scenario, each version applied as if it governed alone. Expected
answers are worked out from the clause texts of 2026-02-27 and 2026-04-27."""

from __future__ import annotations

from decimal import Decimal

import pytest

from termsheet.diff import impact

PLAN = """\
plan: Spring 2026 launches
actions:
  # stateless-api-exclusivity forbids it before; any-cloud allows it after (Azure since 04-20)
  - {date: 2026-05-01, action: distribute, party: openai, product: openai-api, channel: aws}
  # any-cloud allows apps anywhere before; after, Azure must come first and it has not
  - {date: 2026-05-01, action: distribute, party: openai, product: chatgpt, channel: aws}
  # after, the condition lifts Azure first; before, the condition does not exist: no flip
  - {date: 2026-05-01, action: distribute, party: openai, product: sora, channel: aws,
     facts: [microsoft-declines-support]}
  # Microsoft's exclusive licence forbids it before; non-exclusive after
  - {date: 2026-05-15, action: grant-license, licensor: openai, to: amazon, subject: models,
     exclusive: true}
  # Microsoft may use the models under either: no flip
  - {date: 2026-05-15, action: use-license, licensee: microsoft, licensor: openai,
     subject: models}
available:
  openai-api: {azure: 2026-04-20}
"""

REVENUE = """\
date,seller,channel,product,amount,currency
2026-05-15,OpenAI,direct,openai-api,1000000,USD
2026-05-15,Microsoft,azure,azure-openai-service,500000,USD
"""

SCENARIO = """\
scenario: flat
agreement: openai-microsoft
first-year: 2027
horizon: 2
futures: 10
seed: 1
discount-rate: 0%
streams:
  openai-direct:
    revenue: {seller: openai, channel: direct, product: chatgpt}
    start: 100e6
    growth: 0%
    volatility: 0%
  azure-openai:
    revenue: {seller: microsoft, channel: azure, product: azure-openai-service}
    start: 50e6
    growth: 0%
    volatility: 0%
"""


@pytest.fixture(scope="module")
def seed(flagship):
    return flagship.get("2026-02-27"), flagship.get("2026-04-27")


def test_plan_flips(seed, tmp_path):
    path = tmp_path / "spring.yaml"
    path.write_text(PLAN)
    report = impact.plan_flips(path, *seed)
    assert (report.actions, report.allowed_before, report.allowed_after) == (5, 3, 4)
    flips = {(f.action["action"], f.action.get("product") or f.action.get("subject")): f
             for f in report.flips}
    assert set(flips) == {("distribute", "openai-api"), ("distribute", "chatgpt"),
                          ("grant-license", "models")}
    api = flips[("distribute", "openai-api")]
    assert (api.before, api.after) == (False, True)
    assert "stateless-api-exclusivity" in api.before_clauses and "any-cloud" in api.after_clauses
    chatgpt = flips[("distribute", "chatgpt")]
    assert (chatgpt.before, chatgpt.after) == (True, False)
    assert chatgpt.after_clauses == ("any-cloud",)
    licence = flips[("grant-license", "models")]
    assert (licence.before, licence.after) == (False, True)
    assert licence.before_clauses == ("ip-license",)


def test_plan_flips_of_a_version_with_itself_are_none(seed, tmp_path):
    path = tmp_path / "spring.yaml"
    path.write_text(PLAN)
    assert impact.plan_flips(path, seed[1], seed[1]).flips == ()


def test_money_from_revenue_data(seed, tmp_path):
    path = tmp_path / "revenue.csv"
    path.write_text(REVENUE)
    money = impact.money_from_data([path], *seed)
    # before: OpenAI pays 20% of 1,000,000; Microsoft pays 20% of 500,000
    # after: OpenAI pays 20% of 1,000,000; Microsoft pays nothing
    openai, microsoft = money.party("openai"), money.party("microsoft")
    assert (openai.before, openai.after, openai.change) == \
        (Decimal("-100000.00"), Decimal("-200000.00"), Decimal("-100000.00"))
    assert (microsoft.before, microsoft.after, microsoft.change) == \
        (Decimal("100000.00"), Decimal("200000.00"), Decimal("100000.00"))
    assert isinstance(openai.change, Decimal)


def test_money_from_a_flat_scenario(seed, tmp_path):
    path = tmp_path / "flat.yaml"
    path.write_text(SCENARIO)
    money = impact.money_from_scenario(path, *seed)
    # two years, no discount: before OpenAI pays 2 x 20M and receives 2 x 10M; after it pays
    # 2 x 20M and receives nothing
    openai, microsoft = money.party("openai"), money.party("microsoft")
    assert (openai.before, openai.after) == pytest.approx((-20e6, -40e6))
    assert (microsoft.before, microsoft.after) == pytest.approx((20e6, 40e6))
    assert (openai.p_gain, microsoft.p_gain) == (0.0, 1.0)


def test_as_governing_moves_only_the_start(seed):
    from datetime import date
    history = impact.as_governing(seed[1], date(2020, 1, 1))
    version = history.latest
    assert version.effective == date(2020, 1, 1) and version.amends is None
    assert version.clauses == seed[1].clauses
    assert impact.as_governing(seed[1], date(2027, 1, 1)).latest.effective == seed[1].effective


def test_shipped_plans_are_the_yaml_files(tmp_path):
    for name in ("b.yaml", "a.yml", "notes.txt"):
        (tmp_path / name).write_text("")
    assert [p.name for p in impact.shipped_plans(tmp_path)] == ["b.yaml", "a.yml"]
