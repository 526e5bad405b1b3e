"""Decisions on the flagship history: one at a time and a batch of 1,000,000, against cedarpy.

The anchor is cedarpy (Cedar's Rust engine) evaluating Cedar policies that this benchmark writes
from the compiled index, parsed once (``PolicySet.from_str``), on the same requests; every answer
is cross-checked equal. Goals (DESIGN.md section 4): p50 of one decision at most 10 us, at least
10x faster than cedarpy per decision, a batch of at least 1,000,000 decisions a second.

    python benchmarks/bench_decide.py [--requests 20000] [--batch 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
import time
from pathlib import Path

import numpy as np

from termsheet import BuyCompute, Distribute, GrantLicense, TermsheetError, UseLicense, decide
from termsheet import load_history_of
from termsheet.decide.actions import KINDS
from termsheet.decide.index import NEVER, DecisionIndex, index_for

FLAGSHIP = Path(__file__).resolve().parents[1] / "agreements" / "openai-microsoft"
START, END = dt.date(2019, 7, 22), dt.date(2034, 12, 31)


# ---------------------------------------------------------------------------------------------
# requests


def random_actions(index: DecisionIndex, n: int, seed: int) -> list:
    """Valid actions of every kind, dates across the whole history, with launch state."""
    rng = random.Random(seed)
    parties = index.parties
    products = [p for p in index.items if p != "compute"]
    channels = sorted({c for v in index.versions for c in v.channels})
    companies = index.targets
    span = (END - START).days

    def day():
        return START + dt.timedelta(days=rng.randrange(span))

    out = []
    while len(out) < n:
        kind = rng.randrange(4)
        facts = frozenset(["microsoft-declines-support"] if rng.random() < 0.2 else [])
        if kind == 0:
            seen = {c: day() for c in channels if rng.random() < 0.3}
            action = Distribute(rng.choice(parties), rng.choice(products), rng.choice(channels),
                                day(), facts, seen)
        elif kind == 1:
            licensee, licensor = rng.sample(parties, 2)
            action = UseLicense(licensee, licensor, rng.choice(products), day(), facts)
        elif kind == 2:
            action = GrantLicense(rng.choice(parties), rng.choice(companies),
                                  rng.choice(products), day(), rng.random() < 0.5, facts)
        else:
            action = BuyCompute(rng.choice(parties), rng.choice(companies), day(), facts)
        try:
            decide(index.history, action)
        except TermsheetError:
            continue  # e.g. a licence from a party to itself: not a request anyone sends
        out.append(action)
    return out


# ---------------------------------------------------------------------------------------------
# Cedar policies written from the compiled index


def cedar_policies(index: DecisionIndex) -> str:
    """One permit per (action, party, item, run of days) with the targets it allows, and one
    per first-launch term with its condition on the launch state in the context."""
    table = index.table()
    bounds = index.gbreaks + [2**31 - 1]
    rows: dict[tuple, list] = {}
    for g, seg in enumerate(index.gseg):
        for kind in range(len(KINDS)):
            for p in range(index.P):
                for i in range(index.I):
                    signature = _signature(index, table, seg, kind, p, i)
                    runs = rows.setdefault((kind, p, i), [])
                    if runs and runs[-1][2] == signature and runs[-1][1] == bounds[g]:
                        runs[-1][1] = bounds[g + 1]
                    else:
                        runs.append([bounds[g], bounds[g + 1], signature])
    out = []
    for (kind, p, i), runs in rows.items():
        scope = (f'principal == Party::"{index.parties[p]}", action == Action::"{KINDS[kind]}", '
                 f'resource == Item::"{index.items[i]}"')
        for start, end, (allowed, pending) in runs:
            when = f"context.day >= {start} && context.day < {end}"
            if allowed:
                out.append(f"permit({scope}) when {{ {when} && {_set(allowed)}"
                           f".contains(context.target) }};")
            for (on, lead, unless, since), targets in pending:
                launch = f'context.available["{on}"] <= context.first_day - {lead}'
                launch += f" || context.first_day < {since}"
                if unless:
                    launch += f' || context.facts.contains("{unless}")'
                out.append(f"permit({scope}) when {{ {when} && {_set(targets)}"
                           f".contains(context.target) && ({launch}) }};")
    return "\n".join(out)


def _signature(index, table, seg, kind, p, i):
    allowed, pending = [], {}
    for t in range(index.T):
        outcome = index.outcomes[table[seg, index.cell(kind, p, i, t)]]
        if outcome.problem is not None or not (outcome.allowed or outcome.first_launch):
            continue
        rule = outcome.first_launch
        if rule is None:
            allowed.append(index.targets[t])
        else:
            key = (rule.on, rule.lead_days, rule.unless, rule.since.toordinal())
            pending.setdefault(key, []).append(index.targets[t])
    return tuple(allowed), tuple(sorted((k, tuple(v)) for k, v in pending.items()))


def _set(names) -> str:
    return "[" + ", ".join(json.dumps(n) for n in names) + "]"


def cedar_request(index: DecisionIndex, action) -> dict:
    kind, party, item, target = action.codes()
    day = action.date.toordinal()
    seen = getattr(action, "available", {})
    channels = sorted({c for v in index.versions for c in v.channels})
    available = {c: seen[c].toordinal() if c in seen else int(NEVER) for c in channels}
    first = min(available.get(target, int(NEVER)), day)
    return {"principal": f'Party::"{party}"', "action": f'Action::"{KINDS[kind]}"',
            "resource": f'Item::"{item}"',
            "context": {"day": day, "target": target, "first_day": first,
                        "available": available, "facts": sorted(action.facts)}}


# ---------------------------------------------------------------------------------------------
# timing


def each_ns(call, items) -> np.ndarray:
    clock = time.perf_counter_ns
    out = np.empty(len(items), dtype=np.int64)
    for n, item in enumerate(items):
        start = clock()
        call(item)
        out[n] = clock() - start
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    import cedarpy

    history = load_history_of(FLAGSHIP)
    started = time.perf_counter()
    index = index_for(history)
    pool = random_actions(index, args.requests, seed=2026)
    ours = [decide(history, a).allowed for a in pool]  # warm: every cell touched once
    compile_s = time.perf_counter() - started

    ns_ours = each_ns(lambda a: decide(history, a), pool)

    table_started = time.perf_counter()
    index.table()
    table_s = time.perf_counter() - table_started
    text = cedar_policies(index)
    policies = cedarpy.PolicySet.from_str(text)
    entities = cedarpy.Entities.from_json_str("[]")
    requests = [cedar_request(index, a) for a in pool]
    theirs = [cedarpy.is_authorized(r, policies, entities).allowed for r in requests]
    mismatches = sum(a != b for a, b in zip(ours, theirs))
    ns_cedar = each_ns(lambda r: cedarpy.is_authorized(r, policies, entities), requests)
    start = time.perf_counter()
    cedarpy.is_authorized_batch(requests, policies, entities)
    cedar_batch = len(requests) / (time.perf_counter() - start)

    codes = index.encode(pool)
    rng = np.random.default_rng(7)
    pick = rng.integers(0, len(pool), args.batch)
    arrays = {k: v[pick] for k, v in codes.items() if k != "scopes"}   # scopes: a list
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        result = index.batch(arrays["kind"], arrays["party"], arrays["item"], arrays["target"],
                             arrays["day"], arrays["available"], arrays["facts"],
                             arrays["scope"], codes["scopes"])
        best = min(best, time.perf_counter() - start)
    batch_mismatches = int((result != np.asarray(ours, dtype=np.int8)[pick]).sum())

    report(len(pool), len(text.splitlines()), compile_s, table_s, ns_ours, ns_cedar,
           mismatches, args.batch, best, batch_mismatches, cedar_batch)
    return 1 if mismatches or batch_mismatches else 0


def report(n, policy_count, compile_s, table_s, ns_ours, ns_cedar, mismatches, batch, best,
           batch_mismatches, cedar_batch) -> None:
    p50, p99 = (np.percentile(ns_ours, q) / 1000 for q in (50, 99))
    c50, c99 = (np.percentile(ns_cedar, q) / 1000 for q in (50, 99))
    one_by_one = n / (ns_ours.sum() / 1e9)
    throughput = batch / best
    print(f"flagship history, {n:,} distinct requests of every kind (dates 2019-2034)")
    print(f"index: first {n:,} decisions compiled in {compile_s:.2f} s; full table "
          f"{table_s:.2f} s; cedar policies written: {policy_count}")
    print(f"{'':24}{'p50 us':>10}{'p99 us':>10}")
    print(f"{'termsheet decide()':24}{p50:>10.2f}{p99:>10.2f}")
    print(f"{'cedarpy is_authorized':24}{c50:>10.2f}{c99:>10.2f}")
    print(f"ratio cedarpy / termsheet: p50 {c50 / p50:.1f}x, p99 {c99 / p99:.1f}x "
          f"(goal: at least 10x)")
    print(f"cross-check with cedarpy: {n - mismatches:,} of {n:,} equal")
    print(f"batch: {batch:,} decisions in {best * 1000:.1f} ms = {throughput:,.0f} decisions/s "
          f"(goal: at least 1,000,000/s)")
    print(f"ratio batch / one by one ({one_by_one:,.0f}/s): {throughput / one_by_one:.1f}x; "
          f"cross-check with single decisions: {batch - batch_mismatches:,} of {batch:,} equal")
    print(f"cedarpy is_authorized_batch on the {n:,} requests: {cedar_batch:,.0f} decisions/s; "
          f"ratio termsheet batch / cedarpy batch: {throughput / cedar_batch:,.0f}x")
    goals = [("p50 at most 10 us", p50 <= 10), ("at least 10x faster than cedarpy (p50)",
                                               c50 / p50 >= 10),
             ("batch at least 1,000,000 decisions/s", throughput >= 1_000_000)]
    for name, met in goals:
        print(f"goal {name}: {'met' if met else 'MISSED'}")


if __name__ == "__main__":
    sys.exit(main())
