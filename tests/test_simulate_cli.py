"""termsheet simulate from the command line, the tornado, the charts and the demo section."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from termsheet.simulate import parse_scenario, simulate
from termsheet.simulate.sensitivity import tornado

from support.simulate import deal, scenario_text

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "openai-microsoft.yaml"


def run(*args):
    return subprocess.run([sys.executable, "-m", "termsheet", *map(str, args)],
                          capture_output=True, text=True, cwd=ROOT)


def test_flagship_comparison_json_and_charts(flagship_dir, tmp_path):
    result = run("simulate", "--agreement", flagship_dir, "--scenario", SCENARIO,
                 "--futures", 3000, "--tornado-futures", 500, "--out", tmp_path, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["versions"] == ["2025-10-28", "2026-04-27"]
    assert data["futures"] == 3000 and data["years"][0] == 2026 and len(data["years"]) == 10
    assert "as if it governed the whole horizon" in data["assumption"]
    outcome = {o["version"]: {p["party"]: p for p in o["parties"]} for o in data["outcomes"]}
    new = outcome["2026-04-27"]
    # what one side pays the other receives
    assert new["openai"]["npv"]["mean"] == pytest.approx(-new["microsoft"]["npv"]["mean"])
    assert set(new["microsoft"]["clauses"]) == {"revenue-share-to-microsoft"}
    assert set(outcome["2025-10-28"]["microsoft"]["clauses"]) == {
        "revenue-share-to-microsoft", "revenue-share-to-openai"}
    # 27% of $500B today, the $250B commitment received by Microsoft
    assert new["microsoft"]["equity_now"] == pytest.approx(0.27 * 500e9)
    assert new["microsoft"]["commitments"] > 0 > new["openai"]["commitments"]
    diff = {d["party"]: d for d in data["differences"]}
    assert diff["openai"]["p_gain"] == pytest.approx(diff["microsoft"]["p_loss"])
    assert 0 < diff["microsoft"]["p_gain"] < 1
    names = {Path(p).name for p in data["charts"]}
    assert names == {f"{c}.{e}" for c in ("fan", "npv", "difference", "tornado")
                     for e in ("svg", "png")}
    for name in names:
        assert (tmp_path / name).stat().st_size > 1000
    assert (tmp_path / "fan.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "tornado.svg").read_text().lstrip().startswith("<?xml")
    swings = {s["parameter"] for s in data["tornado"]["swings"]}
    assert {"revenue-share-to-microsoft.cap", "agi-verified.per-year",
            "discount-rate"} <= swings


def test_text_report(flagship_dir):
    result = run("simulate", "--agreement", flagship_dir, "--scenario", SCENARIO,
                 "--futures", 2000, "--no-charts", "--no-tornado", "--set", "cap=30e9")
    assert result.returncode == 0, result.stderr
    for words in ("as if they governed the whole horizon", "P(gain)", "2026-04-27",
                  "microsoft", "Median net cash flow"):
        assert words in result.stdout


def test_bad_input_exits_one_without_a_traceback(flagship_dir, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SCENARIO.read_text().replace("volatility: 35%", "volatility: -35%", 1)
                   .replace("per-year: [2%", "per-year: [200%"))
    result = run("simulate", "--agreement", flagship_dir, "--scenario", bad, "--no-charts")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "E072 negative volatility -35% in stream 'openai-chatgpt'" in result.stderr
    assert "E073 probability 200%" in result.stderr
    result = run("simulate", "--agreement", flagship_dir, "--scenario", SCENARIO, "--set",
                 "cpa=3", "--json")
    assert result.returncode == 1
    error = json.loads(result.stdout)["errors"][0]
    assert error["code"] == "E071" and "did you mean 'cap'?" in error["hint"]
    result = run("simulate", "--agreement", flagship_dir, "--scenario", SCENARIO,
                 "--versions", "2025-10-28,2026-04-28", "--no-charts")
    assert result.returncode == 1 and "no version '2026-04-28'" in result.stderr
    result = run("simulate", "--agreement", flagship_dir, "--scenario", SCENARIO, "--futures", 0)
    assert result.returncode == 2


def test_tornado_moves_a_rate_by_hand():
    """Partner's value is 10% of 1000 a year for 2 years, undiscounted: 200. A rate 20% lower
    or higher gives 160 or 240; a start 20% lower or higher gives the same."""
    history = deal("rate: 10%")
    text = scenario_text({"api": {"start": 1000}}, 2)
    result = tornado(history, parse_scenario(text), futures=3)
    assert result.base["partner"] == pytest.approx(200)
    swings = {s.parameter: s for s in result.swings}
    assert swings["share.rate"].low["partner"] == pytest.approx(160)
    assert swings["share.rate"].high["partner"] == pytest.approx(240)
    assert swings["api.start"].low["seller"] == pytest.approx(-160)
    assert (swings["share.rate"].low_value, swings["share.rate"].high_value) == ("8%", "12%")
    # money in the agreement's currency: 1000 moved 20% either way
    assert (swings["api.start"].low_value, swings["api.start"].high_value) == ("$800", "$1.2K")


def test_tornado_of_two_versions_measures_the_difference(flagship):
    scenario = parse_scenario(SCENARIO.read_text())
    result = tornado(flagship, scenario, futures=400)
    sim = simulate(flagship, scenario, futures=400)
    mean_diff = {d.party: d.change.mean for d in sim.differences}
    assert result.base["microsoft"] == pytest.approx(mean_diff["microsoft"])
    cap = {s.parameter: s for s in result.swings}["revenue-share-to-microsoft.cap"]
    # a higher cap on the 2026-04-27 share is better for Microsoft than a lower one
    assert cap.high["microsoft"] > result.base["microsoft"] > cap.low["microsoft"]


def test_demo_section(capsys):
    from termsheet.cli.simulate import simulate_section
    simulate_section()
    out = capsys.readouterr().out
    assert "20,000 futures" in out and "P(gain)" in out
    assert "2025-10-28" in out and "2026-04-27" in out


ROYALTY = """---
agreement: deal
version: 2026-01-01
title: A royalty on two bases
effective: 2026-01-01
parties: {seller: Seller Inc, partner: Partner Inc}
channels: {direct: {operator: seller}, aws: {operator: amazon}}
products:
  widget-api: {owner: seller, type: api}
  widget-app: {owner: seller, type: app}
---

## Royalty

```terms
id: royalty
kind: revenue-share
payer: seller
payee: partner
base: {seller: seller}
bases:
  - {id: api, product: widget-api, rate: 10%}
  - {id: app, product: widget-app, rate: 30%}
minimum: {per-year: 400}
```
"""


def test_a_clause_with_several_bases_and_no_rate(tmp_path):
    """A clause with ``bases:`` and no ``rate`` of its own was a crash (exit 3, "internal
    error: TypeError: float() argument must be ... not 'NoneType'"). By hand: api 1,200 a year
    at 10% = 120, app 600 at 30% = 180; 300 a year, trued up to the minimum of 400."""
    folder = tmp_path / "deal"
    folder.mkdir()
    (folder / "2026-01-01.md").write_text(ROYALTY)
    scenario = tmp_path / "scenario.yaml"
    scenario.write_text(scenario_text({"api": {"start": 1200}, "app": {"start": 600}}, 2))
    result = run("simulate", "--agreement", folder, "--scenario", scenario, "--no-charts",
                 "--no-tornado", "--json")
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)["outcomes"][0]
    partner = next(p for p in outcome["parties"] if p["party"] == "partner")
    assert partner["npv"]["mean"] == pytest.approx(800)
    assert partner["clauses"]["royalty"] == pytest.approx(800)
    override = tmp_path / "override.yaml"
    override.write_text(scenario.read_text() + "terms:\n  royalty: {rate: 5%}\n")
    result = run("simulate", "--agreement", folder, "--scenario", override, "--no-charts")
    assert result.returncode == 1 and "has several bases" in result.stderr
