"""decide and check: may a party do this on this date; is this launch plan allowed.

``termsheet decide --agreement DIR --as-of DATE distribute --party openai --product openai-api
--channel aws`` exits 0 when the action is allowed and 1 when it is not (or the input is bad);
``termsheet check PLAN`` exits 1 when any action of the plan is forbidden.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table
from rich.markup import escape
from rich.text import Text

from .. import api
from ..api import BuyCompute, Decision, Distribute, GrantLicense, UseLicense, decide
from ..api import action_text
from ..api import PlanReport, check_plan, load_plan
from .common import Fitted, console, parse_date, print_json

decide_app = typer.Typer(help="May a party do this on this date? Exit 0 yes, 1 no.",
                         no_args_is_help=True)

AGREEMENT = typer.Option(None, "--agreement", "-a", help="Folder of versions (or one file).")
AS_OF = typer.Option(None, "--as-of", help="The date of the action (YYYY-MM-DD).")
VERSION = typer.Option(None, "--version", help="Decide under this version, as if in force.")
EVENT = typer.Option(None, "--event", help="NAME=YYYY-MM-DD: an event and its date "
                     "(repeatable); an event not given has not happened.")
FACT = typer.Option(None, "--fact", help="A condition that holds (repeatable).")
JSON = typer.Option(False, "--json", help="Print the decision as JSON.")
TERRITORY = typer.Option(None, "--territory", help="Where: a territory or a named set "
                         "(none: everywhere).")
FIELD = typer.Option(None, "--field", help="The field of use (none: every field).")
THROUGH = typer.Option(None, "--channel", help="The channel the licence is used through "
                       "(none: every channel).")


def pairs(values: list[str] | None, option: str) -> dict[str, date]:
    """NAME=YYYY-MM-DD options -> {name: date}."""
    out = {}
    for value in values or []:
        name, sep, day = value.partition("=")
        if not sep or not name:
            raise typer.BadParameter(f"'{value}': write NAME=YYYY-MM-DD", param_hint=option)
        out[name.strip()] = parse_date(day.strip(), option)
    return out


@decide_app.callback()
def options(ctx: typer.Context, agreement: Optional[Path] = AGREEMENT,
            as_of: Optional[str] = AS_OF, version: Optional[str] = VERSION,
            event: Optional[list[str]] = EVENT, fact: Optional[list[str]] = FACT) -> None:
    """May a party do this on this date? Choose the action below; exit 0 yes, 1 no."""
    ctx.obj = {"agreement": agreement, "as_of": as_of, "version": version,
               "event": list(event or []), "fact": list(fact or [])}


def _run(ctx: typer.Context, build, agreement, as_of, version, event, fact, as_json) -> None:
    shared = ctx.obj or {}
    folder = agreement or shared.get("agreement")
    if folder is None:
        raise typer.BadParameter("the agreement is required", param_hint="--agreement")
    day = parse_date(as_of or shared.get("as_of"))
    if day is None:
        raise typer.BadParameter("the date of the action is required", param_hint="--as-of")
    events = {**pairs(shared.get("event"), "--event"), **pairs(event, "--event")}
    facts = frozenset(shared.get("fact", [])) | frozenset(fact or [])
    history = api.load_history_of(folder)
    decision = decide(history, build(day, facts), events,
                      version=version or shared.get("version"))
    if as_json:
        print_json(decision.to_dict())
    else:
        print_decision(decision)
    raise typer.Exit(0 if decision.allowed else 1)


@decide_app.command("distribute")
def distribute(ctx: typer.Context, party: str = typer.Option(..., "--party"),
               product: str = typer.Option(..., "--product"),
               channel: str = typer.Option(..., "--channel"),
               available: Optional[list[str]] = typer.Option(
                   None, "--available", help="CHANNEL=YYYY-MM-DD: the product's first day on "
                   "another channel (repeatable)."),
               territory: Optional[str] = TERRITORY, field: Optional[str] = FIELD,
               agreement: Optional[Path] = AGREEMENT, as_of: Optional[str] = AS_OF,
               version: Optional[str] = VERSION, event: Optional[list[str]] = EVENT,
               fact: Optional[list[str]] = FACT, as_json: bool = JSON) -> None:
    """PARTY makes PRODUCT available on CHANNEL."""
    seen = pairs(available, "--available")
    _run(ctx, lambda day, facts: Distribute(party, product, channel, day, facts, seen,
                                            territory, field),
         agreement, as_of, version, event, fact, as_json)


@decide_app.command("use-license")
def use_license(ctx: typer.Context, licensee: str = typer.Option(..., "--licensee"),
                licensor: str = typer.Option(..., "--licensor"),
                subject: str = typer.Option(..., "--subject"),
                territory: Optional[str] = TERRITORY, field: Optional[str] = FIELD,
                channel: Optional[str] = THROUGH,
                agreement: Optional[Path] = AGREEMENT, as_of: Optional[str] = AS_OF,
                version: Optional[str] = VERSION, event: Optional[list[str]] = EVENT,
                fact: Optional[list[str]] = FACT, as_json: bool = JSON) -> None:
    """LICENSEE uses SUBJECT, which belongs to LICENSOR."""
    _run(ctx, lambda day, facts: UseLicense(licensee, licensor, subject, day, facts,
                                            territory, field, channel),
         agreement, as_of, version, event, fact, as_json)


@decide_app.command("grant-license")
def grant_license(ctx: typer.Context, licensor: str = typer.Option(..., "--licensor"),
                  to: str = typer.Option(..., "--to"),
                  subject: str = typer.Option(..., "--subject"),
                  exclusive: bool = typer.Option(False, "--exclusive/--non-exclusive"),
                  territory: Optional[str] = TERRITORY, field: Optional[str] = FIELD,
                  channel: Optional[str] = THROUGH,
                  agreement: Optional[Path] = AGREEMENT, as_of: Optional[str] = AS_OF,
                  version: Optional[str] = VERSION, event: Optional[list[str]] = EVENT,
                  fact: Optional[list[str]] = FACT, as_json: bool = JSON) -> None:
    """LICENSOR grants TO a licence to SUBJECT."""
    _run(ctx, lambda day, facts: GrantLicense(licensor, to, subject, day, exclusive, facts,
                                              territory, field, channel),
         agreement, as_of, version, event, fact, as_json)


@decide_app.command("buy-compute")
def buy_compute(ctx: typer.Context, party: str = typer.Option(..., "--party"),
                supplier: str = typer.Option(..., "--from", help="A channel or a company."),
                agreement: Optional[Path] = AGREEMENT, as_of: Optional[str] = AS_OF,
                version: Optional[str] = VERSION, event: Optional[list[str]] = EVENT,
                fact: Optional[list[str]] = FACT, as_json: bool = JSON) -> None:
    """PARTY buys new compute capacity FROM a channel or company."""
    _run(ctx, lambda day, facts: BuyCompute(party, supplier, day, facts),
         agreement, as_of, version, event, fact, as_json)


def print_decision(decision: Decision) -> None:
    verdict = "[bold green]ALLOWED[/]" if decision.allowed else "[bold red]FORBIDDEN[/]"
    # the document's words (headings, sentences, paths) are printed as written, never as markup
    console.print(f"{verdict}  {escape(action_text(decision.action))} on "
                  f"{decision.action.date}")
    console.print(f"version [bold]{escape(decision.version)}[/bold]")
    if decision.deciding:
        console.print("deciding clauses:")
        for c in decision.deciding:
            console.print(f"  [bold]{escape(c.id)}[/bold] ({escape(c.heading or '')})")
            if c.sentence:
                console.print(f"    “{c.sentence}”", markup=False)
            console.print(f"    {c.at}; source: {', '.join(c.source) or '-'}", style="dim",
                          markup=False)
    for title, items in (("reasons", decision.reasons),
                         ("obligations", [f"{o.text} ({o.clause})" for o in decision.obligations]),
                         ("assumptions", decision.assumptions)):
        if items:
            console.print(f"{title}:")
            for item in items:
                console.print(f"  - {item}", markup=False)


def check(plan: Path = typer.Argument(..., help="A plan file (YAML of dated actions)."),
          agreement: Optional[Path] = typer.Option(None, "--agreement", "-a",
                                                   help="Overrides the plan's agreement."),
          event: Optional[list[str]] = EVENT, fact: Optional[list[str]] = FACT,
          version: Optional[str] = typer.Option(None, "--version", help="Check every action "
                                                "under this version, as if in force."),
          as_json: bool = typer.Option(False, "--json")) -> None:
    """Check a launch plan in date order; exit 1 when any action is forbidden."""
    loaded = load_plan(plan)
    folder = agreement or loaded.agreement
    if folder is None:
        raise typer.BadParameter("the plan names no agreement", param_hint="--agreement")
    history = api.load_history_of(folder)
    report = check_plan(loaded, history, pairs(event, "--event"), frozenset(fact or []),
                        version)
    if as_json:
        print_json(report.to_dict())
    else:
        print_report(report)
    raise typer.Exit(0 if report.ok else 1)


def print_report(report: PlanReport) -> None:
    console.rule(f"[bold]{escape(report.plan.name)}[/bold]  ({escape(report.plan.path)})")
    table = Fitted(None, ("date", "action", "version", "decision", "deciding clauses"),
                   right=(), bare=("action", "decision"))
    for r in report.results:
        d = r.decision
        verdict = Text("allowed", "green") if d.allowed else Text("forbidden", "red")
        table.add_row(str(d.action.date), action_text(d.action), d.version,
                      verdict, ", ".join(d.clause_ids) or "-")
    console.print(table)
    for r in report.forbidden:
        console.print(f"[red]forbidden[/] line {r.step.line}: "
                      f"{escape(action_text(r.decision.action))}")
        for reason in r.decision.reasons:
            console.print(f"  - {reason}", markup=False)
    if report.obligations():
        console.print("obligations:")
        for text in report.obligations():
            console.print(f"  - {text}", markup=False)
    allowed = len(report.results) - len(report.forbidden)
    console.print(f"{len(report.results)} actions: {allowed} allowed, "
                  f"{len(report.forbidden)} forbidden")


def register(app: typer.Typer) -> None:
    app.add_typer(decide_app, name="decide")
    app.command()(check)


TRIGGER_DATES = ("2023-06-01", "2025-11-01", "2026-04-01", "2026-05-01")


def decide_section() -> None:
    """The demo: the question that started the 2026 rewrite, asked on four dates."""
    from ..examples import PLANS, flagship_dir
    history = api.load_history_of(flagship_dir())
    console.rule("[bold]decide[/bold]: may OpenAI offer its API (openai-api) on AWS?")
    table = Table()
    for column in ("date", "version in force", "decision", "deciding clauses"):
        table.add_column(column, no_wrap=True)
    whys = []
    azure = {"azure": date(2026, 4, 20)}
    for text in TRIGGER_DATES:
        day = date.fromisoformat(text)
        seen = {k: v for k, v in azure.items() if v <= day}
        decision = decide(history, Distribute("openai", "openai-api", "aws", day,
                                              available=seen))
        verdict = "[green]allowed[/]" if decision.allowed else "[red]forbidden[/]"
        table.add_row(text, decision.version, verdict, ", ".join(decision.clause_ids))
        whys.append(f"{text}: {decision.reasons[-1]}")
    console.print(table)
    for why in whys:
        console.print(f"  {why}", markup=False)
    plans = PLANS / "openai-on-aws.yaml"
    if plans.exists():
        report = check_plan(load_plan(plans), history)
        console.print(f"termsheet check plans/openai-on-aws.yaml: {len(report.results)} "
                      f"actions, {len(report.forbidden)} forbidden, "
                      f"{len(report.obligations())} obligations")
