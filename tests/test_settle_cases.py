"""Settlement cases as data: tests/cases/settle/*.yaml.

A case gives the clauses of one or more versions (the documents are written around them from a
fixed front matter: parties acme and beta, channels direct and aws, products widget and gadget),
input rows (``revenue``: date, seller, channel, product, amount, currency; ``focus``: FOCUS
columns, the rest defaulted), and the expected lines, worked out by hand in the case's comments.
A case with ``runs`` settles each run into one store and lists the ledger entries each posts.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from termsheet import load_history_of
from termsheet.settle import settle
from termsheet.settle.store import Store
from support.settle import CASES, FOCUS_DEFAULTS, FRONT, day, load_case, write_inputs, write_versions  # noqa: F401


def case_names() -> list[str]:
    return sorted(p.name for p in CASES.glob("*.yaml"))


SINGLE = [n for n in case_names() if "runs" not in load_case(n)]
STORED = [n for n in case_names() if "runs" in load_case(n)]


def _matches(line, want: dict) -> bool:
    fields = {"clause": line.clause, "version": line.version, "period": line.label,
              "kind": line.kind}
    return all(str(fields[k]) == str(want.get(k, {"kind": "share"}.get(k, fields[k])))
               for k in fields)


def check_lines(lines, expected: list[dict]) -> None:
    remaining = list(lines)
    for want in expected:
        found = [line for line in remaining if _matches(line, want)]
        assert len(found) == 1, f"no single line for {want}; lines: " + \
            "; ".join(f"{l.clause}/{l.version}/{l.label}/{l.kind}={l.amount}" for l in lines)
        line = found[0]
        remaining.remove(line)
        assert line.amount == Decimal(want["amount"]), (want, line.amount)
        if "rows" in want:
            assert line.rows == want["rows"], (want, line.rows)
        if "base" in want:
            assert line.base == Decimal(want["base"]), (want, line.base)
        if "rate" in want:
            assert line.rate == want["rate"], (want, line.rate)
    assert not remaining, f"lines not expected: {remaining}"


def check_reconciliation(result, expected: dict) -> None:
    (usd,) = [r for r in result.reconciliation if r.currency == "USD"]
    for name, (rows, amount) in expected.items():
        tally = {"in": usd.rows_in, "settled": usd.settled, "out_of_scope": usd.out_of_scope,
                 "quarantined": usd.quarantined}[name]
        assert (tally.rows, tally.amount) == (rows, Decimal(amount)), name
    assert result.balanced


@pytest.mark.parametrize("name", SINGLE)
def test_case(name, tmp_path):
    case = load_case(name)
    history = load_history_of(write_versions(case, tmp_path / "agreement"))
    paths = write_inputs(case, tmp_path / "data")
    result = settle(history, paths, start=day(case.get("from")), end=day(case.get("to")),
                    events={k: day(v) for k, v in (case.get("events") or {}).items()})
    expected = case["expected"]
    check_lines(result.lines, expected["lines"])
    if "total" in expected:
        assert sum(line.amount for line in result.lines) == Decimal(expected["total"])
    if "pending" in expected:
        assert len(result.pending) == len(expected["pending"]), result.pending
        for got, want in zip(result.pending, expected["pending"]):
            assert got.startswith(want), (got, want)
        recon = [text for r in result.to_dict()["reconciliation"] for text in r["pending"]]
        assert recon == result.pending
    if "reconciliation" in expected:
        check_reconciliation(result, expected["reconciliation"])
    if "quarantine" in expected:
        got = [(q.row, q.code) for q in result.quarantine]
        assert got == [(q["row"], q["code"]) for q in expected["quarantine"]]
        assert all(q.reason and q.path.endswith(".csv") for q in result.quarantine)
    assert result.balanced


@pytest.mark.parametrize("name", STORED)
def test_runs_into_a_store(name, tmp_path):
    case = load_case(name)
    history = load_history_of(write_versions(case, tmp_path / "agreement"))
    with Store(tmp_path / "store.duckdb") as store:
        for number, run in enumerate(case["runs"], start=1):
            paths = write_inputs(run, tmp_path / f"run{number}")
            result = settle(history, paths, start=day(run.get("from")), end=day(run.get("to")),
                            opening=lambda first: store.opening(history.agreement, first),
                            later=lambda last: store.later(history.agreement, last))
            posted = store.record(result)
            got = [(e.type, e.period.strftime("%Y-%m"), e.amount, e.restates)
                   for e in posted.entries]
            want = [(p["type"], str(p["period"]), Decimal(p["amount"]), p.get("restates"))
                    for p in run["posted"]]
            assert got == want, f"run {number}"
            # Whatever was posted, the ledger adds up to the statement lines.
            for line in store.current_lines(history.agreement):
                total = sum(e.amount for e in store.entries() if e.key == line.key)
                assert total == line.amount, line.key
