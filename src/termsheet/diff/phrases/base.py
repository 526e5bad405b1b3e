"""Phrases for the values of terms: what every language shares.

A phrasebook renders one value (a selector, a period, an amount, a revenue base, ...) as words
that fit the sentence templates in ``sentences.py``; it reads names and descriptions from the
version the value belongs to.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from ..glossary import ATTRIBUTES, LABELS, TYPES, label
from ...agreement.model import EVERYTHING, FirstOf, Version



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


def _tuple(value: Any) -> tuple:
    return (value,) if isinstance(value, str) else tuple(value)


# Which phrase renders a term's value, by term name (terms not listed are written plainly).
PHRASE_OF = {
    "party": "party", "payer": "party", "payee": "party", "licensor": "party",
    "licensee": "party", "holder": "party", "grantor": "party", "issuer": "party",
    "counterparty": "party", "parties": "parties", "products": "products", "subject": "subject",
    "excludes": "products", "channels": "channels", "first-launch": "first_launch",
    "exclusive": "exclusive", "base": "base", "bases": "bases", "advance": "advance", "rate": "rate", "tiers": "tiers", "cap": "cap",
    "minimum": "minimum", "settle": "settle", "rounding": "rounding", "stake": "percent",
    "amount": "money", "by": "date", "areas": "labels", "from": "start", "until": "until",
    "source": "sources", "assumed": "assumed", "note": "note", "heading": "heading",
    "kind": "kind",
}
