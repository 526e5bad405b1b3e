"""What a settlement writes: per-row allocations (Parquet), statements as CSV and HTML, the run as
JSON, and a Beancount ledger with restatements that bean-check accepts."""

import csv
import io
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import duckdb

from termsheet import load_history_of
from termsheet.cli.common import to_json
from termsheet.settle import render, settle
from termsheet.settle.ledger import account_part, beancount
from termsheet.settle.store import Store
from support.settle import load_case, write_inputs, write_versions

BEAN_CHECK = Path(sys.executable).parent / "bean-check"


def test_allocations_trace_each_row_to_its_line(tmp_path):
    case = load_case("cap-crossed.yaml")
    history = load_history_of(write_versions(case, tmp_path / "agreement"))
    result = settle(history, write_inputs(case, tmp_path / "data"),
                    allocations=tmp_path / "out" / "allocations.parquet")
    rows = duckdb.sql(f"SELECT clause, period, count(*), sum(base), sum(allocated) FROM "
                      f"'{result.allocations}' GROUP BY ALL").fetchall()
    by_line = {(c, p.strftime("%Y-%m")): (n, b, a) for c, p, n, b, a in rows}
    for line in result.lines:
        n, base, allocated = by_line[(line.clause, line.label)]
        assert (n, base) == (line.rows, line.base)
        # The factor has ten decimals: each row is within its base x 1e-10 of its exact share.
        assert abs(allocated - line.paid) <= abs(line.base) * Decimal("1e-10")
    # The row of February, which crossed the cap: 6,000 pays 400 -> a factor of 1/15.
    (row,) = duckdb.sql(f"SELECT source_row, allocated FROM '{result.allocations}' "
                        f"WHERE clause = 'capped' AND period = DATE '2026-02-01'").fetchall()
    assert row == (2, Decimal("400.0000002000"))  # 6,000 x 0.0666666667


def test_statements_as_csv_html_and_json(tmp_path):
    case = load_case("version-change-mid-month.yaml")
    history = load_history_of(write_versions(case, tmp_path / "agreement"))
    result = settle(history, write_inputs(case, tmp_path / "data"))
    table = list(csv.DictReader(io.StringIO(render.to_csv(result.lines))))
    assert [(r["version"], r["amount"]) for r in table] == [("v1", "100.00"), ("v2", "300.00")]
    page = render.to_html(result.lines, "March")
    assert page.count("<tr><td") == 2 and "400.00 USD" in page  # one statement, total 400.00
    assert "rounded half-up to 0.01 USD" in page
    data = json.loads(to_json(result.to_dict()))
    (statement,) = data["statements"]
    assert (statement["payer"], statement["payee"], statement["total"]) == ("acme", "beta",
                                                                           "400.00")
    assert data["balanced"] and data["reconciliation"][0]["in"]["rows"] == 2


def test_ledger_with_restatements_passes_bean_check(tmp_path):
    case = load_case("restatement.yaml")
    history = load_history_of(write_versions(case, tmp_path / "agreement"))
    with Store(tmp_path / "store.duckdb") as store:
        for number, run in enumerate(case["runs"]):
            result = settle(history, write_inputs(run, tmp_path / f"run{number}"),
                            end=run.get("to"),
                            opening=lambda day: store.opening(history.agreement, day))
            store.record(result)
        entries = store.entries()
    text = beancount(entries, "acme-beta")
    assert text.count("#restatement") == 2 and "^e1" in text and "^e2" in text
    path = tmp_path / "ledger.beancount"
    path.write_text(text)
    checked = subprocess.run([str(BEAN_CHECK), str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_account_names_are_valid_beancount():
    assert account_part("openai") == "Openai"
    assert account_part("google-cloud") == "GoogleCloud"
    assert account_part("3m") == "3m"
