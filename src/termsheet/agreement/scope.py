"""Scopes: where (territories), for what (fields of use) and through what (channels) a licence or
an exclusivity holds.

Each dimension is a finite set: the leaves the version declares (a territory with ``includes`` is a
named set of other territories, expanded to its leaves; fields and channels are all leaves) and
``*``, the rest of the world: whatever the version does not name. A selector chooses a subset:

- ``any`` (or ``all``): every leaf and ``*``;
- an id or a list of ids: their leaves (``eu`` -> ``de``, ``fr``, ...);
- ``{excludes: X}``: everything but the leaves of X (``*`` included).

A request names one value per dimension, or none: none means everywhere (every leaf and ``*``). A
licence covers a request when the request's set lies inside the licence's set in every dimension;
an exclusive licence (or an exclusivity) reaches a request when the sets meet in every dimension.
"""

from __future__ import annotations

from typing import Any, Iterable

from .model import EVERYTHING, ClauseBase, Version

REST = "*"
DIMENSIONS = ("territories", "fields", "channels")
# the request's word for each dimension, and the command-line option
REQUEST = {"territories": "territory", "fields": "field", "channels": "channel"}


def declared(version: Version, dimension: str) -> dict[str, tuple[str, ...]]:
    """Every id of a dimension and the ids it includes (none for a leaf)."""
    if dimension == "territories":
        return {k: tuple(v.includes) for k, v in version.territories.items()}
    if dimension == "fields":
        return {k: () for k in version.fields}
    return {k: () for k in version.channels}


def leaves(version: Version, dimension: str, name: str) -> frozenset[str]:
    """The leaves of an id (itself for a leaf); an undeclared id is a leaf of its own."""
    table = declared(version, dimension)
    out: set[str] = set()
    stack, seen = [name], set()
    while stack:
        current = stack.pop()
        if current in seen:
            continue
        seen.add(current)
        children = table.get(current, ())
        if children:
            stack.extend(children)
        else:
            out.add(current)
    return frozenset(out)


def universe(version: Version, dimension: str) -> frozenset[str]:
    table = declared(version, dimension)
    out: set[str] = {REST}
    for name in table:
        out |= leaves(version, dimension, name)
    return frozenset(out)


def expand(version: Version, dimension: str, selector: Any) -> frozenset[str]:
    """The leaves (and ``*``) a scope selector chooses."""
    if selector is None or isinstance(selector, str) and selector in EVERYTHING:
        return universe(version, dimension)
    if isinstance(selector, dict):
        rest = universe(version, dimension)
        if "excludes" in selector:
            rest = rest - expand(version, dimension, selector["excludes"])
        return rest
    names = (selector,) if isinstance(selector, str) else tuple(selector)
    out: set[str] = set()
    for name in names:
        out |= leaves(version, dimension, name)
    return frozenset(out)


def request(version: Version, dimension: str, value: str | None) -> frozenset[str]:
    """What a request asks for in one dimension: none is everywhere."""
    if value is None:
        return universe(version, dimension)
    return leaves(version, dimension, value)


def is_scoped(clause: ClauseBase) -> bool:
    return any(getattr(clause, d, "any") not in EVERYTHING for d in ("territories", "fields")) \
        or (clause.kind == "license" and clause.channels not in EVERYTHING)


def dimensions_of(clause: ClauseBase) -> tuple[str, ...]:
    return DIMENSIONS if clause.kind == "license" else ("territories", "fields")


def covers(version: Version, clause: ClauseBase, scope: dict[str, str | None]) -> bool:
    """A licence's scope holds everything the request asks for."""
    return all(request(version, d, scope.get(REQUEST[d])) <=
               expand(version, d, getattr(clause, d)) for d in dimensions_of(clause))


def meets(version: Version, clause: ClauseBase, scope: dict[str, str | None]) -> bool:
    """A clause's scope and the request share some territory, field and channel."""
    return all(request(version, d, scope.get(REQUEST[d])) &
               expand(version, d, getattr(clause, d)) for d in dimensions_of(clause))


def scope_text(clause: ClauseBase) -> str:
    """' in eu, for healthcare, through retail' for a scoped clause; '' otherwise."""
    parts = []
    for dimension, word in (("territories", "in"), ("fields", "for"), ("channels", "through")):
        if dimension not in dimensions_of(clause):
            continue
        value = getattr(clause, dimension)
        if isinstance(value, str) and value in EVERYTHING:
            continue
        if isinstance(value, dict) and set(value) == {"excludes"}:
            other = {"territories": "outside", "fields": "for every field but",
                     "channels": "through every channel but"}[dimension]
            parts.append(f"{other} {selector_words(value['excludes'])}")
        else:
            parts.append(f"{word} {selector_words(value)}")
    return (" " + ", ".join(parts)) if parts else ""


def selector_words(value: Any) -> str:
    if isinstance(value, dict) and set(value) == {"excludes"}:
        return f"everywhere but {selector_words(value['excludes'])}"
    if isinstance(value, str):
        return value
    if isinstance(value, (list, tuple)):
        return ", ".join(value)
    return str(value)


def names_in(value: Any) -> Iterable[str]:
    """The ids a scope selector names (for checks)."""
    if value is None or isinstance(value, str) and value in EVERYTHING:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, dict):
        return tuple(n for v in value.values() for n in names_in(v))
    return tuple(value)
