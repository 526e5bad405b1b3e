"""simulate: what each version of an agreement is worth to each party, over many futures.

``simulate(history, scenario)`` draws correlated lognormal revenue and value paths and event
dates (:mod:`.paths`), applies each version's money clauses with the shared rules
(:mod:`.terms`, :mod:`.engine`) and summarises flows, NPV, equity and commitments per party
(:mod:`.results`); :mod:`.sensitivity` moves one parameter at a time, :mod:`.charts` draws.
"""

from .results import Difference, PartyOutcome, Simulation, Spread, VersionOutcome
from .run import simulate
from .scenario import Scenario, load_scenario, parse_scenario, with_settings

__all__ = ["Difference", "PartyOutcome", "Scenario", "Simulation", "Spread", "VersionOutcome",
           "load_scenario", "parse_scenario", "simulate", "with_settings"]
