"""Helpers of the royalty tests: agreements, revenue rows and rate tables written out."""

from __future__ import annotations

import csv
from pathlib import Path
from termsheet import load_history_of
from support.settle import write_versions


SHARE = {"id": "royalty", "kind": "revenue-share", "payer": "acme", "payee": "beta",
         "base": {"seller": "acme"}}


def write_rows(rows: list[list], folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "revenue.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", "seller", "channel", "product", "amount", "currency", "category"])
        writer.writerows([[*row, "usage"][:7] for row in rows])
    return [path]


def write_rates(rows: list[list], folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "rates.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["date", "from", "to", "rate"])
        writer.writerows(rows)
    return path


def agreement(case: dict, folder: Path):
    clause = {**SHARE, **case["clause"]}
    spec = {"versions": [{"effective": str(case.get("effective", "2026-01-01")),
                          "clauses": [clause]}]}
    return load_history_of(write_versions(spec, folder))
