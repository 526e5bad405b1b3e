"""In a notebook: short reprs, HTML tables, Arrow and pandas tables of versions, histories,
settlements, statements and simulations."""

from __future__ import annotations

from decimal import Decimal


def test_history_and_version(flagship):
    assert repr(flagship) == ("<History openai-microsoft: 7 versions, 2019-07-22 → "
                              "2026-04-27>")
    latest = flagship.latest
    assert repr(latest).startswith("<Version openai-microsoft@2026-04-27 effective 2026-04-27")
    assert "<table>" in flagship._repr_html_() and "2020-09-22" in flagship._repr_html_()
    assert "revenue-share-to-microsoft" in latest._repr_html_()
    table = flagship.to_arrow()
    assert table.num_rows == 7 and table.column("version").to_pylist()[0] == "2019-07-22"
    # the first version is in force until the day before the second: 2020-09-21
    assert str(table.column("until").to_pylist()[0]) == "2020-09-21"
    frame = latest.to_pandas()
    assert list(frame["id"]).count("revenue-share-to-microsoft") == 1
    assert len(frame) == len(latest.clauses)


def test_settlement_and_statements(flagship, flagship_dir):
    from termsheet import settle
    result = settle(flagship, [str(flagship_dir / "revenue.csv")])
    # revenue.csv by hand: 200 + 500 + 200 + 100 + 50 + 66.67 = 1,116.67 USD over six lines
    assert repr(result).startswith("<Settlement openai-microsoft 2025-11-12 → 2026-05-19: "
                                   "6 lines, 1,116.67 USD; 0 quarantined; balanced>"), repr(result)
    table = result.to_arrow()
    assert table.num_rows == 6
    assert sum(table.column("amount").to_pylist()) == Decimal("1116.67")
    assert "<table>" in result._repr_html_()
    april = next(s for s in result.statements
                 if (s.payer, s.period) == ("openai", "2026-04"))
    assert repr(april) == "<Statement openai → microsoft 2026-04: 2 lines, 300.00 USD>"
    assert len(april.to_pandas()) == 2 and "<table>" in april._repr_html_()


def test_simulation(flagship):
    from pathlib import Path

    from termsheet import simulate
    scenario = Path(__file__).resolve().parents[1] / "scenarios" / "openai-microsoft.yaml"
    sim = simulate(flagship, scenario, futures=200)
    assert repr(sim) == ("<Simulation openai-microsoft of openai-microsoft: 200 futures, "
                         "2026–2035, versions 2025-10-28, 2026-04-27, USD>")
    frame = sim.to_pandas()
    # two versions x two parties
    assert sorted(zip(frame["version"], frame["party"])) == [
        ("2025-10-28", "microsoft"), ("2025-10-28", "openai"),
        ("2026-04-27", "microsoft"), ("2026-04-27", "openai")]
    assert "<table>" in sim._repr_html_()
