"""A revenue-share clause compiled once for every engine: the rows its base selects, the contract
calendar its counts run on, and the order in which its money rules combine.

Settlement (Ibis, ``settle/lines.py``), the simulation (NumPy, ``simulate/engine.py``) and the
plain reference (``simulate/reference.py``) all take these from here, so they cannot drift.

**Selection.** A row is in a clause's base when its seller, channel, product, service and charge
category are each chosen by the base's selector. A selector that is absent (or ``all``/``any``)
chooses everything, a row without a value included; a selector that names ids or attributes
chooses only rows whose value it names: a row with no channel is not in a base that names
channels, and every selector is checked (a row without a channel is still checked for its
product).

**Contract years.** ``year-start: MM-01`` in the front matter (default ``01-01``) starts the
contract year; quarters are the contract year's quarters, and a settlement period of a quarter or
a year follows them. A year is named by the calendar year it starts in.

**Chains.** The clauses with the same id (payer, payee and currency) in successive versions form
one chain: counts that run over a quarter, a year or the clause's life (tier volumes, per-quarter
and per-year caps, minimums, the total cap) carry on across an amendment, unless the amending
clause says ``reset: true``, which starts a new chain on its first day.

**Rule order**, for one chain, slices in order of (period, version, rate segment):

1. ``due``: the rate, or the tiers. Tier volumes are counted per group (``tiers.by``) inside the
   tier window (``tiers.per``: the settlement period, the contract month, quarter or year, or the
   chain's life); marginal bands split the volume at each ``above`` (a volume exactly at
   ``above`` is all in the band below; what is beyond it is in the band), whole-volume bands take
   the rate of the highest band whose ``above`` the window's volume through the period's end has
   reached (exactly at ``above`` is in the band) for the whole of the period's base;
2. the per-quarter cap on what is due within the contract quarter;
3. at the contract quarter's end (or the chain's end, if earlier) a true-up to the quarterly
   minimum: each version's ``minimum.per-quarter`` weighted by the days it is in force in that
   quarter, less what the quarter paid after step 2, within what the per-quarter cap leaves;
4. the per-year cap on what steps 2 and 3 pay within the contract year (quarterly true-ups
   included, in order);
5. at the contract year's end (or the chain's end, if earlier) a true-up to the minimum: each
   version's ``minimum.per-year`` weighted by the days it is in force in that year, less what the
   year paid (its quarterly true-ups included), within what the per-year cap leaves (the
   per-quarter cap does not limit it);
6. the total cap over the chain's payments in order.

Per-quarter caps and minimums need statements of a month or a quarter (a check says so).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Callable, Iterable, Sequence, TypeVar

from ..agreement.model import Base, RevenueShare, Version, selector_matches

# The charge categories a base selects unless it names its own (FOCUS values, lower case).
DEFAULT_CATEGORIES = frozenset({"usage", "purchase", "credit", "adjustment"})
RULE_ORDER = ("due", "cap per quarter", "quarterly minimum true-up", "cap per year",
              "minimum true-up", "total cap")
UNIT_MONTHS = {"month": 1, "quarter": 3, "year": 12}


# ---------------------------------------------------------------------------------------------
# selection


@dataclass(frozen=True, slots=True)
class Selection:
    """The ids a base chooses, per attribute; None: no restriction."""

    sellers: frozenset[str] | None
    channels: frozenset[str] | None
    products: frozenset[str] | None
    services: frozenset[str] | None
    categories: frozenset[str]

    def selects(self, seller: str | None, channel: str | None = None,
                product: str | None = None, service: str | None = None,
                category: str | None = "usage") -> bool:
        """Whether a row with these ids is in the base (a missing id is chosen only by no
        restriction). Every attribute is checked."""
        service = service.strip().lower() if service else None
        category = (category or "usage").strip().lower()
        for allowed, value in ((self.sellers, seller), (self.channels, channel),
                               (self.products, product), (self.services, service)):
            if allowed is not None and value not in allowed:
                return False
        return category in self.categories


def selection(clause: RevenueShare, version: Version) -> Selection:
    base = clause.base
    return Selection(
        sellers=_ids(base.seller),
        channels=_select(base.channel, {k: v.model_dump() for k, v in version.channels.items()}),
        products=_select(base.product, {k: v.attributes for k, v in version.products.items()}),
        services=_lower(base.service),
        categories=frozenset(c.lower() for c in base.charge_category)
        if base.charge_category else DEFAULT_CATEGORIES)


def part_selection(clause: RevenueShare, part: Any, version: Version) -> Selection:
    """The rows one of a clause's several bases (``bases:``) chooses: its own selectors (the
    clause's charge categories unless it names its own); the clause's ``base`` applies as well.
    A row is in the first base that selects it (settlement and the simulation alike)."""
    fields = part.model_dump(by_alias=True, exclude={"id", "rate"}, exclude_none=True)
    if "charge-category" not in fields and clause.base.charge_category:
        fields["charge-category"] = clause.base.charge_category
    return selection(clause.model_copy(update={"base": Base(**fields)}), version)


def _ids(value: str | tuple[str, ...] | None) -> frozenset[str] | None:
    if value is None:
        return None
    return frozenset((value,) if isinstance(value, str) else value)


def _lower(value: str | tuple[str, ...] | None) -> frozenset[str] | None:
    ids = _ids(value)
    return None if ids is None else frozenset(v.strip().lower() for v in ids)


def _select(selector: Any, catalogue: dict[str, dict]) -> frozenset[str] | None:
    """The ids a product or channel selector chooses (None: no restriction)."""
    if selector is None or (isinstance(selector, str) and selector in ("all", "any")):
        return None
    if isinstance(selector, (str, tuple, list)):
        return _ids(tuple(selector) if not isinstance(selector, str) else selector)
    return frozenset(k for k, attrs in catalogue.items() if selector_matches(selector, k, attrs))


# ---------------------------------------------------------------------------------------------
# the contract calendar


def contract_year(day: date, start_month: int = 1) -> int:
    """The contract year of a day, named by the calendar year it starts in."""
    return day.year if day.month >= start_month else day.year - 1


def year_first(year: int, start_month: int = 1) -> date:
    return date(year, start_month, 1)


def year_last(year: int, start_month: int = 1) -> date:
    return date(year + 1, start_month, 1) - timedelta(days=1) if start_month > 1 \
        else date(year, 12, 31)


def year_label(year: int, start_month: int = 1) -> str:
    if start_month == 1:
        return str(year)
    return f"{year_first(year, start_month)} to {year_last(year, start_month)}"


def period_start(day: date, unit: str, start_month: int = 1) -> date:
    """The first day of the month, contract quarter or contract year holding a day."""
    length = UNIT_MONTHS[unit]
    back = (day.month - start_month) % 12 % length
    month, year = day.month - back, day.year
    if month < 1:
        month, year = month + 12, year - 1
    return date(year, month, 1)


def period_end(start: date, unit: str) -> date:
    month = start.month - 1 + UNIT_MONTHS[unit]
    following = date(start.year + month // 12, month % 12 + 1, 1)
    return following - timedelta(days=1)


# ---------------------------------------------------------------------------------------------
# chains and minimums

T = TypeVar("T")


def chains(items: Iterable[T], clause_of: Callable[[T], RevenueShare],
           currency_of: Callable[[T], str]) -> list[list[T]]:
    """Items (a clause as written in one version, in version order) grouped into chains: the same
    clause id, payer, payee and currency carries on; ``reset: true`` starts a new chain."""
    out: list[list[T]] = []
    current: dict[tuple, list[T]] = {}
    for item in items:
        clause = clause_of(item)
        key = (clause.id, clause.payer, clause.payee, currency_of(item))
        if key in current and not clause.reset:
            current[key].append(item)
        else:
            current[key] = [item]
            out.append(current[key])
    return out


def quarter_first(year: int, quarter: int, start_month: int = 1) -> date:
    """The first day of a contract year's quarter (0 to 3)."""
    month = start_month - 1 + 3 * quarter
    return date(year + month // 12, month % 12 + 1, 1)


def quarter_last(year: int, quarter: int, start_month: int = 1) -> date:
    return period_end(quarter_first(year, quarter, start_month), "quarter")


def contract_quarter(day: date, start_month: int = 1) -> tuple[int, int]:
    """(contract year, quarter 0 to 3) of a day."""
    return contract_year(day, start_month), (day.month - start_month) % 12 // 3


def quarter_label(year: int, quarter: int, start_month: int = 1) -> str:
    if start_month == 1:
        return f"{year}-Q{quarter + 1}"
    return f"{quarter_first(year, quarter, start_month)} to {quarter_last(year, quarter, start_month)}"


def days_in_year(spans: Sequence[tuple[date, date | None]], year: int,
                 start_month: int = 1) -> list[int]:
    """Days of each (first, last) span inside a contract year."""
    return days_in(spans, year_first(year, start_month), year_last(year, start_month))


def days_in(spans: Sequence[tuple[date, date | None]], first: date, last: date) -> list[int]:
    """Days of each (first, last) span inside [first, last]."""
    return [max((min(end or last, last) - max(start, first)).days + 1, 0)
            for start, end in spans]


def weighted_minimum(parts: Sequence[tuple[date, date | None, Decimal | None]], first: date,
                     last: date) -> Decimal | None:
    """The minimum of a window [first, last] over a chain: each version's minimum weighted by the
    days it is in force in the window (the whole minimum when one minimum covers it). None when
    no version with a minimum is in force in the window."""
    days = days_in([(a, b) for a, b, _ in parts], first, last)
    weighted = [(d, m) for d, (_, _, m) in zip(days, parts) if m is not None and d > 0]
    if not weighted:
        return None
    in_window = (last - first).days + 1
    return sum((m * d for d, m in weighted), Decimal(0)) / in_window


def chain_minimum(parts: Sequence[tuple[date, date | None, Decimal | None]], year: int,
                  start_month: int = 1) -> Decimal | None:
    """A contract year's minimum over a chain (see ``weighted_minimum``)."""
    return weighted_minimum(parts, year_first(year, start_month), year_last(year, start_month))


def chain_quarter_minimum(parts: Sequence[tuple[date, date | None, Decimal | None]], year: int,
                          quarter: int, start_month: int = 1) -> Decimal | None:
    """A contract quarter's minimum over a chain (see ``weighted_minimum``)."""
    return weighted_minimum(parts, quarter_first(year, quarter, start_month),
                            quarter_last(year, quarter, start_month))


# ---------------------------------------------------------------------------------------------
# an amended agreement as one version (for the simulation)


def fold(history: Any) -> Version:
    """The history as amended, as one version the simulation can run: each chain of revenue
    shares becomes one clause whose rate (or bands) follow the versions in force, dated from each
    version's effective date, running from the chain's first day to its last version's end. A
    chain whose versions change anything but the rate or the bands (its caps, minimum, base,
    tier window) cannot be folded: a TermsheetError (E023) says which. Other clauses are the
    latest version's."""
    from ..agreement.model import DatedBands, DatedRate, FirstOf
    from ..agreement.problems import Problem, TermsheetError

    terms = []
    for version, first, end in history.windows():
        for clause in version.clauses_of(RevenueShare):
            start = first if clause.from_ is None else clause.from_
            if not isinstance(start, date):
                raise TermsheetError([Problem(
                    "E023", f"'{clause.id}' of {version.version} starts on an event; the "
                    f"amended agreement cannot be folded into one version", version.path)])
            terms.append((version, clause, max(start, first), end))
    folded = []
    for chain in chains(terms, lambda t: t[1], lambda t: t[0].currency):
        last_version, last, _, _ = chain[-1]
        same = ("payer", "payee", "base", "cap", "minimum", "settle", "rounding")
        for version, clause, _, _ in chain:
            changed = [n for n in same if getattr(clause, n) != getattr(last, n)]
            if (clause.tiers is None) != (last.tiers is None) or (
                    clause.tiers is not None and (clause.tiers.mode, clause.tiers.per,
                                                  clause.tiers.by) != (
                        last.tiers.mode, last.tiers.per, last.tiers.by)):
                changed.append("tiers")
            if changed:
                raise TermsheetError([Problem(
                    "E023", f"'{clause.id}' changes {', '.join(changed)} between {version.version} "
                    f"and {last_version.version}; only rates and bands can be folded into one "
                    f"version", version.path)])
        steps = [(start, clause) for _, clause, start, _ in chain]
        update: dict[str, Any] = {"from_": steps[0][0], "reset": False}
        ends = chain[-1][3]                 # the last version's window ends (a later version)
        if ends is not None:
            until = last.until
            update["until"] = ends if until is None else min(until, ends) \
                if isinstance(until, date) else FirstOf(first=(until, ends))
        if any(c.id == last.id for c in folded):   # a reset: the chain after it, its own clause
            update["id"] = f"{last.id}@{chain[0][0].version}"
        if last.tiers is None:
            update["rate"] = tuple(DatedRate(**{"from": day, "rate": rate}) for day, rate in
                                   _dated(steps, lambda c, d: c.rate_on(d), _rate_days))
        else:
            bands = tuple(DatedBands(**{"from": day, "bands": value}) for day, value in
                          _dated(steps, lambda c, d: c.tiers.bands_on(d), _band_days))
            update["tiers"] = last.tiers.model_copy(update={"bands": None, "schedule": bands})
        folded.append(last.model_copy(update=update))
    latest = history.versions[-1]
    others = tuple(c for c in latest.clauses if not isinstance(c, RevenueShare))
    return latest.model_copy(update={"version": "as amended", "clauses": (*folded, *others)})


def _rate_days(clause: RevenueShare) -> list[date]:
    return [s.from_ for s in clause.rate] if isinstance(clause.rate, tuple) else []


def _band_days(clause: RevenueShare) -> list[date]:
    return [s.from_ for s in clause.tiers.schedule or ()]


def _dated(steps: list[tuple[date, RevenueShare]], value_on: Callable, days_of: Callable
           ) -> list[tuple[date, Any]]:
    """The (day, value) steps of a chain: each version's value from its first day, and its own
    schedule's steps inside its days."""
    out: list[tuple[date, Any]] = []
    for index, (start, clause) in enumerate(steps):
        end = steps[index + 1][0] if index + 1 < len(steps) else None
        for day in [start, *(d for d in days_of(clause) if d > start and (end is None or d < end))]:
            value = value_on(clause, day)
            if not out or out[-1][1] != value:
                out.append((day, value))
    return out
