"""May party X do Y on date D? Actions, decisions, and the one function that answers.

An action is a frozen record (:class:`Distribute`, :class:`UseLicense`, :class:`GrantLicense`,
:class:`BuyCompute`). :func:`decide` finds the version in force (or the version asked for), looks the
action up in the compiled index of the history (:mod:`termsheet.decide_index`; the reasoning itself
is :mod:`termsheet.decide_rules`), applies the state the action carries (when the product first
became available on each channel, the conditions stated as facts) and returns a :class:`Decision`:
allowed or not, the version, the deciding clauses, the obligations triggered and the assumptions.

``Decision.to_dict()`` has the shape of an OpenID AuthZEN evaluation response: ``decision`` and
``context.reasons``, with the version, clauses, obligations and assumptions beside them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Mapping, Union


KINDS = ("distribute", "use-license", "grant-license", "grant-exclusive-license", "buy-compute")
DISTRIBUTE, USE_LICENSE, GRANT_LICENSE, GRANT_EXCLUSIVE, BUY_COMPUTE = range(len(KINDS))
COMPUTE = "compute"


# ---------------------------------------------------------------------------------------------
# actions


@dataclass(frozen=True, slots=True)
class Distribute:
    """``party`` makes ``product`` available on ``channel`` on ``date``.

    ``available`` maps channels to the first day the product was available there before this
    action (a plan fills it in as it goes); ``facts`` are the conditions that hold.
    """

    party: str
    product: str
    channel: str
    date: dt.date
    facts: frozenset[str] = frozenset()
    available: Mapping[str, dt.date] = field(default_factory=dict)
    territory: str | None = None
    field_of_use: str | None = None

    kind = "distribute"

    def codes(self) -> tuple[int, str, str, str]:
        return DISTRIBUTE, self.party, self.product, self.channel

    @property
    def scope(self) -> dict[str, str]:
        return _scope(self.territory, self.field_of_use, None)

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.kind, "party": self.party, "product": self.product,
                "channel": self.channel, "date": self.date.isoformat(),
                "facts": sorted(self.facts),
                "available": {k: v.isoformat() for k, v in sorted(self.available.items())},
                **self.scope}


@dataclass(frozen=True, slots=True)
class UseLicense:
    """``licensee`` uses ``subject``, which belongs to ``licensor``, on ``date``."""

    licensee: str
    licensor: str
    subject: str
    date: dt.date
    facts: frozenset[str] = frozenset()
    territory: str | None = None
    field_of_use: str | None = None
    channel: str | None = None

    kind = "use-license"

    def codes(self) -> tuple[int, str, str, str]:
        return USE_LICENSE, self.licensee, self.subject, self.licensor

    @property
    def scope(self) -> dict[str, str]:
        return _scope(self.territory, self.field_of_use, self.channel)

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.kind, "licensee": self.licensee, "licensor": self.licensor,
                "subject": self.subject, "date": self.date.isoformat(),
                "facts": sorted(self.facts), **self.scope}


@dataclass(frozen=True, slots=True)
class GrantLicense:
    """``licensor`` grants a licence to ``subject`` to ``to`` (exclusive or not) on ``date``."""

    licensor: str
    to: str
    subject: str
    date: dt.date
    exclusive: bool = False
    facts: frozenset[str] = frozenset()
    territory: str | None = None
    field_of_use: str | None = None
    channel: str | None = None

    kind = "grant-license"

    def codes(self) -> tuple[int, str, str, str]:
        return (GRANT_EXCLUSIVE if self.exclusive else GRANT_LICENSE), self.licensor, \
            self.subject, self.to

    @property
    def scope(self) -> dict[str, str]:
        return _scope(self.territory, self.field_of_use, self.channel)

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.kind, "licensor": self.licensor, "to": self.to,
                "subject": self.subject, "exclusive": self.exclusive,
                "date": self.date.isoformat(), "facts": sorted(self.facts), **self.scope}


@dataclass(frozen=True, slots=True)
class BuyCompute:
    """``party`` buys new compute capacity from ``supplier`` (a channel or a company) on ``date``."""

    party: str
    supplier: str
    date: dt.date
    facts: frozenset[str] = frozenset()

    kind = "buy-compute"

    def codes(self) -> tuple[int, str, str, str]:
        return BUY_COMPUTE, self.party, COMPUTE, self.supplier

    def to_dict(self) -> dict[str, Any]:
        return {"action": self.kind, "party": self.party, "from": self.supplier,
                "date": self.date.isoformat(), "facts": sorted(self.facts)}


def _scope(territory: str | None, field_of_use: str | None, channel: str | None
           ) -> dict[str, str]:
    """The scope a licence is asked for: only the dimensions given (none: everywhere)."""
    out = {"territory": territory, "field": field_of_use, "channel": channel}
    return {k: v for k, v in out.items() if v is not None}


Action = Union[Distribute, UseLicense, GrantLicense, BuyCompute]
ACTIONS: dict[str, type] = {"distribute": Distribute, "use-license": UseLicense,
                            "grant-license": GrantLicense, "buy-compute": BuyCompute}


# ---------------------------------------------------------------------------------------------
# answers


@dataclass(frozen=True, slots=True)
class Cited:
    """A deciding clause: its id, heading, the prose sentence that says it, sources, position."""

    id: str
    heading: str
    sentence: str
    source: tuple[str, ...]
    at: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "heading": self.heading, "sentence": self.sentence,
                "source": list(self.source), "at": self.at}


@dataclass(frozen=True, slots=True)
class Obligation:
    """What an allowed action commits a party to, and the clause that says so."""

    clause: str
    text: str
    party: str | None = None
    to: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"clause": self.clause, "text": self.text, "party": self.party, "to": self.to}


@dataclass(frozen=True, slots=True)
class FirstLaunch:
    """A first-launch term still to be checked against the product's availability.

    The product's first availability on the action's channel may not precede its availability on
    ``on`` by less than ``lead_days``: allowed when available on ``on`` on or before
    ``first day on this channel - lead_days`` (lead 0: the same day is fine), when ``unless`` is
    stated as a fact, or when the first availability on this channel came before ``since`` (the
    term does not reach back).
    """

    clause: Cited
    on: str
    lead_days: int
    unless: str | None
    since: dt.date


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a version says about one action on the days of one index segment."""

    allowed: bool
    version: str
    deciding: tuple[Cited, ...] = ()
    reasons: tuple[str, ...] = ()
    obligations: tuple[Obligation, ...] = ()
    assumptions: tuple[str, ...] = ()
    first_launch: FirstLaunch | None = None
    problem: Any = None  # a Problem when the action names something this version lacks


@dataclass(frozen=True, slots=True)
class Decision:
    allowed: bool
    action: Action
    version: str
    deciding: tuple[Cited, ...]
    reasons: tuple[str, ...]
    obligations: tuple[Obligation, ...]
    assumptions: tuple[str, ...]

    @property
    def clause_ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.deciding)

    def to_dict(self) -> dict[str, Any]:
        return {
            "decision": self.allowed,
            "context": {"reasons": list(self.reasons), "version": self.version,
                        "clauses": list(self.clause_ids)},
            "action": self.action.to_dict(),
            "version": self.version,
            "deciding": [c.to_dict() for c in self.deciding],
            "obligations": [o.to_dict() for o in self.obligations],
            "assumptions": list(self.assumptions),
        }


def finish(outcome: Outcome, action: Action, pinned_late: str | None = None) -> Decision:
    """A decision from a version's outcome and the state the action carries."""
    reasons = outcome.reasons
    assumptions = outcome.assumptions
    if pinned_late:
        assumptions = (pinned_late,) + assumptions
    if outcome.first_launch is None:
        return Decision(outcome.allowed, action, outcome.version, outcome.deciding, reasons,
                        outcome.obligations, assumptions)
    allowed, why, assumed = first_launch_holds(outcome.first_launch, action)
    reasons = reasons + (why,)
    assumptions = assumptions + assumed
    return Decision(allowed, action, outcome.version, outcome.deciding, reasons,
                    outcome.obligations if allowed else (), assumptions)


def first_launch_holds(rule: FirstLaunch, action: Distribute) -> tuple[bool, str, tuple]:
    """Check a first-launch term against the product's availability and the stated facts."""
    product, channel = action.product, action.channel
    term = f"{rule.clause.id}: {product} must be available on {rule.on}"
    term += (f" at least {rule.lead_days} days before" if rule.lead_days
             else " no later than") + f" its first availability on {channel}"
    if rule.unless is not None and rule.unless in action.facts:
        return True, (f"{term}, unless {rule.unless}; {rule.unless} is stated as a fact, so the "
                      f"term does not apply"), (f"{rule.unless} holds (stated as a fact)",)
    first = action.available.get(channel)
    first = action.date if first is None or first > action.date else first
    if first < rule.since:
        return True, (f"{term}; {product} was first available on {channel} on {first}, before "
                      f"the term began ({rule.since}), and the term does not reach back"), ()
    on_day = action.available.get(rule.on)
    assumed: tuple[str, ...] = ()
    if rule.unless is not None:
        assumed = (f"{rule.unless} does not hold (not stated as a fact)",)
    latest = dt.date.fromordinal(first.toordinal() - rule.lead_days)
    if on_day is None:
        return False, (f"{term} ({first}): it is not available on {rule.on}"), \
            assumed + (f"{product} has no availability on {rule.on} before {action.date} "
                       f"(none given)",)
    if on_day <= latest:
        return True, (f"{term} ({first}): available on {rule.on} since {on_day}"), assumed
    return False, (f"{term} ({first}): available on {rule.on} only from {on_day}, later than "
                   f"{latest}"), assumed

