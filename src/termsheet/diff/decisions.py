"""Every decision that flips between two versions: the finite domain enumerated, not sampled.

The decision domain of two versions is finite: kinds of action × parties × items × targets × date
segments × facts. Targets depend on the kind: channels for ``distribute``, licensors for
``use-license``, counterparties (parties, channels, channel operators) for granting a licence and
buying compute. The date segments are cut at every day on which a clause of either version starts,
ends or changes rate; within a segment nothing either version says can change, so one day stands
for all of them. The facts are every subset of the conditions the versions define.

Each version is applied *as if it governed alone* (as :mod:`.impact` does) from the earlier of the
two effective dates. Each case gets a verdict under each version: ``allowed``, ``forbidden``,
``allowed if on X first`` (a first-launch term still to meet), or ``n/a`` (the version does not know
a name). A flip is a case whose verdicts differ.

Flips are grouped into rules: boxes (a set of values per dimension) holding cases with the same
pair of verdicts. Starting from one box per case, boxes that agree on every dimension but one are
merged, dimension after dimension, until no merge is left; every case lies in exactly one box, and
no two boxes of the same verdicts could be merged into one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import combinations
from typing import Any, Mapping

from ..agreement.model import Version
from ..decide.actions import BUY_COMPUTE, COMPUTE, DISTRIBUTE, KINDS, USE_LICENSE
from ..decide.rules import counterparties, date_breaks, evaluate
from .impact import as_governing

ALLOWED, FORBIDDEN, UNKNOWN = "allowed", "forbidden", "n/a"
DIMENSIONS = ("kind", "party", "item", "target", "segment", "facts")
MERGE_ORDER = (5, 4, 3, 2, 1, 0)  # facts first, then days, targets, items, parties, kinds


@dataclass(frozen=True, slots=True)
class Rule:
    """A box of flipped cases with the same verdicts: one value set per dimension."""

    kinds: tuple[str, ...]
    parties: tuple[str, ...]
    items: tuple[str, ...]
    targets: tuple[str, ...]
    periods: tuple[tuple[dt.date, dt.date | None], ...]
    facts: tuple[tuple[str, ...], ...]
    before: str
    after: str
    cases: int
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "before": self.before, "after": self.after,
                "kinds": list(self.kinds), "parties": list(self.parties),
                "items": list(self.items), "targets": list(self.targets),
                "periods": [{"from": a, "until": b} for a, b in self.periods],
                "facts": [list(f) for f in self.facts], "cases": self.cases}


@dataclass(frozen=True)
class DecisionDiff:
    a: str
    b: str
    start: dt.date
    cases: int
    flipped: int
    dimensions: dict[str, int]
    rules: tuple[Rule, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.a, "to": self.b, "start": self.start, "cases_compared": self.cases,
                "cases_flipped": self.flipped, "dimensions": self.dimensions,
                "rules": [r.to_dict() for r in self.rules]}


class Domain:
    """The finite decision domain of two versions."""

    def __init__(self, a: Version, b: Version, events: Mapping[str, dt.date] | None = None):
        self.start = min(a.effective, b.effective)
        self.versions = [as_governing(a, self.start).first, as_governing(b, self.start).first]
        self.events = [{k: v for k, v in (events or {}).items() if k in v_.events}
                       for v_ in (a, b)]
        both = (a, b)
        self.parties = sorted({p for v in both for p in v.parties})
        self.products = sorted({p for v in both for p in v.products})
        self.channels = sorted({c for v in both for c in v.channels})
        self.counterparties = sorted(set().union(*(counterparties(v) for v in both)))
        self.conditions = sorted({c for v in both for c in v.conditions})
        breaks = {self.start}
        for version, events_ in zip(self.versions, self.events):
            breaks |= date_breaks(version, events_)
        self.breaks = sorted(d for d in breaks if d >= self.start)
        self.facts = [frozenset(s) for n in range(len(self.conditions) + 1)
                      for s in combinations(self.conditions, n)]

    def cells(self):
        """(kind, party, item, target) for every kind, each with its own kind of target."""
        for kind, name in enumerate(KINDS):
            for party in self.parties:
                if kind == DISTRIBUTE:
                    targets, items = self.channels, self.products
                elif kind == USE_LICENSE:
                    targets, items = [p for p in self.parties if p != party], self.products
                elif kind == BUY_COMPUTE:
                    targets, items = self.counterparties, [COMPUTE]
                else:
                    targets = [t for t in self.counterparties if t != party]
                    items = self.products
                for item in items:
                    for target in targets:
                        yield kind, party, item, target

    def period(self, segment: int) -> tuple[dt.date, dt.date | None]:
        end = self.breaks[segment + 1] - dt.timedelta(days=1) \
            if segment + 1 < len(self.breaks) else None
        return self.breaks[segment], end


def verdicts(outcome, facts: list[frozenset[str]]) -> list[str]:
    """The verdict of an outcome under each set of facts."""
    if outcome.problem is not None:
        return [UNKNOWN] * len(facts)
    rule = outcome.first_launch
    if rule is None:
        return [ALLOWED if outcome.allowed else FORBIDDEN] * len(facts)
    pending = f"allowed if on {rule.on} first" + \
        (f" ({rule.lead_days} days earlier)" if rule.lead_days else "")
    return [ALLOWED if rule.unless is not None and rule.unless in f else pending for f in facts]


def flips(domain: Domain) -> tuple[int, list[tuple[tuple, str, str]]]:
    """How many cases were compared, and each case whose verdicts differ:
    ((kind, party, item, target, segment, facts index), before, after)."""
    out = []
    count = 0
    nfacts = len(domain.facts)
    for kind, party, item, target in domain.cells():
        for segment, day in enumerate(domain.breaks):
            count += nfacts
            outcomes = [evaluate(v, kind, party, item, target, day, e)
                        for v, e in zip(domain.versions, domain.events)]
            if outcomes[0] == outcomes[1]:
                continue
            before, after = (verdicts(o, domain.facts) for o in outcomes)
            for index, (x, y) in enumerate(zip(before, after)):
                if x != y:
                    out.append(((kind, party, item, target, segment, index), x, y))
    return count, out


def group(cases: list[tuple[tuple, str, str]]) -> list[tuple[tuple[frozenset, ...], str, str]]:
    """Boxes covering the flipped cases: merge boxes that differ in one dimension only, dimension
    by dimension, until nothing merges."""
    boxes = {(tuple(frozenset([v]) for v in key), x, y) for key, x, y in cases}
    changed = True
    while changed:
        changed = False
        for dim in MERGE_ORDER:
            merged: dict[tuple, set] = {}
            for box, x, y in boxes:
                rest = (box[:dim] + box[dim + 1:], x, y)
                merged.setdefault(rest, set()).update(box[dim])
            if len(merged) < len(boxes):
                changed = True
            boxes = {(rest[0][:dim] + (frozenset(values),) + rest[0][dim:], rest[1], rest[2])
                     for rest, values in merged.items()}
    return sorted(boxes, key=lambda b: (min(b[0][4]), sorted(b[0][0]), sorted(b[0][1]),
                                        sorted(b[0][2]), sorted(b[0][3]), b[1], b[2]))


def decision_diff(a: Version, b: Version,
                  events: Mapping[str, dt.date] | None = None) -> DecisionDiff:
    """Every case of the domain where ``a`` and ``b`` decide differently, grouped into rules."""
    domain = Domain(a, b, events)
    count, flipped = flips(domain)
    rules = tuple(rule_of(domain, box, x, y) for box, x, y in group(flipped))
    dims = {"kinds": len(KINDS), "parties": len(domain.parties),
            "items": len(domain.products) + 1, "targets": len(domain.counterparties),
            "segments": len(domain.breaks), "facts": len(domain.facts),
            "cells": sum(1 for _ in domain.cells())}
    return DecisionDiff(a.version, b.version, domain.start, count, len(flipped), dims, rules)


# ---------------------------------------------------------------------------------------------
# words


VERBS = {"distribute": "distribute {items} on {targets}",
         "use-license": "use {items} licensed by {targets}",
         "grant-license": "license {items} to {targets}",
         "grant-exclusive-license": "license {items} exclusively to {targets}",
         "buy-compute": "buy compute from {targets}"}


def rule_of(domain: Domain, box: tuple[frozenset, ...], before: str, after: str) -> Rule:
    kinds, parties, items, targets, segments, facts = box
    periods = merge_periods([domain.period(s) for s in sorted(segments)])
    fact_sets = tuple(tuple(sorted(domain.facts[i])) for i in sorted(facts))
    size = 1
    for values in box:
        size *= len(values)
    kind_names = tuple(KINDS[k] for k in sorted(kinds))
    text = rule_text(domain, kind_names, sorted(parties), sorted(items), sorted(targets),
                     periods, fact_sets, before, after)
    return Rule(kind_names, tuple(sorted(parties)), tuple(sorted(items)), tuple(sorted(targets)),
                periods, fact_sets, before, after, size, text)


def merge_periods(periods: list[tuple[dt.date, dt.date | None]]):
    out: list[tuple[dt.date, dt.date | None]] = []
    for start, end in periods:
        if out and out[-1][1] is not None and out[-1][1] + dt.timedelta(days=1) == start:
            out[-1] = (out[-1][0], end)
        else:
            out.append((start, end))
    return tuple(out)


def _list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def rule_text(domain: Domain, kinds, parties, items, targets, periods, facts, before,
              after) -> str:
    if items == domain.products and len(items) > 1:
        item_text = "every product"
    else:
        item_text = _list(items)
    if kinds[0] == "distribute" and targets == domain.channels and len(targets) > 1:
        target_text = "every channel"
    else:
        target_text = _list(targets)
    if kinds == ("grant-license", "grant-exclusive-license"):
        actions = f"license {item_text} to {target_text}, exclusively or not"
    else:
        actions = "; or ".join(VERBS[k].format(items=item_text, targets=target_text)
                               for k in kinds)
    who = _list(parties)
    if after == ALLOWED:
        head = f"{who} may now {actions}"
    elif after == FORBIDDEN:
        head = f"{who} may no longer {actions}"
    elif after == UNKNOWN:
        head = f"{who}: {actions} names something the new version lacks"
    elif before == ALLOWED:
        head = f"{who} may still {actions}, but now only {after[len('allowed '):]}"
    else:
        head = f"{who} may now {actions}, provided {after[len('allowed if '):]}"
    was = {ALLOWED: "allowed", FORBIDDEN: "forbidden", UNKNOWN: "not in the old version"}.get(
        before, before)
    when = "; ".join(f"{a} to {b}" if b else f"from {a}" for a, b in periods)
    text = f"{head} (was {was}; {when})"
    if len(facts) < len(domain.facts):
        stated = ["no condition stated" if not f else " and ".join(f) + " stated" for f in facts]
        text += f", when {' or '.join(stated)}"
    return text
