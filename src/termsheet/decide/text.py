"""Words of a decision: the cited sentence of a clause, periods, obligations, assumptions."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Iterable

from .actions import Cited
from ..agreement.describe import money, percent, selector_text
from ..agreement.model import ClauseBase, FirstOf, RevenueShare, events_in, resolve_end

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"'])")


def sentences(prose: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(prose) if s.strip()]


def best_sentence(prose: str, words: Iterable[str]) -> str:
    """The sentence of the prose that mentions most of the words (the first one on a tie)."""
    found = sentences(prose)
    if not found:
        return ""
    wanted = [w.lower() for w in words if w]

    def score(sentence: str) -> int:
        text = sentence.lower()
        return sum(1 for w in wanted if w in text)

    return max(found, key=lambda s: (score(s), -found.index(s)))


def cite(clause: ClauseBase, words: Iterable[str]) -> Cited:
    at = str(clause.span) if clause.span else ""
    return Cited(clause.id, clause.heading, best_sentence(clause.prose, words), clause.sources, at)


def products_text(selector) -> str:
    if isinstance(selector, str) and selector in ("all", "any"):
        return "all its products"
    if isinstance(selector, dict):
        return f"products {selector_text(selector)}"
    return selector_text(selector)


def channels_text(selector) -> str:
    if isinstance(selector, str) and selector in ("all", "any"):
        return "any channel"
    return selector_text(selector)


def _event_dates(until, events: dict[str, date]) -> str:
    given = [f"{e} on {events[e]}" for e in events_in(until) if e in events]
    return f" ({', '.join(given)})" if given else ""


def describe_end(clause: ClauseBase, window: tuple[date, date | None] | None,
                 events: dict[str, date]) -> str:
    """How long a clause runs, with the events that end it: 'runs through 2030-12-31'."""
    if window is None:
        if isinstance(clause.from_, str):
            return f"starts at {clause.from_}, which has not happened"
        return "never runs: it ends before it starts"
    start, end = window
    missing = [e for e in events_in(clause.until) if e not in events]
    if end is None:
        if missing:
            return f"runs until {' or '.join(missing)}, which has not happened"
        return "runs with no end date"
    text = f"runs through {end}"
    if isinstance(clause.until, (str, FirstOf)) and not isinstance(clause.until, date):
        text += _event_dates(clause.until, events)
    return text


def until_text(clause: ClauseBase, events: dict[str, date]) -> str:
    end = resolve_end(clause.until, events)
    missing = [e for e in events_in(clause.until) if e not in events]
    if end is None:
        if missing:
            return f"until {' or '.join(missing)} (which has not happened)"
        return "with no end date"
    text = f"through {end}"
    return text + _event_dates(clause.until, events)


def revenue_share_text(clause: RevenueShare, day: date, events: dict[str, date],
                       currency: str) -> str:
    """'20% of this revenue is due to microsoft through 2030-12-31, capped at 38,000,000,000
    USD in total'."""
    rate = clause.rate_on(day)
    if isinstance(rate, Decimal):
        share = percent(rate)
    else:
        share = f"a {clause.tiers.mode} tiered share" if clause.tiers else "a share"
    text = f"{share} of this revenue is due to {clause.payee} {until_text(clause, events)}"
    if clause.cap and clause.cap.total is not None:
        text += f", capped at {money(clause.cap.total, currency)} in total"
    if clause.cap and clause.cap.per_year is not None:
        text += f", capped at {money(clause.cap.per_year, currency)} a year"
    if clause.cap and clause.cap.per_quarter is not None:
        text += f", capped at {money(clause.cap.per_quarter, currency)} a quarter"
    if clause.minimum and clause.minimum.per_year is not None:
        text += f", at least {money(clause.minimum.per_year, currency)} a year"
    if clause.minimum and clause.minimum.per_quarter is not None:
        text += f", at least {money(clause.minimum.per_quarter, currency)} a quarter"
    return text


def clause_assumptions(clauses: Iterable[ClauseBase], events: dict[str, date]) -> list[str]:
    """What a decision took for granted about the clauses it used."""
    out = []
    for clause in clauses:
        for bound in (clause.from_, clause.until):
            for event in events_in(bound) if not isinstance(bound, date) else ():
                if event in events:
                    out.append(f"{event} happened on {events[event]} (given)")
                else:
                    out.append(f"{event} has no date, so it has not happened ({clause.id})")
        for term, source in (clause.assumed or {}).items():
            out.append(f"{clause.id}: {term} is assumed, as reported by {source}")
    return out


__all__ = ["action_text", "best_sentence", "channels_text", "products_text", "cite", "clause_assumptions", "describe_end", "revenue_share_text",
           "selector_text", "sentences", "until_text"]


def action_text(action) -> str:
    """'openai distributes openai-api on aws' and the like, without the date."""
    kind = action.kind
    where = scope_words(getattr(action, "scope", None) or {})
    if kind == "distribute":
        return f"{action.party} distributes {action.product} on {action.channel}{where}"
    if kind == "use-license":
        return f"{action.licensee} uses {action.licensor}'s {action.subject}{where}"
    if kind == "grant-license":
        exclusive = "an exclusive" if action.exclusive else "a"
        return f"{action.licensor} grants {action.to} {exclusive} licence to " \
               f"{action.subject}{where}"
    return f"{action.party} buys compute from {action.supplier}"


def scope_words(scope: dict) -> str:
    """' in eu, for healthcare, through retail' for a request's scope."""
    words = {"territory": "in", "field": "for", "channel": "through"}
    parts = [f"{words[k]} {v}" for k, v in scope.items() if k in words and v]
    return (" " + ", ".join(parts)) if parts else ""
