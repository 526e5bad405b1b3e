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

from ..agreement.history import History
from ..agreement.model import Version
from ..agreement.problems import Problem, TermsheetError


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
    from ..decide.plans import check_plan, load_plan
    if not hasattr(plan, "steps"):
        plan = load_plan(plan)
    start = min([s.action.date for s in plan.steps] + [a.effective, b.effective])
    reports = []
    for version in (a, b):
        own, known = for_version(plan, version, events)
        reports.append(check_plan(own, as_governing(version, start), known,
                                  facts & frozenset(version.conditions)))
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


def for_version(plan: Any, version: Version, events: Mapping[str, dt.date] | None = None
                ) -> tuple[Any, dict[str, dt.date]]:
    """The plan as one version sees it: events and facts the version does not define cannot
    affect it, so they are left out (a plan may name those of either version)."""
    known = {k: v for k, v in {**plan.events, **(events or {})}.items() if k in version.events}
    conditions = frozenset(version.conditions)
    steps = tuple(replace(s, action=replace(s.action, facts=s.action.facts & conditions))
                  for s in plan.steps)
    own = replace(plan, events={k: v for k, v in plan.events.items() if k in known},
                  facts=plan.facts & conditions, steps=steps)
    return own, known


def _reason(decision: Any) -> str:
    return decision.reasons[-1] if decision.reasons else ""


def shipped_plans(folder: str | Path) -> list[Path]:
    """The plan files shipped beside the agreements (``plans/*.yaml``)."""
    return sorted(Path(folder).glob("*.yaml")) + sorted(Path(folder).glob("*.yml"))


# ---------------------------------------------------------------------------------------------
# money


@dataclass(frozen=True, slots=True)
class PartyMoney:
    """One party's money under each version and the change, ``after - before``: Decimal from
    settled data, float from a simulation (with the probability that the party gains)."""

    party: str
    before: Decimal | float
    after: Decimal | float
    p_gain: float | None = None

    @property
    def change(self) -> Decimal | float:
        return self.after - self.before

    def to_dict(self) -> dict[str, Any]:
        out = {"party": self.party, "before": self.before, "after": self.after,
               "change": self.change}
        if self.p_gain is not None:
            out["p_gain"] = self.p_gain
        return out


@dataclass(frozen=True, slots=True)
class MoneyImpact:
    """Per party: net received (settled data) or value (a simulation) under each version."""

    measure: str
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


GOVERNING = "each version is applied as if it governed alone, to every date of the input"
EARLIEST = dt.date(1900, 1, 1)


def money_from_data(data: Any, a: Version, b: Version,
                    events: Mapping[str, dt.date] | None = None) -> MoneyImpact:
    """Settle the same revenue rows under ``a`` and under ``b``: each party's net (received
    minus paid) under each, in the agreement's currency."""
    try:
        from ..settle import settle
    except ImportError:
        raise _unavailable("settlement", str(data))
    nets, notes = [], [GOVERNING]
    for version in (a, b):
        known = {k: v for k, v in (events or {}).items() if k in version.events}
        result = settle(as_governing(version, EARLIEST), data, events=known)
        nets.append(net_by_party(result.lines, version.currency))
        if result.quarantine:
            notes.append(f"{len(result.quarantine)} rows quarantined under {version.version} "
                         f"(termsheet settle lists them)")
        other = sorted({line.currency for line in result.lines} - {version.currency})
        if other:
            notes.append(f"lines in {', '.join(other)} are left out under {version.version}")
    parties = list(dict.fromkeys([*a.parties, *b.parties]))
    zero = Decimal(0)
    rows = tuple(PartyMoney(p, nets[0].get(p, zero), nets[1].get(p, zero)) for p in parties)
    return MoneyImpact("net settled", b.currency, a.version, b.version, rows,
                       tuple(dict.fromkeys(notes)))


def net_by_party(lines: Any, currency: str) -> dict[str, Decimal]:
    """Received minus paid per party, over statement lines in one currency."""
    net: dict[str, Decimal] = {}
    for line in lines:
        if line.currency != currency:
            continue
        net[line.payee] = net.get(line.payee, Decimal(0)) + line.amount
        net[line.payer] = net.get(line.payer, Decimal(0)) - line.amount
    return net


def money_from_scenario(scenario: Any, a: Version, b: Version, history: History | None = None,
                        futures: int | None = None) -> MoneyImpact:
    """Simulate both versions over the same futures: each party's mean value (NPV of its flows
    plus its equity) under each, and the probability that the change is a gain."""
    try:
        from ..simulate import simulate
    except ImportError:
        raise _unavailable("simulation", str(scenario))
    if history is None:
        history = History(a.agreement, tuple(sorted({a.version: a, b.version: b}.values(),
                                                    key=lambda v: v.effective)))
    result = simulate(history, scenario, [a.version, b.version], futures=futures)
    before, after = result.outcome(a.version), result.outcome(b.version)
    gains = {d.party: d.p_gain for d in result.differences
             if (d.base, d.other) == (a.version, b.version)}
    rows = tuple(PartyMoney(p.party, p.value.mean, after.party(p.party).value.mean,
                            gains.get(p.party)) for p in before.parties)
    notes = (f"{result.futures:,} futures of {result.scenario}, {result.years[0]}–"
             f"{result.years[-1]}, discounted at {result.discount_rate:.1%}",
             "each version is applied as if it governed the whole horizon", *result.notes)
    return MoneyImpact("mean value", b.currency, a.version, b.version, rows, notes)


def _unavailable(what: str, path: str) -> TermsheetError:
    return TermsheetError([Problem("E004", f"{what} is not available in this installation",
                                   path, hint="install termsheet with its settle and simulate "
                                              "modules")])
