"""Phrases for the values of terms, in English and Simplified Chinese.

A phrasebook renders one value (a selector, a period, an amount, a revenue base, ...) as words
that fit the sentence templates in ``sentences.py``; it reads names and descriptions from the
version the value belongs to.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from .glossary import ATTRIBUTES, CURRENCIES_ZH, EVENTS_ZH, LABELS, TYPES, label, name_zh
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
        from .glossary import TERMS
        return TERMS[value].en if value in TERMS else str(value)


class Chinese(Phrases):
    lang = "zh"
    nothing = "无"
    yes, no = "是", "否"

    def join(self, items: list[str], word: str = "和") -> str:
        items = [i for i in items if i]
        if len(items) <= 1:
            return "".join(items)
        return f"{'、'.join(items[:-1])}{word}{items[-1]}"

    def name(self, text: str) -> str:
        return name_zh(text)

    def channel_name(self, channel_id: str) -> str:
        return name_zh(super().channel_name(channel_id))

    def date(self, day: Any) -> str:
        if day is None:
            return "未定日期"
        if isinstance(day, date):
            return f"{day.year}年{day.month}月{day.day}日"
        return str(day)

    def money(self, amount: Any) -> str:
        if amount is None:
            return self.nothing
        amount = Decimal(amount)
        unit_name = CURRENCIES_ZH.get(self.version.currency, self.version.currency)
        for unit, word in ((HUNDRED_MILLION, "亿"), (TEN_THOUSAND, "万")):
            scaled = amount / unit
            if abs(amount) >= unit and scaled == scaled.quantize(Decimal("0.0001")):
                return f"{format(scaled.normalize(), 'f')}{word}{unit_name}"
        text = f"{amount:,.2f}" if amount != amount.to_integral_value() else f"{amount:,.0f}"
        return f"{text}{unit_name}"

    def event(self, event_id: str) -> str:
        if event_id in EVENTS_ZH:
            return EVENTS_ZH[event_id]
        text = self.version.events.get(event_id) or self.version.conditions.get(event_id)
        return f"“{text.strip()}”" if text else f"事件{event_id}"

    condition = event

    def products(self, selector: Any) -> str:
        if selector is None:
            return "无产品"
        if isinstance(selector, str):
            return "所有产品" if selector in EVERYTHING else self._product_list((selector,))
        if isinstance(selector, (list, tuple)):
            return self._product_list(tuple(selector))
        before, nouns, after = _mapping_parts(selector, "zh")
        prefix = ""
        for item in after:
            key, shown = item
            prefix += (f"面向{self.join(shown, '或')}的" if key == "customer"
                       else f"{key}为{self.join(shown, '或')}的")
        return prefix + "".join(before) + (self.join(nouns) or "产品")

    def channels(self, selector: Any) -> str:
        if selector is None:
            return "无渠道"
        if isinstance(selector, str):
            return "任何云平台或渠道" if selector in EVERYTHING else self.channel_name(selector)
        if isinstance(selector, (list, tuple)):
            return self.join([self.channel_name(c) for c in selector], "或")
        return "、".join(f"{k}为{self.plain(v)}" for k, v in selector.items()) + "的渠道"

    def until(self, until: Any) -> str:
        if until is None:
            return "不设期限"
        if isinstance(until, date):
            if (until.month, until.day) == (12, 31):
                return f"至{until.year}年底"
            return f"至{self.date(until)}（含）"
        if isinstance(until, FirstOf):
            parts = [self._end_point(item) for item in until.first]
            return f"至{self.join(parts, '或')}，以先到者为准"
        return f"直至「{self.event(until)}」为止"

    def _end_point(self, item: Any) -> str:
        if isinstance(item, date):
            return f"{item.year}年底" if (item.month, item.day) == (12, 31) else self.date(item)
        return f"「{self.event(item)}」"

    def start(self, start: Any) -> str:
        if start is None:
            return "自本版本生效日起"
        if isinstance(start, date):
            return f"自{self.date(start)}起"
        return f"自「{self.event(start)}」之日起"

    def whatever(self, events: tuple[str, ...]) -> str:
        return "".join(f"，无论「{self.event(e)}」是否发生" for e in events)

    def exclusive(self, value: Any) -> str:
        return "独家" if value else "非独家"

    an_exclusive = exclusive

    def first_launch(self, launch: FirstLaunch | None) -> str:
        if launch is None:
            return "不要求任何渠道首发"
        on = self.channel_name(launch.on)
        text = (f"产品须首先在{on}上线，不得晚于其他任何渠道" if not launch.lead_days else
                f"产品须在{on}上线至少{launch.lead_days}天后，才能进入其他渠道")
        if launch.unless:
            text += f"，除非{self.condition(launch.unless)}"
        return text

    def rate(self, rate: Any) -> str:
        if rate is None:
            return "无固定比例"
        if isinstance(rate, Decimal):
            return self.percent(rate)
        return "，".join(f"自{self.date(s.from_)}起为{self.percent(s.rate)}" for s in rate)

    def tiers(self, tiers: Tiers | None) -> str:
        if tiers is None:
            return "无阶梯费率"
        mode = "超额累进" if tiers.mode == "marginal" else "全额累进"
        per = "按结算期计算" if tiers.per == "period" else "自条款开始累计"
        bands = tiers.bands or tiers.schedule[0].bands
        text = f"{per}的{mode}费率：" + "，".join(
            f"超过{self.money(b.above)}的部分为{self.percent(b.rate)}" for b in bands)
        if tiers.schedule and len(tiers.schedule) > 1:
            text += "；档位自" + self.join([self.date(s.from_) for s in tiers.schedule[1:]]) + \
                "起调整"
        return text

    def cap(self, cap: Cap | None) -> str:
        if cap is None:
            return "不设上限"
        parts = []
        if cap.total is not None:
            parts.append(f"总额{self.money(cap.total)}")
        if cap.per_year is not None:
            parts.append(f"每年{self.money(cap.per_year)}")
        return "，".join(parts)

    def minimum(self, minimum: Minimum | None) -> str:
        return "无保底" if minimum is None else f"每年{self.money(minimum.per_year)}"

    def base(self, base: Base | None) -> str:
        base = base or Base()
        sellers = (base.seller,) if isinstance(base.seller, str) else base.seller
        text = self.parties(sellers) if sellers else ""
        if base.channel is not None:
            text += f"通过{self.channels(base.channel)}"
        if base.product is not None:
            text += f"销售{self.products(base.product)}"
        elif base.service:
            text += f"销售{self.join(list(_tuple(base.service)), '或')}服务"
        text += "的收入" if (base.product is not None or base.service) else "销售收入"
        if base.charge_category:
            text += f"（费用类别：{self.join(list(base.charge_category))}）"
        if base.cost != "BilledCost":
            text += f"（按{base.cost}计）"
        return text

    def settle(self, value: Any) -> str:
        return {"month": "按月", "quarter": "按季", "year": "按年"}.get(value, str(value))

    def rounding(self, value: Any) -> str:
        return {"half-up": "四舍五入", "half-even": "银行家舍入（四舍六入五成双）"}.get(
            value, str(value))

    def assumed(self, value: Any) -> str:
        if not value:
            return "无"
        from .glossary import TERMS
        return self.join([f"{TERMS[t].zh if t in TERMS else t}（据{s}）" for t, s in value.items()])

    def kind(self, value: Any) -> str:
        from .glossary import TERMS
        return TERMS[value].zh if value in TERMS else str(value)


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

PHRASEBOOKS = {"en": English, "zh": Chinese}


def phrasebook(version: Version, lang: str) -> Phrases:
    return PHRASEBOOKS[lang](version)
