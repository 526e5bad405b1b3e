"""Scenarios: bad input is a positioned problem naming what is known; --set overrides parameters;
the flagship scenario is valid."""

from decimal import Decimal

import pytest

from termsheet import TermsheetError
from termsheet.simulate import load_scenario, parse_scenario, simulate, with_settings
from termsheet.simulate.checks import check_against
from termsheet.simulate.run import prepare

GOOD = """\
scenario: small
agreement: openai-microsoft
versions: [2025-10-28, 2026-04-27]
first-year: 2026
horizon: 5
futures: 2000
seed: 3
discount-rate: 10%
streams:
  openai-all:
    revenue: {seller: openai, channel: direct, product: chatgpt}
    start: 10e9
    growth: 50%
    volatility: 30%
  azure:
    revenue: {seller: microsoft, channel: azure, product: azure-openai-service}
    start: 4e9
    growth: 30%
    volatility: 30%
  value:
    value-of: openai
    start: 500e9
correlations:
  - [openai-all, azure, 0.5]
events:
  agi-verified: {per-year: 5%}
terms:
  cap: 38e9
"""

# (what to replace, with what, expected code, line, column, words in the message or hint)
BAD = [
    ("[openai-all, azure, 0.5]", "[openai-all, azure-ai, 0.5]", "E070", 24, 18,
     "unknown stream 'azure-ai'", "known: azure, openai-all, value"),
    ("seller: openai, channel", "seller: opneai, channel", "E010", 11, 23,
     "unknown party 'opneai'", "did you mean 'openai'?"),
    ("channel: azure,", "channel: azur,", "E011", 16, 43, "unknown channel 'azur'", "known:"),
    ("product: chatgpt", "product: chatgtp", "E012", 11, 57, "unknown product", "'chatgpt'"),
    ("value-of: openai", "value-of: msft", "E010", 21, 15, "unknown party 'msft'", "known:"),
    ("  agi-verified: {", "  agi-verfied: {", "E013", 26, 16, "unknown event 'agi-verfied'",
     "did you mean 'agi-verified'?"),
    ("    volatility: 30%\n  azure", "    volatility: -30%\n  azure", "E072", 14, 17,
     "negative volatility -30%", "0% or more"),
    ("{per-year: 5%}", "{per-year: 150%}", "E073", 26, 28, "probability 150%", "between 0%"),
    ("{per-year: 5%}", "{per-year: [1%, -2%]}", "E073", 26, 33, "probability -2%", ""),
    ("0.5]", "1.5]", "E074", 24, 25, "outside [-1, 1]", ""),
    ("  cap: 38e9", "  cap: -1", "E028", 28, 8, "negative cap", ""),
    ("  cap: 38e9", "  capp: 3", "E071", 28, 9, "unknown parameter 'capp'", "a term (rate, cap"),
    ("  cap: 38e9", "  revenue-share-to-msft: {cap: 3}", "E071", 28, 26,
     "unknown clause 'revenue-share-to-msft'", "revenue-share-to-microsoft"),
    ("  cap: 38e9", "  revenue-share-to-openai: {rte: 3%}", "E071", 28, 34,
     "unknown term 'rte'", "did you mean 'rate'?"),
    ("  cap: 38e9", "  rate: 120%", "E026", 28, 9, "rate 120% is outside 0-100%", ""),
    ("horizon: 5", "horizon: five", "E023", 5, 10, "'horizon'", ""),
    ("horizon: 5", "horizon: 5\ncolour: red", "E022", 6, 9, "unknown term 'colour'", ""),
    ("scenario: small\n", "", "E021", 1, 1, "missing term 'scenario'", ""),
    ("versions: [2025-10-28, 2026-04-27]", "versions: [2025-10-28, 2026-04-28]", "E030", 3, 24,
     "no version '2026-04-28'", "known:"),
    ("agreement: openai-microsoft", "agreement: acme", "E075", 2, 12, "not 'openai-microsoft'", ""),
    ("seed: 3", "seed: [3", "E001", 8, 14, "YAML syntax error", ""),
]


def problems_of(text, flagship):
    with pytest.raises(TermsheetError) as caught:
        prepare(flagship, parse_scenario(text, "s.yaml"))
    return caught.value.problems


def test_good_scenario_is_valid(flagship):
    scenario = parse_scenario(GOOD, "s.yaml")
    assert check_against(scenario, flagship) == []


@pytest.mark.parametrize("old,new,code,line,column,message,hint", BAD,
                         ids=[f"{b[2]}-{b[5][:30]}" for b in BAD])
def test_bad_input_is_positioned(flagship, old, new, code, line, column, message, hint):
    assert old in GOOD
    text = GOOD.replace(old, new, 1)
    try:
        scenario = parse_scenario(text, "s.yaml")
        problems = check_against(scenario, flagship)
    except TermsheetError as err:
        problems = err.problems
    found = [p for p in problems if p.code == code]
    assert found, problems
    problem = found[0]
    assert (problem.path, problem.line, problem.column) == ("s.yaml", line, column), str(problem)
    assert message in problem.message, str(problem)
    assert hint in (problem.hint or ""), str(problem)


def test_every_problem_at_once(flagship, tmp_path):
    text = (GOOD.replace("seller: openai, channel", "seller: opneai, channel")
            .replace("{per-year: 5%}", "{per-year: 150%}")
            .replace("[openai-all, azure, 0.5]", "[openai-all, azur, 0.5]"))
    path = tmp_path / "s.yaml"
    path.write_text(text)
    with pytest.raises(TermsheetError) as caught:
        prepare(flagship, path)
    assert sorted(p.code for p in caught.value.problems) == ["E010", "E070", "E073"]


def test_settings_override_and_are_positioned(flagship):
    scenario = parse_scenario(GOOD, "s.yaml")
    changed = with_settings(scenario, ["cap=30e9", "openai-all.growth=40%", "agi-verified=never",
                                       "revenue-share-to-microsoft.cap-used=5e9"])
    assert changed.terms["cap"] == Decimal("30e9")
    assert changed.streams["openai-all"].growth == Decimal("0.4")
    assert changed.events["agi-verified"].per_year is None
    assert changed.terms["revenue-share-to-microsoft"]["cap-used"] == Decimal("5e9")
    with pytest.raises(TermsheetError) as caught:
        with_settings(scenario, ["openai-all.volatilty=3%"])
    problem = caught.value.problems[0]
    assert problem.code == "E071" and problem.path == "--set openai-all.volatilty=3%"
    assert "did you mean 'openai-all.volatility'?" in problem.hint
    with pytest.raises(TermsheetError) as caught:
        with_settings(scenario, ["azure.volatility=-1%"])
    problem = caught.value.problems[0]
    assert (problem.code, problem.path, problem.column) == ("E072", "--set azure.volatility=-1%",
                                                            18)
    with pytest.raises(TermsheetError) as caught:
        prepare(flagship, scenario, settings=["revenue-share-to-msft.cap=1"])
    assert caught.value.problems[0].path == "--set revenue-share-to-msft.cap=1"


def test_set_cap_changes_what_microsoft_gets(flagship):
    undiscounted = ["discount-rate=0"]
    base = simulate(flagship, parse_scenario(GOOD), ["2026-04-27"], settings=undiscounted)
    lower = simulate(flagship, parse_scenario(GOOD), ["2026-04-27"],
                     settings=undiscounted + ["cap=10e9"])
    paid = lower.samples["2026-04-27", "microsoft"]["npv"]     # undiscounted: the total paid
    assert paid.max() <= 10e9 * (1 + 1e-12)                    # the cap is never exceeded ...
    assert paid.max() == pytest.approx(10e9)                   # ... and it is reached
    assert lower.outcomes[0].party("microsoft").npv.mean < \
        base.outcomes[0].party("microsoft").npv.mean


def test_flagship_scenario_is_valid_and_documented(flagship):
    from pathlib import Path
    path = Path(__file__).resolve().parents[1] / "scenarios" / "openai-microsoft.yaml"
    scenario = load_scenario(path)
    assert check_against(scenario, flagship) == []
    assert scenario.versions == ("2025-10-28", "2026-04-27")
    assert scenario.futures == 1_000_000 and scenario.horizon == 10
    text = path.read_text()
    # every stream, event and number has its rationale: public figures or marked assumptions
    for name in scenario.streams:
        assert name in text
    assert text.count("ssumption") >= 8 and "Public" in text


def test_per_quarter_amounts_are_parameters_of_the_sensitivities():
    from support.simulate import deal
    from termsheet.simulate.sensitivity import agreement_parameters
    history = deal("rate: 10%\nsettle: quarter\ncap: {per-quarter: 50}\n"
                   "minimum: {per-quarter: 10}")
    assert dict(agreement_parameters(history.versions)) == {
        "share.rate": Decimal("0.10"), "share.cap-per-quarter": Decimal(50),
        "share.minimum-per-quarter": Decimal(10)}
