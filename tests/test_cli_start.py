"""The command line starts without the engines: `--help` and `validate` import no NumPy, Ibis,
DuckDB, Matplotlib or FastAPI; every command still loads and runs."""

from __future__ import annotations

import subprocess
import sys

import typer

from support.cli import run_cli

HEAVY = ("numpy", "ibis", "duckdb", "matplotlib", "fastapi", "pyarrow", "pandas")


def imported_after(*args: str) -> set[str]:
    code = ("import sys\nfrom termsheet.cli import main\ntry:\n    main(sys.argv[1:])\n"
            "except SystemExit:\n    pass\n"
            "print(' '.join(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)")
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True)
    return set(done.stderr.split())


def test_help_and_validate_load_no_engine(flagship_dir):
    for args in (["--help"], ["validate", str(flagship_dir)]):
        loaded = imported_after(*args)
        assert "termsheet" in loaded and "typer" in loaded
        assert not loaded & set(HEAVY), (args, loaded & set(HEAVY))


def test_import_termsheet_loads_no_engine():
    code = "import sys, termsheet; print(sorted({m.split('.')[0] for m in sys.modules}))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    assert not any(f"'{name}'" in out for name in HEAVY), out


def test_the_help_lines_are_the_commands_own():
    from termsheet.cli import LAZY, load_module
    group = typer.main.get_group(typer.Typer())
    for module in {module for module, _ in LAZY.values()}:
        load_module(group, module)
    for name, (_, text) in LAZY.items():
        command = group.commands[name]
        own = " ".join((command.help or "").split("\n\n")[0].split())
        assert own == text, name


def test_help_lists_every_command_and_each_runs():
    result = run_cli("--help")
    assert result.returncode == 0
    for name in ("validate", "demo", "decide", "settle", "simulate", "diff", "test", "init",
                 "new-version", "serve", "token", "ledger"):
        assert name in result.stdout
    assert run_cli("glossary", "--json").returncode == 0
    assert run_cli("decide", "--help").returncode == 0


def test_version_and_completion():
    from termsheet import __version__
    result = run_cli("--version")
    assert result.returncode == 0 and result.stdout == f"termsheet {__version__}\n"
    # the shell named, not detected from the parent process (which may be no shell at all)
    import os
    shown = subprocess.run([sys.executable, "-m", "termsheet", "--show-completion", "bash"],
                           capture_output=True, text=True,
                           env={**os.environ, "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"})
    assert shown.returncode == 0 and "complete" in shown.stdout, shown.stderr
