"""Phrases for the values of terms, in English and Simplified Chinese.

A phrasebook renders one value (a selector, a period, an amount, a revenue base, ...) as words
that fit the sentence templates in ``sentences.py``; it reads names and descriptions from the
version the value belongs to.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from .glossary import ATTRIBUTES, LABELS, TERMS, TYPES, label
from .model import EVERYTHING, Base, Cap, FirstLaunch, FirstOf, Minimum, Tiers, Version

BILLION, HUNDRED_MILLION, MILLION, TEN_THOUSAND = (Decimal(10) ** n for n in (9, 8, 6, 4))


class Phrases:
    """What both languages share; subclasses say it in their language."""

    lang = ""

    def __init__(self, version: Version):
        self.version = version

    # names ------------------------------------------------------------------------------------

    def short_name(self, party_id: str) -> str:
        party = self.version.parties.get(party_id)
        if party is None:
            return party_id
        return party.aliases[0] if party.aliases else party.name

    def channel_name(self, channel_id: str) -> str:
        channel = self.version.channels.get(channel_id)
        return (channel.name if channel is not None and channel.name else channel_id)

    def value(self, term: str, value: Any) -> str:
        """A term's value as words: dispatches on the term's name."""
        method = PHRASE_OF.get(term, "plain")
        return getattr(self, method)(value)

    def plain(self, value: Any) -> str:
        if value is None:
            return self.nothing
        if isinstance(value, bool):
            return self.yes if value else self.no
        if isinstance(value, (list, tuple)):
            return self.join([self.plain(v) for v in value])
        if isinstance(value, dict):
            return self.join([f"{k}: {self.plain(v)}" for k, v in value.items()])
        return str(value)

    def party(self, party_id: Any) -> str:
        if party_id is None:
            return self.nothing
        return self.name(self.short_name(party_id))

    def parties(self, ids: Any) -> str:
        ids = (ids,) if isinstance(ids, str) else tuple(ids or ())
        return self.join([self.party(i) for i in ids])

    def name(self, text: str) -> str:
        return text

    def percent(self, value: Any) -> str:
        if value is None:
            return self.nothing
        return f"{format((Decimal(value) * 100).normalize(), 'f')}%"

    def sources(self, value: Any) -> str:
        ids = (value,) if isinstance(value, str) else tuple(value or ())
        return self.join(list(ids))

    def labels(self, values: Any) -> str:
        return self.join([label(v, self.lang) for v in (values or ())])

    def subject(self, value: Any) -> str:
        """A licence's subject is a product selector; a right of first refusal's is a label."""
        if isinstance(value, str) and value not in EVERYTHING and \
                value not in self.version.products:
            return label(value, self.lang)
        return self.products(value)

    def heading(self, value: Any) -> str:
        return value or ""

    def note(self, value: Any) -> str:
        return self.nothing if value is None else f"“{value}”"

    def _product_list(self, ids: tuple[str, ...]) -> str:
        names = []
        for product_id in ids:
            product = self.version.products.get(product_id)
            names.append(product.name if product is not None and product.name else product_id)
        return self.join(names)

    def event_ids(self, until: Any) -> tuple[str, ...]:
        if isinstance(until, FirstOf):
            return tuple(i for item in until.first for i in self.event_ids(item))
        return (until,) if isinstance(until, str) else ()


def _mapping_parts(selector: dict[str, Any], lang: str) -> tuple[list[str], list[str], list[str]]:
    """(premodifiers, nouns, postmodifiers) of an attribute selector."""
    before, nouns, after = [], [], []
    index = 0 if lang == "en" else 2
    for key, wanted in selector.items():
        values = wanted if isinstance(wanted, (list, tuple)) else (wanted,)
        if key == "type":
            nouns = [TYPES.get(v, (v, v))[0 if lang == "en" else 1] for v in values]
        elif key in ATTRIBUTES and all(isinstance(v, bool) for v in values) and len(values) == 1:
            word = ATTRIBUTES[key][index if values[0] else index + 1]
            (after if word.startswith("+") else before).append(word.lstrip("+"))
        else:
            shown = [LABELS.get(str(v), (str(v), str(v)))[0 if lang == "en" else 1]
                     for v in values]
            after.append((key, shown))
    return before, nouns, after


class English(Phrases):
    lang = "en"
    nothing = "nothing"
    yes, no = "yes", "no"

    def join(self, items: list[str], word: str = "and") -> str:
        items = [i for i in items if i]
        if len(items) <= 1:
            return "".join(items)
        return f"{', '.join(items[:-1])} {word} {items[-1]}"

    def date(self, day: Any) -> str:
        if day is None:
            return "no set date"
        return day.isoformat() if isinstance(day, date) else str(day)

    def money(self, amount: Any) -> str:
        if amount is None:
            return self.nothing
        amount = Decimal(amount)
        code = self.version.currency
        for unit, word in ((BILLION, "billion"), (MILLION, "million")):
            scaled = amount / unit
            if abs(amount) >= unit and scaled == scaled.quantize(Decimal("0.001")):
                return f"{code} {format(scaled.normalize(), 'f')} {word}"
        text = f"{amount:,.2f}" if amount != amount.to_integral_value() else f"{amount:,.0f}"
        return f"{code} {text}"

    def event(self, event_id: str) -> str:
        text = self.version.events.get(event_id) or self.version.conditions.get(event_id)
        if not text:
            return f"the event {event_id}"
        text = text.strip().rstrip(".")
        first, _, rest = text.partition(" ")
        if first in ("A", "An", "The"):
            text = f"{first.lower()} {rest}"
        return text

    condition = event

    def products(self, selector: Any) -> str:
        if selector is None:
            return "no products"
        if isinstance(selector, str):
            return "all products" if selector in EVERYTHING else self._product_list((selector,))
        if isinstance(selector, (list, tuple)):
            return self._product_list(tuple(selector))
        before, nouns, after = _mapping_parts(selector, "en")
        text = " ".join([*before, self.join(nouns) or "products"])
        for item in after:
            if isinstance(item, tuple):
                key, shown = item
                text += (f" for {self.join(shown, 'or')}" if key == "customer"
                         else f" with {key} {self.join(shown, 'or')}")
            else:
                text += f" {item}"
        return text

    def channels(self, selector: Any) -> str:
        if selector is None:
            return "no channel"
        if isinstance(selector, str):
            return "any cloud or channel" if selector in EVERYTHING else \
                self.channel_name(selector)
        if isinstance(selector, (list, tuple)):
            return self.join([self.channel_name(c) for c in selector], "or")
        return "channels with " + ", ".join(f"{k} {self.plain(v)}" for k, v in selector.items())

    def until(self, until: Any) -> str:
        if until is None:
            return "with no end"
        if isinstance(until, date):
            if (until.month, until.day) == (12, 31):
                return f"through {until.year}"
            return f"through {until.isoformat()}"
        if isinstance(until, FirstOf):
            parts = [self.until(item) for item in until.first]
            return f"{self.join(parts, 'or')}, whichever comes first"
        return f"until {self.event(until)}"

    def start(self, start: Any) -> str:
        if start is None:
            return "from the version's effective date"
        if isinstance(start, date):
            return f"from {start.isoformat()}"
        return f"from the day {self.event(start)}"

    def whatever(self, events: tuple[str, ...]) -> str:
        return "".join(f", whether or not {self.event(e)}" for e in events)

    def exclusive(self, value: Any) -> str:
        return "exclusive" if value else "non-exclusive"

    def an_exclusive(self, value: Any) -> str:
        return "an exclusive" if value else "a non-exclusive"

    def first_launch(self, launch: FirstLaunch | None) -> str:
        if launch is None:
            return "no channel comes first"
        when = ("no later than on any other channel" if not launch.lead_days else
                f"at least {launch.lead_days} days before any other channel")
        text = f"a product must be available on {self.channel_name(launch.on)} {when}"
        if launch.unless:
            text += f", unless {self.condition(launch.unless)}"
        return text

    def rate(self, rate: Any) -> str:
        if rate is None:
            return "no flat rate"
        if isinstance(rate, Decimal):
            return self.percent(rate)
        return ", then ".join(f"{self.percent(s.rate)} from {s.from_.isoformat()}" for s in rate)

    def tiers(self, tiers: Tiers | None) -> str:
        if tiers is None:
            return "no tiers"
        mode = "marginal" if tiers.mode == "marginal" else "whole-volume"
        per = "per period" if tiers.per == "period" else "from the start of the clause"
        bands = tiers.bands or tiers.schedule[0].bands
        text = f"{mode} tiers counted {per}: " + ", ".join(
            f"{self.percent(b.rate)} above {self.money(b.above)}" for b in bands)
        if tiers.schedule and len(tiers.schedule) > 1:
            text += ", with new bands from " + self.join(
                [s.from_.isoformat() for s in tiers.schedule[1:]])
        return text

    def cap(self, cap: Cap | None) -> str:
        if cap is None:
            return "no cap"
        parts = []
        if cap.total is not None:
            parts.append(f"{self.money(cap.total)} in total")
        if cap.per_year is not None:
            parts.append(f"{self.money(cap.per_year)} a year")
        return self.join(parts)

    def minimum(self, minimum: Minimum | None) -> str:
        return "no minimum" if minimum is None else f"{self.money(minimum.per_year)} a year"

    def base(self, base: Base | None) -> str:
        base = base or Base()
        sellers = (base.seller,) if isinstance(base.seller, str) else base.seller
        text = f"{self.parties(sellers)}'s sales" if sellers else "all sales"
        if base.product is not None:
            text += f" of {self.products(base.product)}"
        if base.service:
            text += f" of the service {self.join(list(_tuple(base.service)), 'or')}"
        if base.channel is not None:
            text += f" through {self.channels(base.channel)}"
        if base.charge_category:
            text += f" (charges: {self.join(list(base.charge_category))})"
        if base.cost != "BilledCost":
            text += f", counted as {base.cost}"
        return text

    def settle(self, value: Any) -> str:
        return {"month": "monthly", "quarter": "quarterly", "year": "yearly"}.get(value, str(value))

    def rounding(self, value: Any) -> str:
        return {"half-up": "half up", "half-even": "half to even"}.get(value, str(value))

    def assumed(self, value: Any) -> str:
        if not value:
            return "no figure"
        return self.join([f"the {term} (reported by {source})" for term, source in value.items()])

    def kind(self, value: Any) -> str:
        return TERMS[value].en if value in TERMS else str(value)


def _tuple(value: Any) -> tuple:
    return (value,) if isinstance(value, str) else tuple(value)


# Which phrase renders a term's value, by term name (terms not listed are written plainly).
PHRASE_OF = {
    "party": "party", "payer": "party", "payee": "party", "licensor": "party",
    "licensee": "party", "holder": "party", "grantor": "party", "issuer": "party",
    "counterparty": "party", "parties": "parties", "products": "products", "subject": "subject",
    "excludes": "products", "channels": "channels", "first-launch": "first_launch",
    "exclusive": "exclusive", "base": "base", "rate": "rate", "tiers": "tiers", "cap": "cap",
    "minimum": "minimum", "settle": "settle", "rounding": "rounding", "stake": "percent",
    "amount": "money", "by": "date", "areas": "labels", "from": "start", "until": "until",
    "source": "sources", "assumed": "assumed", "note": "note", "heading": "heading",
    "kind": "kind",
}

def phrasebook(version: Version, lang: str) -> Phrases:
    """The phrasebook of a language (``en`` or ``zh``) for the values of one version."""
    from .phrases_zh import Chinese
    return {"en": English, "zh": Chinese}[lang](version)
