"""The promises under random input: tests/fuzz_settle.py (random CSV concatenations, ragged and
blank lines, dates from 0001-01-01 to 9999-12-31 and words that are not dates, amounts past the
supported precision) run in a child process whose address space is limited, so a run that
grows without bound fails here instead of swapping."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent
MEMORY = 3 << 30  # bytes of address space for the whole child: Python, DuckDB, Ibis, pandas


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))


EXAMPLES = os.environ.get("TERMSHEET_FUZZ_EXAMPLES", "6")  # more: explore longer


def test_settle_and_validate_keep_their_promises_under_random_input():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(HERE.parent / "src"), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(HERE / "fuzz_settle.py"), EXAMPLES],
                          capture_output=True, text=True, preexec_fn=_limit, env=env,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-6000:]
    assert f"ok: {EXAMPLES} examples" in done.stdout
