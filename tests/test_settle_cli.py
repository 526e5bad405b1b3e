"""settle, statements, ledger and generate-billing from the command line, as a user runs them;
bean-check accepts the ledger."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path
from support.cli import run_cli

BEAN_CHECK = Path(sys.executable).parent / "bean-check"


def run(*args, cwd=None):
    return run_cli(*args, cwd=cwd)


def test_generate_settle_rerun_statements_and_ledger(flagship_dir, tmp_path):
    data, store = tmp_path / "data", tmp_path / "store.duckdb"
    made = run("generate-billing", data, "--from", "2025-07", "--to", "2026-12", "--rows", 1500,
               "--seed", 3, "--json")
    assert made.returncode == 0, made.stderr
    files = json.loads(made.stdout)["files"]
    assert [Path(f).suffix for f in files] == [".csv", ".csv"]

    first = run("settle", *files, "--agreement", flagship_dir, "--store", store, "--json")
    assert first.returncode == 0, first.stderr
    result = json.loads(first.stdout)
    assert result["balanced"] and result["store"]["run"] == 1
    lines = [line for s in result["statements"] for line in s["lines"]]
    assert result["store"]["postings"] == len(lines) > 30
    # 20% both ways before 2026-04-27; only OpenAI -> Microsoft after.
    after = [l for l in lines if l["period"] >= "2026-05-01"]
    assert after and {l["clause"] for l in after} == {"revenue-share-to-microsoft"}
    assert {l["version"] for l in lines if l["label"] == "2026-04"} == {"2026-02-27",
                                                                        "2026-04-27"}
    assert len(result["quarantine"]) == 3  # the generator's unusable rows, each with its reason

    again = run("settle", *files, "--agreement", flagship_dir, "--store", store)
    assert again.returncode == 0, again.stderr
    said = " ".join(again.stdout.split())
    assert "run 2, 0 posting(s), 0 restatement(s) — nothing new to post" in said
    assert "reconciliation" in again.stdout

    shown = run("statements", "--store", store, "--format", "csv")
    assert shown.returncode == 0, shown.stderr
    rows = list(csv.DictReader(io.StringIO(shown.stdout)))
    assert len(rows) == len(lines)
    assert sum(float(r["amount"]) for r in rows) > 0

    ledger = tmp_path / "ledger.beancount"
    written = run("ledger", "--store", store, "--format", "beancount", "-o", ledger)
    assert written.returncode == 0, written.stderr
    checked = subprocess.run([str(BEAN_CHECK), str(ledger)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert ledger.read_text().count(" * \"") == len(lines)


def test_html_statements_and_json_ledger(flagship_dir, tmp_path):
    data = tmp_path / "revenue.csv"
    data.write_text("date,seller,channel,product,amount,currency\n"
                    "2026-05-02,OpenAI,direct,chatgpt,1000.00,USD\n")
    page = tmp_path / "statements.html"
    made = run("settle", data, "-a", flagship_dir, "--store", tmp_path / "s.duckdb",
               "--format", "html", "-o", page)
    assert made.returncode == 0, made.stderr
    assert "200.00 USD" in page.read_text()  # 20% of 1,000.00
    ledger = run("ledger", "--store", tmp_path / "s.duckdb", "--json")
    (entry,) = json.loads(ledger.stdout)["entries"]
    assert (entry["payer"], entry["payee"], entry["amount"]) == ("openai", "microsoft",
                                                                 "200.0000000000")


def test_bad_input_exits_1_and_misuse_exits_2(flagship_dir, tmp_path):
    missing = run("settle", tmp_path / "nope.csv", "--agreement", flagship_dir, "--no-store")
    assert missing.returncode == 1
    assert "E004 no such file" in missing.stderr and "Traceback" not in missing.stderr
    as_json = run("settle", tmp_path / "nope.csv", "--agreement", flagship_dir, "--no-store",
                  "--json")
    assert as_json.returncode == 1 and json.loads(as_json.stdout)["ok"] is False
    misuse = run("settle", tmp_path / "nope.csv", "--agreement", flagship_dir, "--format", "pdf")
    assert misuse.returncode == 2
    no_store = run("statements", "--store", tmp_path / "none.duckdb")
    assert no_store.returncode == 1 and "E055" in no_store.stderr


def test_the_demos_settle_section_runs(capsys):
    """The demo's settlement: synthetic billing settled into the store, then the same data again,
    which posts nothing new (the ledger is idempotent)."""
    from termsheet.cli.settle import settle_section
    settle_section()
    out = capsys.readouterr().out
    assert "the same data again posts 0 (run 2)" in out
    assert "USD paid under it" in out and "total cap $38B" in out
