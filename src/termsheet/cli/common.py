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

# No emoji codes: an agreement's text is printed as written (":cloud:" in a heading stays so).
console = Console(highlight=False, emoji=False)
console_err = Console(stderr=True, highlight=False, emoji=False)


class Fitted:
    """A table where it fits the terminal, else stacked (a line naming the row, then its
    figures as "column value" items packed into lines, an item never split), so that a figure
    is never cut or folded on a narrow terminal."""

    def __init__(self, title: str, columns: tuple[str, ...], left: int = 1,
                 figures: bool = True):
        # ``left`` columns name the row; the others are figures (right-aligned, stacked as
        # "column value" items) or, with ``figures=False``, words (left-aligned, stacked a line
        # each without the column's name)
        self.title, self.columns, self.left, self.figures = title, columns, left, figures
        self.rows: list[tuple[str, ...]] = []

    def add_row(self, *cells: str) -> None:
        self.rows.append(tuple(cells))

    def table(self):
        from rich import box
        from rich.table import Table
        table = Table(title=self.title, title_justify="left", box=box.SIMPLE_HEAD,
                      pad_edge=False, collapse_padding=True)
        for index, column in enumerate(self.columns):
            right = self.figures and index >= self.left
            table.add_column(column, justify="right" if right else "left", no_wrap=True)
        for row in self.rows:
            table.add_row(*row)
        return table

    def __rich_console__(self, console, options):
        from rich.cells import cell_len
        from rich.text import Text
        table = self.table()
        if table.__rich_measure__(console, options).minimum <= options.max_width:
            yield table
            return
        yield Text(self.title, style="bold")
        names = [c.replace("\n", " ") for c in self.columns]
        for row in self.rows:
            yield Text("  " + "  ".join(row[:self.left]), style="bold", overflow="fold")
            if not self.figures:
                yield from (Text(f"    {value}", overflow="fold") for value in row[self.left:]
                            if value)
                continue
            line = ""
            for name, value in zip(names[self.left:], row[self.left:]):
                if not value:
                    continue
                item = f"{name} {value}"
                if line and cell_len(line) + 2 + cell_len(item) > options.max_width:
                    yield Text(line, overflow="fold")
                    line = ""
                line = f"{line}, {item}" if line else f"    {item}"
            if line:
                yield Text(line, overflow="fold")


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
