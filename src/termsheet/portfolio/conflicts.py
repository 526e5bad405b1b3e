"""Conflicts between agreements: every date range on which one grants or requires what another
forbids.

Every clause of every version is taken over the days it applies (its own ``from`` and ``until``,
clipped to the version's window, with the events given) and in the portfolio's names. Four kinds of
pairs are weighed, each between clauses of two different agreements (exclusive licences also within
one version):

- ``exclusivity``: a distribution grant that names its channels (a promise to offer the products
  there) against another agreement's exclusivity that keeps those products off those channels. A
  grant to ``any`` channel is a freedom, which another agreement may narrow without conflict;
- ``first-launch``: a duty to ship first on a channel against an exclusivity that keeps the product
  off that channel (a *conflict*), or against a grant elsewhere (a *duty*: honoured by shipping on
  that channel first);
- ``right-of-first-refusal``: a purchase of compute from one supplier against another party's right
  of first refusal on the buyer's compute (a *duty*: offer it to the holder first);
- ``exclusive-licence``: a licence granted exclusively, and the same subject licensed to someone
  else over overlapping days (and, for scoped licences, overlapping territory, field and channel).

Each conflict names both clauses (with the sentence of prose that says it), the days, the exact
cases (party, action, product, channel) and what would resolve it: an event that ends a term, or a
condition that lifts a duty.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from ..agreement.history import History
from ..agreement.model import (
    EVERYTHING, ClauseBase, Commitment, Distribution, Exclusivity, License, RightOfFirstRefusal,
    Version, clause_window, events_in, selector_matches,
)
from ..agreement import scope
from ..decide.text import cite
from .load import Names, Portfolio, names_of

CONFLICT, DUTY = "conflict", "duty"
COMPUTE = "compute"


# ---------------------------------------------------------------------------------------------
# records


@dataclass(frozen=True, slots=True)
class Side:
    """One clause of a conflict: where it is, what it says, and the sentence of prose that says
    it."""

    agreement: str
    versions: tuple[str, ...]
    clause: str
    kind: str
    heading: str
    sentence: str
    source: tuple[str, ...]
    at: str

    def to_dict(self) -> dict[str, Any]:
        return {"agreement": self.agreement, "versions": list(self.versions),
                "clause": self.clause, "kind": self.kind, "heading": self.heading,
                "sentence": self.sentence, "source": list(self.source), "at": self.at}


@dataclass(frozen=True, slots=True)
class Case:
    party: str
    action: str
    product: str
    channel: str

    def to_dict(self) -> dict[str, str]:
        return {"party": self.party, "action": self.action, "product": self.product,
                "channel": self.channel}

    def __str__(self) -> str:
        return f"({self.party}, {self.action}, {self.product}, {self.channel})"


@dataclass(frozen=True, slots=True)
class Conflict:
    kind: str
    severity: str          # conflict: cannot both be honoured; duty: honoured by doing something
    grants: Side           # the clause that grants or requires
    forbids: Side          # the clause that forbids (or imposes the duty)
    start: dt.date
    end: dt.date | None
    cases: tuple[Case, ...]
    explanation: str
    resolved_by: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "severity": self.severity, "grants": self.grants.to_dict(),
                "forbids": self.forbids.to_dict(), "from": self.start, "until": self.end,
                "cases": [c.to_dict() for c in self.cases], "explanation": self.explanation,
                "resolved_by": list(self.resolved_by)}


@dataclass(frozen=True)
class Report:
    root: str
    agreements: tuple[str, ...]
    start: dt.date | None
    end: dt.date | None
    terms: int
    pairs: int
    conflicts: tuple[Conflict, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"portfolio": self.root, "agreements": list(self.agreements), "from": self.start,
                "to": self.end, "clauses_weighed": self.terms, "pairs_compared": self.pairs,
                "conflicts": [c.to_dict() for c in self.conflicts]}


# ---------------------------------------------------------------------------------------------
# terms: clauses over their days, in portfolio names


@dataclass(eq=False)
class Term:
    agreement: str
    version: Version
    clause: ClauseBase
    start: dt.date
    end: dt.date | None
    names: Names
    cache: dict = field(default_factory=dict)

    def party(self, local: str) -> str:
        return self.names.canon("parties", local)

    def channel(self, local: str) -> str:
        return self.names.canon("channels", local)

    def company(self, local: str) -> str:
        """The company behind a name: a channel stands for its operator."""
        entry = self.version.channels.get(local)
        if entry is not None and local not in self.version.parties:
            return self.party(entry.operator) if entry.operator else self.channel(local)
        return self.party(local)


class Universe:
    """Every product and channel of the portfolio with its attributes, as some agreement declares
    them (a selector is read against its own agreement's attributes when that agreement declares
    the item)."""

    def __init__(self, portfolio: Portfolio):
        self.products = {k: v[0][2].attributes for k, v in portfolio.catalog("products").items()}
        self.channels = {k: v[0][2].model_dump(exclude_none=True, exclude={"same_as"})
                         for k, v in portfolio.catalog("channels").items()}

    def expand(self, term: Term, name: str, selector: Any, table: str) -> frozenset[str]:
        """The portfolio ids a clause's selector chooses."""
        key = (name, table)
        hit = term.cache.get(key)
        if hit is not None:
            return hit
        universe = self.products if table == "products" else self.channels
        if selector is None or isinstance(selector, str) and selector in EVERYTHING:
            out = frozenset(universe)
        elif isinstance(selector, (str, tuple, list)):
            ids = (selector,) if isinstance(selector, str) else selector
            out = frozenset(term.names.canon(table, i) for i in ids)
        else:
            own = getattr(term.version, table)
            out = set()
            for canonical, attributes in universe.items():
                local = term.names.local(table, canonical)
                if local is not None and local in own:
                    entry = own[local]
                    attributes = entry.attributes if table == "products" else \
                        entry.model_dump(exclude_none=True, exclude={"same_as"})
                if selector_matches(selector, canonical, attributes):
                    out.add(canonical)
            out = frozenset(out)
        term.cache[key] = out
        return out

    def covered(self, term: Term) -> frozenset[str]:
        """The products a licence covers (subject minus excludes)."""
        clause = term.clause
        subject = self.expand(term, "subject", clause.subject, "products")
        if clause.excludes is None:
            return subject
        return subject - self.expand(term, "excludes", clause.excludes, "products")


def terms_of(portfolio: Portfolio, events: Mapping[str, dt.date] | None = None) -> list[Term]:
    """Every clause that can take part in a conflict, over the days it applies."""
    out = []
    for history in portfolio:
        out += history_terms(history, events or {})
    return out


WEIGHED = (Distribution, Exclusivity, License, RightOfFirstRefusal, Commitment)


def history_terms(history: History, events: Mapping[str, dt.date]) -> list[Term]:
    out = []
    for version, start, end in history.windows():
        known = {k: v for k, v in events.items() if k in version.events}
        names = names_of(version)
        for clause in version.clauses:
            if not isinstance(clause, WEIGHED):
                continue
            window = clause_window(clause, version.effective, end, known)
            if window is None:
                continue
            out.append(Term(history.agreement, version, clause, window[0], window[1], names))
    return out


# ---------------------------------------------------------------------------------------------
# pairs


def overlap(a: Term, b: Term) -> tuple[dt.date, dt.date | None] | None:
    start = max(a.start, b.start)
    ends = [e for e in (a.end, b.end) if e is not None]
    end = min(ends) if ends else None
    if end is not None and end < start:
        return None
    return start, end


def names_channels(selector: Any) -> bool:
    """A grant that names its channels (a list or one id), not ``any`` or an attribute mapping."""
    if isinstance(selector, str):
        return selector not in EVERYTHING
    return isinstance(selector, (tuple, list))


def side(term: Term, words: Iterable[str]) -> Side:
    cited = cite(term.clause, words)
    return Side(term.agreement, (term.version.version,), term.clause.id, term.clause.kind,
                cited.heading, cited.sentence, cited.source, cited.at)


def _ending_events(term: Term) -> list[str]:
    return [f"{e} happens (it ends {term.agreement}:{term.clause.id})"
            for e in events_in(term.clause.until)]


def pair_conflicts(a: Term, b: Term, universe: Universe) -> list[Conflict]:
    """What two clauses of different agreements (or two licences of one version) say against
    each other."""
    if a.agreement == b.agreement and not (isinstance(a.clause, License) and
                                           isinstance(b.clause, License) and
                                           a.version is b.version):
        return []
    days = overlap(a, b)
    if days is None:
        return []
    out: list[Conflict] = []
    for x, y in ((a, b), (b, a)):
        cx, cy = x.clause, y.clause
        if isinstance(cx, Distribution) and isinstance(cy, Exclusivity):
            out += _grant_vs_exclusivity(x, y, days, universe)
        elif isinstance(cx, Distribution) and isinstance(cy, Distribution):
            out += _grant_vs_first_launch(x, y, days, universe)
        elif isinstance(cx, Exclusivity) and isinstance(cy, Distribution):
            out += _exclusivity_vs_first_launch(x, y, days, universe)
        elif isinstance(cx, Commitment) and isinstance(cy, RightOfFirstRefusal):
            out += _purchase_vs_first_refusal(x, y, days)
        elif isinstance(cx, License) and isinstance(cy, License) and cx.exclusive and \
                (not cy.exclusive or _first(x, y)):
            out += _licensed_twice(x, y, days, universe)
    return out


def _first(x: Term, y: Term) -> bool:
    """Of two exclusive licences, the one granted first (the later one is the second grant)."""
    return (x.start, x.agreement, x.clause.id) <= (y.start, y.agreement, y.clause.id)


def _grant_vs_exclusivity(grant: Term, excl: Term, days, universe: Universe) -> list[Conflict]:
    g, e = grant.clause, excl.clause
    party = grant.party(g.party)
    if party != excl.party(e.party) or not names_channels(g.channels):
        return []
    products = universe.expand(grant, "products", g.products, "products") & \
        universe.expand(excl, "products", e.products, "products")
    channels = universe.expand(grant, "channels", g.channels, "channels") - \
        universe.expand(excl, "channels", e.channels, "channels")
    if not products or not channels:
        return []
    cases = tuple(Case(party, "distribute", p, c) for p in sorted(products)
                  for c in sorted(channels))
    words = list(products) + list(channels)
    explanation = (f"{grant.agreement}:{g.id} offers {_list(products)} on {_list(channels)}, "
                   f"but {excl.agreement}:{e.id} lets {party} distribute "
                   f"{_list(products)} only through {_list(universe.expand(excl, 'channels', e.channels, 'channels'))}")
    return [Conflict("exclusivity", CONFLICT, side(grant, words + ["may", "through"]),
                     side(excl, words + ["only", "exclusive", "no other"]), days[0], days[1],
                     cases, explanation, tuple(_ending_events(excl)))]


def _first_launch_rule(term: Term):
    rule = term.clause.first_launch
    if rule is None:
        return None
    return term.channel(rule.on)


def _grant_vs_first_launch(grant: Term, duty: Term, days, universe: Universe) -> list[Conflict]:
    g, d = grant.clause, duty.clause
    on = _first_launch_rule(duty)
    party = grant.party(g.party)
    if on is None or party != duty.party(d.party) or not names_channels(g.channels):
        return []
    products = universe.expand(grant, "products", g.products, "products") & \
        universe.expand(duty, "products", d.products, "products")
    reach = universe.expand(duty, "channels", d.channels, "channels")
    channels = {c for c in universe.expand(grant, "channels", g.channels, "channels")
                if c != on and c in reach and c != "direct" and
                universe.channels.get(c, {}).get("operator") != party}
    if not products or not channels:
        return []
    rule = d.first_launch
    cases = tuple(Case(party, "distribute", p, c) for p in sorted(products)
                  for c in sorted(channels))
    resolved = [f"{party} ships each product on {on} first"
                + (f" ({rule.lead_days} days earlier)" if rule.lead_days else "")]
    if rule.unless:
        resolved.append(f"{rule.unless} holds (stated as a fact)")
    explanation = (f"{grant.agreement}:{g.id} offers {_list(products)} on {_list(channels)}; "
                   f"{duty.agreement}:{d.id} requires each to be available on {on} no later "
                   f"than anywhere else" + (f", unless {rule.unless}" if rule.unless else ""))
    words = ["first", "before", on] + list(products)
    return [Conflict("first-launch", DUTY, side(grant, list(products) + list(channels)),
                     side(duty, words), days[0], days[1], cases, explanation, tuple(resolved))]


def _exclusivity_vs_first_launch(excl: Term, duty: Term, days,
                                 universe: Universe) -> list[Conflict]:
    e, d = excl.clause, duty.clause
    on = _first_launch_rule(duty)
    party = excl.party(e.party)
    if on is None or party != duty.party(d.party):
        return []
    allowed = universe.expand(excl, "channels", e.channels, "channels")
    if on in allowed:
        return []
    products = universe.expand(excl, "products", e.products, "products") & \
        universe.expand(duty, "products", d.products, "products")
    reach = universe.expand(duty, "channels", d.channels, "channels")
    elsewhere = {c for c in allowed & reach if c != "direct" and
                 universe.channels.get(c, {}).get("operator") != party}
    if not products or not elsewhere:
        return []
    rule = d.first_launch
    cases = tuple(Case(party, "distribute", p, on) for p in sorted(products))
    explanation = (f"{duty.agreement}:{d.id} requires {_list(products)} on {on} before "
                   f"{_list(elsewhere)}, but {excl.agreement}:{e.id} keeps {_list(products)} "
                   f"off {on} (only {_list(allowed)})")
    resolved = _ending_events(excl)
    if rule.unless:
        resolved.append(f"{rule.unless} holds (stated as a fact): the first-launch duty "
                        f"lapses")
    words = ["first", "before", on] + list(products)
    return [Conflict("first-launch", CONFLICT, side(duty, words),
                     side(excl, list(products) + ["only", "exclusive"]), days[0], days[1],
                     cases, explanation, tuple(resolved))]


def _purchase_vs_first_refusal(buy: Term, right: Term, days) -> list[Conflict]:
    c, r = buy.clause, right.clause
    if c.subject != COMPUTE or r.subject != COMPUTE:
        return []
    party, holder = buy.party(c.party), right.party(r.holder)
    if party != right.party(r.grantor):
        return []
    supplier = buy.company(c.counterparty)
    if supplier == holder:
        return []
    cases = (Case(party, "buy-compute", COMPUTE, supplier),)
    explanation = (f"{buy.agreement}:{c.id} buys compute from {supplier}; "
                   f"{right.agreement}:{r.id} gives {holder} a right of first refusal on "
                   f"{party}'s new compute")
    return [Conflict("right-of-first-refusal", DUTY, side(buy, ["compute", supplier]),
                     side(right, ["first", "refusal", "compute", "capacity"]), days[0],
                     days[1], cases, explanation,
                     (f"{party} offers the capacity to {holder} first and {holder} declines",))]


def _licensed_twice(excl: Term, other: Term, days, universe: Universe) -> list[Conflict]:
    e, o = excl.clause, other.clause
    licensor = excl.party(e.licensor)
    if licensor != other.party(o.licensor):
        return []
    holder, licensee = excl.party(e.licensee), other.party(o.licensee)
    if holder == licensee:
        return []
    products = universe.covered(excl) & universe.covered(other)
    if not products:
        return []
    scope = scope_overlap(excl, other)
    if scope is None:
        return []
    cases = tuple(Case(licensor, "grant-license", p, licensee) for p in sorted(products))
    where = f" ({scope})" if scope else ""
    explanation = (f"{excl.agreement}:{e.id} licenses {_list(products)} to {holder} "
                   f"exclusively; {other.agreement}:{o.id} licenses "
                   f"{'them' if len(products) > 1 else 'it'} to {licensee} as well{where}")
    words = list(products) + ["license", "exclusive", "rights"]
    return [Conflict("exclusive-licence", CONFLICT, side(other, words), side(excl, words),
                     days[0], days[1], cases, explanation,
                     tuple(_ending_events(excl) + _ending_events(other)))]


def scope_overlap(a: Term, b: Term) -> str | None:
    """Where two licences meet in territory, field and channel: '' when neither is scoped, None
    when they do not meet (see :mod:`termsheet.agreement.scope`)."""
    parts = []
    for dimension in scope.DIMENSIONS:
        left, right = getattr(a.clause, dimension), getattr(b.clause, dimension)
        if all(isinstance(v, str) and v in EVERYTHING for v in (left, right)):
            continue
        both = scope.expand(a.version, dimension, left) & \
            scope.expand(b.version, dimension, right)
        if not both:
            return None
        words = sorted(n for n in both if n != scope.REST) + \
            (["elsewhere"] if scope.REST in both else [])
        parts.append(f"{dimension}: {', '.join(words)}")
    return "; ".join(parts)


def _list(items: Iterable[str]) -> str:
    items = sorted(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# ---------------------------------------------------------------------------------------------
# the analysis


def index_keys(term: Term) -> list[tuple[str, str]]:
    """The keys under which a clause can meet another: its party (distribution, exclusivity,
    buying, first refusal) or its licensor (licences)."""
    c = term.clause
    if isinstance(c, License):
        return [("licence", term.party(c.licensor))]
    if isinstance(c, RightOfFirstRefusal):
        return [("compute", term.party(c.grantor))]
    if isinstance(c, Commitment):
        return [("compute", term.party(c.party))] if c.subject == COMPUTE else []
    return [("distribute", term.party(c.party))]


def find_conflicts(portfolio: Portfolio, start: dt.date | None = None,
                   end: dt.date | None = None, events: Mapping[str, dt.date] | None = None,
                   naive: bool = False) -> Report:
    """Every conflict between the agreements of a portfolio, clipped to ``start``..``end``.

    ``naive`` weighs every pair of clauses (the reference the benchmark measures against);
    otherwise clauses meet only within the group of their party or licensor.
    """
    terms = terms_of(portfolio, events)
    universe = Universe(portfolio)
    found: list[Conflict] = []
    pairs = 0
    if naive:
        for i, a in enumerate(terms):
            for b in terms[i + 1:]:
                pairs += 1
                found += pair_conflicts(a, b, universe)
    else:
        groups: dict[tuple[str, str], list[Term]] = {}
        for term in terms:
            for key in index_keys(term):
                groups.setdefault(key, []).append(term)
        for members in groups.values():
            for i, a in enumerate(members):
                for b in members[i + 1:]:
                    if a.agreement == b.agreement and a.version is not b.version:
                        continue
                    pairs += 1
                    found += pair_conflicts(a, b, universe)
    merged = merge(found)
    clipped = [c for c in (clip(c, start, end) for c in merged) if c is not None]
    clipped.sort(key=lambda c: (c.start, c.grants.agreement, c.grants.clause,
                                c.forbids.agreement, c.forbids.clause, c.kind))
    return Report(str(portfolio.root), tuple(portfolio.ids), start, end, len(terms), pairs,
                  tuple(clipped))


def merge(conflicts: list[Conflict]) -> list[Conflict]:
    """One conflict per pair of clauses and cases over contiguous days: the same clause restated
    in successive versions makes one longer conflict naming every version."""
    key = lambda c: (c.kind, c.severity, c.grants.agreement, c.grants.clause,  # noqa: E731
                     c.forbids.agreement, c.forbids.clause, c.cases, c.resolved_by)
    out: list[Conflict] = []
    for conflict in sorted(conflicts, key=lambda c: (key(c), c.start)):
        last = out[-1] if out else None
        if last is not None and key(last) == key(conflict) and last.end is not None and \
                last.end + dt.timedelta(days=1) >= conflict.start:
            end = None if conflict.end is None else max(conflict.end, last.end)
            out[-1] = Conflict(
                last.kind, last.severity, _join(last.grants, conflict.grants),
                _join(last.forbids, conflict.forbids), last.start, end, last.cases,
                last.explanation, last.resolved_by)
        else:
            out.append(conflict)
    return out


def _join(a: Side, b: Side) -> Side:
    versions = tuple(dict.fromkeys(a.versions + b.versions))
    return Side(a.agreement, versions, a.clause, a.kind, b.heading, b.sentence, b.source, b.at)


def clip(conflict: Conflict, start: dt.date | None, end: dt.date | None) -> Conflict | None:
    lo = conflict.start if start is None else max(start, conflict.start)
    hi = conflict.end if end is None else (end if conflict.end is None else min(end,
                                                                               conflict.end))
    if hi is not None and hi < lo:
        return None
    if (lo, hi) == (conflict.start, conflict.end):
        return conflict
    return Conflict(conflict.kind, conflict.severity, conflict.grants, conflict.forbids, lo, hi,
                    conflict.cases, conflict.explanation, conflict.resolved_by)
