"""Phrases for the values of terms in Simplified Chinese (see :mod:`termsheet.phrases`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ..glossary import EVENTS_ZH, TERMS, name_zh
from ...agreement.model import EVERYTHING, Base, Cap, FirstLaunch, FirstOf, Minimum, Tiers
from .base import Phrases, _mapping_parts, _tuple
from ...money.format import words


GROUPS = {"seller": "按卖方", "channel": "按渠道", "product": "按产品", "service": "按服务",
          "customer": "按客户"}


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
        return words(Decimal(amount), self.version.currency, "zh")

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

    def bases(self, parts: Any) -> str:
        if not parts:
            return "单一基数"
        return "；".join(f"{self.base(p)}的{self.rate(p.rate)}（{p.id}）" for p in parts)

    def advance(self, advance: Any) -> str:
        if advance is None:
            return "无预付款"
        return f"{self.date(advance.paid)}支付的{self.money(advance.amount)}"

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
        per = {"period": "按结算期计算", "month": "按月计算", "quarter": "按季计算",
               "year": "按合同年度计算"}.get(tiers.per, "自条款开始累计")
        if tiers.by:
            per = f"{per}（{GROUPS.get(tiers.by, f'按{tiers.by}')}分别累计）"
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
        if cap.per_quarter is not None:
            parts.append(f"每季度{self.money(cap.per_quarter)}")
        return "，".join(parts)

    def minimum(self, minimum: Minimum | None) -> str:
        if minimum is None:
            return "无保底"
        parts = []
        if minimum.per_year is not None:
            parts.append(f"每年{self.money(minimum.per_year)}")
        if minimum.per_quarter is not None:
            parts.append(f"每季度{self.money(minimum.per_quarter)}")
        return "，".join(parts)

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
        return self.join([f"{TERMS[t].zh if t in TERMS else t}（据{s}）" for t, s in value.items()])

    def kind(self, value: Any) -> str:
        return TERMS[value].zh if value in TERMS else str(value)
