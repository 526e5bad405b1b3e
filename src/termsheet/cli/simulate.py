"""simulate: what each version is worth to each party, over many simulated futures."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from .. import api
from .common import Fitted, console, console_err, print_json

ASSUMPTION = ("Each version's terms are applied as if they governed the whole horizon; values "
              "are present values at the horizon's start.")


def money(value: float | None, currency: str = "USD") -> str:
    """A simulated value in the agreement's currency: $950, €12,345, $1.2B."""
    if value is None:
        return "-"
    return api.rounded_money(value, currency)


def percent(value: float) -> str:
    return f"{value:.1%}"


def npv_table(sim) -> Fitted:
    """NPV percentiles of each party's revenue-share flows, per version."""
    table = Fitted(f"NPV at {sim.first_year}-01-01 of the revenue-share flows ({sim.currency})",
                   ("version", "party", "mean", "p5", "p25", "p50", "p75", "p95"), left=2)
    for outcome in sim.outcomes:
        for row in outcome.parties:
            npv = row.npv
            table.add_row(outcome.version, row.party, *(money(getattr(npv, k), sim.currency) for k in
                                                        ("mean", "p5", "p25", "p50", "p75", "p95")))
    return table


def holdings_table(sim) -> Fitted:
    """Equity stakes and committed spend beside the flows, and the value they add up to."""
    table = Fitted("Equity (stake x issuer value at the horizon's end), committed spend, and "
                   f"value = NPV + equity (present values, {sim.currency})",
                   ("version", "party", "equity mean", "stake today", "commitments",
                    "value mean"), left=2)
    for outcome in sim.outcomes:
        for row in outcome.parties:
            table.add_row(outcome.version, row.party,
                          money(row.equity.mean, sim.currency) if row.equity else "-",
                          money(row.equity_now, sim.currency),
                          money(row.commitments, sim.currency),
                          money(row.value.mean, sim.currency))
    return table


def difference_table(sim) -> Fitted:
    first = sim.differences[0]
    table = Fitted(f"Value (NPV + equity) under {first.other} minus under {first.base}, future "
                   f"by future ({sim.currency})", ("party", "mean", "p5", "p50", "p95", "P(gain)", "P(loss)",
                                       "overall"), left=1)
    for diff in sim.differences:
        change = diff.change
        cur = sim.currency
        table.add_row(diff.party, money(change.mean, cur), money(change.p5, cur),
                      money(change.p50, cur), money(change.p95, cur), percent(diff.p_gain),
                      percent(diff.p_loss), diff.gainer)
    return table


def flows_table(sim) -> Fitted:
    keys = [(o, p) for o in sim.outcomes for p in sim.parties]
    table = Fitted(f"Median net cash flow per year ({sim.currency})",
                   ("year", *(f"{o.version}\n{p}" for o, p in keys)), left=1)
    for index, year in enumerate(sim.years):
        table.add_row(str(year), *(money(o.party(p).flows[index].p50, sim.currency)
                                        for o, p in keys))
    return table


def tornado_table(result, parties, top: int = 6, currency: str = "USD") -> Fitted:
    table = Fitted(f"Largest sensitivities of the {result.metric}, each parameter "
                   f"{result.step:.0%} down / up ({result.futures:,} futures)",
                   ("parameter", "down / up", *parties), left=2)
    for swing in result.ranked(parties[0])[:top]:
        table.add_row(swing.parameter, f"{swing.low_value} / {swing.high_value}",
                      *(f"{money(swing.low[p], currency)} / {money(swing.high[p], currency)}"
                        for p in parties))
    return table


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TimeElapsedColumn(), console=console_err, transient=True,
                    disable=not console_err.is_terminal)


def simulate(
    agreement: str = typer.Option(..., "--agreement", help="Folder of the agreement's versions."),
    scenario: Path = typer.Option(..., "--scenario", help="Scenario YAML file."),
    versions: Optional[str] = typer.Option(None, "--versions", help="One version, or two to "
                                           "compare, comma-separated (default: the scenario's)."),
    futures: Optional[int] = typer.Option(None, "--futures", min=1, help="Number of futures."),
    settings: list[str] = typer.Option([], "--set", help="Override a parameter: NAME=VALUE, "
                                       "e.g. cap=30e9 or openai-api.growth=40%. Repeatable."),
    out: Path = typer.Option(Path("out/simulate"), "--out", help="Folder for the charts."),
    charts: bool = typer.Option(True, "--charts/--no-charts", help="Write SVG and PNG charts."),
    sensitivity: bool = typer.Option(True, "--tornado/--no-tornado",
                                     help="Run the sensitivity analysis (tornado chart)."),
    tornado_futures: int = typer.Option(20_000, "--tornado-futures", min=100,
                                        help="Futures per sensitivity run."),
    as_json: bool = typer.Option(False, "--json", help="Print the results as JSON."),
) -> None:
    """Simulate futures and value each version of an agreement for each party."""
    from ..api import simulate as run
    from ..api import prepare
    from ..api import run_count, tornado

    history = api.load_history_of(agreement)
    ids = tuple(v.strip() for v in versions.split(",")) if versions else None
    if ids is not None and not 1 <= len(ids) <= 2:
        raise typer.BadParameter("give one version or two", param_hint="--versions")
    loaded, chosen = prepare(history, scenario, ids, settings)
    ids = tuple(v.version for v in chosen)
    total = futures or loaded.futures
    with _progress() as bar:
        task = bar.add_task("futures", total=total)
        sim = run(history, loaded, ids, futures=total, progress=lambda n: bar.advance(task, n))
        swings = None
        if sensitivity:
            task = bar.add_task("sensitivity runs", total=run_count(history, loaded, ids))
            swings = tornado(history, loaded, ids, futures=min(tornado_futures, total),
                             progress=lambda n: bar.advance(task, n))
    written = [str(p) for p in write(sim, swings, out)] if charts else []
    if as_json:
        data = sim.to_dict()
        data["tornado"] = _tornado_dict(swings)
        data["charts"] = written
        print_json(data)
        return
    report(sim, swings, written)


def write(sim, swings, out: Path) -> list[Path]:
    from ..api import write_charts
    return write_charts(sim, out, swings)


def report(sim, swings=None, written=()) -> None:
    console.print(f"[bold]{escape(sim.agreement)}[/bold] under scenario "
                  f"[bold]{escape(sim.scenario)}[/bold]: "
                  f"{sim.futures:,} futures, {sim.years[0]}–{sim.years[-1]}, seed {sim.seed}, "
                  f"discount rate {sim.discount_rate:.1%}")
    console.print(ASSUMPTION)
    console.print(npv_table(sim))
    console.print(holdings_table(sim))
    if sim.differences:
        console.print(difference_table(sim))
    console.print(flows_table(sim))
    if swings is not None:
        console.print(tornado_table(swings, sim.parties, currency=sim.currency))
    for note in sim.notes:
        console.print(f"note: {note}", markup=False)
    if written:
        console.print("charts: " + ", ".join(written), markup=False)


def _tornado_dict(result) -> dict | None:
    if result is None:
        return None
    return {"metric": result.metric, "step": result.step, "futures": result.futures,
            "base": result.base,
            "swings": [{"parameter": s.parameter, "low_value": s.low_value,
                        "high_value": s.high_value, "low": s.low, "high": s.high}
                       for s in result.swings]}


DEMO_FUTURES = 20_000


def simulate_section() -> None:
    """The demo: the deal of 2025-10-28 against that of 2026-04-27, for Microsoft and OpenAI."""
    from ..api import simulate as run
    from ..examples import SCENARIOS, flagship_dir

    history = api.load_history_of(flagship_dir())
    scenario = SCENARIOS / "openai-microsoft.yaml"
    sim = run(history, scenario, ("2025-10-28", "2026-04-27"), futures=DEMO_FUTURES)
    console.rule("[bold]simulate[/bold]: what the April 2026 revision is worth to each side")
    console.print(f"{sim.futures:,} futures of scenarios/openai-microsoft.yaml, "
                  f"{sim.years[0]}–{sim.years[-1]}, discount rate {sim.discount_rate:.0%}. "
                  + ASSUMPTION)
    console.print(npv_table(sim))
    console.print(difference_table(sim))
    console.print("A million futures, charts and the tornado: termsheet simulate --agreement "
                  "agreements/openai-microsoft --scenario scenarios/openai-microsoft.yaml")


def register(app: typer.Typer) -> None:
    app.command("simulate")(simulate)
