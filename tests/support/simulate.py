"""Helpers of the simulation tests: a small deal, scenarios, flows settled for comparison."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import strategies as st

from termsheet import History, parse


DEAL = """---
agreement: deal
version: 2026-01-01
title: A test deal
effective: 2026-01-01
{front}parties: {{seller: Seller Inc, partner: Partner Inc}}
channels: {{direct: {{operator: seller}}, aws: {{operator: amazon}}}}
products:
  widget-api: {{owner: seller, type: api}}
  widget-app: {{owner: seller, type: app}}
events: {{ended: The partnership ends.}}
---

## Share

```terms
id: share
kind: revenue-share
payer: seller
payee: partner
{base}{terms}
```
{extra}"""


STREAMS = {"api": "{seller: seller, channel: direct, product: widget-api}",
           "app": "{seller: seller, channel: aws, product: widget-app}"}


def deal(terms: str, extra: str = "", strict: bool = True,
         year_start: str | None = None) -> History | None:
    base = "" if "base:" in terms else "base: {seller: seller}\n"
    front = f"year-start: '{year_start}'\n" if year_start else ""
    version, problems = parse(DEAL.format(base=base, terms=terms, extra=extra, front=front),
                              "deal.md")
    if not strict and problems:
        return None
    assert not problems, problems
    return History("deal", (version,))


def scenario_text(streams: dict, years: int, events: dict | None = None,
                  overrides: dict | None = None, extra: str = "", rate: str = "0%") -> str:
    lines = ["scenario: case", "first-year: 2026", f"horizon: {years}", "futures: 3",
             f"discount-rate: {rate}", "streams:"]
    for name, spec in streams.items():
        lines.append(f"  {name}: {{revenue: {STREAMS[name]}, start: {spec['start']}, "
                     f"growth: {spec.get('growth', '0%')}}}")
    if events:
        lines.append("events:")
        lines += [f"  {k}: {v}" for k, v in events.items()]
    if overrides:
        lines.append("terms:")
        lines += [f"  share: {{{', '.join(f'{k}: {v}' for k, v in overrides.items())}}}"]
    return "\n".join(lines) + "\n" + extra


def settled_flows(history, version_id, rows, years, events, end: date | None = None):
    """Each party's yearly net flow when termsheet.settle settles ``rows`` under one version,
    made to govern from the horizon's first day (as the simulation applies it); ``end``, when
    the horizon's last day falls inside a settlement period, the last day of that period."""
    from termsheet.settle import settle
    version = history.get(version_id).model_copy(
        update={"effective": date(2026, 1, 1), "amends": None})
    table = [{"date": day, "seller": seller, "channel": channel, "product": product,
              "amount": amount, "currency": "USD"} for day, seller, channel, product, amount in rows]
    result = settle(History(history.agreement, (version,)), table, start=date(2026, 1, 1),
                    end=end or date(2025 + years, 12, 31), events=events)
    flows = {party: [Decimal(0)] * years for party in version.parties}
    for line in result.lines:
        year = max(line.period.year - 2026, 0)   # a period begun before the horizon: its first
        flows[line.payee][year] += line.paid
        flows[line.payer][year] -= line.paid
    return flows


BANDS = st.lists(st.tuples(st.integers(0, 3000), st.integers(1, 40)), min_size=1, max_size=3)


@st.composite
def clauses(draw_):
    lines = []
    change = date(2026, 1, 1) + timedelta(days=draw_(st.integers(1, 3 * 365)))
    scheduled = draw_(st.booleans())          # rates or bands that change on a date
    if draw_(st.booleans()):
        if scheduled:
            lines.append(f"rate: [{{from: 2026-01-01, rate: {draw_(st.integers(1, 50))}%}}, "
                         f"{{from: {change}, rate: {draw_(st.integers(1, 50))}%}}]")
        else:
            lines.append(f"rate: {draw_(st.integers(1, 50))}%")
    else:
        def bands_text():
            bands = sorted({above for above, _ in draw_(BANDS)} | {0})
            rates = [draw_(st.integers(1, 40)) for _ in bands]
            return "[" + ", ".join(f"{{above: {a}, rate: {r}%}}" for a, r in zip(bands, rates)) \
                + "]"
        mode = draw_(st.sampled_from(["marginal", "whole"]))
        per = draw_(st.sampled_from(["period", "month", "quarter", "year", "life-to-date"]))
        if scheduled:
            bands = (f"schedule: [{{from: 2026-01-01, bands: {bands_text()}}}, "
                     f"{{from: {change}, bands: {bands_text()}}}]")
        else:
            bands = f"bands: {bands_text()}"
        lines.append(f"tiers: {{mode: {mode}, per: {per}, {bands}}}")
    settle = draw_(st.sampled_from(['month', 'quarter', 'year']))
    if any(f"per: {unit}" in line for line in lines for unit in ("month", "quarter", "year")):
        settle = "month"                    # a tier count holds whole statement periods
    lines.append(f"settle: {settle}")
    cap = []
    if draw_(st.booleans()):
        cap.append(f"total: {draw_(st.integers(0, 5000))}")
    if draw_(st.booleans()):
        cap.append(f"per-year: {draw_(st.integers(0, 2000))}")
    if settle != "year" and draw_(st.booleans()):
        cap.append(f"per-quarter: {draw_(st.integers(0, 600))}")
    if cap:
        lines.append(f"cap: {{{', '.join(cap)}}}")
    floor = []
    if draw_(st.booleans()):
        floor.append(f"per-year: {draw_(st.integers(0, 800))}")
    if settle != "year" and draw_(st.booleans()):
        floor.append(f"per-quarter: {draw_(st.integers(0, 250))}")
    if floor:
        lines.append(f"minimum: {{{', '.join(floor)}}}")
    day = date(2026, 1, 1) + timedelta(days=draw_(st.integers(0, 4 * 365)))
    end = draw_(st.sampled_from(["none", "date", "event", "first"]))
    if end == "date":
        lines.append(f"until: {day}")
    elif end == "event":
        lines.append("until: ended")
    elif end == "first":
        lines.append(f"until: {{first: [ended, {day}]}}")
    if draw_(st.booleans()):
        lines.append(f"from: {date(2026, 1, 1) + timedelta(days=draw_(st.integers(0, 900)))}")
    return "\n".join(lines)


def _ties(revenue, thresholds, start_month: int = 1):
    """Whether a month-end volume (per month, contract quarter, contract year or life-to-date)
    meets a threshold."""
    life = quarter = year = Decimal(0)
    for number, level in enumerate(revenue):
        month = level / 12
        for index in range(12):
            shift = (12 * number + index - (start_month - 1)) % 12
            quarter = month if shift % 3 == 0 else quarter + month
            year = month if shift == 0 else year + month
            life += month
            sums = (life, month, quarter, year)
            if any(abs(x - t) <= Decimal("1e-9") * max(1, t) for x in sums for t in thresholds
                   if t > 0):
                return True
    return False
