"""Incremental settlement: a new month's file settles without reading earlier months again; a
late correction makes the run go back and read what it needs; the store's ``inputs`` table
records, per run, which inputs (by sha256) it read and which it found settled.

The agreement: acme pays beta 10% of widget sales, with a total cap of 1,000.
- January 6,000 -> 600.00.
- February 6,000 -> due 600.00; 400.00 left under the cap -> 400.00. Settled alone, the cap only
  holds if January's payments come from the store: the January file is not read.
- A correction of -1,000 charged in January (billed in March): January 5,000 -> 500.00 (restated
  by -100.00), February due 600.00, 500.00 left -> 500.00 (restated by +100.00). The run must read
  January and February again.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from termsheet.settle.focus import file_hash
from termsheet.settle.store import Store
from support.settle import write_versions

ROOT = Path(__file__).resolve().parents[1]
CASE = {"versions": [{"clauses": [{
    "id": "capped", "kind": "revenue-share", "payer": "acme", "payee": "beta",
    "base": {"seller": "acme", "product": ["widget"]}, "rate": "10%", "cap": {"total": 1000}}]}]}


def _file(path: Path, rows: list[tuple[str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["date,seller,channel,product,amount,currency"]
    lines += [f"{day},Acme,direct,widget,{amount},USD" for day, amount in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def _settle(agreement: Path, store: Path, *files: Path) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "termsheet", "settle", *map(str, files), "-a", str(agreement),
         "--store", str(store), "--json"], capture_output=True, text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def _amounts(data: dict) -> dict[str, str]:
    return {line["period"][:7]: line["amount"] for s in data["statements"] for line in s["lines"]}


def test_a_new_month_settles_without_reading_the_earlier_ones(tmp_path):
    agreement = write_versions(CASE, tmp_path / "agreement")
    store = tmp_path / "store.duckdb"
    january = _file(tmp_path / "data" / "2026-01.csv", [("2026-01-10", "6000")])
    february = _file(tmp_path / "data" / "2026-02.csv", [("2026-02-10", "6000")])

    first = _settle(agreement, store, january)
    assert _amounts(first) == {"2026-01": "600.00"}

    second = _settle(agreement, store, january, february)
    # Only February read (the run starts on 2026-02-01); the cap carried from the store.
    assert [s["path"] for s in second["sources"]] == [str(february)]
    assert second["start"] == "2026-02-01"
    assert _amounts(second) == {"2026-02": "400.00"}
    assert second["store"]["skipped"] == [{"path": str(january), "sha256": file_hash(january)}]
    assert (second["store"]["postings"], second["store"]["restatements"]) == (1, 0)

    # A correction charged in January, billed later: January and February are read again.
    late = _file(tmp_path / "data" / "2026-03.csv", [("2026-01-20", "-1000")])
    third = _settle(agreement, store, january, february, late)
    assert sorted(s["path"] for s in third["sources"]) == sorted(map(str, (january, february,
                                                                            late)))
    assert _amounts(third) == {"2026-01": "500.00", "2026-02": "500.00"}
    assert (third["store"]["postings"], third["store"]["restatements"]) == (0, 2)

    with Store(store, read_only=True) as db:
        inputs = [(i["run"], Path(i["path"]).name, i["sha256"], i["read"], i["rows"],
                   str(i["first_day"]), str(i["last_day"])) for i in db.inputs()]
    h = {p.name: file_hash(p) for p in (january, february, late)}
    assert inputs == [
        (1, "2026-01.csv", h["2026-01.csv"], True, 1, "2026-01-10", "2026-01-10"),
        (2, "2026-02.csv", h["2026-02.csv"], True, 1, "2026-02-10", "2026-02-10"),
        (2, "2026-01.csv", h["2026-01.csv"], False, 1, "2026-01-10", "2026-01-10"),
        (3, "2026-01.csv", h["2026-01.csv"], True, 1, "2026-01-10", "2026-01-10"),
        (3, "2026-02.csv", h["2026-02.csv"], True, 1, "2026-02-10", "2026-02-10"),
        (3, "2026-03.csv", h["2026-03.csv"], True, 1, "2026-01-20", "2026-01-20"),
    ]
    shown = subprocess.run([sys.executable, "-m", "termsheet", "runs", "--store", str(store),
                            "--json"], capture_output=True, text=True,
                           env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert shown.returncode == 0, shown.stderr
    runs = json.loads(shown.stdout)["runs"]
    assert [[(Path(i["path"]).name, i["read"]) for i in r["inputs"]] for r in runs] == [
        [("2026-01.csv", True)], [("2026-02.csv", True), ("2026-01.csv", False)],
        [("2026-01.csv", True), ("2026-02.csv", True), ("2026-03.csv", True)]]


def test_the_same_files_again_are_read_and_post_nothing(tmp_path):
    agreement = write_versions(CASE, tmp_path / "agreement")
    store = tmp_path / "store.duckdb"
    january = _file(tmp_path / "data" / "2026-01.csv", [("2026-01-10", "6000")])
    _settle(agreement, store, january)
    again = _settle(agreement, store, january)
    assert [s["path"] for s in again["sources"]] == [str(january)]  # no new file: read as before
    assert again["store"]["postings"] == 0 and again["store"]["skipped"] == []
