"""diff, timeline, glossary: what changed between versions, and when each clause applied."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any, Optional

import typer
from rich.markup import escape
from rich.table import Table

from .. import api
from ..api import Diff, diff
from ..api import TERMS
from ..api import LANGS, narrate, diff_summary as summary
from ..api import draw_timeline as draw, timeline_table as table, timeline
from ..api import Problem, TermsheetError
from .common import Fitted, console, parse_date, print_json

STATUS = {"en": {"added": "added", "removed": "removed", "changed": "changed",
                 "renamed": "renamed"},
          "zh": {"added": "新增", "removed": "删除", "changed": "修改", "renamed": "更名"}}
HEADERS = {"en": ("clause", "change", "terms"), "zh": ("条款", "变化", "变动的条款项")}
HIDDEN = {"en": "{n} changes to headings, sources, notes and assumed figures not shown "
                "(--all shows them).",
          "zh": "另有{n}处标题、来源、备注或假设数据的变动未列出（加 --all 显示）。"}


def parse_events(values: list[str] | None) -> dict[str, date]:
    """NAME=YYYY-MM-DD options -> {name: date}."""
    out: dict[str, date] = {}
    for value in values or []:
        name, sep, day = value.partition("=")
        if not sep or not name.strip():
            raise typer.BadParameter(f"'{value}': write NAME=YYYY-MM-DD", param_hint="--event")
        out[name.strip()] = parse_date(day.strip(), "--event")
    return out


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise typer.BadParameter(f"'{lang}' is not a language here; choose "
                                 f"{' or '.join(LANGS)}", param_hint="--lang")
    return lang


def diff_command(
        a: str = typer.Argument(..., help="The older version: a file or DIR@VERSION."),
        b: str = typer.Argument(..., help="The newer version: a file or DIR@VERSION."),
        lang: str = typer.Option("en", "--lang", help="Narrate in en (English) or zh (Chinese)."),
        as_json: bool = typer.Option(False, "--json", help="Print the changes as JSON."),
        impact: Optional[list[Path]] = typer.Option(
            None, "--impact", help="A launch plan: list the decisions that flip (repeatable)."),
        data: Optional[list[Path]] = typer.Option(
            None, "--data", help="Revenue or FOCUS billing data: money per party under each "
                                 "version (repeatable)."),
        scenario: Optional[Path] = typer.Option(
            None, "--scenario", help="A simulation scenario: value per party under each version."),
        futures: Optional[int] = typer.Option(
            None, "--futures", help="Futures to simulate (default: the scenario's)."),
        event: Optional[list[str]] = typer.Option(
            None, "--event", help="NAME=YYYY-MM-DD for the plans (repeatable)."),
        show_all: bool = typer.Option(False, "--all", help="Also narrate changes to headings, "
                                      "sources, notes and assumed figures."),
        decisions: bool = typer.Option(False, "--decisions", help="Enumerate every decision "
                                       "of both versions; list those that flip, grouped.")
) -> None:
    """What changed from version A to version B, narrated, with its effect."""
    check_lang(lang)
    events = parse_events(event)
    old, new = api.load_version(a), api.load_version(b)
    changes = diff(old, new)
    effects = effects_of(changes, impact or [], data or [], scenario, events,
                         history_of(a) or history_of(b), futures)
    if decisions:
        from ..api import decision_diff
        effects["decisions"] = [decision_diff(old, new, events)]
    if as_json:
        sentences = narrate(changes, lang, provenance=show_all)
        print_json({"diff": changes.to_dict(lang),
                    "narration": {"lang": lang, "summary": summary(changes, lang),
                                  "sentences": [s.to_dict() for s in sentences]},
                    **{k: [e.to_dict() for e in v] for k, v in effects.items()}})
        return
    print_diff(changes, lang, show_all)
    print_effects(effects)


def effects_of(changes: Diff, plans: list[Path], data: list[Path], scenario: Path | None,
               events: dict[str, date], history: Any = None,
               futures: int | None = None) -> dict[str, list[Any]]:
    from ..api import impact
    out: dict[str, list[Any]] = {}
    if plans:
        out["plans"] = [impact.plan_flips(p, changes.a, changes.b, events) for p in plans]
    if data:
        for path in data:
            if not path.exists():
                raise TermsheetError([Problem("E004", f"no such file: {path}", str(path))])
        out["money"] = [impact.money_from_data(data, changes.a, changes.b, events)]
    if scenario is not None:
        out.setdefault("money", []).append(impact.money_from_scenario(
            scenario, changes.a, changes.b, history, futures))
    return out


def history_of(ref: str) -> Any:
    """The history a ``DIR@VERSION`` reference comes from (None for a file)."""
    folder, at, _ = ref.rpartition("@")
    if not at or Path(ref).exists() or not Path(folder).is_dir():
        return None
    return api.load_history_of(folder)


def print_diff(changes: Diff, lang: str, show_all: bool = False) -> None:
    console.print(summary(changes, lang), style="bold", markup=False)
    headers = HEADERS[lang]
    grid = Fitted(None, headers, right=(), bare=headers[1:2])
    for change in changes.clauses:
        if change.provenance_only and not show_all:
            continue
        terms = change.terms if show_all else change.substantive_terms
        grid.add_row(change.id, STATUS[lang][change.status], ", ".join(t.term for t in terms))
    if grid.rows:
        console.print(grid)
    shown = narrate(changes, lang, provenance=show_all)
    for sentence in shown:
        console.print(f"• {sentence.text}", markup=False)
    hidden = len(narrate(changes, lang)) - len(shown)
    if hidden:
        console.print(HIDDEN[lang].format(n=hidden), style="dim")


def print_effects(effects: dict[str, list[Any]]) -> None:
    for report in effects.get("decisions", []):
        print_decisions(report)
    if effects.get("plans"):
        print_flips(effects["plans"])
    for money in effects.get("money", []):
        print_money(money)


def print_flips(reports: list[Any]) -> None:
    """Per plan: how many actions each version allows, then each decision that flips."""
    if not reports:
        return
    first = reports[0]
    console.print(f"\n[bold]Decisions that flip[/bold], {first.a} → {first.b} (each version "
                  "applied as if it governed alone):", highlight=False)
    for report in reports:
        console.print(f"[bold]{escape(report.plan)}[/bold] ({escape(Path(report.path).name)}): "
                      f"{report.actions} actions, "
                      f"allowed {report.allowed_before} under {report.a} and "
                      f"{report.allowed_after} under {report.b}; {flip_count(len(report.flips))}",
                      highlight=False)
        for flip in report.flips:
            console.print(f"  line {flip.line}, {flip.action.get('date')}: "
                          f"{escape(action_text(flip.action))}: {_yes(flip.before)} → "
                          f"{_yes(flip.after)} "
                          f"({', '.join(flip.before_clauses) or 'no clause'} → "
                          f"{', '.join(flip.after_clauses) or 'no clause'})", highlight=False)


def print_decisions(report: Any) -> None:
    """Every decision that flips, grouped into rules, and how many cases were compared."""
    dims = report.dimensions
    console.print(f"\n[bold]Every decision, {report.a} → {report.b}[/bold] (each version applied "
                  f"as if it governed alone from {report.start}): {report.cases:,} cases "
                  f"compared ({dims['cells']} actions × {dims['segments']} date segments × "
                  f"{dims['facts']} sets of facts); {report.flipped:,} flip, in "
                  f"{len(report.rules)} rule{'s' if len(report.rules) != 1 else ''}:",
                  highlight=False, soft_wrap=True)
    for rule in report.rules:
        console.print(f"  • {rule.text} [{rule.cases} cases]", markup=False, soft_wrap=True)


def flip_count(count: int) -> str:
    return f"{count} decision flips" if count == 1 else f"{count} decisions flip"


def action_text(action: dict[str, Any]) -> str:
    kind = action.get("action")
    if kind == "distribute":
        return f"{action['party']} distributes {action['product']} on {action['channel']}"
    if kind == "grant-license":
        exclusive = "an exclusive" if action.get("exclusive") else "a"
        return f"{action['licensor']} grants {action['to']} {exclusive} licence to " \
               f"{action['subject']}"
    if kind == "use-license":
        return f"{action['licensee']} uses {action['licensor']}'s {action['subject']}"
    if kind == "buy-compute":
        return f"{action['party']} buys compute from {action['from']}"
    return " ".join(f"{k}={v}" for k, v in action.items() if k != "date")


def _yes(allowed: bool) -> str:
    return "[green]allowed[/green]" if allowed else "[red]forbidden[/red]"


def print_money(money: Any) -> None:
    simulated = any(p.p_gain is not None for p in money.parties)
    grid = Table(title=f"{money.measure.capitalize()} per party ({money.currency})")
    for name in ("party", f"under {money.a}", f"under {money.b}", "change"):
        grid.add_column(name, justify="left" if name == "party" else "right", overflow="fold")
    if simulated:
        grid.add_column("P(gain)", justify="right", overflow="fold")
    def figure(value) -> str:
        return api.money_number(value, money.currency)

    for party in money.parties:
        cells = [party.party, figure(party.before), figure(party.after),
                 ("+" if party.change > 0 else "") + figure(party.change)]
        if simulated:
            cells.append("—" if party.p_gain is None else f"{party.p_gain:.1%}")
        grid.add_row(*cells)
    console.print(grid)
    for note in money.notes:
        console.print(note, style="dim", markup=False)


def timeline_command(
        folder: Path = typer.Argument(..., help="A folder of versions of one agreement."),
        out: Path = typer.Option(Path("out/timeline"), "--out",
                                 help="Folder for the chart (SVG and PNG)."),
        event: Optional[list[str]] = typer.Option(
            None, "--event", help="NAME=YYYY-MM-DD: an event and its date (repeatable)."),
        as_json: bool = typer.Option(False, "--json", help="Print the timeline as JSON.")) -> None:
    """Every clause's active window across the history: a table and a chart."""
    history = api.load_history_of(folder)
    events = parse_events(event)
    _check_events(history, events)
    tl = timeline(history, events)
    svg, png = draw(tl, out)
    if as_json:
        print_json({**tl.to_dict(), "chart": {"svg": str(svg), "png": str(png)}})
        return
    grid = Fitted(f"{tl.agreement}: {len(tl.rows)} clauses over {len(tl.versions)} versions",
                  ("clause", "kind", "active", "versions", "changed in"), left=2, right=())
    rows = table(tl)
    scoped = any("scope" in row for row in rows)
    if scoped:
        grid.add_column("scope")
    for row in rows:
        grid.add_row(row["clause"], row["kind"], row["active"], row["versions"],
                     row["changed in"], *([row.get("scope", "")] if scoped else []))
    console.print(grid)
    console.print(f"chart: {svg}\n       {png}", markup=False)


def _check_events(history: Any, events: dict[str, date]) -> None:
    from ..api import known_hint
    known = sorted({e for v in history.versions for e in v.events})
    problems = [Problem("E013", f"unknown event '{name}'", str(history.agreement),
                        hint=known_hint(name, known)) for name in events if name not in known]
    if problems:
        raise TermsheetError(problems)


def glossary_command(lang: str = typer.Option("en", "--lang", help="en or zh first."),
                     as_json: bool = typer.Option(False, "--json")) -> None:
    """The words of an agreement in English and Chinese, with what they mean."""
    check_lang(lang)
    if as_json:
        print_json([e.to_dict() for e in TERMS.values()])
        return
    meaning = "meaning" if lang == "en" else "含义"
    grid = Fitted(None, ("term", "English", "中文", meaning), right=(), bare=(meaning,))
    for entry in TERMS.values():
        grid.add_row(entry.term, entry.en, entry.zh,
                     entry.means_en if lang == "en" else entry.means_zh)
    console.print(grid)


SEED = ("2026-02-27", "2026-04-27")


def diff_section() -> None:
    """The demo ends here: the seed's revision narrated in both languages, and the decisions it
    flips on the shipped launch plans."""
    from ..api import impact
    from ..examples import PLANS, flagship_dir
    history = api.load_history_of(flagship_dir())
    changes = diff(history.get(SEED[0]), history.get(SEED[1]))
    console.rule(f"[bold]What changed[/bold]: {SEED[0]} → {SEED[1]}")
    for lang in LANGS:
        print_diff(changes, lang)
        console.print()
    plans = impact.shipped_plans(PLANS)
    if plans:
        print_flips([impact.plan_flips(plan, changes.a, changes.b) for plan in plans])


def register(app: typer.Typer) -> None:
    app.command("diff")(diff_command)
    app.command("timeline")(timeline_command)
    app.command("glossary")(glossary_command)
