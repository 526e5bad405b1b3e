"""termsheet: partnership agreements you can run.

Load a version or a history of versions with :func:`load`; each answer traces back to the clause
and the version it came from.
"""

from .api import load, load_history_of, load_version, validate
from .agreement.document import parse, parse_file
from .agreement.history import History, load_history
from .agreement.model import (
    Clause, ClauseBase, Commitment, Cooperation, Distribution, Equity, Exclusivity, License,
    RevenueShare, RightOfFirstRefusal, Span, Version,
)
from .agreement.problems import Problem, TermsheetError
from .agreement.render import render
from .decide import BuyCompute, Decision, Distribute, GrantLicense, UseLicense, decide
from .diff import Diff, diff
from .diff import narrate
from .diff import timeline
from .simulate import Scenario, Simulation, load_scenario, simulate
from .settle import Settlement, settle

__version__ = "0.1.0"

__all__ = [
    "Clause", "ClauseBase", "Commitment", "Cooperation", "Distribution", "Equity", "Exclusivity",
    "History", "License", "Problem", "RevenueShare", "RightOfFirstRefusal", "Span",
    "TermsheetError", "Version", "load", "load_history", "load_history_of", "load_version",
    "parse", "parse_file", "render", "validate", "__version__",
    "BuyCompute", "Decision", "Distribute", "GrantLicense", "UseLicense", "decide",
    "Diff", "diff", "narrate", "timeline",
    "Scenario", "Simulation", "load_scenario", "simulate",
    "Settlement", "settle",
]
