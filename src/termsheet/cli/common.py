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
    """A table where it fits the terminal, else stacked: a line naming the row (its ``left``
    columns), then its other cells as "column value" items, packed into lines (or one a line
    with ``lines=True``), an item never split. A figure or an id is never cut or folded on a
    narrow terminal. Cells are plain text (a ``Text`` for a styled one): nothing in them is
    read as markup."""

    def __init__(self, title: str | None, columns: tuple[str, ...], left: int = 1,
                 right: tuple[str, ...] | None = None, bare: tuple[str, ...] = (),
                 lines: bool = False):
        # right: the columns aligned right in the table (by default every one after ``left``:
        # figures); bare: the columns whose values are stacked without the column's name
        self.title, self.columns, self.left, self.lines = title, columns, left, lines
        self.right, self.bare = right, set(bare)
        self.rows: list[tuple] = []

    def add_row(self, *cells) -> None:
        self.rows.append(tuple(cells))

    def add_column(self, name: str) -> None:
        self.columns = (*self.columns, name)

    @staticmethod
    def _text(cell):
        from rich.text import Text
        return cell if isinstance(cell, Text) else Text(str(cell))

    def table(self):
        from rich import box
        from rich.table import Table
        title = self._text(self.title) if self.title is not None else None
        table = Table(title=title, title_justify="left", box=box.SIMPLE_HEAD,
                      pad_edge=False, collapse_padding=True)
        right = self.columns[self.left:] if self.right is None else self.right
        for column in self.columns:
            table.add_column(column, justify="right" if column in right else "left",
                             no_wrap=True)
        for row in self.rows:
            table.add_row(*map(self._text, row))
        return table

    def __rich_console__(self, console, options):
        from rich.cells import cell_len
        from rich.text import Text
        table = self.table()
        if table.__rich_measure__(console, options).maximum <= options.max_width:
            yield table
            return
        if self.title:
            yield Text(self.title, style="bold")
        for row in self.rows:
            head = Text("  ")
            for index, cell in enumerate(row[:self.left]):
                head.append_text(Text("  ") if index else Text())
                head.append_text(self._text(cell))
            head.stylize("bold")
            yield head
            items = []
            for name, cell in zip(self.columns[self.left:], row[self.left:]):
                text = self._text(cell)
                if not text.plain:
                    continue
                if name not in self.bare:
                    text = Text(name.replace("\n", " ") + " ").append_text(text)
                items.append(text)
            line = Text()
            for item in items:
                if line.plain and (self.lines or cell_len(line.plain) + 2 + item.cell_len
                                   > options.max_width):
                    yield line
                    line = Text()
                if line.plain:
                    line.append(", ")
                else:
                    line.append("    ")
                line.append_text(item)
            if line.plain:
                yield line


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
