"""decide: may a party take an action on a date? With the deciding clauses and the obligations.

``actions`` holds the requests and the decision records; ``rules`` evaluates one version;
``index`` compiles a history into date segments; ``engine`` answers; ``text`` words the answers;
``plans`` checks a dated plan of actions.
"""

from .actions import (
    KINDS, Action, BuyCompute, Cited, Decision, Distribute, FirstLaunch, GrantLicense, Obligation,
    Outcome, UseLicense, finish,
)
from .engine import decide

__all__ = [
    "KINDS", "Action", "BuyCompute", "Cited", "Decision", "Distribute", "FirstLaunch",
    "GrantLicense", "Obligation", "Outcome", "UseLicense", "decide", "finish",
]
