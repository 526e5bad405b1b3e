"""Every benchmark runs on a small input and cross-checks its answers: a benchmark that no
longer runs (an engine's arguments changed under it) fails here, not in `make bench`. Nothing is
timed: the figures of a smoke run mean nothing, only that each benchmark still computes and
compares the same answers as its anchor."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"

SMOKE = {
    "bench_decide.py": (["--requests", "300", "--batch", "3000"],
                        ["cross-check with cedarpy: 300 of 300 equal",
                         "cross-check with single decisions: 3,000 of 3,000 equal"]),
    "bench_portfolio.py": (["--agreements", "8"], ["conflicts over 8 agreements"]),
    "bench_simulate.py": (["--futures", "2000", "--loop-futures", "100", "--repeat", "1"],
                          ["vectorised"]),
    "bench_startup.py": (["--runs", "1"], ["termsheet validate FLAGSHIP"]),
    "bench_settle.py": (["--rows", "20000", "--repeat", "1"], ["termsheet / SQL ="]),
    "bench_scale.py": (["--sizes", "10", "--file-rows", "2000", "--no-spark",
                        "--no-allocations"], ["10M -> 10M rows"]),
    "bench_serve.py": (["--client", "httpx", "--duration", "1", "--connections", "2",
                        "--batch", "20"], ["ratio (in process)"]),
}


def test_every_benchmark_has_a_smoke_run():
    assert sorted(p.name for p in BENCHMARKS.glob("bench_*.py")) == sorted(SMOKE)


@pytest.mark.parametrize("name", sorted(SMOKE))
def test_the_benchmark_runs_and_agrees_with_its_anchor(name):
    args, expected = SMOKE[name]
    done = subprocess.run([sys.executable, str(BENCHMARKS / name), *args], capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    for text in expected:
        assert text in done.stdout, done.stdout[-2000:]
