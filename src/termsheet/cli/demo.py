"""termsheet demo: the flagship history, and what each part of termsheet answers about it."""

from __future__ import annotations

import typer
from rich.table import Table

from .. import api
from ..examples import flagship_dir
from .common import console
from .decide import decide_section
from .diff import diff_section
from .settle import settle_section
from .simulate import simulate_section


def first_sentence(text: str) -> str:
    paragraph = text.split("\n\n")[0]
    end = paragraph.find(". ")
    return paragraph if end < 0 else paragraph[: end + 1]


def history_section() -> None:
    history = api.load_history_of(flagship_dir())
    console.rule(f"[bold]{history.agreement}[/bold]: {len(history.versions)} versions")
    table = Table()
    for column in ("version", "in force", "title", "clauses", "gist"):
        table.add_column(column, overflow="fold")
    for version, start, end in history.windows():
        gist = first_sentence(version.preamble)
        table.add_row(version.version, f"{start} → {end or 'now'}", version.title,
                      str(len(version.clauses)), gist)
    console.print(table)


# The sections in order; the narrated diff of the seed's revision ends the demo.
SECTIONS = [history_section, decide_section, settle_section, simulate_section, diff_section]


def demo() -> None:
    """Run the flagship example: the OpenAI–Microsoft history, end to end."""
    for section in SECTIONS:
        section()


def register(app: typer.Typer) -> None:
    app.command()(demo)
