"""The command line run in process: the same ``main`` a user's shell runs, without the seconds a
new interpreter costs. Tests of what only a process shows (exit on a crash, signals) start one."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args, cwd: str | Path | None = None) -> Result:
    """``termsheet ARGS`` in this process: its exit code and what it printed."""
    from termsheet.cli import main

    out, err = io.StringIO(), io.StringIO()
    here = os.getcwd()
    code = 0
    try:
        if cwd is not None:
            os.chdir(cwd)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main([str(a) for a in args])
            except SystemExit as done:
                code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    finally:
        os.chdir(here)
    return Result(code, out.getvalue(), err.getvalue())


def run_process(*args, cwd: str | Path | None = None, env: dict | None = None
                ) -> subprocess.CompletedProcess:
    """``python -m termsheet ARGS`` in a new process."""
    return subprocess.run([sys.executable, "-m", "termsheet", *map(str, args)],
                          capture_output=True, text=True, cwd=cwd,
                          env=None if env is None else {**os.environ, **env})
