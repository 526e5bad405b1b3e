"""termsheet diff / glossary and the demo's last section, through the command line."""

from __future__ import annotations

import json

import pytest

from termsheet.cli import main

SEED = ("2026-02-27", "2026-04-27")


def run(capsys, *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as done:
        main(list(args))
    out = capsys.readouterr()
    return done.value.code or 0, out.out, out.err


def refs(flagship_dir) -> list[str]:
    return [f"{flagship_dir}@{v}" for v in SEED]


def test_diff_in_english(flagship_dir, capsys):
    code, out, _ = run(capsys, "diff", *refs(flagship_dir))
    assert code == 0
    assert "openai-microsoft 2026-02-27 → 2026-04-27: 1 added, 5 removed, 4 changed" in out
    flat = " ".join(out.split())
    assert "Microsoft no longer pays OpenAI a share" in flat
    assert "changes to headings, sources, notes and assumed figures not shown" in flat


def test_diff_in_chinese(flagship_dir, capsys):
    code, out, _ = run(capsys, "diff", *refs(flagship_dir), "--lang", "zh")
    assert code == 0
    flat = "".join(out.split())
    assert "新增1条，删除5条，修改4条" in flat and "总额380亿美元" in flat


def test_diff_json(flagship_dir, capsys):
    code, out, _ = run(capsys, "diff", *refs(flagship_dir), "--json", "--lang", "zh", "--all")
    assert code == 0
    data = json.loads(out)
    assert set(data["diff"]["removed"]) == {"stateless-api-exclusivity", "api-exclusivity",
                                            "national-security-any-cloud", "agi-determination",
                                            "revenue-share-to-openai"}
    assert data["narration"]["lang"] == "zh"
    assert any(s["provenance"] for s in data["narration"]["sentences"])
    assert {s["key"] for s in data["narration"]["sentences"]} >= {"ai-cooperation", "agi-verified"}


def test_diff_of_files(flagship_dir, capsys):
    a, b = (str(flagship_dir / f"{v}.md") for v in SEED)
    code, out, _ = run(capsys, "diff", a, b, "--json")
    assert code == 0 and json.loads(out)["diff"]["added"] == ["ai-cooperation"]


def test_diff_with_a_plan(flagship_dir, tmp_path, capsys):
    plan = tmp_path / "plan.yaml"
    plan.write_text("plan: AWS\nactions:\n  - {date: 2026-05-01, action: distribute, "
                    "party: openai, product: openai-api, channel: aws}\n"
                    "available: {openai-api: {azure: 2026-04-20}}\n")
    code, out, _ = run(capsys, "diff", *refs(flagship_dir), "--impact", str(plan), "--json")
    assert code == 0
    flips = json.loads(out)["plans"][0]["flips"]
    assert [(f["before"], f["after"]) for f in flips] == [(False, True)]


def test_unknown_language_is_misuse(flagship_dir, capsys):
    code, _, err = run(capsys, "diff", *refs(flagship_dir), "--lang", "fr")
    assert code == 2 and "fr" in err


def test_missing_file(capsys, tmp_path):
    code, _, err = run(capsys, "diff", str(tmp_path / "a.md"), str(tmp_path / "b.md"))
    assert code == 1 and "E004" in err and "Traceback" not in err


def test_unknown_version(flagship_dir, capsys):
    code, _, err = run(capsys, "diff", f"{flagship_dir}@2019-07-23", f"{flagship_dir}@2020-09-22")
    assert code == 1 and "E030" in err and "2019-07-22" in err


def test_missing_data_file(flagship_dir, tmp_path, capsys):
    code, out, _ = run(capsys, "diff", *refs(flagship_dir), "--data", str(tmp_path / "x.csv"),
                       "--json")
    assert code == 1 and json.loads(out)["errors"][0]["code"] == "E004"


def test_glossary(capsys):
    code, out, _ = run(capsys, "glossary", "--json")
    entries = {e["term"]: e for e in json.loads(out)}
    assert code == 0 and entries["revenue-share"]["zh"] == "收入分成"
    code, out, _ = run(capsys, "glossary")     # 80 columns: each term stacked, words whole
    lines = [line.strip() for line in out.splitlines()]
    assert code == 0 and "effective" in lines
    assert "English effective date, 中文 生效日, first day a version is in force" in lines


def test_demo_ends_with_the_narrated_revision(capsys):
    from termsheet.cli import demo
    from termsheet.cli.diff import diff_section
    assert demo.SECTIONS[-1] is diff_section
    diff_section()
    out = "".join(capsys.readouterr().out.split())
    assert "1added,5removed,4changed" in out and "新增1条，删除5条，修改4条" in out


def test_money_per_party_at_the_currencys_minor_unit(flagship_dir, tmp_path, capsys):
    """The flagship priced in yen: 20% of 1,000,000 and of 500,000 JPY, shown without the
    decimals yen does not have (the table showed 100,000.00)."""
    import shutil
    deal = tmp_path / "deal"
    shutil.copytree(flagship_dir, deal, ignore=shutil.ignore_patterns("tests.yaml"))
    for path in deal.glob("*.md"):
        path.write_text(path.read_text().replace("\ncurrency: USD\n", "\ncurrency: JPY\n"))
    data = tmp_path / "revenue.csv"
    data.write_text("date,seller,channel,product,amount,currency\n"
                    "2026-05-15,OpenAI,direct,openai-api,1000000,JPY\n"
                    "2026-05-15,Microsoft,azure,azure-openai-service,500000,JPY\n")
    code, out, _ = run(capsys, "diff", f"{deal}@2026-02-27", f"{deal}@2026-04-27",
                       "--data", str(data))
    assert code == 0
    rows = [line.split("│")[1:5] for line in out.splitlines() if line.startswith("│ ")]
    assert [[cell.strip() for cell in row] for row in rows[-2:]] == [
        ["openai", "-100,000", "-200,000", "-100,000"],
        ["microsoft", "100,000", "200,000", "+100,000"]]
