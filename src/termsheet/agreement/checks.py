"""Pure checks of one version: each ``(Version) -> list[Problem]``, listed in ``CHECKS``."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any, Iterable

from .model import (
    Base, ClauseBase, Commitment, Distribution, FirstOf, RevenueShare, Span, Version,
    looks_like_date, selector_ids,
)
from .problems import Problem, known_hint

PARTY_ROLES = ("party", "payer", "payee", "licensor", "licensee", "holder", "grantor", "issuer",
               "counterparty")


def _problem(version: Version, clause: ClauseBase | None, term: str, code: str, message: str,
             hint: str | None = None) -> Problem:
    span: Span | None = None
    if clause is not None:
        span = clause.span_of(term)
    elif version.term_spans:
        span = version.term_spans.get(term)
    span = span or version.span or Span("<text>", 1, 1)
    return Problem(code, message, span.path, span.line, span.column,
                   clause.id if clause is not None else None, hint)


def check_parties(version: Version) -> list[Problem]:
    known = version.parties
    out = []
    for clause in version.clauses:
        for role in PARTY_ROLES:
            value = getattr(clause, role, None)
            if isinstance(value, str) and value not in known:
                out.append(_problem(version, clause, role, "E010",
                                    f"unknown party '{value}'", known_hint(value, known)))
        for index, value in enumerate(getattr(clause, "parties", None) or ()):
            if isinstance(clause.parties, tuple) and value not in known:
                out.append(_problem(version, clause, f"parties.{index}", "E010",
                                    f"unknown party '{value}'", known_hint(value, known)))
        base = getattr(clause, "base", None)
        if isinstance(base, Base) and base.seller is not None:
            sellers = (base.seller,) if isinstance(base.seller, str) else base.seller
            for value in sellers:
                if value not in known:
                    out.append(_problem(version, clause, "base.seller", "E010",
                                        f"unknown party '{value}' as seller",
                                        known_hint(value, known)))
    return out


def _selector_refs(selector: Any, term: str) -> Iterable[tuple[str, str]]:
    if isinstance(selector, dict) and "excludes" in selector:
        yield from _selector_refs(selector["excludes"], f"{term}.excludes")
        return
    ids = selector_ids(selector)
    if isinstance(selector, str):
        yield term, selector if ids else ""
        return
    for index, item in enumerate(ids):
        yield f"{term}.{index}", item


def _check_names(version: Version, clause: ClauseBase, term: str, selector: Any,
                 known: dict, code: str, what: str) -> list[Problem]:
    out = []
    for where, name in _selector_refs(selector, term):
        if name and name not in known:
            out.append(_problem(version, clause, where, code, f"unknown {what} '{name}'",
                                known_hint(name, known)))
    return out


def check_channels(version: Version) -> list[Problem]:
    out = []
    for clause in version.clauses:
        for term in ("channels",):
            if hasattr(clause, term):
                out += _check_names(version, clause, term, getattr(clause, term),
                                    version.channels, "E011", "channel")
        if isinstance(clause, Distribution) and clause.first_launch is not None:
            out += _check_names(version, clause, "first-launch.on", clause.first_launch.on,
                                version.channels, "E011", "channel")
        if isinstance(clause, RevenueShare) and clause.base.channel is not None:
            out += _check_names(version, clause, "base.channel", clause.base.channel,
                                version.channels, "E011", "channel")
    return out


def check_products(version: Version) -> list[Problem]:
    out = []
    for clause in version.clauses:
        for term in ("products", "subject", "excludes"):
            value = getattr(clause, term, None)
            if value is not None and not (term == "subject" and clause.kind in
                                          ("right-of-first-refusal", "commitment")):
                out += _check_names(version, clause, term, value, version.products, "E012",
                                    "product")
        if isinstance(clause, RevenueShare) and clause.base.product is not None:
            out += _check_names(version, clause, "base.product", clause.base.product,
                                version.products, "E012", "product")
    for key, product in version.products.items():
        owner = getattr(product, "owner", None)
        if owner is not None and owner not in version.parties:
            out.append(_problem(version, None, f"products.{key}.owner", "E010",
                                f"unknown party '{owner}' as owner of product '{key}'",
                                known_hint(owner, version.parties)))
    return out


def _event_refs(value: Any, term: str) -> Iterable[tuple[str, Any]]:
    if isinstance(value, FirstOf):
        for index, item in enumerate(value.first):
            yield f"{term}.first.{index}", item
    elif value is not None:
        yield term, value


def check_periods(version: Version) -> list[Problem]:
    """Events named in from/until exist, dates are real, and no term ends before it starts."""
    out = []
    for clause in version.clauses:
        for term, value in (("from", clause.from_), *_event_refs(clause.until, "until")):
            if term == "from" and value is None:
                continue
            for where, item in _event_refs(value, term):
                if isinstance(item, date):
                    continue
                if looks_like_date(item):
                    out.append(_problem(version, clause, where, "E024", f"bad date '{item}'",
                                        "write a real calendar date as YYYY-MM-DD"))
                elif item not in version.events:
                    out.append(_problem(version, clause, where, "E013",
                                        f"unknown event '{item}'",
                                        known_hint(item, version.events)))
        start = clause.from_ if isinstance(clause.from_, date) else None
        ends = [i for _, i in _event_refs(clause.until, "until") if isinstance(i, date)]
        if isinstance(clause.until, FirstOf):
            ends = [i for i in clause.until.first if isinstance(i, date)]
        for end in ends:
            if start is not None and end < start:
                out.append(_problem(version, clause, "until", "E025",
                                    f"until {end} is before from {start}"))
    return out


def check_conditions(version: Version) -> list[Problem]:
    out = []
    for clause in version.clauses:
        if isinstance(clause, Distribution) and clause.first_launch and clause.first_launch.unless:
            name = clause.first_launch.unless
            if name not in version.conditions:
                out.append(_problem(version, clause, "first-launch.unless", "E014",
                                    f"unknown condition '{name}'",
                                    known_hint(name, version.conditions)))
    return out


def check_sources(version: Version) -> list[Problem]:
    out = []
    for clause in version.clauses:
        for index, name in enumerate(clause.sources):
            where = "source" if isinstance(clause.source, str) else f"source.{index}"
            if name not in version.sources:
                out.append(_problem(version, clause, where, "E015", f"unknown source '{name}'",
                                    known_hint(name, version.sources)))
        for term, name in (clause.assumed or {}).items():
            if name not in version.sources:
                out.append(_problem(version, clause, f"assumed.{term}", "E015",
                                    f"unknown source '{name}' for assumed term '{term}'",
                                    known_hint(name, version.sources)))
    return out


def check_duplicates(version: Version) -> list[Problem]:
    counts = Counter(c.id for c in version.clauses)
    out, seen = [], set()
    for clause in version.clauses:
        if counts[clause.id] > 1:
            if clause.id in seen:
                first = next(c for c in version.clauses if c.id == clause.id)
                out.append(_problem(version, clause, "id", "E020",
                                    f"duplicate clause id '{clause.id}'",
                                    f"first used at line {first.span.line if first.span else '?'}"))
            seen.add(clause.id)
    return out


def check_money(version: Version) -> list[Problem]:
    """Rates within 0-100%, tiers ascending, caps and minimums not negative, schedules in order."""
    out = []
    for clause in version.clauses:
        if isinstance(clause, RevenueShare):
            out += _check_revenue_share(version, clause)
        elif isinstance(clause, Commitment) and clause.amount < 0:
            out.append(_problem(version, clause, "amount", "E028",
                                f"negative amount {clause.amount}"))
        stake = getattr(clause, "stake", None)
        if isinstance(stake, Decimal) and not Decimal(0) <= stake <= 1:
            out.append(_problem(version, clause, "stake", "E026",
                                f"stake {stake * 100}% is outside 0-100%"))
    return out


def _rate_problem(version, clause, term, rate) -> list[Problem]:
    if not Decimal(0) <= rate <= 1:
        return [_problem(version, clause, term, "E026", f"rate {rate * 100:f}% is outside 0-100%",
                         "write a percentage such as 20% or a fraction such as 0.2")]
    return []


def _check_revenue_share(version: Version, clause: RevenueShare) -> list[Problem]:
    out = []
    if clause.bases is not None:
        out += _check_bases(version, clause)
    elif (clause.rate is None) == (clause.tiers is None):
        out.append(_problem(version, clause, "rate", "E029",
                            "a revenue share needs exactly one of 'rate' or 'tiers'"))
    if isinstance(clause.rate, Decimal):
        out += _rate_problem(version, clause, "rate", clause.rate)
    elif isinstance(clause.rate, tuple):
        for index, step in enumerate(clause.rate):
            out += _rate_problem(version, clause, f"rate.{index}.rate", step.rate)
        out += _dates_ascending(version, clause, "rate", [s.from_ for s in clause.rate])
    quarterly = [term for term, value in (
        ("cap.per-quarter", clause.cap and clause.cap.per_quarter),
        ("minimum.per-quarter", clause.minimum and clause.minimum.per_quarter)) if value is not None]
    if quarterly and clause.settle == "year":
        out.append(_problem(version, clause, quarterly[0], "E023",
                            f"a {quarterly[0]} cannot be settled per year: one statement "
                            f"would hold four quarters",
                            "settle per month or per quarter"))
    if clause.tiers is not None:
        tiers = clause.tiers
        if (tiers.bands is None) == (tiers.schedule is None):
            out.append(_problem(version, clause, "tiers", "E021",
                                "tiers need exactly one of 'bands' or 'schedule'"))
        tables = [("tiers.bands", tiers.bands)] if tiers.bands else []
        for index, step in enumerate(tiers.schedule or ()):
            tables.append((f"tiers.schedule.{index}.bands", step.bands))
        if tiers.schedule:
            out += _dates_ascending(version, clause, "tiers.schedule",
                                    [s.from_ for s in tiers.schedule])
        months = {"month": 1, "quarter": 3, "year": 12}
        if tiers.per in months and months[tiers.per] < months[clause.settle]:
            out.append(_problem(version, clause, "tiers.per", "E023",
                                f"tiers counted per {tiers.per} cannot be settled per "
                                f"{clause.settle}: one statement would hold several counts",
                                f"count per {clause.settle} or a longer unit, or settle per "
                                f"{tiers.per}"))
        for term, bands in tables:
            for index, band in enumerate(bands):
                out += _rate_problem(version, clause, f"{term}.{index}.rate", band.rate)
                if band.above < 0:
                    out.append(_problem(version, clause, f"{term}.{index}.above", "E028",
                                        f"negative tier threshold {band.above}"))
                if index and band.above <= bands[index - 1].above:
                    out.append(_problem(version, clause, f"{term}.{index}.above", "E027",
                                        f"tier threshold {band.above} is not above the previous "
                                        f"one ({bands[index - 1].above})",
                                        "list bands in ascending order of 'above'"))
    for term, amount in (("cap.total", clause.cap and clause.cap.total),
                         ("cap.per-year", clause.cap and clause.cap.per_year),
                         ("cap.per-quarter", clause.cap and clause.cap.per_quarter),
                         ("minimum.per-year", clause.minimum and clause.minimum.per_year),
                         ("minimum.per-quarter", clause.minimum and clause.minimum.per_quarter),
                         ("advance.amount", clause.advance and clause.advance.amount)):
        if amount is not None and amount < 0:
            out.append(_problem(version, clause, term, "E028", f"negative {term} {amount}"))
    return out


def _dates_ascending(version, clause, term, dates: list[date]) -> list[Problem]:
    for index in range(1, len(dates)):
        if dates[index] <= dates[index - 1]:
            return [_problem(version, clause, f"{term}.{index}.from", "E036",
                             f"schedule step {dates[index]} does not follow "
                             f"{dates[index - 1]}", "list steps in ascending date order")]
    return []


def check_scopes(version: Version) -> list[Problem]:
    """Territories and fields named by licences and exclusivities are declared; named sets of
    territories include declared territories and do not include themselves."""
    out = []
    for clause in version.clauses:
        for term, known in (("territories", version.territories), ("fields", version.fields)):
            value = getattr(clause, term, None)
            if value is None:
                continue
            if isinstance(value, dict) and set(value) != {"excludes"}:
                out.append(_problem(version, clause, term, "E023",
                                    f"a scope is any, ids, or {{excludes: ids}}, not {value}"))
                continue
            out += _check_names(version, clause, term, value, known, "E017",
                                "territory" if term == "territories" else "field of use")
    for key, territory in version.territories.items():
        for index, name in enumerate(territory.includes):
            if name not in version.territories:
                out.append(_problem(version, None, f"territories.{key}.includes.{index}", "E017",
                                    f"unknown territory '{name}' in territory '{key}'",
                                    known_hint(name, version.territories)))
        seen, stack = set(), list(territory.includes)
        while stack:
            name = stack.pop()
            if name == key:
                out.append(_problem(version, None, f"territories.{key}", "E023",
                                    f"territory '{key}' includes itself"))
                break
            if name in seen or name not in version.territories:
                continue
            seen.add(name)
            stack.extend(version.territories[name].includes)
    return out


CHECKS = (check_parties, check_channels, check_products, check_periods, check_conditions,
          check_sources, check_duplicates, check_money, check_scopes)


# The checks that need nothing from the front matter: all that can run when it is unreadable.
LOCAL_CHECKS = (check_duplicates, check_money)


def check_version(version: Version, local_only: bool = False) -> list[Problem]:
    problems: list[Problem] = []
    for check in LOCAL_CHECKS if local_only else CHECKS:
        problems.extend(check(version))
    return problems


def _check_bases(version: Version, clause) -> list[Problem]:
    """A clause with several bases: each has its rate (no clause-level rate or tiers), distinct
    ids, rates within 0-100%, an advance not negative."""
    out = []
    if clause.rate is not None or clause.tiers is not None:
        out.append(_problem(version, clause, "bases", "E029",
                            "a revenue share with 'bases' gives each base its rate, not 'rate' "
                            "or 'tiers'"))
    if not clause.bases:
        out.append(_problem(version, clause, "bases", "E021", "'bases' lists no base"))
    seen = set()
    for index, part in enumerate(clause.bases):
        if part.id in seen:
            out.append(_problem(version, clause, f"bases.{index}.id", "E020",
                                f"two bases named '{part.id}'"))
        seen.add(part.id)
        steps = [part.rate] if not isinstance(part.rate, tuple) else [s.rate for s in part.rate]
        if any(not 0 <= r <= 1 for r in steps):
            out.append(_problem(version, clause, f"bases.{index}.rate", "E026",
                                "rate outside 0-100%"))
    return out
