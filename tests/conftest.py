from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "agreements" / "openai-microsoft"


@pytest.fixture(scope="session")
def flagship_dir() -> Path:
    return FLAGSHIP


@pytest.fixture(scope="session")
def flagship(flagship_dir):
    from termsheet import load_history_of
    return load_history_of(flagship_dir)
