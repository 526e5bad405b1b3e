from pathlib import Path

import os

import pytest
from hypothesis import settings

# CI runs the property tests with a fixed seed ("ci"), so that a landing never depends on luck;
# run them locally without it to keep exploring.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))

# Commands run in process print to a pipe; the width of their terminal is pinned at a pipe's 80
# columns, whatever COLUMNS the machine running the tests sets, so that what a test reads of a
# table or a stacked row does not depend on where it runs.
os.environ.pop("COLUMNS", None)

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "agreements" / "openai-microsoft"


@pytest.fixture(scope="session")
def flagship_dir() -> Path:
    return FLAGSHIP


@pytest.fixture(scope="session")
def flagship(flagship_dir):
    from termsheet import load_history_of
    return load_history_of(flagship_dir)
