"""test, init, new-version: writing agreements and testing them.

``termsheet test agreements/`` runs the ``tests.yaml`` of every agreement folder (exit 0 when all
pass, 1 when any fails); ``termsheet init NAME`` writes a new agreement folder that validates and
passes its tests; ``termsheet new-version DIR --effective D`` writes the next version.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer
from rich.markup import escape

from .common import console, console_err, parse_date, print_json


def test(paths: list[Path] = typer.Argument(..., help="Agreement folders, or folders of them."),
         as_json: bool = typer.Option(False, "--json", help="Print the results as JSON.")
         ) -> None:
    """Run the tests beside each agreement (tests.yaml); exit 0 all pass, 1 any fails."""
    from ..api import run_tests
    report = run_tests(paths)
    if as_json:
        print_json(report.to_dict())
        raise typer.Exit(0 if report.ok else 1)
    current = None
    for result in report.results:
        if result.path != current:
            current = result.path
            console.print(f"[bold]{escape(result.agreement)}[/bold]  {escape(result.path)}")
        mark = "[green]PASS[/green]" if result.ok else "[red]FAIL[/red]"
        console.print(f"  {mark} {result.section}[{result.index}] {escape(result.name)}",
                      soft_wrap=True)
        if result.error:
            console.print(f"       {escape(str(result.where))}: {escape(result.error)}",
                          soft_wrap=True)
        for m in result.mismatches:
            console.print(f"       {escape(result.path)}:{m.line}:{m.column}: {escape(m.what)}",
                          soft_wrap=True)
            console.print(f"         expected: [green]{escape(_show(m.expected))}[/green]",
                          soft_wrap=True)
            console.print(f"         got:      [red]{escape(_show(m.got))}[/red]",
                          soft_wrap=True)
        if result.mismatches and result.got:
            console.print(f"         ({escape(result.got)})", soft_wrap=True)
    for folder in report.untested:
        console.print(f"[yellow]no tests[/yellow] {escape(folder)}")
    colour = "green" if report.ok else "red"
    console.print(f"[{colour}]{report.passed} passed, {report.failed} failed[/{colour}]")
    raise typer.Exit(0 if report.ok else 1)


def _show(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(str(v) for v in value) + "]"
    return str(value)


def init(name: str = typer.Argument(..., help="The new agreement's folder (its name is the "
                                    "agreement's id)."),
         effective: Optional[str] = typer.Option(None, "--effective",
                                                 help="The first version's date (YYYY-MM-DD); "
                                                 "default 2026-01-01."),
         currency: str = typer.Option("USD", "--currency", help="ISO 4217 code.")) -> None:
    """Write a new agreement folder that validates and passes `termsheet test` at once."""
    from ..api import init_agreement
    day = parse_date(effective, "--effective")
    written = init_agreement(Path(name), effective=day, currency=currency)
    for path in written:
        console_err.print(f"wrote {path}", markup=False)
    console.print(f"next: termsheet validate {name} && termsheet test {name}", markup=False)


def new_version(folder: Path = typer.Argument(..., help="The agreement's folder of versions."),
                effective: str = typer.Option(..., "--effective",
                                              help="The new version's date (YYYY-MM-DD)."),
                version: Optional[str] = typer.Option(None, "--version", help="Its id; "
                                                      "default the date.")) -> None:
    """Write the next version: the latest one's text, amending it, effective on a new date."""
    from ..api import new_version as write_version
    day = parse_date(effective, "--effective")
    path = write_version(folder, day, version)
    console.print(f"wrote {path}: edit only what changes", markup=False)


def register(app: typer.Typer) -> None:
    app.command()(test)
    app.command()(init)
    app.command("new-version")(new_version)
