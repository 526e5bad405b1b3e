"""validate, show, schema: reading agreement documents."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Optional

import typer
from pydantic import TypeAdapter
from rich.text import Text

from .. import api
from ..api import clause_row
from ..api import Clause
from ..api import render_json
from .common import Fitted, console, parse_date, print_json, print_problems


def validate(paths: list[Path] = typer.Argument(..., help="Agreement files or folders."),
             as_json: bool = typer.Option(False, "--json", help="Print problems as JSON.")) -> None:
    """Check agreement documents; exit 0 when valid, 1 with every problem found."""
    problems = [p for path in paths for p in api.validate(path)]
    if as_json:
        print_json(render_json(problems))
    elif problems:
        print_problems(problems)
    else:
        console.print(Text.assemble(("valid", "green"), ": " + ", ".join(map(str, paths))))
    raise typer.Exit(1 if problems else 0)


def show(path: str = typer.Argument(..., help="A file, a folder of versions, or DIR@VERSION."),
         as_of: Optional[str] = typer.Option(None, "--as-of", help="Show the version in force "
                                             "on this date (YYYY-MM-DD)."),
         as_json: bool = typer.Option(False, "--json")) -> None:
    """The version in force and its clauses."""
    day = parse_date(as_of)
    version = api.load_version(path, day)
    window = None
    if Path(path).is_dir():
        history = api.load_history_of(path)
        window = history.window(version)
    rows = [clause_row(c, version) for c in version.clauses]
    if as_json:
        print_json({"agreement": version.agreement, "version": version.version,
                    "title": version.title, "effective": version.effective,
                    "until": window[1] if window else None, "path": version.path,
                    "currency": version.currency,
                    "clauses": [clause_json(c, row) for c, row in zip(version.clauses, rows)]})
        return
    until = f" to {window[1]}" if window and window[1] else (" (in force)" if window else "")
    console.print(Text(version.title, style="bold"))   # as written: nothing read as markup
    console.print(Text.assemble(f"{version.agreement} version ", (version.version, "bold"),
                                f", effective {version.effective}{until}"
                                + (f"; in force on {day}" if day else "")))
    table = Fitted(None, ("id", "kind", "parties", "period", "key terms", "source"), left=2,
                   right=(), bare=("key terms",), lines=True)
    for row in rows:
        table.add_row(*row.values())
    console.print(table)


def clause_json(clause, row: dict[str, str]) -> dict:
    """A clause for programs: its terms as data (amounts and rates as exact decimal strings,
    dates ISO), with the one-line summary and period of the table beside them."""
    terms = clause.model_dump(mode="json", by_alias=True, exclude_none=True)
    for key in ("id", "kind", "source", "assumed", "note", "heading"):
        terms.pop(key, None)
    return {"id": clause.id, "kind": clause.kind, "heading": clause.heading,
            "parties": list(clause.party_ids), "period": row["period"], "terms": terms,
            "summary": row["terms"], "source": list(clause.sources),
            "assumed": dict(clause.assumed or {})}


def schema() -> None:
    """Print the JSON Schema of terms blocks, for editors."""
    document = TypeAdapter(Clause).json_schema(by_alias=True)
    document["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    document["title"] = "termsheet terms block"
    print(json.dumps(document, indent=2))


def register(app: typer.Typer) -> None:
    app.command()(validate)
    app.command()(show)
    app.command()(schema)

