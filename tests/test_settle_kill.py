"""A settlement run killed at any point leaves the store as it was before the run.

``termsheet settle`` runs in a subprocess that is killed (SIGKILL) after delays spread over the
whole length of a run, again and again, each time on a fresh copy of a store that already holds a
run. After each kill the store must be exactly as before the run, or, when the kill came after
the commit, exactly as a completed run leaves it: never anything in between. Three more runs are
killed the moment DuckDB starts writing the commit to its write-ahead log.
"""

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from datetime import date

import duckdb

from termsheet import load_history_of
from termsheet.settle import settle
from termsheet.settle.generate import generate
from termsheet.settle.store import Store

TABLES = ("runs", "statement_lines", "ledger", "quarantine", "reconciliation")


def snapshot(path) -> dict:
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in TABLES}
    finally:
        con.close()


def copy_store(source, target) -> None:
    for suffix in ("", ".wal"):
        if os.path.exists(f"{source}{suffix}"):
            shutil.copyfile(f"{source}{suffix}", f"{target}{suffix}")


def start(flagship_dir, files, store):
    return subprocess.Popen([sys.executable, "-m", "termsheet", "settle", *map(str, files),
                             "--agreement", str(flagship_dir), "--store", str(store)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def test_a_killed_run_leaves_the_store_as_it_was(flagship_dir, tmp_path):
    history = load_history_of(flagship_dir)
    first = generate(tmp_path / "first", date(2025, 7, 1), date(2025, 12, 31), rows=500,
                     seed=1, fmt="csv")
    files = generate(tmp_path / "second", date(2025, 7, 1), date(2026, 12, 31), rows=200_000,
                     seed=2, fmt="parquet")
    base = tmp_path / "base.duckdb"
    with Store(base) as store:
        store.record(settle(history, first))
    before = snapshot(base)

    lengths, afters = [], []
    for attempt in range(2):  # the second run is the warm one; kills are timed on the shorter
        done = tmp_path / f"done{attempt}.duckdb"
        copy_store(base, done)
        began = time.monotonic()
        assert start(flagship_dir, files, done).wait() == 0
        lengths.append(time.monotonic() - began)
        afters.append(snapshot(done))
    length, after = min(lengths), afters[0]
    assert afters[1] == after != before and len(after["runs"]) == 2

    rng = random.Random(4)
    outcomes = []
    for attempt, fraction in enumerate((0.1, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.98)):
        store = tmp_path / f"kill{attempt}.duckdb"
        copy_store(base, store)
        process = start(flagship_dir, files, store)
        time.sleep(length * fraction * rng.uniform(0.95, 1.05))
        process.send_signal(signal.SIGKILL)
        code = process.wait()
        state = snapshot(store)
        assert state in (before, after), f"a partial run after a kill at {fraction:.0%}"
        outcomes.append((code, state == before))
    # Most kills land mid-run: killed (-9) with the store untouched.
    assert sum(1 for code, untouched in outcomes if code == -signal.SIGKILL and untouched) >= 3

    # And at the commit itself: killed the moment the write-ahead log appears.
    for attempt in range(3):
        store = tmp_path / f"commit{attempt}.duckdb"
        copy_store(base, store)
        wal = f"{store}.wal"
        if os.path.exists(wal):
            os.remove(wal)
        process = start(flagship_dir, files, store)
        while not os.path.exists(wal) and process.poll() is None:
            time.sleep(0.0005)
        process.send_signal(signal.SIGKILL)
        process.wait()
        assert snapshot(store) in (before, after), "a partial run after a kill at the commit"
