"""decide(): the rules on small documents written for each rule, the record, and bad input."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from termsheet import Distribute, GrantLicense, TermsheetError, UseLicense, BuyCompute, decide, parse
from termsheet.agreement.history import History

FRONT = """---
agreement: tiny
version: {version}
title: A small agreement
effective: {effective}
parties: {{acme: Acme, cloudco: CloudCo}}
channels:
  big-cloud: {{operator: cloudco}}
  other-cloud: {{operator: someone}}
  direct: {{operator: acme}}
products:
  widget: {{owner: acme, type: api}}
  gadget: {{owner: acme, type: app}}
  cloud-db: {{owner: cloudco, type: api}}
events:
  launch-event: A launch event.
conditions:
  cloudco-declines: CloudCo cannot and will not support it.
---
"""


def version_text(clauses: str, version: str = "v1", effective: str = "2030-01-01") -> str:
    return FRONT.format(version=version, effective=effective) + clauses


def history_of(*texts: str) -> History:
    versions = []
    for text in texts:
        version, problems = parse(text, "tiny.md")
        assert not problems, problems
        versions.append(version)
    return History("tiny", tuple(versions))


FIRST_LAUNCH = """
## 1. Anywhere, big cloud first

Acme may sell every product anywhere. A product may not appear elsewhere until it has been on
big-cloud for a week.

```terms
id: anywhere
kind: distribution
party: acme
products: all
channels: any
first-launch: {on: big-cloud, lead-days: 7, unless: cloudco-declines}
```
"""

DAY = date(2030, 6, 15)


@pytest.fixture(scope="module")
def lead7():
    return history_of(version_text(FIRST_LAUNCH))


@pytest.mark.parametrize("days_before, allowed", [(8, True), (7, True), (6, False), (0, False),
                                                  (-1, False)])
def test_lead_days_is_a_minimum_gap(lead7, days_before, allowed):
    """lead-days 7: on big-cloud at least 7 days before the first day on another channel."""
    seen = {"big-cloud": DAY - timedelta(days=days_before)}
    decision = decide(lead7, Distribute("acme", "widget", "other-cloud", DAY, available=seen))
    assert decision.allowed is allowed
    assert decision.clause_ids == ("anywhere",)


def test_lead_days_counts_from_the_first_day_on_the_channel(lead7):
    """Already on other-cloud since the 10th: the gap is measured from the 10th, not today."""
    seen = {"big-cloud": date(2030, 6, 5), "other-cloud": date(2030, 6, 10)}
    assert not decide(lead7, Distribute("acme", "widget", "other-cloud", DAY,
                                        available=seen)).allowed
    seen["big-cloud"] = date(2030, 6, 3)
    assert decide(lead7, Distribute("acme", "widget", "other-cloud", DAY,
                                    available=seen)).allowed


def test_the_unless_condition_stated_as_a_fact(lead7):
    plain = decide(lead7, Distribute("acme", "widget", "other-cloud", DAY))
    declined = decide(lead7, Distribute("acme", "widget", "other-cloud", DAY,
                                        frozenset({"cloudco-declines"})))
    assert (plain.allowed, declined.allowed) == (False, True)
    assert "cloudco-declines holds (stated as a fact)" in declined.assumptions


def test_first_launch_channel_and_own_channel(lead7):
    on = decide(lead7, Distribute("acme", "widget", "big-cloud", DAY))
    own = decide(lead7, Distribute("acme", "widget", "direct", DAY))
    assert on.allowed and not on.obligations
    assert own.allowed
    assert [o.clause for o in own.obligations] == ["anywhere"]
    assert own.obligations[0].text.startswith("ship widget first on big-cloud")


RESTRICT_AND_GRANT = """
## 1. Only big-cloud for APIs

Acme sells its APIs only through big-cloud.

```terms
id: api-only-big
kind: exclusivity
party: acme
products: {type: api}
channels: [big-cloud]
```

## 2. Anything anywhere

Acme may sell anything anywhere.

```terms
id: anything
kind: distribution
party: acme
products: all
channels: any
```
"""


def test_a_restriction_beats_a_grant_in_the_same_version():
    history = history_of(version_text(RESTRICT_AND_GRANT))
    api = decide(history, Distribute("acme", "widget", "other-cloud", DAY))
    app = decide(history, Distribute("acme", "gadget", "other-cloud", DAY))
    assert not api.allowed and api.clause_ids == ("api-only-big",)
    assert "a restriction beats a grant" in api.reasons[-1]
    assert app.allowed and app.clause_ids == ("anything",)


LICENCE = """
## 1. Licence

CloudCo licenses its database to Acme, exclusively, until the launch event.

```terms
id: db-licence
kind: license
licensor: cloudco
licensee: acme
subject: [cloud-db]
exclusive: true
until: launch-event
```
"""


def test_a_licence_ends_the_day_before_its_event():
    history = history_of(version_text(LICENCE))
    use = UseLicense("acme", "cloudco", "cloud-db", date(2031, 1, 1))
    assert decide(history, use).allowed  # the event has no date: it has not happened
    ended = decide(history, use, {"launch-event": date(2031, 1, 1)})
    assert not ended.allowed and ended.clause_ids == ("db-licence",)
    day_before = UseLicense("acme", "cloudco", "cloud-db", date(2030, 12, 31))
    assert decide(history, day_before, {"launch-event": date(2031, 1, 1)}).allowed


def test_an_exclusive_licence_forbids_granting_to_anyone_else():
    history = history_of(version_text(LICENCE))
    assert not decide(history, GrantLicense("cloudco", "someone", "cloud-db", DAY)).allowed
    assert decide(history, GrantLicense("cloudco", "acme", "cloud-db", DAY)).allowed
    # distributing another party's product needs the licence too
    assert decide(history, Distribute("acme", "cloud-db", "big-cloud", DAY)).clause_ids == \
        ("db-licence",)
    assert not decide(history, Distribute("cloudco", "widget", "big-cloud", DAY)).allowed


def test_a_version_alone_can_be_decided_on():
    version, _ = parse(version_text(RESTRICT_AND_GRANT), "tiny.md")
    assert not decide(version, Distribute("acme", "widget", "other-cloud", DAY)).allowed


# -- the flagship: the record and the obligation text ------------------------------------------


def test_the_record_is_an_authzen_evaluation_response(flagship):
    decision = decide(flagship, Distribute("openai", "openai-api", "aws", date(2026, 5, 1),
                                           available={"azure": date(2026, 4, 20)}))
    record = decision.to_dict()
    assert record["decision"] is True
    assert record["context"]["reasons"] and record["context"]["version"] == "2026-04-27"
    assert record["context"]["clauses"] == ["any-cloud"]
    assert set(record["deciding"][0]) == {"id", "heading", "sentence", "source", "at"}
    assert "Azure" in record["deciding"][0]["sentence"]
    assert record["obligations"][0]["text"] == (
        "20% of this revenue is due to microsoft through 2030-12-31, capped at "
        "38,000,000,000 USD in total")
    assert record["obligations"][0]["to"] == "microsoft"
    assert "revenue-share-to-microsoft: rate is assumed, as reported by cnbc" in \
        record["assumptions"]


def test_an_event_given_shortens_the_revenue_share(flagship):
    decision = decide(flagship, Distribute("openai", "chatgpt", "aws", date(2026, 3, 2)),
                      {"agi-verified": date(2027, 1, 1)})
    assert decision.obligations[0].text == (
        "20% of this revenue is due to microsoft through 2026-12-31 (agi-verified on 2027-01-01)")


def test_a_version_applied_after_it_was_replaced_says_so(flagship):
    decision = decide(flagship, UseLicense("microsoft", "openai", "models", date(2031, 6, 1)),
                      version="2020-09-22")
    assert decision.allowed and decision.version == "2020-09-22"
    assert decision.assumptions[0].startswith("version 2020-09-22 applied on 2031-06-01 as if")


# -- bad input ---------------------------------------------------------------------------------


def problem_of(call) -> object:
    with pytest.raises(TermsheetError) as err:
        call()
    assert len(err.value.problems) == 1
    return err.value.problems[0]


@pytest.mark.parametrize("action, code, near", [
    (Distribute("opneai", "openai-api", "aws", DAY), "E010", "openai"),
    (Distribute("openai", "openai-apy", "aws", DAY), "E012", "openai-api"),
    (Distribute("openai", "openai-api", "awss", DAY), "E011", "aws"),
    (UseLicense("microsoft", "openai", "modles", DAY), "E012", "models"),
    (GrantLicense("openai", "amazn", "models", DAY), "E010", "amazon"),
    (BuyCompute("openai", "oracel", DAY), "E010", "oracle"),
])
def test_unknown_names_name_the_known_ones_and_the_nearest(flagship, action, code, near):
    problem = problem_of(lambda: decide(flagship, action))
    assert problem.code == code
    assert f"did you mean '{near}'?" in problem.hint and "known:" in problem.hint


def test_a_channel_is_no_party_to_a_licence(flagship):
    problem = problem_of(lambda: decide(flagship, UseLicense("microsoft", "aws", "models", DAY)))
    assert problem.code == "E010"


def test_before_the_first_version_no_version_is_in_force(flagship):
    problem = problem_of(lambda: decide(flagship, Distribute("openai", "openai-api", "azure",
                                                             date(2019, 7, 21))))
    assert problem.code == "E040" and "no version in force on 2019-07-21" in problem.message
    assert "2019-07-22" in problem.hint


def test_unknown_event_fact_and_version(flagship):
    action = Distribute("openai", "openai-api", "aws", DAY)
    assert problem_of(lambda: decide(flagship, action, {"agi-verifed": DAY})).code == "E013"
    bad_fact = Distribute("openai", "openai-api", "aws", DAY, frozenset({"microsoft-declines"}))
    problem = problem_of(lambda: decide(flagship, bad_fact))
    assert problem.code == "E014" and "microsoft-declines-support" in problem.hint
    assert problem_of(lambda: decide(flagship, action, version="2026-13-01")).code == "E030"
    early = Distribute("openai", "openai-api", "aws", date(2020, 1, 1))
    assert problem_of(lambda: decide(flagship, early, version="2026-04-27")).code == "E040"
