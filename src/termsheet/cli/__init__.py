"""The command line: Typer commands over the facade, Rich output, ``--json`` everywhere.

Exit codes: 0 success; 1 the answer is "no" or the input is bad; 2 misuse of the command line.
Each command group lives in its own module and registers itself on ``app``.
"""

from __future__ import annotations

import importlib
import os
import sys

import typer
from typer.core import TyperCommand, TyperGroup

from .common import console_err, print_problems
from ..api import TermsheetError

# Commands load their module on first use, so that `termsheet --help` and `termsheet validate`
# start without the engines. name -> (module, the help line shown in `termsheet --help`; a test
# keeps it equal to the command's own). A module of COMMAND_MODULES not listed here loads at once.
LAZY: dict[str, tuple[str, str]] = {
    "validate": ("documents", "Check agreement documents; exit 0 when valid, 1 with every "
                              "problem found."),
    "show": ("documents", "The version in force and its clauses."),
    "schema": ("documents", "Print the JSON Schema of terms blocks, for editors."),
    "demo": ("demo", "Run the flagship example: the OpenAI–Microsoft history, end to end."),
    "check": ("decide", "Check a launch plan in date order; exit 1 when any action is "
                        "forbidden."),
    "decide": ("decide", "May a party do this on this date? Exit 0 yes, 1 no."),
    "serve": ("serve", "Serve the JSON API (reference at /reference, OpenAPI at "
                       "/openapi.json), AuthZEN at /access/v1 and the pages."),
    "token": ("serve", "API tokens in an access file (stored hashed)."),
    "diff": ("diff", "What changed from version A to version B, narrated, with its effect."),
    "timeline": ("diff", "Every clause's active window across the history: a table and a "
                         "chart."),
    "glossary": ("diff", "The words of an agreement in English and Chinese, with what they "
                         "mean."),
    "simulate": ("simulate", "Simulate futures and value each version of an agreement for "
                             "each party."),
    "settle": ("settle", "Settle the revenue shares of an agreement over billing and revenue "
                         "data."),
    "statements": ("settle", "The statements in the store: each line as last settled."),
    "ledger": ("settle", "The append-only ledger: postings and restatements, as Beancount or "
                         "JSON."),
    "runs": ("settle", "The runs in the store, each with the inputs (by sha256) it read or "
                       "found settled."),
    "generate-billing": ("settle", "Write synthetic FOCUS billing data and a revenue table for "
                                   "the flagship."),
    "conflicts": ("portfolio", "Every date range on which one agreement grants or requires what "
                               "another forbids."),
    "calendar": ("portfolio", "Every dated duty and deadline across the agreements: terms and "
                              "shares ending, caps, commitments, first-launch duties with their "
                              "conditions."),
    "test": ("authoring", "Run the tests beside each agreement (tests.yaml); exit 0 all pass, "
                          "1 any fails."),
    "init": ("authoring", "Write a new agreement folder that validates and passes `termsheet "
                          "test` at once."),
    "new-version": ("authoring", "Write the next version: the latest one's text, amending it, "
                                 "effective on a new date."),
}

# One module per command group; each defines register(app).
COMMAND_MODULES = ("documents", "demo", "decide", "serve", "diff", "simulate", "settle",
                   "portfolio", "authoring")


class LazyGroup(TyperGroup):
    """The top-level group: a command's module is imported when the command is used; the help
    lists every command from ``LAZY`` without importing any."""

    listing = False

    def list_commands(self, ctx: typer.Context) -> list[str]:
        return list(dict.fromkeys([*self.commands, *LAZY]))

    def get_command(self, ctx: typer.Context, name: str) -> TyperCommand | None:
        if name not in self.commands and name in LAZY:
            if self.listing:
                return TyperCommand(name, help=LAZY[name][1])
            load_module(self, LAZY[name][0])
        return self.commands.get(name)

    def format_help(self, ctx: typer.Context, formatter) -> None:
        bare_flags(self)
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False


def load_module(group: TyperGroup, module: str) -> None:
    """Register one command module's commands on the click group."""
    sub = typer.Typer()
    importlib.import_module(f"{__name__}.{module}").register(sub)
    commands = typer.main.get_group(sub).commands
    for command in commands.values():
        bare_flags(command)
    group.commands.update(commands)


def bare_flags(command) -> None:
    """A flag (``--json``, ``-v``) shows no value type in the help: ``--json`` takes none, and
    ``<bool>`` beside it reads as if it did."""
    helper = command.get_help_option(command.context_class(command))  # made once, then kept
    for param in [*getattr(command, "params", ()), *([helper] if helper else [])]:
        if getattr(param, "is_flag", False) or getattr(param, "count", False):
            param.metavar = ""
    for sub in getattr(command, "commands", {}).values():
        bare_flags(sub)


app = typer.Typer(
    name="termsheet",
    help="Partnership agreements you can run: decide, settle, simulate and diff versions of a deal.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    cls=LazyGroup,
)

for _name in COMMAND_MODULES:
    if _name not in {module for module, _ in LAZY.values()}:
        importlib.import_module(f"{__name__}.{_name}").register(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"termsheet {package_version()}")
        raise typer.Exit()


def package_version() -> str:
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version("termsheet")
    except PackageNotFoundError:  # a checkout on PYTHONPATH, not installed
        from .. import __version__
        return __version__


@app.callback()
def options(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                         help="Print the version and exit."),
            verbose: int = typer.Option(0, "--verbose", "-v", count=True,
                                        help="Log what happens: -v info, -vv debug (to stderr)."),
            log_json: bool = typer.Option(False, "--log-json",
                                          help="Logs as JSON lines (with -v).")) -> None:
    """Partnership agreements you can run: decide, settle, simulate and diff versions of a deal."""
    if verbose or log_json:
        from .logs import configure
        configure(verbose, log_json)


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
