"""Short plain-text descriptions of clauses and periods, for tables and pages."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ..money.format import exact
from .model import (
    ClauseBase, Commitment, Cooperation, Distribution, Equity, Exclusivity, FirstOf, License,
    RevenueShare, RightOfFirstRefusal, Version,
)


def selector_text(selector: Any) -> str:
    if selector is None:
        return "-"
    if isinstance(selector, str):
        return selector
    if isinstance(selector, (tuple, list)):
        return ", ".join(selector)
    return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in selector.items()) + "}"


def _value(value: Any) -> str:
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(str(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def percent(value: Decimal) -> str:
    return f"{format((value * 100).normalize(), 'f')}%"


def money(value: Decimal, currency: str = "") -> str:
    """A term's amount as written, with its currency's code: 38,000,000,000 USD, 1.2345 KWD."""
    return f"{exact(value, currency)} {currency}".strip()


def bound_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, FirstOf):
        return "first of " + ", ".join(bound_text(v) for v in value.first)
    return f"event {value}"


def period_text(clause: ClauseBase) -> str:
    start = bound_text(clause.from_) or "effective"
    end = bound_text(clause.until) or "open"
    return f"{start} → {end}"


def key_terms(clause: ClauseBase, currency: str = "") -> str:
    """The terms that say what a clause does, in one line."""
    if isinstance(clause, Exclusivity):
        from .scope import scope_text
        return f"only {selector_text(clause.products)} on {selector_text(clause.channels)}" + \
            scope_text(clause)
    if isinstance(clause, Distribution):
        text = f"{selector_text(clause.products)} on {selector_text(clause.channels)}"
        if clause.first_launch:
            fl = clause.first_launch
            text += f"; first on {fl.on}"
            if fl.lead_days:
                text += f" by {fl.lead_days} days"
            if fl.unless:
                text += f" unless {fl.unless}"
        return text
    if isinstance(clause, License):
        text = ("exclusive " if clause.exclusive else "non-exclusive ") + \
            f"licence to {selector_text(clause.subject)}"
        if clause.excludes:
            text += f" excluding {selector_text(clause.excludes)}"
        from .scope import scope_text
        return text + scope_text(clause)
    if isinstance(clause, RightOfFirstRefusal):
        return f"first refusal on {clause.subject}"
    if isinstance(clause, RevenueShare):
        return revenue_share_text(clause, currency)
    if isinstance(clause, Equity):
        return f"{percent(clause.stake)} of {clause.issuer}"
    if isinstance(clause, Commitment):
        text = money(clause.amount, currency)
        return text + (f" by {clause.by}" if clause.by else "")
    if isinstance(clause, Cooperation):
        return ", ".join(clause.areas)
    return ""


def revenue_share_text(clause: RevenueShare, currency: str = "") -> str:
    if isinstance(clause.rate, Decimal):
        text = percent(clause.rate)
    elif clause.rate:
        text = " then ".join(f"{percent(s.rate)} from {s.from_}" for s in clause.rate)
    elif clause.tiers:
        bands = clause.tiers.bands or clause.tiers.schedule[0].bands
        text = f"{clause.tiers.mode} tiers " + ", ".join(
            f"{percent(b.rate)} above {money(b.above)}" for b in bands)
    elif clause.bases:
        text = " + ".join(f"{percent(p.rate) if isinstance(p.rate, Decimal) else 'dated rates'}"
                          f" of {p.id}" for p in clause.bases)
    else:
        text = "?"
    base = clause.base.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True)
    if base:
        text += " of " + ", ".join(f"{k} {selector_text(v)}" for k, v in base.items())
    if clause.cap and clause.cap.total is not None:
        text += f"; cap {money(clause.cap.total, currency)} total"
    if clause.cap and clause.cap.per_year is not None:
        text += f"; cap {money(clause.cap.per_year, currency)} a year"
    if clause.cap and clause.cap.per_quarter is not None:
        text += f"; cap {money(clause.cap.per_quarter, currency)} a quarter"
    if clause.minimum and clause.minimum.per_year is not None:
        text += f"; minimum {money(clause.minimum.per_year, currency)} a year"
    if clause.minimum and clause.minimum.per_quarter is not None:
        text += f"; minimum {money(clause.minimum.per_quarter, currency)} a quarter"
    if clause.advance:
        text += (f"; advance {money(clause.advance.amount, currency)} paid "
                 f"{clause.advance.paid}, recouped from royalties")
    return text


def clause_row(clause: ClauseBase, version: Version) -> dict[str, str]:
    return {
        "id": clause.id,
        "kind": clause.kind,
        "parties": ", ".join(clause.party_ids),
        "period": period_text(clause),
        "terms": key_terms(clause, version.currency),
        "source": ", ".join(clause.sources) + (" (assumed)" if clause.assumed else ""),
    }
