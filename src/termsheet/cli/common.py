"""What every command shares: consoles, option parsing, JSON output, problem printing."""

from __future__ import annotations

import json
import sys
from datetime import date
from typing import Any

import typer
from rich.console import Console

from ..api import json_default
from ..api import Problem, TermsheetError, render_json, sort_problems

console = Console(highlight=False)
console_err = Console(stderr=True, highlight=False)


def parse_date(text: str | None, option: str = "--as-of") -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"'{text}' is not a date; write YYYY-MM-DD", param_hint=option)


def to_json(data: Any) -> str:
    return json.dumps(data, default=json_default, ensure_ascii=False, indent=2)


def print_json(data: Any) -> None:
    sys.stdout.write(to_json(data) + "\n")


def print_problems(problems: list[Problem], as_json: bool = False) -> None:
    if as_json:
        print_json(render_json(problems))
        return
    for problem in sort_problems(problems):
        console_err.print(str(problem), markup=False, soft_wrap=True)
    count = len(problems)
    console_err.print(f"[red]{count} problem{'s' if count != 1 else ''}[/red]")


def fail(problems: list[Problem]) -> None:
    raise TermsheetError(problems)
