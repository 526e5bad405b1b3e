"""The promises of docs/architecture.md ("Promises"), one regression test per break found by
hostile and unlucky use (issue 14): nothing stored is lost or half-written; every input line is
accounted for; a run restates only what it looked at; bad input is exit 1 or 2, never exit 3."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from termsheet import load_history_of
from termsheet.agreement.problems import TermsheetError
from termsheet.settle import settle
from termsheet.settle.store import Store

from support.settle import FOCUS_DEFAULTS, write_versions

REVENUE = "date,seller,channel,product,amount,currency\n"


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "termsheet", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd)


def codes(err) -> list[str]:
    return [p.code for p in err.value.problems]


@pytest.fixture(scope="module")
def acme(tmp_path_factory):
    """acme pays beta 10% of Acme's sales, monthly, from 2026-01-01, open-ended."""
    folder = tmp_path_factory.mktemp("acme") / "acme-beta"
    write_versions({"versions": [{"clauses": [{
        "id": "share", "kind": "revenue-share", "payer": "acme", "payee": "beta",
        "base": {"seller": "acme"}, "rate": "10%"}]}]}, folder)
    return load_history_of(folder)


# 1. Uploads never destroy another document --------------------------------------------------


def _catalog(tmp_path, flagship_dir):
    from termsheet.web.catalog import Catalog
    root = tmp_path / "agreements"
    shutil.copytree(flagship_dir, root / "openai-microsoft")
    return Catalog.load(root), root / "openai-microsoft"


def _upload_text(folder: Path, version: str, agreement: str = "openai-microsoft") -> str:
    text = (folder / "2026-04-27.md").read_text()
    return (text.replace("version: 2026-04-27", f"version: {version}", 1)
            .replace("effective: 2026-04-27", "effective: 2026-05-01", 1)
            .replace("agreement: openai-microsoft", f"agreement: {agreement}", 1))


def test_an_id_that_is_not_its_file_name_is_refused_and_no_file_changes(tmp_path, flagship_dir):
    from termsheet.web.errors import HttpProblem
    catalog, folder = _catalog(tmp_path, flagship_dir)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    # Old code: "2026/04/27" was cleaned to 2026-04-27.md and overwrote that version (201).
    with pytest.raises(HttpProblem) as err:
        catalog.add_version(_upload_text(folder, "2026/04/27"))
    assert err.value.status == 422 and err.value.problems[0].code == "E037"
    # Old code: "openai microsoft" was cleaned to the flagship's folder; the upload replaced
    # 2026-02-27.md, was found to mix agreements (E034), and the rollback deleted the file.
    text = _upload_text(folder, "2026-02-27", "openai microsoft").replace(
        "amends: 2026-02-27\n", "")
    with pytest.raises(HttpProblem) as err:
        catalog.add_version(text)
    assert err.value.problems[0].code == "E037"
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_a_new_file_is_written_whole_and_never_replaces_one(tmp_path):
    from termsheet.web.catalog import write_new
    from termsheet.web.errors import HttpProblem
    target = tmp_path / "v1.md"
    write_new(target, "first")
    with pytest.raises(HttpProblem) as err:
        write_new(target, "second")
    assert err.value.status == 409
    assert target.read_text() == "first" and os.listdir(tmp_path) == ["v1.md"]


# 2. Every line of every input accounted for -------------------------------------------------


def test_concatenated_revenue_exports_settle_every_row(acme, tmp_path):
    # Two exports in one file; the second adds a column (Tags). Old code: DuckDB's sniffer took
    # the second header and skipped lines 1-4: 2 rows in, 2 settled, "balanced".
    path = tmp_path / "two-exports.csv"
    path.write_text(REVENUE + "2026-01-05,Acme,direct,widget,100.00,USD\n"
                    "2026-01-06,Acme,direct,widget,200.00,USD\n"
                    "2026-01-07,Other Co,direct,widget,999.00,USD\n"
                    "date,seller,channel,product,amount,currency,Tags\n"
                    "2026-01-08,Acme,direct,widget,300.00,USD,x\n"
                    "2026-01-09,Acme,direct,widget,400.00,USD,y\n")
    result = settle(acme, [path])
    (recon,) = result.reconciliation
    # 7 lines = 2 headers + 5 rows; Acme's 100 + 200 + 300 + 400 = 1000.00 -> 10% = 100.00.
    assert (recon.rows_in.rows, recon.settled.rows, recon.out_of_scope.rows) == (5, 4, 1)
    assert result.lines[0].amount == Decimal("100.00")
    lines = result.sources[0].lines
    assert (lines.lines, lines.header_lines, lines.rows) == (7, (1, 5), 5)


def test_concatenated_focus_exports_settle_every_row(acme, tmp_path):
    columns = list(FOCUS_DEFAULTS)
    row = {**FOCUS_DEFAULTS, "ChargePeriodStart": "2026-01-05T00:00:00Z", "BilledCost": "10",
           "EffectiveCost": "10", "ListCost": "10", "ChargeClass": ""}
    text = ",".join(columns) + "\n" + "\n".join(",".join(str(row[c] or "") for c in columns)
                                                for _ in range(30)) + "\n"
    text += ",".join(columns + ["Tags"]) + "\n" + "\n".join(
        ",".join([str(row[c] or "") for c in columns] + ["t"]) for _ in range(3)) + "\n"
    path = tmp_path / "focus.csv"
    path.write_text(text)
    (recon,) = settle(acme, [path]).reconciliation
    assert recon.rows_in.rows == recon.settled.rows == 33  # old code: 3


def test_a_ragged_row_is_quarantined_with_its_line(acme, tmp_path):
    # Old code: the sniffer read the file as one column: "neither a FOCUS export nor a revenue
    # table", no line named.
    path = tmp_path / "ragged.csv"
    path.write_text(REVENUE + "2026-01-05,Acme,direct,widget,100.00,USD\n"
                    "2026-01-06,Acme,direct\n\n"
                    "2026-01-07,Acme,direct,widget,50.00,USD\n")
    result = settle(acme, [path])
    (q,) = result.quarantine
    assert (q.row, q.line, q.code) == (2, 3, "fields")
    assert q.reason == "line 3 has 3 field(s) where the header on line 1 has 6"
    assert result.sources[0].lines.blank_lines == 1
    assert sum(r.rows_in.rows for r in result.reconciliation) == 3


# 3. A run restates only the periods it looked at --------------------------------------------

APRIL = (REVENUE + "2026-04-05,OpenAI,direct,chatgpt,1000.00,USD\n"
         "2026-04-27,OpenAI,direct,chatgpt,500.00,USD\n"
         "2026-04-29,OpenAI,direct,chatgpt,250.00,USD\n")


def test_dates_inside_a_period_are_refused(flagship, tmp_path):
    path = tmp_path / "april.csv"
    path.write_text(APRIL)
    # Old code: settled April from the 27th alone; into a store, that restated all of April.
    with pytest.raises(TermsheetError) as err:
        settle(flagship, [path], start=date(2026, 4, 27), end=date(2026, 4, 27))
    assert codes(err) == ["E057"] and "use --to 2026-04-30" in err.value.problems[0].hint


def test_a_run_never_restates_a_period_it_saw_only_part_of(flagship, tmp_path):
    path = tmp_path / "april.csv"
    path.write_text(APRIL)
    with Store(tmp_path / "s.duckdb") as store:
        store.record(settle(flagship, [path]))
        # 2026-04-27 to 04-30 is the whole of April for the 2026-04-27 version (it begins on
        # the 27th), but not for 2026-02-27's April line (the 1st to the 26th). Old code:
        # "no longer due", restated to zero (-200.00, 20% of the 1,000.00 of April 5).
        again = store.record(settle(flagship, [path], start=date(2026, 4, 27),
                                    end=date(2026, 4, 30)))
        assert again.entries == ()
        assert sum(e.amount for e in store.entries()) == Decimal("350.00")  # 20% of 1,750


def test_epoch_is_not_a_date_and_out_of_scope_rows_do_not_stretch_the_window(acme, tmp_path):
    path = tmp_path / "epoch.csv"
    path.write_text(REVENUE + "epoch,Acme,direct,widget,1.00,USD\n"
                    "1970-01-01,Acme,direct,widget,2.00,USD\n"
                    "2026-01-05,Acme,direct,widget,100.00,USD\n"
                    "2026-02-05,Other Co,direct,widget,100.00,USD\n")
    result = settle(acme, [path])
    # Old code: 'epoch' read as 1970-01-01 and the run's window began in 1970.
    assert (result.start, result.end) == (date(2026, 1, 5), date(2026, 1, 5))
    (q,) = result.quarantine
    assert q.reason == "charge date 'epoch' is not a date"


# 4. A store is a store ------------------------------------------------------------------------


def test_a_data_file_is_not_a_store(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text(REVENUE)
    for path in (data, tmp_path / "new.parquet"):
        # Old code: DuckDB opened data.csv as a view in memory; a run "recorded" was lost.
        with pytest.raises(TermsheetError) as err:
            Store(path)
        assert codes(err) == ["E055"]
    assert data.read_text() == REVENUE and not (tmp_path / "new.parquet").exists()


# 6. Dates past the supported range are quarantined ------------------------------------------


def test_far_dates_are_quarantined_and_the_run_goes_on(acme, tmp_path):
    path = tmp_path / "far.csv"
    path.write_text(REVENUE + "9999-12-31,Acme,direct,widget,1.00,USD\n"
                    "9999-12-31T23:00:00-05:00,Acme,direct,widget,2.00,USD\n"
                    "infinity,Acme,direct,widget,3.00,USD\n"
                    "9999-12-31T23:00:00-05:00,Other Co,direct,widget,4.00,USD\n"
                    "2026-01-05,Acme,direct,widget,100.00,USD\n")
    # Old code: OverflowError (date 9999-12-31's period ends in year 10000) or ValueError
    # (year 10000 read back from the engine): exit 3.
    result = settle(acme, [path])
    assert [q.row for q in result.quarantine] == [1, 2, 3, 4]
    assert result.quarantine[0].reason == ("charge date '9999-12-31' is outside the supported "
                                           "dates (0001-01-01 to 9998-12-31, UTC)")
    assert result.quarantine[2].reason == "charge date 'infinity' is not a date"
    assert [line.amount for line in result.lines] == [Decimal("10.00")]


# 8. A thousand clauses ------------------------------------------------------------------------


def _depth(expr) -> int:
    """The depth of an expression's operation tree, walked without recursion."""
    deepest, stack = 0, [(expr.op(), 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in node.__children__)
    return deepest


def test_the_reconciliation_does_not_nest_one_level_per_clause(acme):
    import ibis

    from termsheet.settle.run import _reconciliation
    from termsheet.settle.terms import terms_of
    (term,) = terms_of(acme)
    summary = ibis.table({"day": "date", "reason": "string", "currency_code": "string",
                          "category_key": "string", "seller_id": "string", "n": "int64",
                          "billed": "decimal(38,10)"}, name="summary")
    depth = {n: _depth(_reconciliation(summary, [replace(term, index=i) for i in range(n)],
                                       None, None)) for n in (2, 256)}
    # Old code: one `|` per clause, 255 levels more (1,000 clauses: RecursionError, exit 3).
    assert depth[256] - depth[2] <= 8


# 9. A damaged store ---------------------------------------------------------------------------


def test_a_truncated_store_is_e055(acme, tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text(REVENUE + "".join(f"2026-{m:02d}-05,Acme,direct,widget,{m}00.00,USD\n"
                                      for m in range(1, 13)))
    whole = tmp_path / "whole.duckdb"
    with Store(whole) as store:
        store.record(settle(acme, [path]))
    data = whole.read_bytes()
    seen = set()
    for share in range(5, 100, 5):
        cut = tmp_path / f"cut-{share}.duckdb"
        cut.write_bytes(data[:len(data) * share // 100])
        try:
            with Store(cut, read_only=True) as store:
                store.current_lines()
                store.entries()
                store.runs()
            seen.add("read")
        except TermsheetError as err:  # old code: duckdb.IOException from a query
            assert err.problems[0].code == "E055"
            seen.add("E055")
    assert "E055" in seen


# 10. Exit 1 or 2, never 3 ---------------------------------------------------------------------


def cli(capsys, *args) -> tuple[int, str]:
    """The command line in this process (as `python -m termsheet` runs it): exit code, stderr."""
    from termsheet.cli import main
    with pytest.raises(SystemExit) as done:
        main([str(a) for a in args])
    return done.value.code, capsys.readouterr().err


def test_bad_command_lines_exit_1_or_2(flagship_dir, tmp_path, capsys):
    data = tmp_path / "rows.csv"
    data.write_text(REVENUE + "2026-05-02,OpenAI,direct,chatgpt,1000.00,USD\n")
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    cases = {
        # /proc takes no new files, even from root
        "allocations": ("settle", data, "-a", flagship_dir, "--no-store", "--allocations",
                        "/proc/termsheet-allocations.parquet"),
        "allocations under a file": ("settle", data, "-a", flagship_dir, "--no-store",
                                     "--allocations", blocker / "allocations.parquet"),
        "months reversed": ("generate-billing", tmp_path / "g", "--from", "2026-07", "--to",
                            "2025-08"),
        "year 1": ("generate-billing", tmp_path / "g", "--from", "0001-01", "--to", "0001-02"),
    }
    access = tmp_path / "access.yaml"
    access.write_text("- just\n- a list\n")
    cases["token list"] = ("token", "list", "--access", access)
    cases["serve"] = ("serve", "--agreements", flagship_dir, "--access", access,
                      "--port", "1")
    for name, args in cases.items():
        code, said = cli(capsys, *args)
        # Old code: exit 3 (duckdb.IOException, ValueError, AttributeError), or exit 1
        # with no problem code ("cannot use blocker: File exists").
        assert code == 1, (name, code, said)
        assert "internal error" not in said and "E0" in said, (name, said)
    assert not list(tmp_path.glob("a-file*")) or blocker.read_text() == ""


# 16. Messages ---------------------------------------------------------------------------------


def test_amount_messages(acme, tmp_path):
    path = tmp_path / "amounts.csv"
    path.write_text(REVENUE + "2026-01-05,Acme,direct,widget,12345678901234567890123456789,USD\n"
                    "2026-01-05,Acme,direct,widget,1_000,USD\n"
                    "2026-01-05,Acme,direct,widget,1.5,USD\n")
    result = settle(acme, [path])
    big, underscore = result.quarantine
    assert big.reason == ("amount '12345678901234567890123456789' exceeds the supported "
                          "precision (28 digits before the decimal point)")  # old: not a number
    assert underscore.reason == "amount '1_000' is not a number"  # old: settled as 1,000
    assert [line.base for line in result.lines] == [Decimal("1.5")]


def test_numbers_as_spreadsheets_write_them_are_quarantined_with_the_number_meant(acme, tmp_path):
    """Digit grouping and decimal commas are not read as numbers (1,250 could be 1250 or
    1.25): each row is quarantined, its reason naming the number meant when it is certain."""
    path = tmp_path / "amounts.csv"
    path.write_text(REVENUE + "".join(f'2026-01-05,Acme,direct,widget,"{v}",USD\n' for v in
                                      ("1,250.00", "1.250,00", "-1,234,567.89", "1,25", "1,250")))
    result = settle(acme, [path])
    assert [q.reason for q in result.quarantine] == [
        "amount '1,250.00' is not a number (digit grouping: write 1250.00)",
        "amount '1.250,00' is not a number (a decimal comma: write 1250.00)",
        "amount '-1,234,567.89' is not a number (digit grouping: write -1234567.89)",
        "amount '1,25' is not a number (a decimal comma: write 1.25)",
        "amount '1,250' is not a number (digit grouping or a decimal comma: write it with a "
        "decimal point and no grouping)"]
    assert not result.lines    # no row was read as a number


def test_dates_as_spreadsheets_write_them_are_quarantined_with_the_date_meant(acme, tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text(REVENUE + "".join(f"{d},Acme,direct,widget,10,USD\n" for d in
                                      ("15/01/2026", "01/15/2026", "03/04/2026", "2026/01/15")))
    assert [q.reason for q in settle(acme, [path]).quarantine] == [
        "charge date '15/01/2026' is not a date (write 2026-01-15)",
        "charge date '01/15/2026' is not a date (write 2026-01-15)",
        "charge date '03/04/2026' is not a date (day/month or month/day? write YYYY-MM-DD)",
        "charge date '2026/01/15' is not a date (write 2026-01-15)"]


def test_a_column_named_rowid_is_just_a_column(acme, tmp_path):
    path = tmp_path / "rowid.csv"
    path.write_text("rowid," + REVENUE + "7,2026-01-05,Acme,direct,widget,100.00,USD\n")
    # Old code: E051 "Binder Error" from the engine for the whole file.
    assert settle(acme, [path]).lines[0].amount == Decimal("10.00")


def test_inputs_that_are_not_files_say_what_they_are(acme, tmp_path):
    with pytest.raises(TermsheetError) as err:
        settle(acme, [tmp_path])
    assert "is a folder, not a file" in err.value.problems[0].message  # old: "no such file"
    with pytest.raises(TermsheetError) as err:
        settle(acme, ["/dev/zero"])
    assert "not a regular file" in err.value.problems[0].message


def test_access_files_of_the_wrong_shape(tmp_path):
    from termsheet.web.access import read_entries
    path = tmp_path / "access.yaml"
    for text, said in (("tokens: hello\n", "'tokens' is a text, not a list"),
                       ("tokens: [hello]\n", "token 1 is a text, not a mapping"),
                       ("[1, 2]\n", "the access file holds a list, not a mapping")):
        path.write_text(text)
        # Old code: "token 1 lacks string indices must be integers", or AttributeError.
        with pytest.raises(TermsheetError) as err:
            read_entries(path)
        assert err.value.problems[0].message == said


def test_a_failed_server_settle_leaves_no_uploads(flagship_dir, tmp_path):
    from fastapi.testclient import TestClient

    from termsheet.web import Settings, create_app
    store = tmp_path / "s.duckdb"
    with TestClient(create_app(Settings(agreements=flagship_dir, store=store)),
                    base_url="http://127.0.0.1") as client:
        bad = client.post("/api/agreements/openai-microsoft/settle/files",
                          files={"files": ("rows.csv", b"not,a\nrevenue,table\n", "text/csv")})
        assert bad.status_code == 422
        worse = client.post("/api/agreements/openai-microsoft/settle/files",
                            files={"files": ("rows.exe", b"x", "text/csv")})
        assert worse.status_code == 422
    assert list((tmp_path / "s-runs").glob("incoming-*")) == []  # old code: two left


def test_ten_thousand_decisions_fit_in_a_batch(flagship_dir):
    from fastapi.testclient import TestClient

    from termsheet.web import Settings, create_app
    requests = [{"action": "distribute", "party": "openai", "product": "openai-api",
                 "channel": "aws", "date": "2026-04-01", "facts": ["microsoft-declines-support"]}] * 10_000
    body = json.dumps({"requests": requests})
    assert len(body) > 1_000_000  # over the default limit
    with TestClient(create_app(Settings(agreements=flagship_dir)),
                    base_url="http://127.0.0.1") as client:
        response = client.post("/api/agreements/openai-microsoft/decide/batch", content=body,
                               headers={"Content-Type": "application/json"})
    # Old code: 413, "request body over the limit of 1,000,000 bytes".
    assert response.status_code == 200, response.text[:300]
    assert response.json()["summary"]["decisions"] == 10_000


# Siblings: the same kinds of break elsewhere -------------------------------------------------


def test_event_dates_at_the_ends_of_the_calendar_are_refused(flagship, tmp_path):
    path = tmp_path / "rows.csv"
    path.write_text(REVENUE + "2026-05-02,OpenAI,direct,chatgpt,1000.00,USD\n")
    # Old code: a clause "until agi-verified" ends the day before 0001-01-01: OverflowError.
    for day in (date(1, 1, 1), date(9999, 12, 31)):
        with pytest.raises(TermsheetError) as err:
            settle(flagship, [path], events={"agi-verified": day})
        assert codes(err) == ["E057"]
    with pytest.raises(TermsheetError) as err:
        settle(flagship, [path], start=date(2026, 5, 1), end=date(9999, 12, 31))
    assert codes(err) == ["E057"]


def test_a_server_refuses_a_data_file_as_its_store(tmp_path):
    from termsheet.web.settlement import Ledger
    data = tmp_path / "data.csv"
    data.write_text(REVENUE)
    with pytest.raises(TermsheetError) as err:  # old code: accepted, runs lost in memory
        Ledger.open(data)
    assert codes(err) == ["E055"]


def test_a_parquet_file_with_the_readers_column_names(acme, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    path = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"_row": [99, 98], "_line": [7, 7], "date": ["2026-01-05", "epoch"],
                             "seller": ["Acme"] * 2, "channel": ["direct"] * 2,
                             "product": ["widget"] * 2, "amount": ["100", "1"],
                             "currency": ["USD"] * 2}), path)
    result = settle(acme, [path])
    (q,) = result.quarantine
    assert (q.row, q.line) == (2, None)  # the file's second row, not its "_row" column


def test_devices_and_folders_are_not_documents(tmp_path):
    from termsheet.agreement.document import parse_file
    from termsheet.decide.plans import load_plan
    from termsheet.simulate.scenario import load_scenario
    from termsheet.web.access import read_entries

    def document(path):
        version, problems = parse_file(path)
        if problems:
            raise TermsheetError(problems)

    # Old code: /dev/zero was read until memory ran out (validate, plans, scenarios, access).
    for read in (document, load_plan, load_scenario, read_entries):
        for path in (tmp_path, Path("/dev/zero")):
            with pytest.raises(TermsheetError) as err:
                read(path)
            assert codes(err) == ["E004"], (read, path)
            assert "not a regular file" in str(err.value) or "is a folder" in str(err.value)


def test_brackets_in_a_documents_words_and_in_paths_are_printed_as_written(tmp_path):
    """Rich reads "[...]" as markup: a clause sentence with "[/]" stopped `decide` with exit 3
    (MarkupError), and "[REDACTED]" or a path with "[b]" lost its brackets. The document's
    words and the user's paths are printed as written."""
    from support.cli import run_cli
    text = (Path(__file__).parent / "documents" / "minimal.md").read_text()
    folder = tmp_path / "deal[b]"
    folder.mkdir()
    (folder / "2025-01-01.md").write_text(text.replace(
        "Acme may sell anywhere.", "Acme may sell anywhere [/] and [REDACTED].").replace(
        "title: Acme and Widget", 'title: "Acme and Widget [draft]"'))
    decided = run_cli("decide", "--agreement", folder, "--as-of", "2025-06-01", "distribute",
                      "--party", "acme", "--product", "api", "--channel", "azure")
    assert decided.returncode == 0, decided.stderr
    assert "“Acme may sell anywhere [/] and [REDACTED].”" in decided.stdout
    assert f"{folder}/2025-01-01.md:" in "".join(decided.stdout.split())   # wrapped or not
    valid = run_cli("validate", folder)
    assert valid.returncode == 0 and f"valid:{folder}" in "".join(valid.stdout.split())
    shown = run_cli("show", folder)
    assert shown.returncode == 0 and shown.stdout.startswith("Acme and Widget [draft]\n")
    data = tmp_path / "rows[red].csv"
    data.write_text("date,seller,channel,product,amount,currency\n"
                    "2025-03-01,acme,aws,api,100,USD\n")
    store = tmp_path / "store[b].duckdb"
    settled = run_cli("settle", "-a", folder, data, "--store", store)
    assert settled.returncode == 0, settled.stderr
    assert f"store{store}:run1" in "".join(settled.stdout.split())
    runs = run_cli("runs", "--store", store)
    assert f"runsin{store}" in "".join(runs.stdout.split()) and "rows[red].csv" in runs.stdout


def test_a_store_held_by_another_process_says_who_may_hold_it(tmp_path):
    from support.cli import run_cli
    deal = tmp_path / "deal"
    deal.mkdir()
    (deal / "2025-01-01.md").write_text(
        (Path(__file__).parent / "documents" / "minimal.md").read_text())
    store = tmp_path / "held.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys; "
                               f"con = duckdb.connect({str(store)!r}); print('held', flush=True); "
                               "sys.stdin.read()"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        data = tmp_path / "rows.csv"
        data.write_text(REVENUE + "2025-03-01,acme,aws,api,100,USD\n")
        result = run_cli("settle", "-a", deal, data, "--store", store)
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    assert result.returncode == 1
    assert "E055 cannot open the store" in result.stderr
    assert "another process holds the store (a `termsheet serve` with this --store" in \
        " ".join(result.stderr.split())
