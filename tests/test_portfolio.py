"""The portfolio: agreements loaded as one, names across them, and conflicts between them.

Expected conflicts are worked from the clauses' own text (see each test's comment)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

from termsheet import api
from termsheet.portfolio import load, load_portfolio
from termsheet.portfolio.conflicts import find_conflicts
from termsheet.portfolio.synthetic import write_portfolio

from conftest import FLAGSHIP
from support.cli import run_cli

AGREEMENTS = FLAGSHIP.parent
D = dt.date


def run(*args: str):
    return run_cli(*args)


def doc(agreement: str, version: str, front: str, clauses: str = "") -> str:
    return (f"---\nagreement: {agreement}\nversion: {version}\ntitle: {agreement}\n"
            f"effective: {version}\n{front}---\n\n{clauses}")


def clause(heading: str, prose: str, terms: str) -> str:
    return f"## {heading}\n\n{prose}\n\n```terms\n{terms.strip()}\n```\n\n"


def write(root: Path, agreement: str, version: str, text: str) -> None:
    folder = root / agreement
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{version}.md").write_text(text, encoding="utf-8")


# ---------------------------------------------------------------------------------------------
# loading and names


def test_flagship_portfolio_loads_both_agreements_with_shared_names():
    portfolio = load(AGREEMENTS)
    assert portfolio.ids == ["openai-amazon", "openai-microsoft"]
    amazon = portfolio.histories["openai-amazon"]
    assert [v.version for v in amazon.versions] == ["2025-11-03", "2026-02-27"]
    names = portfolio.names(amazon.latest)
    # the Amazon documents call AWS's AI platform "bedrock" and declare it same-as aws
    assert names.canon("channels", "bedrock") == "aws"
    assert names.canon("products", "stateful-runtime") == "frontier-on-bedrock"
    assert names.canon("parties", "openai") == "openai"
    catalog = portfolio.catalog("channels")
    assert {a for a, _, _ in catalog["aws"]} == {"openai-amazon", "openai-microsoft"}


def test_validate_a_folder_of_agreements():
    result = run("validate", str(AGREEMENTS))
    assert result.returncode == 0, result.stderr
    assert "valid" in result.stdout
    assert api.validate(AGREEMENTS) == []


def test_same_as_naming_nothing_elsewhere_is_a_positioned_problem(tmp_path):
    write(tmp_path, "a", "2025-01-01", doc("a", "2025-01-01", "parties: {x: X, y: Y}\n"
                                           "channels:\n  cloud: {operator: y, same-as: clod}\n"))
    write(tmp_path, "b", "2025-01-01", doc("b", "2025-01-01", "parties: {x: X, z: Z}\n"
                                           "channels:\n  cloud: {operator: z}\n"))
    portfolio, problems = load_portfolio(tmp_path)
    assert portfolio is None
    assert [p.code for p in problems] == ["E081"]
    assert problems[0].path.endswith("a/2025-01-01.md") and problems[0].line == 8  # cloud: {..., same-as: clod}
    assert "did you mean 'cloud'?" in problems[0].hint
    result = run("validate", str(tmp_path), "--json")
    assert result.returncode == 1
    assert json.loads(result.stdout)["errors"][0]["code"] == "E081"


def test_one_agreement_in_two_folders(tmp_path):
    text = doc("same", "2025-01-01", "parties: {x: X}\n")
    write(tmp_path, "one", "2025-01-01", text)
    write(tmp_path, "two", "2025-01-01", text)
    _, problems = load_portfolio(tmp_path)
    assert [p.code for p in problems] == ["E080"]


# ---------------------------------------------------------------------------------------------
# the flagship's conflicts


def test_flagship_conflicts_tell_the_real_story():
    report = find_conflicts(load(AGREEMENTS))
    by = {(c.kind, c.grants.clause, c.forbids.clause): c for c in report.conflicts}
    # Amazon 2026-02-27 stateful-runtime-on-bedrock offers stateful-runtime (same-as
    # frontier-on-bedrock: type api, third-party true) on bedrock (same-as aws). Microsoft
    # 2026-02-27 api-exclusivity keeps {type: api, third-party: true} on [azure] only, until the
    # 2026-04-27 version drops the clause: days 2026-02-27 .. 2026-04-26. The stateless-API
    # exclusivity lists only openai-api, so it is not the clause that collides.
    runtime = by[("exclusivity", "stateful-runtime-on-bedrock", "api-exclusivity")]
    assert (runtime.start, runtime.end) == (D(2026, 2, 27), D(2026, 4, 26))
    assert [str(c) for c in runtime.cases] == ["(openai, distribute, frontier-on-bedrock, aws)"]
    assert runtime.forbids.versions == ("2026-02-27",)
    assert "must still be served from Azure" in runtime.forbids.sentence
    assert "Amazon Bedrock" in runtime.grants.sentence
    assert not any(c.forbids.clause == "stateless-api-exclusivity" for c in report.conflicts)
    # Microsoft's ip-license ({type: [model, app, api]}, exclusive) against the licence of
    # custom-models (type model) to Amazon, until 2026-04-27 makes ip-license non-exclusive.
    twice = by[("exclusive-licence", "custom-models-license", "ip-license")]
    assert (twice.start, twice.end) == (D(2026, 2, 27), D(2026, 4, 26))
    # From 2026-04-27 the only Microsoft duty is Azure first (any-cloud, unless
    # microsoft-declines-support).
    later = find_conflicts(load(AGREEMENTS), start=D(2026, 4, 27)).conflicts
    assert {c.forbids.clause if c.forbids.agreement == "openai-microsoft" else c.grants.clause
            for c in later} == {"any-cloud"}
    assert all("microsoft-declines-support holds (stated as a fact)" in " ".join(c.resolved_by)
               for c in later)
    frontier = by[("first-launch", "any-cloud", "frontier-exclusivity")]
    assert frontier.severity == "conflict" and frontier.end is None
    assert [str(c) for c in frontier.cases] == ["(openai, distribute, frontier, azure)"]


def test_before_the_amazon_expansion_there_is_no_conflict():
    # 2025-11-03 .. 2026-02-26: the Amazon agreement is a compute purchase only, and Microsoft's
    # right of first refusal ended with the 2025-10-28 version.
    report = find_conflicts(load(AGREEMENTS), end=D(2026, 2, 26))
    assert report.conflicts == ()


def test_conflicts_cli_json():
    result = run("conflicts", str(AGREEMENTS), "--json", "--from", "2026-03-01",
                 "--to", "2026-03-31")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert {(c["grants"]["clause"], c["forbids"]["clause"]) for c in data["conflicts"]} == {
        ("custom-models-license", "ip-license"),
        ("stateful-runtime-on-bedrock", "api-exclusivity")}
    assert all(c["from"] == "2026-03-01" and c["until"] == "2026-03-31"
               for c in data["conflicts"])
    bad = run("conflicts", str(AGREEMENTS), "--from", "2026-05-01", "--to", "2026-04-01")
    assert bad.returncode == 2


# ---------------------------------------------------------------------------------------------
# each kind on small portfolios


PARTIES = "parties: {openai: OpenAI, microsoft: Microsoft, amazon: Amazon}\n"
CHANNELS = "channels:\n  azure: {operator: microsoft}\n  aws: {operator: amazon}\n"


def test_compute_purchase_against_a_right_of_first_refusal(tmp_path):
    # microsoft holds a first refusal on openai's compute through 2025-12-31; openai buys compute
    # from amazon from 2025-06-01 (by 2027-01-01): a duty over 2025-06-01 .. 2025-12-31.
    write(tmp_path, "ms", "2025-01-01", doc("ms", "2025-01-01", PARTIES + CHANNELS, clause(
        "Right", "Microsoft may match any compute OpenAI buys.",
        "id: rofr\nkind: right-of-first-refusal\nholder: microsoft\ngrantor: openai\n"
        "subject: compute\nuntil: 2025-12-31")))
    write(tmp_path, "amz", "2025-06-01", doc("amz", "2025-06-01", PARTIES + CHANNELS, clause(
        "Compute", "OpenAI buys compute from AWS.",
        "id: buy\nkind: commitment\nparty: openai\ncounterparty: amazon\nsubject: compute\n"
        "amount: 100\nby: 2027-01-01")))
    [conflict] = find_conflicts(load(tmp_path)).conflicts
    assert conflict.kind == "right-of-first-refusal" and conflict.severity == "duty"
    assert (conflict.start, conflict.end) == (D(2025, 6, 1), D(2025, 12, 31))
    assert [str(c) for c in conflict.cases] == ["(openai, buy-compute, compute, amazon)"]
    assert conflict.resolved_by == ("openai offers the capacity to microsoft first and "
                                    "microsoft declines",)


def test_exclusivity_ending_on_an_event_is_resolved_by_it(tmp_path):
    front = PARTIES + CHANNELS + "products: {api: {owner: openai, type: api}}\n"
    write(tmp_path, "ms", "2025-01-01", doc(
        "ms", "2025-01-01", front + "events: {agi: AGI is verified.}\n", clause(
            "Azure only", "OpenAI sells the API only through Azure.",
            "id: only-azure\nkind: exclusivity\nparty: openai\nproducts: [api]\n"
            "channels: [azure]\nuntil: agi")))
    write(tmp_path, "amz", "2025-03-01", doc("amz", "2025-03-01", front, clause(
        "On AWS", "OpenAI offers the API on AWS.",
        "id: on-aws\nkind: distribution\nparty: openai\nproducts: [api]\nchannels: [aws]")))
    [conflict] = find_conflicts(load(tmp_path)).conflicts
    assert (conflict.start, conflict.end) == (D(2025, 3, 1), None)
    assert conflict.resolved_by == ("agi happens (it ends ms:only-azure)",)
    # with agi on 2025-05-10 the exclusivity ends the day before
    [ended] = find_conflicts(load(tmp_path), events={"agi": D(2025, 5, 10)}).conflicts
    assert ended.end == D(2025, 5, 9)


def test_a_grant_to_any_channel_is_a_freedom_not_a_conflict(tmp_path):
    front = PARTIES + CHANNELS + "products: {api: {owner: openai, type: api}}\n"
    write(tmp_path, "ms", "2025-01-01", doc("ms", "2025-01-01", front, clause(
        "Azure only", "OpenAI sells the API only through Azure.",
        "id: only-azure\nkind: exclusivity\nparty: openai\nproducts: [api]\nchannels: [azure]")))
    write(tmp_path, "free", "2025-01-01", doc("free", "2025-01-01", front, clause(
        "Anywhere", "OpenAI may sell the API anywhere.",
        "id: anywhere\nkind: distribution\nparty: openai\nproducts: all\nchannels: any")))
    assert find_conflicts(load(tmp_path)).conflicts == ()


def test_indexed_search_finds_what_the_pairwise_loop_finds(tmp_path):
    portfolio = load(write_portfolio(tmp_path, agreements=30, seed=3))
    fast, slow = find_conflicts(portfolio), find_conflicts(portfolio, naive=True)
    assert fast.conflicts == slow.conflicts and fast.conflicts
    assert fast.pairs < slow.pairs


def test_a_portfolio_folder_that_is_a_file_or_missing(tmp_path):
    assert run("conflicts", str(tmp_path / "nowhere")).returncode == 1
    shutil.copy(FLAGSHIP / "2019-07-22.md", tmp_path / "x.md")
    result = run("conflicts", str(tmp_path / "x.md"))
    assert result.returncode == 1 and "E004" in result.stderr
