"""The command line: Typer commands over the facade, Rich output, ``--json`` everywhere.

Exit codes: 0 success; 1 the answer is "no" or the input is bad; 2 misuse of the command line.
Each command group lives in its own module and registers itself on ``app``.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer

from .common import console_err, print_problems
from ..agreement.problems import TermsheetError

app = typer.Typer(
    name="termsheet",
    help="Partnership agreements you can run: decide, settle, simulate and diff versions of a deal.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# One module per command group; each defines register(app).
COMMAND_MODULES = ("documents", "demo", "decide", "serve", "diff", "simulate", "settle")

for _name in COMMAND_MODULES:
    importlib.import_module(f"{__name__}.{_name}").register(app)


def wants_json(argv: list[str]) -> bool:
    """Whether the command line asks for JSON: its command's ``--json`` option, as the command's
    own parser reads it (so ``--note --json`` gives a note, not JSON)."""
    try:
        ctx = typer.main.get_command(app).make_context("termsheet", list(argv),
                                                       resilient_parsing=True)
        while hasattr(ctx.command, "resolve_command"):  # a group: go down to its command
            args = [*getattr(ctx, "_protected_args", ()), *ctx.args]
            if not args:
                return False
            name, command, rest = ctx.command.resolve_command(ctx, args)
            ctx = command.make_context(name, rest, parent=ctx, resilient_parsing=True)
        return bool(ctx.params.get("as_json"))
    except Exception:  # an unreadable command line: its problems print as text
        return False


def main(argv: list[str] | None = None) -> None:
    """Entry point: bad input becomes problems and exit 1, never a traceback."""
    try:
        app(args=argv, standalone_mode=True)
    except TermsheetError as err:
        print_problems(err.problems, as_json=wants_json(sys.argv[1:] if argv is None else argv))
        sys.exit(1)
    except OSError as err:
        # files and folders at the edges: unreadable input, unwritable output
        where = f" {err.filename}" if getattr(err, "filename", None) else ""
        console_err.print(f"termsheet: cannot use{where}: {err.strerror or err}", markup=False,
                          soft_wrap=True)
        sys.exit(1)
    except KeyboardInterrupt:
        console_err.print("interrupted")
        sys.exit(130)
    except Exception as err:  # a bug: say so plainly; TERMSHEET_DEBUG=1 shows the traceback
        if os.environ.get("TERMSHEET_DEBUG"):
            raise
        console_err.print(f"termsheet: internal error: {type(err).__name__}: {err}\n"
                          "This is a bug in termsheet; rerun with TERMSHEET_DEBUG=1 to see "
                          "where it happened.", markup=False, soft_wrap=True)
        sys.exit(3)
