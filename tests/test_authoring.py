"""Agreement tests (tests.yaml), termsheet init and new-version, as an author uses them."""

from __future__ import annotations

import json
from datetime import date

import pytest
from support.cli import run_cli

from termsheet.agreement.history import load_history
from termsheet.agreement.problems import TermsheetError
from termsheet.authoring import run_tests
from termsheet.authoring.scaffold import init_agreement, new_version


def run(*args, cwd=None):
    return run_cli(*args, cwd=cwd)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.split("\n"), 1) if needle in line)


def test_loading_a_folder_reads_only_its_versions(flagship_dir):
    # the flagship folder holds tests.yaml and revenue.csv beside its seven versions
    assert (flagship_dir / "tests.yaml").is_file() and (flagship_dir / "revenue.csv").is_file()
    history, problems = load_history(flagship_dir)
    assert problems == []
    assert len(history.versions) == 7


def test_the_flagship_passes_its_own_tests(flagship_dir):
    report = run_tests([flagship_dir.parent])  # a folder of agreement folders
    assert str(flagship_dir) in report.folders and report.failed == 0
    flagship = [r for r in report.results if r.agreement == "openai-microsoft"]
    assert [r.section for r in flagship] == ["decisions"] * 6 + ["statements"] * 2
    assert run_tests([flagship_dir]).folders == (str(flagship_dir),)


def test_init_then_test_passes_and_a_wrong_expectation_fails(tmp_path):
    result = run("init", "acme-globex", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    folder = tmp_path / "acme-globex"
    assert sorted(p.name for p in folder.iterdir()) == ["2026-01-01.md", "revenue.csv",
                                                         "tests.yaml"]
    assert run("validate", "acme-globex", cwd=tmp_path).returncode == 0
    result = run("test", "acme-globex", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "5 passed, 0 failed" in result.stdout
    # every clause kind is in the first version
    text = (folder / "2026-01-01.md").read_text()
    for kind in ("exclusivity", "distribution", "license", "right-of-first-refusal",
                 "revenue-share", "equity", "commitment", "cooperation"):
        assert f"kind: {kind}" in text

    # January: 1000.00 + 250.00 at 70% is 875.00; expect 880.00 instead
    tests = folder / "tests.yaml"
    text = tests.read_text().replace('amount: "875.00"', 'amount: "880.00"')
    tests.write_text(text)
    where = line_of(text, 'amount: "880.00"')
    column = text.split("\n")[where - 1].index('"880.00"') + 1
    result = run("test", "acme-globex", cwd=tmp_path)
    assert result.returncode == 1
    assert "4 passed, 1 failed" in result.stdout
    assert f"acme-globex/tests.yaml:{where}:{column}: line resale-share 2026-01 amount" \
        in result.stdout
    assert "expected: 880.00" in result.stdout and "got:      875.00" in result.stdout

    data = json.loads(run("test", "acme-globex", "--json", cwd=tmp_path).stdout)
    assert (data["ok"], data["passed"], data["failed"]) == (False, 4, 1)
    [failed] = [r for r in data["results"] if not r["ok"]]
    assert failed["section"] == "statements" and failed["index"] == 1
    assert failed["mismatches"] == [{"what": "line resale-share 2026-01 amount",
                                     "expected": "880.00", "got": "875.00",
                                     "line": where, "column": column}]


def test_a_wrong_decision_names_what_was_decided(tmp_path):
    folder = tmp_path / "acme-globex"
    init_agreement(folder)
    tests = folder / "tests.yaml"
    text = tests.read_text()
    # the second case: the API on other-cloud is forbidden by api-channels; expect it allowed
    text = text.replace("{decision: forbidden, version: 2026-01-01, deciding: [api-channels]}",
                        "{decision: allowed, version: 2026-01-01, deciding: [api-channels]}", 1)
    tests.write_text(text)
    report = run_tests([folder])
    [failed] = [r for r in report.results if not r.ok]
    assert (failed.section, failed.index) == ("decisions", 2)
    [mismatch] = failed.mismatches
    assert (mismatch.what, mismatch.expected, mismatch.got) == ("decision", "allowed",
                                                                "forbidden")
    # the case's expect line: six lines below its name
    assert mismatch.line == line_of(text, "may not be sold on any other cloud") + 6
    assert "{decision: allowed" in text.split("\n")[mismatch.line - 1]


def test_init_in_another_currency_and_date(tmp_path):
    # effective mid-month: the sample rows fall in the two months after it (2027-04, 2027-05)
    folder = tmp_path / "north-south"
    init_agreement(folder, effective=date(2027, 3, 15), currency="JPY")
    assert "2027-04-05,South,South Store,north-api,1000.00,JPY" in \
        (folder / "revenue.csv").read_text()
    report = run_tests([folder])
    assert report.ok, [r.to_dict() for r in report.results if not r.ok]


def test_init_refuses_a_folder_in_use_and_a_bad_name(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    result = run("init", "taken", cwd=tmp_path)
    assert result.returncode == 1 and "E004" in result.stderr
    assert (tmp_path / "taken" / "notes.txt").read_text() == "mine"
    result = run("init", "Bad Name", cwd=tmp_path)
    assert result.returncode == 1 and "E023" in result.stderr


def test_new_version_amends_the_latest(tmp_path):
    folder = tmp_path / "acme-globex"
    init_agreement(folder)
    path = new_version(folder, date(2026, 7, 1))
    assert path.name == "2026-07-01.md"
    before = (folder / "2026-01-01.md").read_text().split("\n")
    after = path.read_text().split("\n")
    changed = [line for line in after if line not in before]
    assert [line.split("#")[0].strip() for line in changed] == [
        "version: 2026-07-01", "effective: 2026-07-01", "amends: 2026-01-01"]
    history, problems = load_history(folder)
    assert problems == [] and [v.version for v in history.versions] == ["2026-01-01",
                                                                         "2026-07-01"]
    assert history.latest.amends == "2026-01-01"
    assert history.latest.clauses == history.first.clauses or \
        [c.id for c in history.latest.clauses] == [c.id for c in history.first.clauses]
    # the tests still pass: their dates fall under the first version
    assert run_tests([folder]).ok
    # not after the latest version: refused, nothing written
    with pytest.raises(TermsheetError) as err:
        new_version(folder, date(2026, 7, 1), version="again")
    assert err.value.problems[0].code == "E032"
    assert not (folder / "again.md").exists()


def test_a_tests_file_of_the_wrong_shape_is_reported_at_its_lines(tmp_path):
    folder = tmp_path / "acme-globex"
    init_agreement(folder)
    tests = folder / "tests.yaml"
    text = tests.read_text()
    text = text.replace("    action: distribute\n", "    action: distibute\n", 1)
    text = text.replace("data: revenue.csv", "data: missing.csv")
    tests.write_text(text)
    result = run("test", str(folder), "--json")
    assert result.returncode == 1
    errors = json.loads(result.stdout)["errors"]
    assert [(e["code"], e["line"]) for e in errors] == [
        ("E090", line_of(text, "action: distibute")), ("E090", line_of(text, "missing.csv"))]
    assert "did you mean 'distribute'" in errors[0]["hint"]


def test_no_tests_anywhere(tmp_path):
    folder = tmp_path / "acme-globex"
    init_agreement(folder)
    (folder / "tests.yaml").unlink()
    result = run("test", str(folder))
    assert result.returncode == 1 and "E091" in result.stderr


def test_statement_expectations_match_by_version(flagship_dir, tmp_path):
    # April 2026 has two lines of revenue-share-to-microsoft (one per version): without a
    # version the expectation is ambiguous, and says so
    import shutil
    folder = tmp_path / "om"
    shutil.copytree(flagship_dir, folder)
    (folder / "tests.yaml").write_text(
        "statements:\n"
        "  - name: ambiguous\n"
        "    data: revenue.csv\n"
        "    expect:\n"
        "      lines:\n"
        "        - {clause: revenue-share-to-microsoft, period: 2026-04, amount: '300.00'}\n"
        "        - {clause: revenue-share-to-microsoft, period: 2026-06, amount: '1'}\n")
    [result] = run_tests([folder]).results
    first, second = result.mismatches
    assert first.got.startswith("2 lines (versions 2026-02-27, 2026-04-27)")
    assert (first.line, second.line) == (6, 7)
    assert second.got.startswith("no such line")
    assert second.expected == "a line"
