"""The effect of a change: decisions that flip on launch plans, and money that moves per party.

Two versions are compared *as if each governed alone*: a version is applied to every date the plan,
the data or the scenario covers, even dates before it took effect (its clauses' own ``from`` and
``until`` still apply). That isolates what the text changed from when it changed; the history, with
each version in force in its own window, is what ``termsheet check`` and ``termsheet settle`` use.

- Plans: :func:`plan_flips` checks a plan (:mod:`termsheet.plans`) under each version and lists
  the actions whose decision differs, with the deciding clauses on both sides.
- Data: :func:`money_from_data` settles the same revenue rows under each version
  (:mod:`termsheet.settle`) and gives each party's net (received minus paid) and the change.
- Scenario: :func:`money_from_scenario` simulates both versions over the same futures
  (:mod:`termsheet.simulate`) and gives each party's NPV and the change.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path
from typing import Any, Mapping

from .history import History
from .model import Version
from .problems import Problem, TermsheetError


def as_governing(version: Version, start: dt.date) -> History:
    """A history of one version that is in force from ``start`` (or its own date, if earlier)."""
    if start < version.effective:
        version = version.model_copy(update={"effective": start, "amends": None})
    return History(version.agreement, (version,))


# ---------------------------------------------------------------------------------------------
# decisions


@dataclass(frozen=True, slots=True)
class Flip:
    """One action of a plan whose decision differs between the versions."""

    line: int
    action: dict[str, Any]
    before: bool
    after: bool
    before_clauses: tuple[str, ...]
    after_clauses: tuple[str, ...]
    before_reason: str
    after_reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "action": self.action, "before": self.before,
                "after": self.after, "before_clauses": list(self.before_clauses),
                "after_clauses": list(self.after_clauses), "before_reason": self.before_reason,
                "after_reason": self.after_reason}


@dataclass(frozen=True, slots=True)
class PlanFlips:
    plan: str
    path: str
    a: str
    b: str
    actions: int
    allowed_before: int
    allowed_after: int
    flips: tuple[Flip, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"plan": self.plan, "path": self.path, "from": self.a, "to": self.b,
                "actions": self.actions, "allowed_before": self.allowed_before,
                "allowed_after": self.allowed_after, "flips": [f.to_dict() for f in self.flips]}


def plan_flips(plan: Any, a: Version, b: Version, events: Mapping[str, dt.date] | None = None,
               facts: frozenset[str] = frozenset()) -> PlanFlips:
    """Check a plan (a path or a loaded plan) under ``a`` and under ``b``; the decisions that
    differ."""
    from .plans import check_plan, load_plan
    if not hasattr(plan, "steps"):
        plan = load_plan(plan)
    start = min([s.action.date for s in plan.steps] + [a.effective, b.effective])
    reports = []
    for version in (a, b):
        # Events the version does not know cannot affect it; the plan may name either's.
        known = {k: v for k, v in {**plan.events, **(events or {})}.items()
                 if k in version.events}
        own = replace(plan, events={k: v for k, v in plan.events.items() if k in known})
        reports.append(check_plan(own, as_governing(version, start), known, facts))
    flips = []
    for before, after in zip(*(r.results for r in reports)):
        if before.decision.allowed != after.decision.allowed:
            flips.append(Flip(before.step.line, before.decision.action.to_dict(),
                              before.decision.allowed, after.decision.allowed,
                              before.decision.clause_ids, after.decision.clause_ids,
                              _reason(before.decision), _reason(after.decision)))
    return PlanFlips(plan.name, plan.path, a.version, b.version, len(reports[0].results),
                     len(reports[0].results) - len(reports[0].forbidden),
                     len(reports[1].results) - len(reports[1].forbidden), tuple(flips))


def _reason(decision: Any) -> str:
    return decision.reasons[-1] if decision.reasons else ""


def shipped_plans(folder: str | Path) -> list[Path]:
    """The plan files shipped beside the agreements (``plans/*.yaml``)."""
    return sorted(Path(folder).glob("*.yaml")) + sorted(Path(folder).glob("*.yml"))


# ---------------------------------------------------------------------------------------------
# money


@dataclass(frozen=True, slots=True)
class PartyMoney:
    """One party's money under each version and the change: ``after - before``."""

    party: str
    before: Decimal
    after: Decimal

    @property
    def change(self) -> Decimal:
        return self.after - self.before

    def to_dict(self) -> dict[str, Any]:
        return {"party": self.party, "before": self.before, "after": self.after,
                "change": self.change}


@dataclass(frozen=True, slots=True)
class MoneyImpact:
    """Per party: net received (data) or NPV (scenario) under each version."""

    measure: str            # "net settled" or "NPV p50" ...
    currency: str
    a: str
    b: str
    parties: tuple[PartyMoney, ...]
    notes: tuple[str, ...] = ()

    def party(self, party_id: str) -> PartyMoney | None:
        return next((p for p in self.parties if p.party == party_id), None)

    def to_dict(self) -> dict[str, Any]:
        return {"measure": self.measure, "currency": self.currency, "from": self.a, "to": self.b,
                "parties": [p.to_dict() for p in self.parties], "notes": list(self.notes)}


def _unavailable(what: str, path: str) -> TermsheetError:
    return TermsheetError([Problem("E004", f"{what} is not available in this installation",
                                   path, hint="install termsheet with its settle and simulate "
                                              "modules")])
