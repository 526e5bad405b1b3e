"""A version's money clauses compiled for the simulation: which streams, which months, what rate.

Each version is applied as if it governed the whole horizon: its effective date is ignored and
every clause runs from the horizon's first day unless its own ``from`` says later. Revenue arrives
in one row per stream and month, dated the month's first day, and a clause counts a month's row
when that day falls inside the clause's window (the window of
:func:`termsheet.model.clause_window`: an ``until`` date is the last day counted, an ``until``
event ends the term the day before the event). Windows are kept in days, counted from the
horizon's first day, because a minimum is prorated to the days a term is in force.

The scenario's ``terms`` override a clause's assumed terms: a bare term (``cap``) applies to every
clause that has that term, a ``clause: {term: value}`` mapping to that clause only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Mapping

import numpy as np

from ..agreement.model import (GROUP_COLUMNS, Commitment, Equity, FirstOf, RevenueShare, Tiers,
                               Version)
from ..money.compile import part_selection, selection
from ..agreement.problems import TermsheetError
from .paths import calendar, day_offset
from .model import Scenario


@dataclass(frozen=True)
class Bound:
    """A day (from the horizon's first): the least of a constant and some events' days."""

    const: int
    events: tuple[str, ...] = ()

    def resolve(self, events: Mapping[str, np.ndarray]) -> int | np.ndarray:
        value: Any = self.const
        for name in self.events:
            value = np.minimum(value, events[name]) if name in events else value
        return value


@dataclass(frozen=True)
class SharePlan:
    clause: str
    payer: str
    payee: str
    streams: tuple[str, ...]
    start: Bound                          # first day of the window
    end: Bound                            # the day after the window
    month_rates: np.ndarray | None        # (M,) flat rate of each month; None: tiers
    tiers: Tiers | None
    settle: str
    cap_total: float | None = None
    cap_per_year: float | None = None
    minimum: float | None = None
    cap_used: float = 0.0
    cap_per_quarter: float | None = None
    minimum_per_quarter: float | None = None
    start_month: int = 1                  # the month the contract year starts in (year-start)
    ends_with_horizon: bool = False       # an ``until`` on the horizon's last day: the clause ends
    groups: tuple[tuple[str, ...], ...] = ()   # tiers by a column: the streams of each group
    # several bases (``bases:``): each base's streams and the flat rate of each month
    parts: tuple[tuple[tuple[str, ...], np.ndarray], ...] = ()
    # an advance (``advance: {amount, paid}``): the amount and the month it is paid in (from the
    # horizon's first, 0-based; negative before the horizon)
    advance: tuple[float, int] | None = None


@dataclass(frozen=True)
class EquityPlan:
    clause: str
    holder: str
    issuer: str
    stake: float
    end: Bound


@dataclass(frozen=True)
class CommitmentPlan:
    clause: str
    party: str
    counterparty: str
    yearly: np.ndarray                    # (Y,) spend in each year of the horizon


@dataclass(frozen=True)
class Plan:
    version: str
    parties: tuple[str, ...]
    shares: tuple[SharePlan, ...]
    equity: tuple[EquityPlan, ...]
    commitments: tuple[CommitmentPlan, ...]
    notes: tuple[str, ...] = field(default=())


def first_day(month: int, first_year: int) -> date:
    return date(first_year + month // 12, month % 12 + 1, 1)


def start_bound(value: Any, first_year: int, after: int) -> Bound:
    """The window's first day (``after``: the day after the horizon)."""
    if value is None:
        return Bound(0)
    if isinstance(value, date):
        return Bound(max(day_offset(value, first_year), 0))
    return Bound(after, (value,))        # starts on the event: never, unless it happens


def end_bound(until: Any, first_year: int, after: int) -> Bound:
    """The day after the window: the day after an ``until`` date, or an event's day."""
    if until is None:
        return Bound(after)
    if isinstance(until, date):
        return Bound(min(day_offset(until, first_year) + 1, after))
    if isinstance(until, FirstOf):
        parts = [end_bound(item, first_year, after) for item in until.first]
        return Bound(min(p.const for p in parts), tuple(e for p in parts for e in p.events))
    return Bound(after, (until,))


def base_streams(clause: RevenueShare, version: Version, scenario: Scenario) -> tuple[str, ...]:
    """The revenue streams whose rows a revenue share's base selects (the selection settlement
    uses: :func:`termsheet.money.compile.selection`)."""
    chosen = selection(clause, version)
    return tuple(name for name, stream in scenario.streams.items()
                 if stream.revenue is not None and chosen.selects(
                     stream.revenue.seller, stream.revenue.channel, stream.revenue.product,
                     stream.revenue.service))


def compile_version(version: Version, scenario: Scenario,
                    scales: Mapping[str, float] | None = None) -> Plan:
    """The plan of one version under a scenario (``scales``: ``clause.term`` -> factor)."""
    scales = scales or {}
    after = int(calendar(scenario.first_year, scenario.horizon)[0][-1])
    shares, equity, commitments, notes = [], [], [], []
    for clause in version.clauses:
        terms = _terms(scenario, clause, scales)
        if isinstance(clause, RevenueShare):
            shares.append(_share(clause, version, scenario, terms, after))
            if not shares[-1].streams:
                notes.append(f"{version.version}: no stream of the scenario is in the base of "
                             f"'{clause.id}'; it pays nothing")
        elif isinstance(clause, Equity):
            stake = terms.get("stake", clause.stake)
            equity.append(EquityPlan(clause.id, clause.holder, clause.issuer, float(stake),
                                     end_bound(clause.until, scenario.first_year, after)))
        elif isinstance(clause, Commitment):
            amount = terms.get("amount", clause.amount)
            commitments.append(CommitmentPlan(clause.id, clause.party, clause.counterparty,
                                              _spend(clause, float(amount), scenario)))
    return Plan(version.version, tuple(version.parties), tuple(shares), tuple(equity),
                tuple(commitments), tuple(notes))


@dataclass(frozen=True)
class Scaled:
    """An override that multiplies every step of a dated schedule (a sensitivity's factor)."""

    factor: float


def _terms(scenario: Scenario, clause: Any, scales: Mapping[str, float]) -> dict[str, Any]:
    """The overridden terms of a clause, each scaled by its sensitivity factor if any."""
    own = scenario.terms.get(clause.id) if isinstance(scenario.terms.get(clause.id), dict) else {}
    out: dict[str, Any] = {}
    for term, value in scenario.term_overrides(clause.id).items():
        if term in own or _has(clause, term):
            out[term] = value
    if isinstance(clause, RevenueShare) and "rate" in own and clause.bases:
        raise TermsheetError([scenario.problem(
            "E071", f"clause '{clause.id}' has several bases, each with its rate; a rate cannot "
            "override them", ("terms", clause.id, "rate"),
            "override its caps, minimums or cap-used")])
    if isinstance(clause, RevenueShare) and "rate" in own and clause.tiers is not None:
        raise TermsheetError([scenario.problem(
            "E071", f"clause '{clause.id}' uses tiers; a rate cannot override them",
            ("terms", clause.id, "rate"), "override its caps, minimums or cap-used")])
    for key, factor in scales.items():
        owner, _, term = key.rpartition(".")
        if owner == clause.id:
            base = out.get(term, _current(clause, term))
            if base is not None:
                if term == "rate" and not isinstance(base, Decimal):
                    out[term] = Scaled(factor)      # a dated schedule: every step scaled
                else:
                    moved = Decimal(str(float(base) * factor))
                    out[term] = min(moved, Decimal(1)) if term in ("rate", "stake") else moved
    return out


def _has(clause: Any, term: str) -> bool:
    """Whether a bare override applies: the clause has that term (or any flat rate)."""
    if term == "rate":
        return isinstance(clause, RevenueShare) and clause.rate is not None
    if term in ("cap", "cap-used"):
        return isinstance(clause, RevenueShare) and clause.cap is not None \
            and clause.cap.total is not None
    return _current(clause, term) is not None


def _current(clause: Any, term: str) -> Any:
    if term == "rate":
        return getattr(clause, "rate", None)
    if term == "cap":
        return clause.cap.total if getattr(clause, "cap", None) else None
    if term == "cap-per-year":
        return clause.cap.per_year if getattr(clause, "cap", None) else None
    if term == "cap-per-quarter":
        return clause.cap.per_quarter if getattr(clause, "cap", None) else None
    if term == "minimum":
        return clause.minimum.per_year if getattr(clause, "minimum", None) else None
    if term == "minimum-per-quarter":
        return clause.minimum.per_quarter if getattr(clause, "minimum", None) else None
    return getattr(clause, term.replace("-", "_"), None)


def _share(clause: RevenueShare, version: Version, scenario: Scenario, terms: dict,
           after: int) -> SharePlan:
    first_year = scenario.first_year
    months = 12 * scenario.horizon
    rates = None
    streams = base_streams(clause, version, scenario)
    parts = _parts(clause, version, scenario, streams, months) if clause.bases else ()
    if clause.tiers is None and not clause.bases:
        override = terms.get("rate")
        if isinstance(override, Decimal):
            rates = np.full(months, float(override))
        else:
            rates = np.array([float(clause.rate_on(first_day(m, first_year)))
                              for m in range(months)])
            if isinstance(override, Scaled):
                rates = rates * override.factor
    cap, minimum = clause.cap, clause.minimum
    return SharePlan(
        clause=clause.id, payer=clause.payer, payee=clause.payee, streams=streams,
        groups=_groups(clause, scenario, streams),
        start=start_bound(clause.from_, first_year, after),
        end=end_bound(clause.until, first_year, after),
        month_rates=rates, tiers=clause.tiers, settle=clause.settle,
        cap_total=_float(terms.get("cap", cap.total if cap else None)),
        cap_per_year=_float(terms.get("cap-per-year", cap.per_year if cap else None)),
        minimum=_float(terms.get("minimum", minimum.per_year if minimum else None)),
        cap_used=float(terms.get("cap-used", 0)), parts=parts,
        advance=_advance(clause, first_year),
        cap_per_quarter=_float(terms.get("cap-per-quarter", cap.per_quarter if cap else None)),
        minimum_per_quarter=_float(terms.get("minimum-per-quarter",
                                             minimum.per_quarter if minimum else None)),
        start_month=version.year_start_month,
        ends_with_horizon=_ends_on(clause.until, date(first_year + scenario.horizon - 1, 12, 31)))


def _ends_on(until: Any, day: date) -> bool:
    """Whether an ``until`` names that date (itself or among the first of several ends)."""
    if isinstance(until, FirstOf):
        return any(_ends_on(item, day) for item in until.first)
    return until == day


def _advance(clause: RevenueShare, first_year: int) -> tuple[float, int] | None:
    """The advance: its amount and the month it is paid in, counted from the horizon's first
    (the engine credits against it the earnings of the settlement period holding that month and
    of every later one, as settlement does)."""
    if clause.advance is None:
        return None
    paid = clause.advance.paid
    return float(clause.advance.amount), 12 * (paid.year - first_year) + paid.month - 1


def _parts(clause: RevenueShare, version: Version, scenario: Scenario, streams: tuple[str, ...],
           months: int) -> tuple[tuple[tuple[str, ...], np.ndarray], ...]:
    """A clause with several bases: each stream of the clause's base in the first base that
    selects it (as settlement places a row), valued at that base's rate of each month."""
    chosen = [part_selection(clause, part, version) for part in clause.bases or ()]
    placed: list[list[str]] = [[] for _ in chosen]
    for name in streams:
        row = scenario.streams[name].revenue
        index = next((i for i, sel in enumerate(chosen) if sel.selects(
            row.seller, row.channel, row.product, row.service)), None)
        if index is not None:
            placed[index].append(name)
    first_year = scenario.first_year
    return tuple((tuple(names), np.array([float(part.rate_on(first_day(m, first_year)))
                                          for m in range(months)]))
                 for names, part in zip(placed, clause.bases or ()))


def _groups(clause: RevenueShare, scenario: Scenario,
            streams: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """With ``tiers.by``: the streams grouped by that attribute of their rows (seller, channel,
    product, service); by any other column (a customer, a region), each stream is a group of its
    own: a stream stands for one value of it."""
    by = clause.tiers.by if clause.tiers is not None else None
    if by is None:
        return ()
    if by not in GROUP_COLUMNS:
        return tuple((name,) for name in streams)
    groups: dict[Any, list[str]] = {}
    for name in streams:
        groups.setdefault(getattr(scenario.streams[name].revenue, by, None), []).append(name)
    return tuple(tuple(names) for names in groups.values())


def _float(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def _spend(clause: Commitment, amount: float, scenario: Scenario) -> np.ndarray:
    """A commitment spread evenly over its months, from its start to ``by`` (else the horizon's
    end); only the months inside the horizon are returned."""
    months = 12 * scenario.horizon
    first_day_of = start_bound(clause.from_, scenario.first_year, 0).const
    start = int(np.searchsorted(calendar(scenario.first_year, scenario.horizon)[0], first_day_of))
    if clause.by is None:
        end = months
        span = end - start
    else:
        last = (clause.by.year - scenario.first_year) * 12 + clause.by.month
        span = last - start
        end = min(max(last, start), months)
    monthly = np.zeros(months)
    if span > 0:
        monthly[start:end] = amount / span
    return monthly.reshape(scenario.horizon, 12).sum(axis=1)
