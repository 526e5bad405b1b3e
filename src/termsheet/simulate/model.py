"""The records of a scenario: streams, event laws, the terms it may override."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Union

from pydantic import Field

from ..agreement.model import Fraction, Money, Record, Span, VersionId
from ..agreement.problems import Problem

# Terms of an agreement a scenario may override; the kinds of clause each applies to.
TERM_KINDS = {
    "rate": "revenue-share", "cap": "revenue-share", "cap-per-year": "revenue-share",
    "cap-per-quarter": "revenue-share", "minimum": "revenue-share",
    "minimum-per-quarter": "revenue-share", "cap-used": "revenue-share", "stake": "equity",
    "amount": "commitment",
}
FRACTION_TERMS = frozenset({"rate", "stake"})
STREAM_FIELDS = ("start", "growth", "volatility")
EVENT_FIELDS = ("per-year", "on")
TOP_LEVEL = ("discount-rate", "futures", "seed", "horizon", "first-year")

Rates = Union[Fraction, tuple[Fraction, ...]]


class RevenueRow(Record):
    """Which revenue rows a stream stands for; revenue-share bases select them."""

    seller: str
    channel: str | None = None
    product: str | None = None
    service: str | None = None


class Stream(Record):
    """A lognormal yearly path: revenue in the year before the horizon, or a value today."""

    revenue: RevenueRow | None = None
    value_of: str | None = Field(None, alias="value-of")
    start: Money
    growth: Rates = Decimal(0)
    volatility: Fraction = Decimal(0)
    note: str | None = None

    @property
    def is_revenue(self) -> bool:
        return self.revenue is not None


class EventLaw(Record):
    """When an event happens: ``per-year`` probabilities, ``on`` a fixed date, or never."""

    per_year: Rates | None = Field(None, alias="per-year")
    on: date | None = None


class Scenario(Record):
    scenario: str
    agreement: str | None = None
    versions: tuple[VersionId, ...] | None = None
    first_year: int = Field(alias="first-year", ge=1900, le=2200)
    horizon: int = Field(ge=1, le=100)
    futures: int = Field(ge=1, le=100_000_000)
    seed: int = Field(0, ge=0)
    discount_rate: Fraction = Field(alias="discount-rate")
    streams: dict[str, Stream] = Field(min_length=1)
    correlations: tuple[tuple[str, str, Decimal], ...] = ()
    events: dict[str, EventLaw] = Field(default_factory=dict)
    terms: dict[str, Any] = Field(default_factory=dict)
    note: str | None = None
    # Where each value came from (a dotted data path -> Span), and the data itself, for --set.
    spans: dict[str, Span] = Field(default_factory=dict, exclude=True)
    raw: dict[str, Any] = Field(default_factory=dict, exclude=True)

    def span(self, *path: Any) -> Span:
        """The position of the deepest known prefix of a data path."""
        parts = [str(p) for p in path]
        while parts:
            key = ".".join(parts)
            if key in self.spans:
                return self.spans[key]
            parts.pop()
        return self.spans.get("", Span("<scenario>", 1, 1))

    def problem(self, code: str, message: str, path: tuple, hint: str | None = None) -> Problem:
        where = self.span(*path)
        return Problem(code, message, where.path, where.line, where.column, None, hint)

    @property
    def revenue_streams(self) -> tuple[str, ...]:
        return tuple(k for k, s in self.streams.items() if s.is_revenue)

    def term_overrides(self, clause_id: str) -> dict[str, Decimal]:
        """The terms overridden for a clause: bare terms, then the clause's own."""
        out = {k: v for k, v in self.terms.items() if k in TERM_KINDS}
        own = self.terms.get(clause_id)
        if isinstance(own, dict):
            out.update(own)
        return out
