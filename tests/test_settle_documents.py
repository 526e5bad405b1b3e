"""Statements a counterparty can check: JSON, CSV, HTML and PDF, each with the clause text, the
inputs' hashes and the reconciliation; the PDF looked at as a picture through pdftoppm."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest

from termsheet.settle import counterparty, settle
from termsheet.settle.store import Store
from support.cli import run_cli
from support.royalty import agreement, write_rates, write_rows

# "10% of net sales plus 20% of sublicensing income", an advance of 150 at signing.
# January: EUR 1,000 at 1.10 -> 1,100 of net sales -> 110.00, recouped (40 left); the advance
# 150.00 is paid: the statement totals 150.00. February: 900 of sublicensing -> 180.00, 40
# recouped: 140.00.
CLAUSE = {"bases": [{"id": "net-sales", "rate": "10%"},
                    {"id": "sublicensing", "charge-category": ["sublicensing"], "rate": "20%"}],
          "advance": {"amount": 150, "paid": "2026-01-01"}}
ROWS = [["2026-01-10", "Acme", "direct", "widget", "1000", "EUR"],
        ["2026-02-10", "Acme", "direct", "widget", "900", "USD", "sublicensing"]]


@pytest.fixture
def run(tmp_path):
    history = agreement({"clause": CLAUSE}, tmp_path / "agreement")
    data = write_rows(ROWS, tmp_path / "data")
    rates = write_rates([["2026-01-01", "EUR", "USD", "1.1"]], tmp_path / "rates")
    return history, data, rates, settle(history, data, rates=rates)


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def test_documents_hold_what_a_counterparty_checks(run):
    history, data, rates, result = run
    jan, feb = counterparty.from_settlement(result, history)
    assert (jan["period"], jan["total"], feb["total"]) == ("2026-01", Decimal("150.00"),
                                                           Decimal("140.00"))
    assert [(l["kind"], l["part"], l["amount"]) for l in jan["lines"]] == [
        ("advance", "", Decimal("150.00")), ("share", "net-sales", Decimal("110.00")),
        ("recoupment", "", Decimal("-110.00"))]
    (conversion,) = jan["lines"][1]["conversions"]
    assert (conversion["rate"], conversion["converted"]) == (Decimal("1.1"), Decimal("1100"))
    assert feb["advances"][0]["unrecouped"] == 0 and jan["advances"][0]["unrecouped"] == 40
    (clause,) = jan["clauses"]
    assert clause["prose"] == "A clause of the case." and "sublicensing" in clause["terms"]
    assert jan["inputs"][0]["sha256"] == sha(data[0])
    assert jan["rates"]["sha256"] == sha(rates)
    assert jan["versions"]["v1"] == sha(history.versions[0].path)
    (eur,) = [r for r in jan["reconciliation"] if r["currency"] == "EUR"]
    assert eur["in"]["amount"] == Decimal("1000") and eur["balanced"]


def test_json_csv_html(run, tmp_path):
    history, data, rates, result = run
    written = counterparty.write(counterparty.from_settlement(result, history), tmp_path / "out",
                                 formats=("json", "csv", "html"))
    assert sorted(p.name for p in written) == [f"2026-0{m}-acme-to-beta.{f}" for m in (1, 2)
                                               for f in ("csv", "html", "json")]
    doc = json.loads((tmp_path / "out" / "2026-01-acme-to-beta.json").read_text())
    assert doc["total"] == "150.00" and doc["inputs"][0]["sha256"] == sha(data[0])
    rows = list(csv.DictReader(io.StringIO(
        (tmp_path / "out" / "2026-02-acme-to-beta.csv").read_text())))
    sections = {r["section"] for r in rows}
    assert {"line", "total", "clause-text", "input", "rates", "reconciliation",
            "advance"} <= sections
    assert [r["amount"] for r in rows if r["section"] == "total"] == ["140.00"]
    assert any(r["name"] == "balanced" and r["detail"] == "yes" for r in rows)
    page = (tmp_path / "out" / "2026-01-acme-to-beta.html").read_text()
    for text in ("A clause of the case.", sha(data[0]), sha(rates), "Reconciliation",
                 "unrecouped", "1.1 USD per EUR"):
        assert text in page, text


def test_pdf_looked_at_as_a_picture(run, tmp_path):
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (Debian's poppler-utils) is not installed")
    from PIL import Image
    history, data, rates, result = run
    (pdf,) = counterparty.write(counterparty.from_settlement(result, history)[:1],
                                tmp_path, formats=("pdf",))
    assert pdf.read_bytes().startswith(b"%PDF-")
    subprocess.run(["pdftoppm", "-r", "60", "-png", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True)
    (png,) = tmp_path.glob("page*.png")
    image = Image.open(png).convert("L")
    width, height = image.size
    assert abs(width / height - 210 / 297) < 0.01  # an A4 page
    dark = lambda box: sum(image.crop(box).histogram()[:128])  # noqa: E731
    # Ink in the title band at the top and in the body, none in the right margin.
    assert dark((0, 0, width, height // 12)) > 100
    assert dark((0, height // 12, width, height // 2)) > 1000
    assert dark((width - width // 30, 0, width, height)) == 0
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                              check=True).stdout
        for part in ("Statement 2026-01", "A clause of the case.", sha(data[0]),
                     "Reconciliation", "150.00 USD"):
            assert part in text, part


def test_settle_and_statements_write_every_format(tmp_path):
    agreement({"clause": CLAUSE}, tmp_path / "agreement")
    write_rows(ROWS, tmp_path / "data")
    write_rates([["2026-01-01", "EUR", "USD", "1.1"]], tmp_path / "rates")
    done = run_cli("settle", "data/revenue.csv", "-a", "agreement", "--rates", "rates/rates.csv",
                   "--store", "s.duckdb", "--statements", "out", "--json", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert len(json.loads(done.stdout)["statement_files"]) == 8
    done = run_cli("statements", "--store", "s.duckdb", "--statements", "again", "--documents",
                   "agreement", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    stored = json.loads((tmp_path / "again" / "2026-01-acme-to-beta.json").read_text())
    fresh = json.loads((tmp_path / "out" / "2026-01-acme-to-beta.json").read_text())
    for key in ("lines", "total", "clauses", "versions", "rates", "reconciliation", "advances"):
        assert stored[key] == fresh[key], key
    assert stored["inputs"] == fresh["inputs"]
    with Store(tmp_path / "s.duckdb", read_only=True) as db:
        assert sum(e.amount for e in db.entries()) == Decimal("290.00")


def test_a_bad_rate_table_is_a_problem_not_a_traceback(tmp_path):
    agreement({"clause": CLAUSE}, tmp_path / "agreement")
    write_rows(ROWS, tmp_path / "data")
    (tmp_path / "rates.csv").write_text("date,from,to,rate\n2026-01-01,EUR,USD,abc\n")
    done = run_cli("settle", "data/revenue.csv", "-a", "agreement", "--rates", "rates.csv",
                   "--no-store", cwd=tmp_path)
    assert done.returncode == 1
    assert "rates.csv:2:1: E058" in done.stdout + done.stderr
