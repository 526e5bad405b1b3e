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
import resource
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


def best_of(command: list[str], runs: int) -> tuple[float, float]:
    """The best wall time and the best CPU time (user + system) of the runs; on a busy machine
    the CPU time is the steadier of the two."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True)
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return min(walls), min(cpus)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    # as installed from the wheel, where pip compiles every module: bytecode written first (an
    # environment with PYTHONDONTWRITEBYTECODE would otherwise compile the sources at each run)
    import compileall
    compileall.compile_dir(ROOT / "src" / "termsheet", quiet=1)
    results = {name: best_of(command, args.runs) for name, command in COMMANDS.items()}
    anchor, anchor_cpu = results["python -c pass (anchor)"]
    print(f"{'command':<30}{'wall (s)':>9}{'x anchor':>9}{'cpu (s)':>9}{'x anchor':>9}")
    for name, (wall, cpu) in results.items():
        print(f"{name:<30}{wall:>9.3f}{wall / anchor:>9.1f}{cpu:>9.3f}"
              f"{cpu / max(anchor_cpu, 1e-3):>9.1f}")
    goals = ("termsheet --help", "termsheet validate FLAGSHIP")
    for label, index in (("wall", 0), ("cpu", 1)):
        met = all(results[name][index] < GOAL for name in goals)
        print(f"goal ({label}): {' and '.join(goals)} under {GOAL} s: "
              f"{'met' if met else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
