"""The compiled index answers as the rules do on the very day, one by one and in a batch."""

from __future__ import annotations

import functools
import random
from datetime import date, timedelta

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from conftest import FLAGSHIP
from termsheet import load_history_of
from termsheet import BuyCompute, Distribute, GrantLicense, TermsheetError, UseLicense, decide
from termsheet.decide.actions import finish
from termsheet.decide.index import DecisionIndex, index_for
from termsheet.decide.rules import evaluate

START, END = date(2019, 7, 1), date(2034, 12, 31)
PARTIES = ["openai", "microsoft"]
PRODUCTS = ["openai-api", "assistants-api", "frontier-on-bedrock", "national-security-api",
            "chatgpt", "sora", "consumer-device", "models", "research-ip", "azure-openai-service"]
CHANNELS = ["azure", "aws", "google-cloud", "oracle", "direct"]
COMPANIES = ["amazon", "google", "microsoft", "openai", "azure", "aws"]
EVENT_SETS = [{}, {"agi-verified": date(2029, 1, 1)}, {"agi-verified": date(2026, 3, 1)},
              {"agi-declared": date(2024, 5, 1)},
              {"agi-declared": date(2029, 1, 1), "agi-verified": date(2030, 6, 1)}]

@functools.cache
def flagship_history():
    return load_history_of(FLAGSHIP)


days = st.integers(0, (END - START).days).map(lambda n: START + timedelta(days=n))
maybe_day = st.one_of(st.none(), days)


@st.composite
def actions(draw):
    day = draw(days)
    facts = frozenset(draw(st.sampled_from([[], ["microsoft-declines-support"]])))
    kind = draw(st.sampled_from(["distribute", "use", "grant", "buy"]))
    if kind == "distribute":
        seen = {c: d for c in CHANNELS if (d := draw(maybe_day)) is not None}
        return Distribute(draw(st.sampled_from(PARTIES)), draw(st.sampled_from(PRODUCTS)),
                          draw(st.sampled_from(CHANNELS)), day, facts, seen)
    if kind == "use":
        licensee = draw(st.sampled_from(PARTIES))
        licensor = [p for p in PARTIES if p != licensee][0]
        return UseLicense(licensee, licensor, draw(st.sampled_from(PRODUCTS)), day, facts)
    if kind == "grant":
        return GrantLicense(draw(st.sampled_from(PARTIES)), draw(st.sampled_from(COMPANIES)),
                            draw(st.sampled_from(PRODUCTS)), day, draw(st.booleans()), facts)
    return BuyCompute(draw(st.sampled_from(PARTIES)), draw(st.sampled_from(COMPANIES)), day,
                      facts)


def direct(history, action, events):
    """The rules evaluated on the action's own day, with no index."""
    version = history.in_force(action.date)
    if version is None:
        return ["E040"]
    kind, party, item, target = action.codes()
    outcome = evaluate(version, kind, party, item, target, action.date, events)
    if outcome.problem is not None:
        raise TermsheetError([outcome.problem])
    return finish(outcome, action)


def answer(call):
    try:
        result = call()
    except TermsheetError as err:
        return [p.code for p in err.problems]
    return result if isinstance(result, list) else result.to_dict()


def random_actions(n: int, seed: int) -> list:
    rng = random.Random(seed)

    def day():
        return START + timedelta(days=rng.randrange((END - START).days))

    out = []
    for _ in range(n):
        facts = frozenset(rng.choice([[], ["microsoft-declines-support"]]))
        kind = rng.randrange(4)
        if kind == 0:
            seen = {c: day() for c in CHANNELS if rng.random() < 0.4}
            out.append(Distribute(rng.choice(PARTIES), rng.choice(PRODUCTS),
                                  rng.choice(CHANNELS), day(), facts, seen))
        elif kind == 1:
            licensee, licensor = rng.sample(PARTIES, 2)
            out.append(UseLicense(licensee, licensor, rng.choice(PRODUCTS), day(), facts))
        elif kind == 2:
            out.append(GrantLicense(rng.choice(PARTIES), rng.choice(COMPANIES),
                                    rng.choice(PRODUCTS), day(), rng.random() < 0.5, facts))
        else:
            out.append(BuyCompute(rng.choice(PARTIES), rng.choice(COMPANIES), day(), facts))
    return out


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(action=actions(), events=st.sampled_from(EVENT_SETS))
def test_index_equals_the_rules_on_the_day(action, events):
    history = flagship_history()
    assert answer(lambda: decide(history, action, events)) == \
        answer(lambda: direct(history, action, events))


def test_batch_equals_one_by_one(flagship):
    picked = random_actions(2000, seed=7)
    for events in (EVENT_SETS[0], EVENT_SETS[1]):
        index = index_for(flagship, events)
        singles = []
        for action in picked:
            result = answer(lambda: decide(flagship, action, events))
            singles.append(-1 if isinstance(result, list) else int(result["decision"]))
        codes = index.encode(picked)
        batch = index.batch(codes["kind"], codes["party"], codes["item"], codes["target"],
                            codes["day"], codes["available"], codes["facts"])
        assert batch.tolist() == singles


def test_batch_before_the_first_version_is_invalid(flagship):
    index = DecisionIndex(flagship)
    codes = index.encode([Distribute("openai", "openai-api", "azure", date(2019, 1, 1)),
                          Distribute("openai", "openai-api", "azure", date(2019, 8, 1))])
    result = index.batch(codes["kind"], codes["party"], codes["item"], codes["target"],
                         codes["day"])
    assert result.tolist() == [-1, 1]


def test_segments_follow_clause_ends(flagship):
    """2025-01-21's API exclusivity runs through 2030-12-31: the index cuts there."""
    index = DecisionIndex(flagship)
    position = [v.version for v in flagship.versions].index("2025-01-21")
    assert date(2031, 1, 1).toordinal() in index.vbreaks[position]
    assert all(np.diff(index.gbreaks) > 0)
