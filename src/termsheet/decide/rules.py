"""The reasoning behind a decision: what one version says about one action on one day.

``evaluate(version, kind, party, item, target, day, events)`` returns an
:class:`~termsheet.decide.Outcome`. It is pure and slow-ish; :mod:`termsheet.decide_index` calls it
once per index cell and segment and keeps the answers. The rules (DESIGN.md, "Decisions"):

- distributing your own product is permitted unless an exclusivity clause restricts it (the party
  may distribute those products only through those channels); another party's product needs a
  licence; a restriction beats a grant in the same version;
- a distribution clause's first-launch term is left to check against the product's availability
  (:func:`termsheet.decide.first_launch_holds`); the party's own channel (``direct``, or a channel
  it operates) is not another cloud, so the term gives an obligation there instead;
- using another party's IP is forbidden unless a licence in force grants it (subject, excludes,
  period with the events given);
- an exclusive licence forbids its licensor to grant the same subject to anyone else;
- a right of first refusal on compute lets the grantor buy elsewhere after offering it to the
  holder first.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any, Iterable

from .actions import (
    BUY_COMPUTE, COMPUTE, DISTRIBUTE, GRANT_EXCLUSIVE, GRANT_LICENSE, USE_LICENSE, Cited,
    FirstLaunch, Obligation, Outcome,
)
from .text import (
    channels_text, cite, clause_assumptions, describe_end, products_text, revenue_share_text,
    selector_text,
)
from ..agreement.model import (
    ClauseBase, Distribution, Exclusivity, License, RevenueShare, RightOfFirstRefusal, Version,
    clause_window, selector_matches,
)
from ..agreement import scope
from ..agreement.problems import Problem, known_hint


FIRST_WORDS = ["first", "before", "appear", "ship"]


def evaluate(version: Version, kind: int, party: str, item: str, target: str, day: date,
             events: dict[str, date], scope: dict[str, str | None] | None = None) -> Outcome:
    """``scope``: the territory, field (of use) and channel a licence is asked for (none:
    everywhere; see :mod:`termsheet.agreement.scope`)."""
    rule = _RULES[kind]
    problem = _names_problem(version, kind, party, item, target) or \
        _scope_problem(version, scope or {})
    if problem is not None:
        return Outcome(False, version.version, problem=problem)
    return rule(Context(version, day, events, scope), party, item, target, kind)


class Context:
    """A version on a day with the events given: which clauses are in force."""

    __slots__ = ("version", "day", "events", "scope")

    def __init__(self, version: Version, day: date, events: dict[str, date],
                 scope: dict[str, str | None] | None = None):
        self.version, self.day, self.events = version, day, events
        self.scope = {k: v for k, v in (scope or {}).items() if v is not None}

    def window(self, clause: ClauseBase) -> tuple[date, date | None] | None:
        return clause_window(clause, self.version.effective, None, self.events)

    def active(self, clause: ClauseBase) -> bool:
        window = self.window(clause)
        return window is not None and window[0] <= self.day and \
            (window[1] is None or self.day <= window[1])

    def clauses(self, kind: type, active: bool = True) -> list:
        return [c for c in self.version.clauses_of(kind) if not active or self.active(c)]

    def product(self, product_id: str) -> dict[str, Any]:
        return self.version.products[product_id].attributes

    def channel(self, channel_id: str) -> dict[str, Any]:
        return self.version.channels[channel_id].model_dump(exclude_none=True)

    def outcome(self, allowed: bool, deciding: Iterable[tuple[ClauseBase, list[str]]],
                reasons: list[str], obligations: list[tuple[ClauseBase, Obligation]] = (),
                first_launch: FirstLaunch | None = None) -> Outcome:
        cited = tuple(dict.fromkeys(cite(c, words) for c, words in deciding))
        used = [c for c, _ in deciding] + [c for c, _ in obligations]
        return Outcome(allowed, self.version.version, cited, tuple(reasons),
                       tuple(o for _, o in obligations),
                       tuple(dict.fromkeys(clause_assumptions(used, self.events))), first_launch)


# ---------------------------------------------------------------------------------------------
# names


def _names_problem(version: Version, kind: int, party: str, item: str,
                   target: str) -> Problem | None:
    where = version.path
    if party not in version.parties:
        return _unknown("E010", "party", party, version.parties, where)
    if kind != BUY_COMPUTE and item not in version.products:
        return _unknown("E012", "product", item, version.products, where)
    if kind == DISTRIBUTE and target not in version.channels:
        return _unknown("E011", "channel", target, version.channels, where)
    if kind == USE_LICENSE and target not in version.parties:
        return _unknown("E010", "party", target, version.parties, where)
    if kind in (GRANT_LICENSE, GRANT_EXCLUSIVE, BUY_COMPUTE) and \
            target not in counterparties(version):
        return _unknown("E010", "party", target, counterparties(version), where)
    if kind != DISTRIBUTE and kind != BUY_COMPUTE and target == party:
        return Problem("E023", f"'{party}' is on both sides of the licence", where,
                       hint="a licence is between two different parties")
    return None


def _scope_problem(version: Version, scope: dict[str, str | None]) -> Problem | None:
    where = version.path
    if scope.get("territory") is not None and scope["territory"] not in version.territories:
        return _unknown("E017", "territory", scope["territory"], version.territories, where)
    if scope.get("field") is not None and scope["field"] not in version.fields:
        return _unknown("E017", "field of use", scope["field"], version.fields, where)
    if scope.get("channel") is not None and scope["channel"] not in version.channels:
        return _unknown("E011", "channel", scope["channel"], version.channels, where)
    return None


def _unknown(code: str, what: str, name: str, known: Iterable[str], where: str) -> Problem:
    return Problem(code, f"unknown {what} '{name}' in this version", where,
                   hint=known_hint(name, known))


def counterparties(version: Version) -> set[str]:
    """Names a licence can go to or compute come from: parties, channels, channel operators."""
    operators = {c.operator for c in version.channels.values() if c.operator}
    return set(version.parties) | set(version.channels) | operators


def company(version: Version, name: str, party: str) -> str:
    """The company behind a name: a channel stands for its operator (``direct`` for the party)."""
    if name == "direct":
        return party
    channel = version.channels.get(name)
    if channel is not None and name not in version.parties:
        return channel.operator or name
    return name


def own_channel(version: Version, party: str, channel: str) -> bool:
    return channel == "direct" or version.channels[channel].operator == party


# ---------------------------------------------------------------------------------------------
# distribute


def distribute(ctx: Context, party: str, product: str, channel: str, _kind: int) -> Outcome:
    attrs, chan = ctx.product(product), ctx.channel(channel)
    words = _words(ctx, product, channel)
    owner = attrs.get("owner") or party
    deciding: list[tuple[ClauseBase, list[str]]] = []
    reasons: list[str] = []
    if owner != party:
        asked = {**ctx.scope, "channel": channel}
        licences = [c for c in ctx.clauses(License) if c.licensor == owner
                    and c.licensee == party and _covers(c, product, attrs)
                    and scope.covers(ctx.version, c, asked)]
        if not licences:
            return _unlicensed(ctx, party, owner, product, words, asked)
        deciding += [(c, words + ["license"]) for c in licences]
        reasons.append(f"{product} belongs to {owner}; {licences[0].id} licenses it to {party}")
    restrictions = [c for c in ctx.clauses(Exclusivity)
                    if c.party == party and selector_matches(c.products, product, attrs)
                    and scope.meets(ctx.version, c, ctx.scope)]
    blocking = [c for c in restrictions if not selector_matches(c.channels, channel, chan)]
    grants = [c for c in ctx.clauses(Distribution) if c.party == party
              and selector_matches(c.products, product, attrs)
              and selector_matches(c.channels, channel, chan)]
    if blocking:
        reasons = [f"{c.id}: {party} may distribute {products_text(c.products)}"
                   f"{scope.scope_text(c)} only through {channels_text(c.channels)}; {channel} "
                   f"is not one of them" for c in blocking]
        reasons += [f"{g.id} grants it, but a restriction beats a grant in the same version"
                    for g in grants]
        return ctx.outcome(False, [(c, words + ["only", "exclusive", "no other"])
                                   for c in blocking], reasons)
    for c in restrictions:
        reasons.append(f"{c.id}: {party} may distribute {products_text(c.products)} only "
                       f"through {channels_text(c.channels)}; {channel} is one of them")
        deciding.append((c, words + ["only", "through"]))
    for g in grants:
        reasons.append(f"{g.id} lets {party} distribute {products_text(g.products)} on "
                       f"{channels_text(g.channels)}")
        pending = g.first_launch is not None and g.first_launch.on != channel and \
            not own_channel(ctx.version, party, channel)
        deciding.append((g, FIRST_WORDS + [g.first_launch.on] if pending
                         else words + ["may", "any"]))
    if not deciding:
        reasons.append(f"{product} is {party}'s own product and no clause of version "
                       f"{ctx.version.version} restricts distributing it on {channel}")
    obligations, first_launch = _first_launch(ctx, party, product, channel, grants, reasons)
    obligations += _revenue_shares(ctx, party, product, channel)
    return ctx.outcome(True, deciding, reasons, obligations, first_launch)


def _first_launch(ctx: Context, party: str, product: str, channel: str,
                  grants: list[Distribution], reasons: list[str]):
    obligations: list[tuple[ClauseBase, Obligation]] = []
    for grant in grants:
        rule = grant.first_launch
        if rule is None:
            continue
        if channel == rule.on:
            reasons.append(f"{grant.id}: {rule.on} is where products ship first")
        elif own_channel(ctx.version, party, channel):
            text = f"ship {product} first on {rule.on}: no other cloud before it is on {rule.on}"
            text += f" ({rule.lead_days} days earlier)" if rule.lead_days else ""
            text += f", unless {rule.unless}" if rule.unless else ""
            obligations.append((grant, Obligation(grant.id, text, party, None)))
            reasons.append(f"{channel} is {party}'s own channel, not another cloud")
        else:
            cited = cite(grant, FIRST_WORDS + [rule.on])
            since = ctx.window(grant)[0]
            return obligations, FirstLaunch(cited, rule.on, rule.lead_days, rule.unless, since)
    return obligations, None


def _revenue_shares(ctx: Context, party: str, product: str, channel: str):
    out = []
    attrs, chan = ctx.product(product), ctx.channel(channel)
    for clause in ctx.clauses(RevenueShare):
        base = clause.base
        sellers = (base.seller,) if isinstance(base.seller, str) else base.seller
        if sellers is None and clause.payer != party or sellers and party not in sellers:
            continue
        if not selector_matches(base.channel, channel, chan) or \
                not selector_matches(base.product, product, attrs):
            continue
        text = revenue_share_text(clause, ctx.day, ctx.events, ctx.version.currency)
        out.append((clause, Obligation(clause.id, text, clause.payer, clause.payee)))
    return out


def _unlicensed(ctx: Context, party: str, owner: str, product: str, words: list[str],
                asked: dict[str, str] | None = None) -> Outcome:
    near = _near_licences(ctx, owner, party, product, asked)
    reasons = [f"{product} belongs to {owner}; no licence from {owner} to {party} in force "
               f"covers it"] + [why for _, why in near]
    return ctx.outcome(False, [(c, words + ["license", "through", "until", "outside"])
                               for c, _ in near], reasons)


# ---------------------------------------------------------------------------------------------
# licences


def _covers(clause: License, product: str, attrs: dict) -> bool:
    return selector_matches(clause.subject, product, attrs) and not (
        clause.excludes is not None and selector_matches(clause.excludes, product, attrs))


def _asked_text(asked: dict[str, str]) -> str:
    words = {"territory": "in", "field": "for", "channel": "through"}
    parts = [f"{words[k]} {v}" for k, v in asked.items() if v is not None and k in words]
    return "use " + " ".join(parts) if parts else "use everywhere, for every field"


def _near_licences(ctx: Context, licensor: str, licensee: str | None, product: str,
                   asked: dict[str, str] | None = None):
    """Licences from ``licensor`` (to ``licensee``; None: to anyone) that name the subject but do
    not cover it on this day, and why."""
    attrs = ctx.product(product)
    out = []
    for c in ctx.clauses(License, active=False):
        if c.licensor != licensor or licensee is not None and c.licensee != licensee:
            continue
        if c.excludes is not None and selector_matches(c.excludes, product, attrs):
            out.append((c, f"{c.id} excludes {selector_text(c.excludes)}"))
        elif selector_matches(c.subject, product, attrs) and not ctx.active(c):
            out.append((c, f"{c.id} is not in force on this day: it "
                        f"{describe_end(c, ctx.window(c), ctx.events)}"))
        elif selector_matches(c.subject, product, attrs) and licensee is not None and \
                not scope.covers(ctx.version, c, asked or ctx.scope):
            out.append((c, f"{c.id} licenses {selector_text(c.subject)} only"
                        f"{scope.scope_text(c)}; {_asked_text(asked or ctx.scope)} is outside "
                        f"it"))
    return out


def use_license(ctx: Context, licensee: str, subject: str, licensor: str, _kind: int) -> Outcome:
    attrs = ctx.product(subject)
    owner = attrs.get("owner")
    words = _words(ctx, subject, None) + ["license", "rights", "use"]
    if owner == licensee:
        return ctx.outcome(True, [], [f"{subject} is {licensee}'s own; no licence is needed"])
    if owner is not None and owner != licensor:
        return Outcome(False, ctx.version.version, problem=Problem(
            "E023", f"{subject} belongs to {owner}, not to {licensor}",
            ctx.version.path, hint=f"use licensor '{owner}'"))
    licences = [c for c in ctx.clauses(License) if c.licensor == licensor
                and c.licensee == licensee and _covers(c, subject, attrs)
                and scope.covers(ctx.version, c, ctx.scope)]
    if licences:
        reasons = [f"{c.id}: {licensor} licenses {selector_text(c.subject)} to {licensee}"
                   f"{scope.scope_text(c)} ({'exclusive' if c.exclusive else 'non-exclusive'}), "
                   f"{describe_end(c, ctx.window(c), ctx.events)}" for c in licences]
        return ctx.outcome(True, [(c, words) for c in licences], reasons)
    return _unlicensed(ctx, licensee, licensor, subject, words)


def grant_license(ctx: Context, licensor: str, subject: str, to: str, kind: int) -> Outcome:
    attrs = ctx.product(subject)
    owner = attrs.get("owner") or licensor
    grantee = company(ctx.version, to, licensor)
    words = _words(ctx, subject, None) + ["license", "exclusive", "no one else", "others"]
    if owner != licensor:
        held = _near_licences(ctx, owner, licensor, subject)
        return ctx.outcome(False, [(c, words) for c, _ in held], [
            f"{subject} belongs to {owner}; no clause lets {licensor} license it to others"])
    covering = [c for c in ctx.clauses(License) if c.licensor == licensor
                and _covers(c, subject, attrs)]
    blocking = [c for c in covering if c.exclusive and c.licensee != grantee
                and scope.meets(ctx.version, c, ctx.scope)]
    if blocking:
        return ctx.outcome(False, [(c, words) for c in blocking], [
            f"{c.id}: {c.licensee} holds an exclusive licence to {selector_text(c.subject)}"
            f"{scope.scope_text(c)}, "
            f"{describe_end(c, ctx.window(c), ctx.events)}; {licensor} may license it to no "
            f"one else" for c in blocking])
    deciding, reasons, obligations = [], [], []
    for c in covering:
        deciding.append((c, words))
        if c.licensee == grantee:
            reasons.append(f"{c.id}: {grantee} already holds a licence to "
                           f"{selector_text(c.subject)}")
            continue
        if c.exclusive:
            reasons.append(f"{c.id}: {c.licensee}'s exclusive licence holds only"
                           f"{scope.scope_text(c)}, which this grant does not reach")
            continue
        reasons.append(f"{c.id}: {c.licensee}'s licence is non-exclusive, so {licensor} may "
                       f"license {subject} to others")
        if kind == GRANT_EXCLUSIVE:
            obligations.append((c, Obligation(
                c.id, f"honour {c.licensee}'s licence to {subject} (it "
                f"{describe_end(c, ctx.window(c), ctx.events)}): the new licence is exclusive "
                f"only of later grants", licensor, c.licensee)))
    for c, why in _near_licences(ctx, licensor, None, subject):
        deciding.append((c, words + ["outside", "through"]))
        reasons.append(why)
    if not deciding:
        reasons.append(f"no licence of version {ctx.version.version} restricts {licensor} "
                       f"licensing {subject}")
    return ctx.outcome(True, deciding, reasons, obligations)


# ---------------------------------------------------------------------------------------------
# compute


def buy_compute(ctx: Context, party: str, _item: str, supplier: str, _kind: int) -> Outcome:
    seller = company(ctx.version, supplier, party)
    rights = [c for c in ctx.clauses(RightOfFirstRefusal)
              if c.grantor == party and c.subject == COMPUTE]
    if not rights:
        return ctx.outcome(True, [], [f"no clause of version {ctx.version.version} restricts "
                                      f"where {party} buys compute"])
    deciding, reasons, obligations = [], [], []
    for c in rights:
        deciding.append((c, ["first", "offer", "compute", "capacity"]))
        if seller == c.holder:
            reasons.append(f"{c.id}: {c.holder} holds the right of first refusal; buying from "
                           f"it honours the right")
        else:
            reasons.append(f"{c.id}: {party} may buy from {seller} after offering the capacity "
                           f"to {c.holder}")
            obligations.append((c, Obligation(c.id, f"offer to {c.holder} first: {c.holder} "
                                              f"holds a right of first refusal on new compute",
                                              party, c.holder)))
    return ctx.outcome(True, deciding, reasons, obligations)


_RULES = {DISTRIBUTE: distribute, USE_LICENSE: use_license, GRANT_LICENSE: grant_license,
          GRANT_EXCLUSIVE: grant_license, BUY_COMPUTE: buy_compute}


def _words(ctx: Context, product: str, channel: str | None) -> list[str]:
    """Words that pick the prose sentence about this product and channel."""
    attrs = ctx.product(product)
    words = re.split(r"[-_]", product) + [str(attrs.get("type", ""))]
    if channel is not None:
        chan = ctx.version.channels[channel]
        words += [channel, chan.name or ""] + list(chan.aliases)
    return [w for w in words if w]


def date_breaks(version: Version, events: dict[str, date]) -> set[date]:
    """Days on which what this version says may change: clause starts, ends and schedule steps."""
    out = {version.effective}
    for clause in version.clauses:
        window = clause_window(clause, version.effective, None, events)
        if window is None:
            continue
        out.add(window[0])
        if window[1] is not None:
            out.add(date.fromordinal(window[1].toordinal() + 1))
        if isinstance(clause, RevenueShare) and isinstance(clause.rate, tuple):
            out.update(step.from_ for step in clause.rate)
        if isinstance(clause, RevenueShare) and clause.tiers and clause.tiers.schedule:
            out.update(step.from_ for step in clause.tiers.schedule)
    return {d for d in out if d >= version.effective}


__all__ = ["evaluate", "date_breaks", "counterparties", "company", "Cited"]
