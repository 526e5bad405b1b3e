"""conflicts, calendar: questions that span the agreements of a portfolio."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer
from rich.text import Text

from .. import api
from .common import Fitted, console, parse_date, print_json
from .diff import parse_events


def _period(start: Optional[str], end: Optional[str]):
    lo, hi = parse_date(start, "--from"), parse_date(end, "--to")
    if lo is not None and hi is not None and hi < lo:
        raise typer.BadParameter(f"--to {hi} is before --from {lo}", param_hint="--to")
    return lo, hi


def _days(start, end) -> str:
    return f"{start} to {end}" if end is not None else f"from {start}"


def conflicts(
        folder: Path = typer.Argument(..., help="A folder of agreement folders."),
        start: Optional[str] = typer.Option(None, "--from", help="First day (YYYY-MM-DD)."),
        end: Optional[str] = typer.Option(None, "--to", help="Last day (YYYY-MM-DD)."),
        event: Optional[list[str]] = typer.Option(
            None, "--event", help="NAME=YYYY-MM-DD: an event that happened (repeatable)."),
        as_json: bool = typer.Option(False, "--json", help="Print the conflicts as JSON.")
) -> None:
    """Every date range on which one agreement grants or requires what another forbids."""
    lo, hi = _period(start, end)
    report = api.conflicts(folder, lo, hi, parse_events(event))
    if as_json:
        print_json(report.to_dict())
        return
    found = report.conflicts
    console.print(f"[bold]{len(found)} conflict{'s' if len(found) != 1 else ''}[/bold] among "
                  f"{', '.join(report.agreements)} ({report.terms} clauses weighed, "
                  f"{report.pairs} pairs compared)")
    for number, c in enumerate(found, 1):
        label = "conflict" if c.severity == "conflict" else "duty"
        console.print(f"\n[bold]{number}. {c.kind}[/bold] ({label}), {_days(c.start, c.end)}",
                      soft_wrap=True)
        console.print(f"   {c.explanation}", markup=False, soft_wrap=True)
        for role, s in (("grants" if c.severity == "duty" or c.kind != "first-launch"
                         else "requires", c.grants), ("forbids" if c.severity == "conflict"
                                                      else "requires", c.forbids)):
            console.print(f"   {role}: {s.agreement}:{s.clause} (version "
                          f"{', '.join(s.versions)}; {s.at})", markup=False, soft_wrap=True)
            if s.sentence:
                console.print(f"      \u201c{s.sentence}\u201d", markup=False, soft_wrap=True)
        console.print("   cases: " + ", ".join(str(x) for x in c.cases), markup=False,
                      soft_wrap=True)
        console.print("   resolved if: " + ("; or ".join(c.resolved_by) if c.resolved_by else
                                            "nothing in either text resolves it"),
                      markup=False, soft_wrap=True)


FORMATS = ("table", "json", "ics")


def calendar(
        folder: Path = typer.Argument(..., help="A folder of agreement folders."),
        start: Optional[str] = typer.Option(None, "--from", help="First day (YYYY-MM-DD)."),
        end: Optional[str] = typer.Option(None, "--to", help="Last day (YYYY-MM-DD)."),
        output_format: str = typer.Option("table", "--format", help="table, json or ics."),
        event: Optional[list[str]] = typer.Option(
            None, "--event", help="NAME=YYYY-MM-DD: an event that happened (repeatable)."),
        as_json: bool = typer.Option(False, "--json", help="The same as --format json.")
) -> None:
    """Every dated duty and deadline across the agreements: terms and shares ending, caps,
    commitments, first-launch duties with their conditions."""
    if output_format not in FORMATS:
        raise typer.BadParameter(f"'{output_format}': choose {', '.join(FORMATS)}",
                                 param_hint="--format")
    lo, hi = _period(start, end)
    cal = api.calendar(folder, lo, hi, parse_events(event))
    if as_json or output_format == "json":
        print_json(cal.to_dict())
        return
    if output_format == "ics":
        from ..api import to_ics
        sys.stdout.write(to_ics(cal).decode("utf-8"))
        return
    span = " ".join(f"{word} {day}" for word, day in (("from", lo), ("to", hi)) if day)
    grid = Fitted(f"{len(cal.entries)} dated duties and deadlines{', ' + span if span else ''}",
                  ("date", "agreement", "clause", "what", "condition"), left=3, right=(),
                  bare=("what", "condition"), lines=True)
    for entry in cal.entries:
        grid.add_row(str(entry.date), f"{entry.agreement}@{entry.version}", entry.clause,
                     f"{entry.kind}: {entry.text}", entry.condition or "")
    console.print(grid)
    if cal.undated:
        console.print("[bold]Undated[/bold] (on events that have no date):")
        for entry in cal.undated:
            console.print(Text(f"  {entry.agreement}@{entry.version} {entry.clause}: "
                               f"{entry.text}", overflow="fold"))


def register(app: typer.Typer) -> None:
    app.command()(conflicts)
    app.command()(calendar)
