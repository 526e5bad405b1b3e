"""decide and check from the command line: exit codes, JSON, and bad input without tracebacks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support.cli import run_cli

ROOT = Path(__file__).resolve().parents[1]


def run(*args):
    return run_cli(*args, cwd=ROOT)


TRIGGER = [("2023-06-01", [], False, ["azure-exclusivity"]),
           ("2025-11-01", [], False, ["stateless-api-exclusivity"]),
           ("2026-04-01", [], False, ["stateless-api-exclusivity"]),
           ("2026-05-01", ["--available", "azure=2026-04-20"], True, ["any-cloud"])]


@pytest.mark.parametrize("day, extra, allowed, clauses", TRIGGER)
def test_the_trigger_question(flagship_dir, day, extra, allowed, clauses):
    result = run("decide", "--agreement", flagship_dir, "--as-of", day, "distribute",
                 "--party", "openai", "--product", "openai-api", "--channel", "aws", *extra,
                 "--json")
    assert result.returncode == (0 if allowed else 1), result.stderr
    record = json.loads(result.stdout)
    assert record["decision"] is allowed
    assert record["context"]["clauses"] == clauses
    assert record["context"]["reasons"]


def test_decide_text_and_options_after_the_action(flagship_dir):
    result = run("decide", "use-license", "--licensee", "microsoft", "--licensor", "openai",
                 "--subject", "models", "--agreement", flagship_dir, "--as-of", "2031-06-01",
                 "--version", "2025-01-21", "--event", "agi-verified=2029-01-01")
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("FORBIDDEN  microsoft uses openai's models on 2031-06-01")
    assert "ip-license" in result.stdout and "as if still in force" in result.stdout


def test_check_the_flagship_plan():
    result = run("check", "plans/openai-on-aws.yaml", "--json")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["ok"] and report["summary"]["forbidden"] == 0
    assert report["summary"]["actions"] == 10


def test_check_exits_one_when_anything_is_forbidden(flagship_dir):
    result = run("check", "plans/openai-on-aws-before-the-rewrite.yaml", "--agreement",
                 flagship_dir)
    assert result.returncode == 1
    assert "6 actions: 2 allowed, 4 forbidden" in result.stdout


def test_unknown_product_names_the_nearest(flagship_dir):
    result = run("decide", "--agreement", flagship_dir, "--as-of", "2026-05-01", "distribute",
                 "--party", "openai", "--product", "chatgtp", "--channel", "aws")
    assert result.returncode == 1
    assert "E012 unknown product 'chatgtp'" in result.stderr
    assert "did you mean 'chatgpt'?" in result.stderr
    assert "Traceback" not in result.stderr


def test_before_the_first_version(flagship_dir):
    result = run("decide", "--agreement", flagship_dir, "--as-of", "2019-01-01", "buy-compute",
                 "--party", "openai", "--from", "aws", "--json")
    assert result.returncode == 1
    errors = json.loads(result.stdout)["errors"]
    assert errors[0]["code"] == "E040" and "no version in force" in errors[0]["message"]


def test_misuse_exits_two(flagship_dir):
    missing_date = run("decide", "--agreement", flagship_dir, "buy-compute", "--party",
                       "openai", "--from", "aws")
    bad_event = run("check", "plans/openai-on-aws.yaml", "--event", "agi-verified")
    assert (missing_date.returncode, bad_event.returncode) == (2, 2)
    assert "Traceback" not in missing_date.stderr + bad_event.stderr


def test_a_broken_plan_gives_positioned_problems(tmp_path, flagship_dir):
    plan = tmp_path / "plan.yaml"
    plan.write_text("actions:\n  - {date: 2026-05-01, action: distribute, party: openai}\n")
    result = run("check", plan, "--agreement", flagship_dir)
    assert result.returncode == 1
    assert f"{plan}:2:5: E021 missing field 'product'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_plans_table_on_a_narrow_terminal_keeps_every_id_whole(flagship_dir):
    """At 60 columns each action is stacked under its date: no product or clause id is folded
    over two lines (before: "frontier-on-bedroc" over "k", "stateless-api-excl" over
    "usivity")."""
    import re
    from rich.console import Console

    from termsheet.cli import decide as cli
    from termsheet.decide.plans import check_plan, load_plan
    from termsheet.api import load
    plans = Path(flagship_dir).parents[1] / "plans"
    report = check_plan(load_plan(plans / "openai-on-aws.yaml"), load(flagship_dir))
    saved = cli.console
    cli.console = Console(width=60, record=True, color_system=None, emoji=False)
    try:
        cli.print_report(report)
    finally:
        text, cli.console = cli.console.export_text(), saved
    assert max(len(line.rstrip()) for line in text.splitlines()) <= 60
    lines = [line.strip() for line in text.splitlines()]
    assert "openai distributes frontier-on-bedrock on azure" in lines
    assert "deciding clauses stateless-api-exclusivity" in lines
    assert not re.search(r"frontier-on-bedroc$|stateless-api-excl$", text, re.M)


def test_a_version_named_in_the_agreement_option_says_how_to_name_it(flagship_dir):
    result = run_cli("decide", "--agreement", f"{flagship_dir}@2026-04-27", "--as-of",
                     "2026-05-01", "distribute", "--party", "openai", "--product", "chatgpt",
                     "--channel", "aws")
    assert result.returncode == 1
    assert f"--agreement {flagship_dir} --version 2026-04-27" in " ".join(result.stderr.split())
