"""The decision cases in tests/cases/decide/*.yaml, expected answers worked out from the clauses."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from termsheet import decide
from termsheet.decide import BuyCompute, Distribute, GrantLicense, UseLicense
from termsheet.agreement import yamlpos

CASES = Path(__file__).parent / "cases" / "decide"


def _text(value) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


def load_cases() -> list:
    out = []
    for path in sorted(CASES.glob("*.yaml")):
        data, _ = yamlpos.load(path.read_text(encoding="utf-8"))
        for case in data:
            out.append(pytest.param(case, id=f"{path.stem}: {case['name']}"))
    return out


def build(case: dict):
    day, facts = case["date"], frozenset(case.get("facts", []))
    kind = case["action"]
    if kind == "distribute":
        return Distribute(case["party"], case["product"], case["channel"], day, facts,
                          case.get("available", {}))
    if kind == "use-license":
        return UseLicense(case["licensee"], case["licensor"], case["subject"], day, facts)
    if kind == "grant-license":
        return GrantLicense(case["licensor"], case["to"], case["subject"], day,
                            case.get("exclusive", False), facts)
    assert kind == "buy-compute", kind
    return BuyCompute(case["party"], case["from"], day, facts)


def test_there_are_enough_cases():
    assert len(load_cases()) >= 40


@pytest.mark.parametrize("case", load_cases())
def test_case(flagship, case):
    version = case.get("version")
    decision = decide(flagship, build(case), case.get("events") or {},
                      version=_text(version) if version else None)
    expect = case["expect"]
    assert decision.allowed is expect["decision"], decision.reasons
    assert decision.version == _text(expect["version"])
    assert list(decision.clause_ids) == list(expect["deciding"]), decision.reasons
    if "obligations" in expect:
        assert [o.clause for o in decision.obligations] == list(expect["obligations"])
    # the JSON record says the same
    record = decision.to_dict()
    assert record["decision"] is expect["decision"]
    assert record["context"]["reasons"] == list(decision.reasons)
