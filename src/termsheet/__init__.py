"""termsheet: partnership agreements you can run.

Load a version or a history of versions with :func:`load`; each answer traces back to the clause
and the version it came from.

The names below are imported on first use (module ``__getattr__``), so that ``import termsheet``
and the command line start fast: the engines (NumPy, Ibis, DuckDB, Matplotlib) load only when a
command or a call needs them.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__version__ = "0.1.0"

# name -> the module that defines it
_EXPORTS = {
    **dict.fromkeys(("load", "load_history_of", "load_version", "validate"), "termsheet.api"),
    **dict.fromkeys(("parse", "parse_file"), "termsheet.agreement.document"),
    **dict.fromkeys(("History", "load_history"), "termsheet.agreement.history"),
    **dict.fromkeys(("Clause", "ClauseBase", "Commitment", "Cooperation", "Distribution",
                     "Equity", "Exclusivity", "License", "RevenueShare",
                     "RightOfFirstRefusal", "Span", "Version"), "termsheet.agreement.model"),
    **dict.fromkeys(("Problem", "TermsheetError"), "termsheet.agreement.problems"),
    "render": "termsheet.agreement.render",
    **dict.fromkeys(("BuyCompute", "Decision", "Distribute", "GrantLicense", "UseLicense",
                     "decide"), "termsheet.decide"),
    **dict.fromkeys(("Diff", "diff", "narrate", "timeline"), "termsheet.diff"),
    **dict.fromkeys(("Scenario", "Simulation", "load_scenario", "simulate"),
                    "termsheet.simulate"),
    **dict.fromkeys(("Settlement", "settle"), "termsheet.settle"),
}
# subpackages whose names are also functions: ``termsheet.decide`` is the function
_SHADOWED = frozenset({"decide", "diff", "settle", "simulate"})

__all__ = sorted([*_EXPORTS, "__version__"])


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'termsheet' has no attribute {name!r}")
    value = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


class _Package(types.ModuleType):
    """The import system binds an imported subpackage to its parent's attribute; for the
    subpackages named like a function (``termsheet.decide``, ...) the function keeps the name."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SHADOWED and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

