"""validate, show and schema from the command line, as a user runs them."""

import json

import pytest
from support.cli import run_cli


def run(*args, cwd=None):
    return run_cli(*args, cwd=cwd)


def test_validate_flagship_exits_zero(flagship_dir):
    result = run("validate", flagship_dir)
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout


def test_flagship_file_broken_five_ways(flagship_dir, tmp_path):
    """Unknown party, bad date, duplicate id, unclosed fence, YAML error: all reported at once."""
    text = (flagship_dir / "2026-04-27.md").read_text()
    lines = text.split("\n")
    # 1. unknown party
    payer = next(i for i, l in enumerate(lines) if l.startswith("payer: openai"))
    lines[payer] = "payer: opneai"
    # 2. bad date
    until = next(i for i, l in enumerate(lines) if i > payer and l.startswith("until: 2030-12-31"))
    lines[until] = "until: 2030-12-32"
    # 3. duplicate id: the second terms block takes the first one's id
    ids = [i for i, l in enumerate(lines) if l.startswith("id: ")]
    first_id = lines[ids[0]]
    lines[ids[1]] = first_id
    # 4. YAML syntax error inside the third block
    lines[ids[2] + 1] = "kind: [license"
    # 5. the last terms fence never closes
    last_close = max(i for i, l in enumerate(lines) if l.strip() == "```")
    del lines[last_close]
    broken = tmp_path / "broken.md"
    broken.write_text("\n".join(lines))

    result = run("validate", broken)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    out = result.stderr
    assert f"broken.md:{payer + 1}:8: E010 unknown party 'opneai'" in out
    assert f"broken.md:{until + 1}:8: E024 bad date" in out
    assert f"broken.md:{ids[1] + 1}:" in out and "E020 duplicate clause id" in out
    assert "E001 YAML syntax error" in out and f"opened at line {ids[2] + 2}, column 7" in out
    assert "E002 terms fence is never closed" in out

    as_json = run("validate", "--json", broken)
    assert as_json.returncode == 1
    report = json.loads(as_json.stdout)
    assert report["ok"] is False
    assert {"E010", "E024", "E020", "E001", "E002"} <= {e["code"] for e in report["errors"]}
    assert all({"code", "message", "path", "line", "column"} <= set(e) for e in report["errors"])


@pytest.mark.parametrize("day,version", [("2026-05-01", "2026-04-27"),
                                         ("2026-04-01", "2026-02-27")])
def test_show_as_of(flagship_dir, day, version):
    result = run("show", flagship_dir, "--as-of", day, "--json")
    assert result.returncode == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["version"] == version
    assert {"id", "kind", "parties", "period", "terms", "source"} <= set(shown["clauses"][0])


def test_show_before_the_first_version(flagship_dir):
    result = run("show", flagship_dir, "--as-of", "2019-01-01")
    assert result.returncode == 1
    assert "no version in force on 2019-01-01" in result.stderr
    assert "Traceback" not in result.stderr


def test_show_bad_date_is_misuse(flagship_dir):
    result = run("show", flagship_dir, "--as-of", "2019-13-01")
    assert result.returncode == 2
    assert "not a date" in result.stderr


def test_show_dir_at_version(flagship_dir):
    result = run("show", f"{flagship_dir}@2020-09-22", "--json")
    assert json.loads(result.stdout)["version"] == "2020-09-22"
    missing = run("show", f"{flagship_dir}@2020-09-23")
    assert missing.returncode == 1 and "did you mean '2020-09-22'" in missing.stderr


def test_schema_is_json_schema_of_every_kind():
    result = run("schema")
    schema = json.loads(result.stdout)
    kinds = {s["properties"]["kind"]["const"] for s in schema["$defs"].values()
             if "kind" in s.get("properties", {}) and "const" in s["properties"]["kind"]}
    assert kinds == {"exclusivity", "distribution", "license", "right-of-first-refusal",
                     "revenue-share", "equity", "commitment", "cooperation"}


def test_show_a_single_file_before_its_effective_date(flagship_dir):
    path = flagship_dir / "2026-04-27.md"
    assert json.loads(run("show", path, "--as-of", "2026-04-27", "--json").stdout)["version"] \
        == "2026-04-27"
    early = run("show", path, "--as-of", "2026-04-26")
    assert early.returncode == 1
    assert "E040 version 2026-04-27 is not in force on 2026-04-26" in early.stderr


def test_show_json_gives_terms_as_data(flagship_dir):
    shown = json.loads(run("show", f"{flagship_dir}@2026-04-27", "--json").stdout)
    assert shown["currency"] == "USD"
    share = next(c for c in shown["clauses"] if c["id"] == "revenue-share-to-microsoft")
    # as written in 2026-04-27.md: rate 20%, until 2030-12-31, cap {total: 38000000000}
    assert share["terms"]["payer"] == "openai" and share["terms"]["payee"] == "microsoft"
    assert share["terms"]["rate"] == "20%" and share["terms"]["until"] == "2030-12-31"
    assert share["terms"]["cap"] == {"total": 38000000000}
    assert share["terms"]["base"]["seller"] == "openai"
    assert share["parties"] == ["openai", "microsoft"]
    assert share["assumed"] == {"rate": "cnbc", "cap": "the-information"}
    assert "cnbc" in share["source"]


def test_show_on_a_narrow_terminal_and_a_title_with_brackets(tmp_path):
    """`show` at 80 columns stacks each clause under its id and kind (the table folded ids,
    kinds and terms a few letters a line), and prints a title as written: "[draft]" is not
    read as markup (it vanished before)."""
    from pathlib import Path
    text = (Path(__file__).parent / "documents" / "minimal.md").read_text()
    doc = tmp_path / "2025-01-01.md"
    doc.write_text(text.replace("title: Acme and Widget", 'title: "Acme and Widget [draft]"'))
    result = run_cli("show", str(doc))
    assert result.returncode == 0, result.stderr
    lines = [line.rstrip() for line in result.stdout.splitlines()]
    assert lines[0] == "Acme and Widget [draft]"
    assert "  share  revenue-share" in lines and "    parties acme, widget" in lines
    words = " ".join(result.stdout.split())
    assert ("20% of seller acme, channel aws; cap 38,000,000,000 USD total; cap 1,000,000 USD "
            "a year") in words
    assert max(len(line) for line in lines) <= 80
