"""Start-up time of the command line, against the interpreter's own (``python -c pass``).

Each command runs in a new process, ``--runs`` times; the best (least disturbed) wall time is
kept, and each command is printed as its time and as the time it adds over the anchor. Goal:
``termsheet --help`` and ``termsheet validate`` of the flagship in under 0.4 s (the engines —
Ibis, NumPy, Matplotlib, DuckDB, FastAPI — are imported only by the commands that use them).

    python benchmarks/bench_startup.py [--runs 7]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "agreements" / "openai-microsoft"
GOAL = 0.4

COMMANDS = {
    "python -c pass (anchor)": [sys.executable, "-c", "pass"],
    "termsheet --help": [sys.executable, "-m", "termsheet", "--help"],
    "termsheet --version": [sys.executable, "-m", "termsheet", "--version"],
    "termsheet validate FLAGSHIP": [sys.executable, "-m", "termsheet", "validate", str(FLAGSHIP)],
    "import termsheet": [sys.executable, "-c", "import termsheet"],
}


def best_of(command: list[str], runs: int) -> float:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True)
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    results = {name: best_of(command, args.runs) for name, command in COMMANDS.items()}
    anchor = results["python -c pass (anchor)"]
    print(f"{'command':<32}{'best (s)':>10}{'x anchor':>10}{'over anchor (s)':>17}")
    for name, seconds in results.items():
        print(f"{name:<32}{seconds:>10.3f}{seconds / anchor:>10.1f}{seconds - anchor:>17.3f}")
    goals = ("termsheet --help", "termsheet validate FLAGSHIP")
    met = all(results[name] < GOAL for name in goals)
    print(f"goal: {' and '.join(goals)} under {GOAL} s: {'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
