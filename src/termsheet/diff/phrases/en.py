"""English phrases for the values of terms."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ..glossary import TERMS
from ...agreement.model import EVERYTHING, Base, Cap, FirstLaunch, FirstOf, Minimum, Tiers
from .base import Phrases, _mapping_parts, _tuple
from ...money.format import words


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
        return words(Decimal(amount), self.version.currency, "en")

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

    def bases(self, parts: Any) -> str:
        if not parts:
            return "one base"
        return "; ".join(f"{self.rate(p.rate)} of {self.base(p)} ({p.id})" for p in parts)

    def advance(self, advance: Any) -> str:
        if advance is None:
            return "no advance"
        return f"{self.money(advance.amount)} paid on {self.date(advance.paid)}"

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
        per = {"period": "per period", "month": "per month", "quarter": "per quarter",
               "year": "per contract year"}.get(tiers.per, "from the start of the clause")
        if tiers.by:
            per += f" for each {tiers.by}"
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
        if cap.per_quarter is not None:
            parts.append(f"{self.money(cap.per_quarter)} a quarter")
        return self.join(parts)

    def minimum(self, minimum: Minimum | None) -> str:
        if minimum is None:
            return "no minimum"
        parts = []
        if minimum.per_year is not None:
            parts.append(f"{self.money(minimum.per_year)} a year")
        if minimum.per_quarter is not None:
            parts.append(f"{self.money(minimum.per_quarter)} a quarter")
        return self.join(parts)

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
