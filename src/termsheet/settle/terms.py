"""From a history to the terms a settlement runs: each revenue-share clause of each version, the
days it applies, its rate segments, and its selectors resolved to sets of ids.

A *term* is one revenue-share clause as written in one version, over the days that version is in
force (clipped by the clause's own ``from``/``until`` and the scenario's events). Terms of the same
clause in successive versions form a chain (``termsheet.money.compile``): counts that run over a
year or the clause's life carry on across an amendment unless it says ``reset: true``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from ..agreement.describe import percent
from ..agreement.history import History
from ..agreement.model import Band, RevenueShare, Version, clause_window
from ..money.compile import DEFAULT_CATEGORIES, Selection, part_selection, selection

__all__ = ["DEFAULT_CATEGORIES", "Term", "Segment", "Vocabulary", "terms_of", "vocabulary"]


def slug(text: str) -> str:
    """'Azure OpenAI Service' -> 'azure-openai-service': how a billing name meets a product id."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Billing names (lower case) -> ids, over every version of the agreement."""

    parties: dict[str, str]
    channels: dict[str, str]
    products: dict[str, str]
    currencies: frozenset[str]


def vocabulary(history: History) -> Vocabulary:
    parties: dict[str, str] = {}
    channels: dict[str, str] = {}
    products: dict[str, str] = {}
    for version in history.versions:
        for pid, party in version.parties.items():
            _names(parties, pid, [pid, party.name, *party.aliases])
        for cid, channel in version.channels.items():
            _names(channels, cid, [cid, channel.name, *channel.aliases])
        for pid, product in version.products.items():
            extra = product.attributes.get("aliases") or ()
            extra = [extra] if isinstance(extra, str) else list(extra)
            _names(products, pid, [pid, product.name, *extra])
    return Vocabulary(parties, channels, products,
                      frozenset(v.currency for v in history.versions))


def _names(into: dict[str, str], item_id: str, names: list) -> None:
    for name in names:
        if name:
            into.setdefault(str(name).strip().lower(), item_id)
            into.setdefault(slug(str(name)), item_id)


@dataclass(frozen=True, slots=True)
class Segment:
    """Days of a term over which one rate (or one set of bands) applies."""

    start: date
    rate: Decimal | None
    bands: tuple[Band, ...] | None
    part: int | None = None  # the base it belongs to, in a clause with several

    def describe(self) -> str:
        if self.rate is not None:
            return percent(self.rate)
        return " / ".join(f"{percent(b.rate)} above {b.above:,}" for b in self.bands or ())


@dataclass(frozen=True, slots=True)
class Term:
    index: int
    version: Version
    clause: RevenueShare
    start: date
    end: date | None
    segments: tuple[Segment, ...]
    sellers: frozenset[str] | None
    channels: frozenset[str] | None
    products: frozenset[str] | None
    services: frozenset[str] | None
    categories: frozenset[str]
    parts: tuple[Selection, ...] = ()  # a clause with several bases: each base's rows

    @property
    def key(self) -> str:
        """Stable across runs: agreement, version and clause."""
        return f"{self.version.agreement}/{self.version.version}/{self.clause.id}"

    @property
    def currency(self) -> str:
        return self.version.currency

    @property
    def start_month(self) -> int:
        """The month the contract year starts in."""
        return self.version.year_start_month

    def segment_on(self, day: date) -> int:
        index = 0
        for number, segment in enumerate(self.segments):
            if segment.start <= day:
                index = number
        return index


def terms_of(history: History, events: dict[str, date] | None = None,
             start: date | None = None, end: date | None = None) -> list[Term]:
    """Every revenue-share term of a history that overlaps [start, end]."""
    events = events or {}
    terms: list[Term] = []
    for version, _, version_end in history.windows():
        for clause in version.clauses_of(RevenueShare):
            window = clause_window(clause, version.effective, version_end, events)
            if window is None or not _overlaps(window, start, end):
                continue
            terms.append(_term(len(terms), version, clause, *window))
    return terms


def _overlaps(window: tuple[date, date | None], start: date | None, end: date | None) -> bool:
    first, last = window
    return (start is None or last is None or last >= start) and (end is None or first <= end)


def _term(index: int, version: Version, clause: RevenueShare, start: date,
          end: date | None) -> Term:
    chosen = selection(clause, version)
    return Term(
        index=index, version=version, clause=clause, start=start, end=end,
        segments=segments(clause, start, end), sellers=chosen.sellers, channels=chosen.channels,
        products=chosen.products, services=chosen.services, categories=_categories(clause),
        parts=tuple(part_selection(clause, part, version) for part in clause.bases or ()))


def _categories(clause: RevenueShare) -> frozenset[str]:
    """The clause's charge categories; a clause with several bases also takes those its bases
    name (each base then keeps to its own)."""
    base = clause.base
    out = frozenset(c.lower() for c in base.charge_category) if base.charge_category \
        else DEFAULT_CATEGORIES
    for part in clause.bases or ():
        if part.charge_category and not base.charge_category:
            out |= {c.lower() for c in part.charge_category}
    return out


def segments(clause: RevenueShare, start: date, end: date | None) -> tuple[Segment, ...]:
    """Split [start, end] where the rate schedule or the tier schedule changes (for a clause
    with several bases: each base's rate steps, base after base)."""
    if clause.bases:
        out = []
        for index, part in enumerate(clause.bases):
            steps = {s.from_ for s in part.rate} if isinstance(part.rate, tuple) else set()
            days = [start] + sorted(d for d in steps if d > start and (end is None or d <= end))
            out += [Segment(day, part.rate_on(day), None, index) for day in days]
        return tuple(out)
    changes = set()
    if isinstance(clause.rate, tuple):
        changes |= {step.from_ for step in clause.rate}
    if clause.tiers is not None and clause.tiers.schedule:
        changes |= {step.from_ for step in clause.tiers.schedule}
    days = [start] + sorted(d for d in changes if d > start and (end is None or d <= end))
    return tuple(Segment(day, clause.rate_on(day),
                         clause.tiers.bands_on(day) if clause.tiers else None) for day in days)
