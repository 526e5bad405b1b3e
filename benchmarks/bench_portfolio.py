"""The portfolio: the exhaustive decision diff of the flagship, and conflicts over 200 agreements.

1. ``diff --decisions`` of openai-microsoft 2026-02-27 -> 2026-04-27 (goal: under 2 s). The anchor
   is the same domain decided case by case through the public ``decide`` (one call per action,
   date segment and set of facts, under each version); both must find the same number of flips.
2. Conflicts over a synthetic portfolio of 200 agreements (goal: under 10 s for the analysis). The
   anchor is the naive loop over every pair of clauses; both must find the same conflicts.

    python benchmarks/bench_portfolio.py [--agreements 200]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from termsheet import api
from termsheet.agreement.problems import TermsheetError
from termsheet.decide import decide
from termsheet.decide.actions import KINDS, BuyCompute, Distribute, GrantLicense, UseLicense
from termsheet.diff.decisions import Domain, decision_diff
from termsheet.diff.impact import as_governing
from termsheet.portfolio import load
from termsheet.portfolio.conflicts import find_conflicts
from termsheet.portfolio.synthetic import write_portfolio

FLAGSHIP = Path(__file__).resolve().parents[1] / "agreements" / "openai-microsoft"


def timed(fn, *args, **kwargs):
    start = time.perf_counter()
    out = fn(*args, **kwargs)
    return out, time.perf_counter() - start


def case_by_case(a, b) -> int:
    """The anchor: every case of the domain decided through ``decide``; the number of flips."""
    domain = Domain(a, b)
    histories = [as_governing(a, domain.start), as_governing(b, domain.start)]
    flips = 0
    for kind, party, item, target in domain.cells():
        name = KINDS[kind]
        for day in domain.breaks:
            for all_facts in domain.facts:
                answers = []
                for history in histories:
                    # a fact the version does not define cannot affect it
                    facts = all_facts & frozenset(history.first.conditions)
                    try:
                        if name == "distribute":
                            pair = (decide(history, Distribute(party, item, target, day, facts))
                                    .allowed, decide(history, Distribute(
                                        party, item, target, day, facts,
                                        {c: day.replace(year=day.year - 5) for c in
                                         domain.channels if c != target})).allowed)
                        elif name == "use-license":
                            pair = decide(history, UseLicense(party, target, item, day,
                                                              facts)).allowed
                        elif name == "buy-compute":
                            pair = decide(history, BuyCompute(party, target, day, facts)).allowed
                        else:
                            pair = decide(history, GrantLicense(
                                party, target, item, day, name == "grant-exclusive-license",
                                facts)).allowed
                    except TermsheetError:
                        pair = None
                    answers.append(pair)
                flips += answers[0] != answers[1]
    return flips


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--agreements", type=int, default=200)
    args = parser.parse_args()

    a = api.load_version(f"{FLAGSHIP}@2026-02-27")
    b = api.load_version(f"{FLAGSHIP}@2026-04-27")
    report, took = timed(decision_diff, a, b)
    anchor, anchor_took = timed(case_by_case, a, b)
    assert anchor == report.flipped, (anchor, report.flipped)
    print(f"decision diff 2026-02-27 -> 2026-04-27: {report.cases:,} cases, "
          f"{report.flipped:,} flips in {len(report.rules)} rules, {took:.2f} s "
          f"(goal < 2 s: {'met' if took < 2 else 'MISSED'})")
    print(f"  anchor, case by case through decide: {anchor_took:.2f} s; "
          f"ratio {anchor_took / took:.1f}x")

    with tempfile.TemporaryDirectory() as tmp:
        write_portfolio(tmp, agreements=args.agreements)
        portfolio, load_took = timed(load, tmp)
        fast, took = timed(find_conflicts, portfolio)
        slow, slow_took = timed(find_conflicts, portfolio, naive=True)
    assert fast.conflicts == slow.conflicts, "the indexed search and the pairwise loop differ"
    print(f"conflicts over {args.agreements} agreements: {len(fast.conflicts):,} conflicts from "
          f"{fast.terms:,} clauses, {fast.pairs:,} pairs weighed, {took:.2f} s (goal < 10 s: "
          f"{'met' if took < 10 else 'MISSED'}); loading the documents took {load_took:.2f} s")
    print(f"  anchor, every pair of clauses ({slow.pairs:,} pairs): {slow_took:.2f} s; "
          f"ratio {slow_took / took:.1f}x")


if __name__ == "__main__":
    main()
