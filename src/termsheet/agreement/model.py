"""Frozen typed records of an agreement: versions, clauses of every kind, periods, selectors.

Terms blocks are validated by these Pydantic models (``extra="forbid"``: an unknown term is a
problem, not something silently ignored). Every record that came from a document carries its
``Span``; spans, headings and prose are excluded from dumps, so ``model_dump()`` is the record's
meaning and two versions parsed from differently laid-out text compare equal on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, Union

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, model_validator
from pydantic.json_schema import SkipJsonSchema


@dataclass(frozen=True, slots=True)
class Span:
    """Where a record or a term came from: 1-based line and column."""

    path: str
    line: int
    column: int = 1

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


# ---------------------------------------------------------------------------------------------
# scalar types


def _to_fraction(value: Any) -> Any:
    """'20%' -> Decimal('0.20'); 0.2 -> Decimal('0.2'). Anything else is left to Pydantic."""
    if isinstance(value, str):
        text = value.strip().replace("_", "")
        if text.endswith("%"):
            try:
                return Decimal(text[:-1].strip()) / 100
            except ArithmeticError:
                return value
        return text
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def _to_money(value: Any) -> Any:
    if isinstance(value, str):
        return value.strip().replace("_", "").replace(",", "")
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def _percent_text(value: Decimal) -> str:
    text = format((value * 100).normalize(), "f")
    return f"{text}%"


def _money_out(value: Decimal) -> Any:
    normal = value.normalize()
    return int(normal) if normal == normal.to_integral_value() else format(normal, "f")


Fraction = Annotated[
    Decimal,
    BeforeValidator(_to_fraction),
    PlainSerializer(_percent_text, return_type=str, when_used="json"),
    Field(json_schema_extra={"examples": ["20%", 0.2]}),
]
Money = Annotated[
    Decimal,
    BeforeValidator(_to_money),
    PlainSerializer(_money_out, when_used="json"),
]

# A product or channel selector: "all"/"any", one id, a list of ids, or a mapping of attributes.
SelectorValue = Union[str, tuple[str, ...], dict[str, Any]]
EVERYTHING = frozenset({"all", "any"})


def selector_ids(selector: Any) -> tuple[str, ...]:
    """The ids a selector names outright (none for all/any or an attribute mapping)."""
    if isinstance(selector, str):
        return () if selector in EVERYTHING else (selector,)
    if isinstance(selector, (tuple, list)):
        return tuple(selector)
    return ()


def selector_matches(selector: Any, item_id: str, attributes: dict[str, Any] | None) -> bool:
    """Whether an item (a product or channel with its attributes) is chosen by a selector."""
    if selector is None:
        return True
    if isinstance(selector, str):
        return selector in EVERYTHING or selector == item_id
    if isinstance(selector, (tuple, list)):
        return item_id in selector
    attributes = attributes or {}
    if "excludes" in selector:
        if selector_matches(selector["excludes"], item_id, attributes):
            return False
        selector = {k: v for k, v in selector.items() if k != "excludes"}
    for key, wanted in selector.items():
        have = attributes.get(key)
        if isinstance(wanted, (list, tuple)):
            if have not in wanted:
                return False
        elif have != wanted:
            return False
    return True
EVENT_OR_DATE = Union[date, str]


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)


# Languages a heading or a title may be given in, beside the document's own (English) text.
LANGUAGES = ("en", "zh")
# A text in several languages: {en: ..., zh: ...}.
Localized = dict[Literal["en", "zh"], Annotated[str, Field(min_length=1)]]


def _localized(data: Any, term: str, into: str) -> Any:
    """``term: {en: ..., zh: ...}`` -> the English text in ``term`` and every language in ``into``."""
    if isinstance(data, dict) and isinstance(data.get(term), dict):
        data = dict(data)
        texts = data.pop(term)
        data[into] = texts
        if "en" in texts:
            data[term] = texts["en"]
    return data


class FirstOf(Record):
    """Whichever of several dates or events comes first."""

    first: tuple[EVENT_OR_DATE, ...] = Field(min_length=1)


Until = Union[date, FirstOf, str]


# ---------------------------------------------------------------------------------------------
# clause kinds


class ClauseBase(Record):
    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    kind: str
    from_: EVENT_OR_DATE | None = Field(None, alias="from")
    until: Until | None = None
    source: str | tuple[str, ...] | None = None
    assumed: dict[str, str] | None = None
    note: str | None = None
    # Provenance, not meaning: excluded from dumps and schema.
    span: SkipJsonSchema[Span | None] = Field(None, exclude=True)
    heading: SkipJsonSchema[str] = Field("", exclude=True)
    # The heading in other languages (``heading: {zh: ...}`` in the terms block).
    headings: SkipJsonSchema[Localized] = Field(default_factory=dict, exclude=True)
    prose: SkipJsonSchema[str] = Field("", exclude=True)
    term_spans: SkipJsonSchema[dict[str, Span]] = Field(default_factory=dict, exclude=True)

    @model_validator(mode="before")
    @classmethod
    def _headings(cls, data: Any) -> Any:
        return _localized(data, "heading", "headings")

    def heading_in(self, lang: str) -> str:
        """The heading in a language, or the document's own heading where none is given."""
        return self.headings.get(lang) or self.heading

    @property
    def sources(self) -> tuple[str, ...]:
        if self.source is None:
            return ()
        return (self.source,) if isinstance(self.source, str) else tuple(self.source)

    @property
    def party_ids(self) -> tuple[str, ...]:
        """Party ids the clause names, in the order of its terms."""
        out: list[str] = []
        for name in PARTY_TERMS:
            value = getattr(self, name.replace("-", "_"), None)
            if isinstance(value, str):
                out.append(value)
            elif isinstance(value, tuple):
                out.extend(value)
        return tuple(dict.fromkeys(out))

    def span_of(self, term: str) -> Span | None:
        return self.term_spans.get(term, self.span)


PARTY_TERMS = ("party", "payer", "payee", "licensor", "licensee", "holder", "grantor", "issuer",
               "counterparty", "parties")


class FirstLaunch(Record):
    on: str
    lead_days: int = Field(0, alias="lead-days", ge=0)
    unless: str | None = None


class Exclusivity(ClauseBase):
    kind: Literal["exclusivity"]
    party: str
    products: SelectorValue = "all"
    channels: SelectorValue
    territories: SelectorValue = "any"  # where the restriction holds (named sets, any, excludes)
    fields: SelectorValue = "any"       # the fields of use it holds in


class Distribution(ClauseBase):
    kind: Literal["distribution"]
    party: str
    products: SelectorValue = "all"
    channels: SelectorValue = "any"
    first_launch: FirstLaunch | None = Field(None, alias="first-launch")


class License(ClauseBase):
    kind: Literal["license"]
    licensor: str
    licensee: str
    subject: SelectorValue = "all"
    excludes: SelectorValue | None = None
    exclusive: bool = False
    territories: SelectorValue = "any"  # where the licence may be used (agreement.scope)
    fields: SelectorValue = "any"       # the fields of use it is for
    channels: SelectorValue = "any"     # the channels it may be used through


class RightOfFirstRefusal(ClauseBase):
    kind: Literal["right-of-first-refusal"]
    holder: str
    grantor: str
    subject: str


class Base(Record):
    """Which revenue rows a revenue share applies to."""

    seller: str | tuple[str, ...] | None = None
    channel: SelectorValue | None = None
    product: SelectorValue | None = None
    service: str | tuple[str, ...] | None = None
    charge_category: tuple[str, ...] | None = Field(None, alias="charge-category")
    cost: Literal["BilledCost", "EffectiveCost", "ListCost"] = "BilledCost"


class DatedRate(Record):
    from_: date = Field(alias="from")
    rate: Fraction


class Band(Record):
    above: Money
    rate: Fraction


class DatedBands(Record):
    from_: date = Field(alias="from")
    bands: tuple[Band, ...] = Field(min_length=1)


def _tier_window(value: Any) -> Any:
    """``life`` is another spelling of ``life-to-date``."""
    return "life-to-date" if value == "life" else value


# Where tier volumes are counted: the settlement period, a calendar unit of the contract year
# (month, quarter, year: independent of the statement period), or the clause's whole life.
TIER_WINDOWS = ("period", "month", "quarter", "year", "life-to-date")
# The columns of the input rows that tier bands may apply per group of (``tiers: {by: ...}``):
# these four by the ids they name; any other name is a column of the input, by its values.
GROUP_COLUMNS = ("seller", "channel", "product", "service")
COLUMN_NAME = r"^[A-Za-z_][A-Za-z0-9_ .-]{0,63}$"


class Tiers(Record):
    mode: Literal["marginal", "whole"] = "marginal"
    per: Annotated[Literal["period", "month", "quarter", "year", "life-to-date"],
                   BeforeValidator(_tier_window)] = "period"
    by: Annotated[str, Field(pattern=COLUMN_NAME)] | None = None
    bands: tuple[Band, ...] | None = None
    schedule: tuple[DatedBands, ...] | None = None

    def bands_on(self, day: date) -> tuple[Band, ...]:
        if self.schedule is None:
            return self.bands or ()
        current = self.schedule[0].bands
        for step in self.schedule:
            if step.from_ <= day:
                current = step.bands
        return current


class Cap(Record):
    total: Money | None = None
    per_year: Money | None = Field(None, alias="per-year")
    # Per contract quarter (counted from ``year-start``), applied before the per-year cap.
    per_quarter: Money | None = Field(None, alias="per-quarter")


class Minimum(Record):
    """A floor on what a contract year (``per-year``) or quarter (``per-quarter``) pays: at least
    one of them."""

    per_year: Money | None = Field(None, alias="per-year")
    per_quarter: Money | None = Field(None, alias="per-quarter")

    @model_validator(mode="after")
    def _one_at_least(self) -> "Minimum":
        if self.per_year is None and self.per_quarter is None:
            raise ValueError("a minimum needs 'per-year' or 'per-quarter'")
        return self


# --- royalty terms: several bases in one clause, advances (settle/advances.py) ---------------


class Part(Base):
    """One base of a clause with several (``bases:``): its own selectors, within the clause's
    ``base``, and its own rate. A row is in the first part that selects it."""

    id: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    rate: Fraction | tuple[DatedRate, ...]

    def rate_on(self, day: date) -> Decimal:
        return rate_on(self.rate, day)


def rate_on(rate: Any, day: date) -> Any:
    """The rate of a flat rate or a dated schedule on a day (None stays None)."""
    if rate is None or isinstance(rate, Decimal):
        return rate
    current = rate[0].rate
    for step in rate:
        if step.from_ <= day:
            current = step.rate
    return current


class Advance(Record):
    """An advance the payer pays on ``paid``, recouped from the royalties earned after it."""

    amount: Money
    paid: date


class RevenueShare(ClauseBase):
    kind: Literal["revenue-share"]
    payer: str
    payee: str
    base: Base = Base()
    rate: Fraction | tuple[DatedRate, ...] | None = None
    tiers: Tiers | None = None
    cap: Cap | None = None
    minimum: Minimum | None = None
    settle: Literal["month", "quarter", "year"] = "month"
    rounding: Literal["half-up", "half-even"] = "half-up"
    bases: tuple[Part, ...] | None = None  # several bases, each with its rate (no rate/tiers)
    advance: Advance | None = None
    # Counts (tier volumes, caps, minimums) carry on from the previous version's clause of the
    # same id unless the amendment says they start again here.
    reset: bool = False

    def rate_on(self, day: date) -> Decimal | None:
        """The flat rate that applies on a day (None when the clause uses tiers)."""
        return rate_on(self.rate, day)


class Equity(ClauseBase):
    kind: Literal["equity"]
    holder: str
    issuer: str
    stake: Fraction


class Commitment(ClauseBase):
    kind: Literal["commitment"]
    party: str
    counterparty: str
    amount: Money
    by: date | None = None
    subject: str | None = None  # what is bought (compute: weighed against first refusal)


class Cooperation(ClauseBase):
    kind: Literal["cooperation"]
    parties: tuple[str, ...]
    areas: tuple[str, ...] = ()


CLAUSE_KINDS: dict[str, type[ClauseBase]] = {
    "exclusivity": Exclusivity,
    "distribution": Distribution,
    "license": License,
    "right-of-first-refusal": RightOfFirstRefusal,
    "revenue-share": RevenueShare,
    "equity": Equity,
    "commitment": Commitment,
    "cooperation": Cooperation,
}

Clause = Annotated[
    Union[Exclusivity, Distribution, License, RightOfFirstRefusal, RevenueShare, Equity,
          Commitment, Cooperation],
    Field(discriminator="kind"),
]


# ---------------------------------------------------------------------------------------------
# front matter


SameAs = Annotated[str | None, Field(None, alias="same-as")]


class Party(Record):
    name: str
    aliases: tuple[str, ...] = ()
    same_as: SameAs = None  # this id names, in a portfolio, what another agreement calls same-as


class Channel(Record):
    operator: str | None = None
    name: str | None = None
    aliases: tuple[str, ...] = ()
    same_as: SameAs = None


class Product(BaseModel):
    """A product's attributes; ``owner`` and ``type`` are customary, any other attribute is free."""

    model_config = ConfigDict(frozen=True, extra="allow", populate_by_name=True)
    owner: str | None = None
    type: str | None = None
    name: str | None = None
    same_as: SameAs = None

    @property
    def attributes(self) -> dict[str, Any]:
        return {k: v for k, v in self.model_dump(by_alias=True).items()
                if v is not None and k != "same-as"}


class Territory(Record):
    """A territory, or a named set of territories (``includes``)."""

    name: str | None = None
    includes: tuple[str, ...] = ()


class Source(Record):
    title: str
    url: str | None = None
    date: Any = None
    certainty: Literal["H", "M", "L"] | None = None


def _party(value: Any) -> Any:
    return {"name": value} if isinstance(value, str) else value


def _source(value: Any) -> Any:
    return {"title": value} if isinstance(value, str) else value


def _channel(value: Any) -> Any:
    return {} if value is None else value


PartyEntry = Annotated[Party, BeforeValidator(_party)]
SourceEntry = Annotated[Source, BeforeValidator(_source)]
ChannelEntry = Annotated[Channel, BeforeValidator(_channel)]
ProductEntry = Annotated[Product, BeforeValidator(_channel)]
TerritoryEntry = Annotated[Territory, BeforeValidator(lambda v: _channel(_party(v)))]


def _version_id(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


VersionId = Annotated[str, BeforeValidator(_version_id)]


class FrontMatter(Record):
    agreement: str
    version: VersionId
    title: str
    # The title in other languages (``title: {en: ..., zh: ...}`` in the front matter).
    titles: SkipJsonSchema[Localized] = Field(default_factory=dict, exclude=True)
    effective: date
    amends: VersionId | None = None
    currency: str = Field("USD", pattern=r"^[A-Z]{3}$")
    # The first day of the contract year, MM-01 (None: 01-01, the calendar year).
    year_start: str | None = Field(None, alias="year-start", pattern=r"^(0[1-9]|1[0-2])-01$")
    parties: dict[str, PartyEntry]
    channels: dict[str, ChannelEntry] = Field(default_factory=dict)
    products: dict[str, ProductEntry] = Field(default_factory=dict)
    events: dict[str, str] = Field(default_factory=dict)
    conditions: dict[str, str] = Field(default_factory=dict)
    territories: dict[str, TerritoryEntry] = Field(default_factory=dict)
    fields: dict[str, str] = Field(default_factory=dict)
    sources: dict[str, SourceEntry] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _titles(cls, data: Any) -> Any:
        return _localized(data, "title", "titles")

    def title_in(self, lang: str) -> str:
        """The title in a language, or the document's own title where none is given."""
        return self.titles.get(lang) or self.title


class Version(FrontMatter):
    """One version of an agreement: its front matter, preamble and clauses, in document order."""

    preamble: str = ""
    clauses: tuple[Clause, ...] = ()
    span: SkipJsonSchema[Span | None] = Field(None, exclude=True)
    term_spans: SkipJsonSchema[dict[str, Span]] = Field(default_factory=dict, exclude=True)

    @property
    def year_start_month(self) -> int:
        """The month a contract year starts in (1: the calendar year)."""
        return int(self.year_start[:2]) if self.year_start else 1

    def clause(self, clause_id: str) -> ClauseBase | None:
        for clause in self.clauses:
            if clause.id == clause_id:
                return clause
        return None

    def clauses_of(self, kind: type[ClauseBase]) -> tuple:
        return tuple(c for c in self.clauses if isinstance(c, kind))

    @property
    def path(self) -> str:
        return self.span.path if self.span else "<memory>"

    # notebooks: a short repr, an HTML table of the clauses, Arrow and pandas tables of them

    def __repr__(self) -> str:
        return (f"<Version {self.agreement}@{self.version} effective {self.effective}, "
                f"{len(self.clauses)} clauses, {self.currency}>")

    def clause_rows(self) -> list[dict[str, Any]]:
        return [{"id": c.id, "kind": c.kind, "heading": c.heading,
                 "parties": list(c.party_ids),
                 "from": None if c.from_ is None else str(c.from_),
                 "until": None if c.until is None else str(c.until),
                 "source": list(c.sources)} for c in self.clauses]

    def _repr_html_(self) -> str:
        from .tables import html_table
        return html_table(self.clause_rows(), f"{self.title}: {self.agreement} version "
                                              f"{self.version}, effective {self.effective}")

    def to_arrow(self):
        from .tables import to_arrow
        return to_arrow(self.clause_rows())

    def to_pandas(self):
        from .tables import to_pandas
        return to_pandas(self.clause_rows())


# ---------------------------------------------------------------------------------------------
# periods

DATE_TEXT = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")


def looks_like_date(value: Any) -> bool:
    return isinstance(value, str) and bool(DATE_TEXT.match(value))


def resolve_start(clause: ClauseBase, effective: date, events: dict[str, date]) -> date | None:
    """First day the clause applies; None if it starts on an event that has not happened."""
    start = clause.from_
    if start is None:
        return effective
    if isinstance(start, date):
        return max(start, effective)
    happened = events.get(start)
    return None if happened is None else max(happened, effective)


def resolve_end(until: Until | None, events: dict[str, date]) -> date | None:
    """Last day (inclusive) the term runs; None: open-ended.

    A date is the last day itself ("through 2030" is 2030-12-31). An event ends the term the day
    before the event's date; an event that has no date never happens. ``first`` takes the earliest.
    """
    if until is None:
        return None
    if isinstance(until, date):
        return until
    if isinstance(until, FirstOf):
        ends = [resolve_end(item, events) for item in until.first]
        known = [d for d in ends if d is not None]
        return min(known) if known else None
    happened = events.get(until)
    return None if happened is None else shift(happened, -1)


def shift(day: date, days: int) -> date:
    """``day`` moved by ``days``, held within the dates there are (0001-01-01 to 9999-12-31):
    date arithmetic that never overflows, whatever date a request brings."""
    ordinal = min(max(day.toordinal() + days, 1), date.max.toordinal())
    return date.fromordinal(ordinal)


def ended_before_all_days(until: Until | None, events: dict[str, date]) -> bool:
    """Whether an event that ends the term happened on 0001-01-01: the term ended the day before,
    earlier than any date, so it never applies (:func:`resolve_end` can only say 0001-01-01)."""
    return any(events.get(event) == date.min for event in events_in(until))


def events_in(until: Until | None) -> tuple[str, ...]:
    """The event ids an `until` term depends on."""
    if until is None or isinstance(until, date):
        return ()
    if isinstance(until, FirstOf):
        return tuple(e for item in until.first for e in events_in(item))
    return (until,)


def clause_window(clause: ClauseBase, effective: date, end_of_version: date | None,
                  events: dict[str, date]) -> tuple[date, date | None] | None:
    """The days a clause of a version applies, clipped to the version's own window."""
    start = resolve_start(clause, effective, events)
    if start is None:
        return None
    if ended_before_all_days(clause.until, events):
        return None
    end = resolve_end(clause.until, events)
    if end_of_version is not None:
        end = end_of_version if end is None else min(end, end_of_version)
    if end is not None and end < start:
        return None
    return start, end
