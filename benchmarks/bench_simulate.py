"""simulate: 1,000,000 futures x 10 years x 2 versions of the flagship, against a plain Python loop.

The anchor, in the same run: the same computation written as a plain Python loop (one future at a
time, month by month, with the same money rules on Python floats), over 10,000 futures and scaled
up. Goal: at most 5 s for the vectorised run on 2 cores. Prints times, the ratio and peak memory.

    .venv/bin/python benchmarks/bench_simulate.py [--futures 1000000] [--loop-futures 10000]
"""

from __future__ import annotations

import argparse
import math
import os
import random
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from termsheet import load_history_of  # noqa: E402
from termsheet.money.rules import DECIMAL_OPS, capped, flat  # noqa: E402
from termsheet.simulate import load_scenario, simulate  # noqa: E402
from termsheet.simulate.paths import compile_paths  # noqa: E402
from termsheet.simulate.terms import compile_version  # noqa: E402

AGREEMENT = ROOT / "agreements" / "openai-microsoft"
SCENARIO = ROOT / "scenarios" / "openai-microsoft.yaml"


def plain_loop(history, scenario, futures: int) -> dict:
    """One future at a time: draw, then settle month by month, then discount."""
    model = compile_paths(scenario)
    plans = [compile_version(history.get(v), scenario) for v in scenario.versions]
    years, months = scenario.horizon, 12 * scenario.horizon
    loading = model.loading.tolist() if model.loading is not None else None
    names = list(model.names)
    values = {s.value_of: names.index(n) for n, s in scenario.streams.items() if s.value_of}
    rate = float(scenario.discount_rate)
    month_starts = model.month_starts.tolist()     # each month's first day, from the horizon's
    rnd = random.Random(scenario.seed)
    out = {(p.version, party): [] for p in plans for party in p.parties}
    for _ in range(futures):
        shocks = [[rnd.gauss(0.0, 1.0) for _ in range(years)] for _ in names]
        if loading is not None:
            shocks = [[sum(loading[p][q] * shocks[q][y] for q in range(len(names)))
                       for y in range(years)] for p in range(len(names))]
        levels = []
        for p in range(len(names)):
            sigma, level, path = model.volatility[p], model.starts[p], []
            for y in range(years):
                level *= (1 + model.growth[p][y]) * math.exp(sigma * shocks[p][y] - sigma ** 2 / 2)
                path.append(level)
            levels.append(path)
        events = {}
        for name, chances, fixed in model.events:
            events[name] = fixed
            if chances is not None:
                for y in range(years):
                    if rnd.random() < chances[y]:
                        events[name] = month_starts[12 * y + rnd.randrange(12)]
                        break
        for plan in plans:
            flows = {party: [0.0] * years for party in plan.parties}
            for share in plan.shares:
                start = min([share.start.const] + [events.get(e, month_starts[-1])
                                                    for e in share.start.events])
                end = min([share.end.const] + [events.get(e, month_starts[-1])
                                                for e in share.end.events])
                streams = [names.index(s) for s in share.streams]
                before = share.cap_used
                for m in range(months):
                    if not start <= month_starts[m] < end:     # the row of the month's first day
                        continue
                    y = m // 12
                    base = sum(levels[s][y] for s in streams) / 12
                    due = flat(base, share.month_rates[m])
                    if share.cap_total is not None:
                        paid = capped(DECIMAL_OPS, due, before, share.cap_total)
                        due, before = paid, before + due
                    flows[share.payee][y] += due
                    flows[share.payer][y] -= due
            for party, flow in flows.items():
                npv = sum(a / (1 + rate) ** (y + 1) for y, a in enumerate(flow))
                for stake in plan.equity:
                    if stake.holder == party and stake.issuer in values:
                        npv += stake.stake * levels[values[stake.issuer]][-1] / (1 + rate) ** years
                out[plan.version, party].append(npv)
    return {k: np.array(v) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--futures", type=int, default=1_000_000)
    parser.add_argument("--loop-futures", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    history = load_history_of(AGREEMENT)
    scenario = load_scenario(SCENARIO)
    assert scenario.horizon == 10 and len(scenario.versions) == 2
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"simulate: {args.futures:,} futures x {scenario.horizon} years x "
          f"{len(scenario.versions)} versions ({', '.join(scenario.versions)}), {cores} cores")

    times = []
    for _ in range(args.repeat):
        started = time.perf_counter()
        sim = simulate(history, scenario, futures=args.futures)
        times.append(time.perf_counter() - started)
    best = min(times)
    tracemalloc.start()
    simulate(history, scenario, futures=args.futures)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"vectorised (NumPy, chunked):  best {best:.2f} s of {args.repeat} "
          f"({', '.join(f'{t:.2f}' for t in times)})")
    print(f"  peak memory: {peak / 2**20:,.0f} MB allocated by the run (tracemalloc), "
          f"{rss:,.0f} MB peak RSS of the process")

    started = time.perf_counter()
    loop = plain_loop(history, scenario, args.loop_futures)
    elapsed = time.perf_counter() - started
    scaled = elapsed * args.futures / args.loop_futures
    print(f"plain Python loop:            {elapsed:.2f} s for {args.loop_futures:,} futures, "
          f"scaled to {args.futures:,}: {scaled:,.0f} s")
    print(f"ratio (loop / vectorised):    {scaled / best:,.0f}x")
    print(f"goal: at most 5 s on 2 cores: {'met' if best <= 5 else 'NOT met'} ({best:.2f} s)")

    print("check: mean value per party (loop's own draws vs vectorised), in $B")
    for (version, party), values in loop.items():
        vector = sim.samples[version, party]["value"]
        error = values.std() / math.sqrt(len(values))
        gap = (values.mean() - vector.mean()) / error if error else 0.0
        print(f"  {version} {party:10} loop {values.mean() / 1e9:8.1f}  vectorised "
              f"{vector.mean() / 1e9:8.1f}  ({gap:+.1f} standard errors)")


if __name__ == "__main__":
    main()
