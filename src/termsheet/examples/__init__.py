"""The examples that ship with termsheet: the flagship agreements, their plans and scenarios.

They live inside the package so that an installed termsheet (a wheel, outside any checkout) finds
them; the checkout's top-level ``agreements/``, ``plans/`` and ``scenarios/`` point here.
"""

from __future__ import annotations

from pathlib import Path

HERE = Path(__file__).resolve().parent
AGREEMENTS = HERE / "agreements"
PLANS = HERE / "plans"
SCENARIOS = HERE / "scenarios"


def flagship_dir() -> Path:
    """The flagship agreement's folder of versions."""
    return AGREEMENTS / "openai-microsoft"
