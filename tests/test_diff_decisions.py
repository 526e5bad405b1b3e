"""diff --decisions: the whole decision domain of two versions, every flip grouped into rules.

The grouping is checked against brute force: on random small agreements, every case on every day
is decided with :func:`termsheet.decide.decide` under each version (an independent path through
the compiled index), and the flipped cases must be exactly those the rules cover."""

from __future__ import annotations

import datetime as dt
import json

from hypothesis import HealthCheck, given, settings, strategies as st

from termsheet import api
from termsheet.agreement.document import parse
from termsheet.agreement.problems import TermsheetError
from termsheet.decide import decide
from termsheet.decide.actions import BuyCompute, Distribute, GrantLicense, UseLicense
from termsheet.diff.decisions import ALLOWED, FORBIDDEN, UNKNOWN, Domain, decision_diff
from termsheet.diff.impact import as_governing

from conftest import FLAGSHIP
from support.cli import run_cli

BASE = dt.date(2025, 1, 1)
HORIZON = 45  # days checked one by one after the earlier effective date


def test_flagship_rewrite_every_flip_grouped():
    a = api.load_version(f"{FLAGSHIP}@2026-02-27")
    b = api.load_version(f"{FLAGSHIP}@2026-04-27")
    report = decision_diff(a, b)
    # 2 parties; 10 products; 5 channels; 9 counterparties (2 parties, 5 channels, 2 operators
    # amazon, google, oracle ... counted once each): distribute 2*10*5 = 100, use-license
    # 2*10*1 = 20, grant and grant-exclusive 2 * (2*10*8) = 320, buy-compute 2*9 = 18: 458
    # actions; segments start 2026-02-27, 2030-12-31+1, 2032-12-31+1; facts {} and
    # {microsoft-declines-support}: 458 * 3 * 2 = 2748 cases.
    assert report.dimensions["cells"] == 458 and report.cases == 2748
    texts = [r.text for r in report.rules]
    # openai-api was kept on azure and direct by stateless-api-exclusivity; any-cloud now lets it
    # anywhere provided Azure first, or freely when Microsoft declines support.
    assert ("openai may now distribute frontier-on-bedrock and openai-api on aws, google-cloud "
            "and oracle, provided on azure first (was forbidden; from 2026-02-27), when no "
            "condition stated") in texts
    # the exclusive ip-license (through 2032) and research-ip-license (through 2030) become
    # non-exclusive: openai may license to others, exclusively or not, until they end
    assert any(t.startswith("openai may now license research-ip to ") and
               t.endswith("exclusively or not (was forbidden; 2026-02-27 to 2030-12-31)")
               for t in texts)
    assert sum(r.cases for r in report.rules) == report.flipped


def test_cli_prints_the_count_and_the_json_has_the_rules():
    args = ["diff", f"{FLAGSHIP}@2026-02-27", f"{FLAGSHIP}@2026-04-27", "--decisions"]
    text = run_cli(*args)
    assert text.returncode == 0, text.stderr
    assert "2,748 cases compared" in text.stdout
    data = json.loads(run_cli(*args, "--json").stdout)
    [report] = data["decisions"]
    assert report["cases_compared"] == 2748 and report["rules"]


# ---------------------------------------------------------------------------------------------
# brute force on random small agreements

FRONT = """---
agreement: small
version: {version}
title: Small
effective: {effective}
parties: {{a: A, b: B}}
channels:
  x: {{operator: a}}
  y: {{operator: b}}
  z: {{operator: c}}
products:
  p1: {{owner: a, type: api}}
  p2: {{owner: a, type: app}}
  p3: {{owner: b, type: model}}
conditions: {{cond: A condition.}}
---

"""

days = st.integers(0, 40)
sel_products = st.sampled_from(["all", "[p1]", "[p2]", "[p1, p3]", "{type: api}"])
sel_channels = st.sampled_from(["any", "[x]", "[y]", "[x, z]"])


@st.composite
def a_clause(draw, index: int) -> str:
    kind = draw(st.sampled_from(["exclusivity", "distribution", "license", "rofr"]))
    start, length = draw(days), draw(days)
    period = f"from: {BASE + dt.timedelta(days=start)}\nuntil: " \
             f"{BASE + dt.timedelta(days=start + length)}\n" if draw(st.booleans()) else ""
    party = draw(st.sampled_from(["a", "b"]))
    other = "b" if party == "a" else "a"
    head = f"## c{index}\n\nClause {index}.\n\n```terms\nid: c{index}\n"
    if kind == "exclusivity":
        body = (f"kind: exclusivity\nparty: {party}\nproducts: {draw(sel_products)}\n"
                f"channels: {draw(sel_channels)}\n")
    elif kind == "distribution":
        body = (f"kind: distribution\nparty: {party}\nproducts: {draw(sel_products)}\n"
                f"channels: {draw(sel_channels)}\n")
        if draw(st.booleans()):
            unless = ", unless: cond" if draw(st.booleans()) else ""
            body += f"first-launch: {{on: {draw(st.sampled_from(['x', 'y']))}{unless}}}\n"
    elif kind == "license":
        body = (f"kind: license\nlicensor: {party}\nlicensee: {other}\n"
                f"subject: {draw(sel_products)}\nexclusive: {str(draw(st.booleans())).lower()}\n")
    else:
        body = f"kind: right-of-first-refusal\nholder: {other}\ngrantor: {party}\nsubject: compute\n"
    return head + body + period + "```\n\n"


@st.composite
def a_version(draw, version: str, offset: int):
    clauses = [draw(a_clause(i)) for i in range(draw(st.integers(0, 4)))]
    text = FRONT.format(version=version, effective=BASE + dt.timedelta(days=offset)) + \
        "".join(clauses)
    parsed, problems = parse(text, f"{version}.md")
    assert not problems, problems
    return parsed


def brute_verdict(history, kind: str, party: str, item: str, target: str, day: dt.date,
                  facts: frozenset[str]) -> str:
    later = {c: day - dt.timedelta(days=1000) for c in ("x", "y", "z") if c != target}
    try:
        if kind == "distribute":
            actions = [Distribute(party, item, target, day, facts),
                       Distribute(party, item, target, day, facts, later)]
        elif kind == "use-license":
            actions = [UseLicense(party, target, item, day, facts)]
        elif kind == "buy-compute":
            actions = [BuyCompute(party, target, day, facts)]
        else:
            actions = [GrantLicense(party, target, item, day,
                                    kind == "grant-exclusive-license", facts)]
        answers = [decide(history, action).allowed for action in actions]
    except TermsheetError:
        return UNKNOWN
    if all(answers):
        return ALLOWED
    if not any(answers):
        return FORBIDDEN
    return "pending"


def normal(verdict: str) -> str:
    return "pending" if verdict.startswith("allowed if") else verdict


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.integers(0, 10).flatmap(
    lambda offset: st.tuples(a_version("A", 0), a_version("B", offset))))
def test_rules_cover_exactly_the_brute_force_flips(pair):
    a, b = pair
    report = decision_diff(a, b)
    domain = Domain(a, b)
    start = domain.start
    histories = [as_governing(a, start), as_governing(b, start)]
    from termsheet.decide.actions import KINDS
    last = start + dt.timedelta(days=HORIZON + 50)
    expected = set()
    for kind, party, item, target in domain.cells():
        for offset in range((last - start).days + 1):
            day = start + dt.timedelta(days=offset)
            for facts in domain.facts:
                before, after = (brute_verdict(h, KINDS[kind], party, item, target, day, facts)
                                 for h in histories)
                if before != after:
                    expected.add((KINDS[kind], party, item, target, day, facts, before, after))
    covered = []
    for rule in report.rules:
        for kind in rule.kinds:
            for party in rule.parties:
                for item in rule.items:
                    for target in rule.targets:
                        for lo, hi in rule.periods:
                            hi = last if hi is None else min(hi, last)
                            for n in range((hi - lo).days + 1):
                                for facts in rule.facts:
                                    covered.append((kind, party, item, target,
                                                    lo + dt.timedelta(days=n), frozenset(facts),
                                                    normal(rule.before), normal(rule.after)))
    assert len(covered) == len(set(covered)), "rules overlap"
    assert set(covered) == expected
    # no two rules of the same verdicts differ in one dimension only (they would merge)
    for i, r in enumerate(report.rules):
        for s in report.rules[i + 1:]:
            if (r.before, r.after) != (s.before, s.after):
                continue
            same = [r.kinds == s.kinds, r.parties == s.parties, r.items == s.items,
                    r.targets == s.targets, r.periods == s.periods, r.facts == s.facts]
            assert same.count(False) > 1
