"""What changed between two versions of an agreement: clauses, their terms, and the front matter.

Clauses line up by id. A clause only in the newer version is *added*, one only in the older is
*removed*, one in both whose terms differ is *changed*. An added and a removed clause of the same
kind whose terms match apart from id and provenance (source, note, assumed) are one clause
*renamed*. Within a changed clause each term is compared on its meaning (a Decimal ``0.2`` equals
``20%``; ``all`` equals ``any``; the order of a list of parties or sources does not matter).

Provenance (heading, source, note, assumed; the sources of the front matter) is compared too and
marked ``provenance`` so that a reader can leave it out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

from ..agreement.model import EVERYTHING, ClauseBase, Version

Status = Literal["added", "removed", "changed", "renamed"]
PROVENANCE_TERMS = frozenset({"heading", "source", "note", "assumed"})
# Terms whose values are sets of ids: order carries no meaning.
UNORDERED_TERMS = frozenset({"parties", "source", "areas"})
FRONT_SECTIONS = ("currency", "parties", "channels", "products", "events", "conditions", "sources")
SECTION_NUMBER = re.compile(r"^\s*(?:§\s*)?\d+(?:\.\d+)*\.?\s+")


def heading_text(clause: ClauseBase | None, lang: str = "en") -> str:
    """A clause's heading in a language, without its section number ("3. Revenue share" ->
    "Revenue share")."""
    if clause is None:
        return ""
    return SECTION_NUMBER.sub("", clause.heading_in(lang)).strip()


@dataclass(frozen=True, slots=True)
class TermChange:
    """One term of a clause (or one field of a front-matter entry) that differs."""

    term: str
    old: Any
    new: Any
    old_json: Any = None
    new_json: Any = None

    @property
    def change(self) -> Literal["set", "cleared", "changed"]:
        if self.old is None:
            return "set"
        if self.new is None:
            return "cleared"
        return "changed"

    @property
    def provenance(self) -> bool:
        return self.term in PROVENANCE_TERMS

    def to_dict(self) -> dict[str, Any]:
        return {"term": self.term, "change": self.change, "old": self.old_json,
                "new": self.new_json}


@dataclass(frozen=True, slots=True)
class ClauseChange:
    """A clause added, removed, changed or renamed; ``old``/``new`` are the clause records."""

    id: str
    kind: str
    status: Status
    old: ClauseBase | None = None
    new: ClauseBase | None = None
    terms: tuple[TermChange, ...] = ()

    @property
    def old_id(self) -> str | None:
        return self.old.id if self.old is not None else None

    @property
    def heading(self) -> str:
        return heading_text(self.new if self.new is not None else self.old)

    @property
    def substantive_terms(self) -> tuple[TermChange, ...]:
        return tuple(t for t in self.terms if not t.provenance)

    @property
    def provenance_only(self) -> bool:
        return self.status == "changed" and not self.substantive_terms

    def heading_in(self, lang: str) -> str:
        return heading_text(self.new if self.new is not None else self.old, lang)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "kind": self.kind, "status": self.status,
                               "heading": self.heading_in(lang)}
        if self.status == "renamed":
            out["old_id"] = self.old_id
        if self.status == "added":
            out["terms"] = _dump(self.new)
        elif self.status == "removed":
            out["terms"] = _dump(self.old)
        out["changes"] = [t.to_dict() for t in self.terms]
        return out


@dataclass(frozen=True, slots=True)
class EntryChange:
    """A front-matter entry added, removed or changed: a party, channel, product, event, ..."""

    section: str
    key: str
    status: Status
    old: Any = None
    new: Any = None
    fields: tuple[TermChange, ...] = ()

    @property
    def provenance(self) -> bool:
        return self.section == "sources"

    def to_dict(self) -> dict[str, Any]:
        return {"section": self.section, "key": self.key, "status": self.status,
                "old": _json(self.old), "new": _json(self.new),
                "changes": [f.to_dict() for f in self.fields]}


@dataclass(frozen=True, slots=True)
class Diff:
    """Every change from version ``a`` to version ``b``, clauses in reading order."""

    a: Version
    b: Version
    clauses: tuple[ClauseChange, ...] = ()
    front: tuple[EntryChange, ...] = ()
    unchanged: tuple[str, ...] = field(default=())

    def of(self, status: Status) -> tuple[ClauseChange, ...]:
        return tuple(c for c in self.clauses if c.status == status)

    @property
    def added(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.of("added"))

    @property
    def removed(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.of("removed"))

    @property
    def changed(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.of("changed"))

    @property
    def renamed(self) -> tuple[tuple[str, str], ...]:
        return tuple((c.old_id or "", c.id) for c in self.of("renamed"))

    def clause(self, clause_id: str) -> ClauseChange | None:
        for change in self.clauses:
            if change.id == clause_id or change.old_id == clause_id:
                return change
        return None

    def entry(self, section: str, key: str) -> EntryChange | None:
        for change in self.front:
            if change.section == section and change.key == key:
                return change
        return None

    @property
    def removed_events(self) -> tuple[str, ...]:
        return tuple(e.key for e in self.front if e.section == "events" and e.status == "removed")

    @property
    def empty(self) -> bool:
        return not self.clauses and not self.front

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        """The changes as data; headings and titles in ``lang`` where the documents give them."""
        return {
            "agreement": self.b.agreement,
            "from": {"version": self.a.version, "effective": self.a.effective.isoformat(),
                     "title": self.a.title_in(lang), "path": self.a.path},
            "to": {"version": self.b.version, "effective": self.b.effective.isoformat(),
                   "title": self.b.title_in(lang), "path": self.b.path},
            "added": list(self.added), "removed": list(self.removed),
            "changed": list(self.changed), "renamed": [list(r) for r in self.renamed],
            "unchanged": list(self.unchanged),
            "clauses": [c.to_dict(lang) for c in self.clauses],
            "front": [e.to_dict() for e in self.front],
        }


# ---------------------------------------------------------------------------------------------
# comparing


def diff(a: Version, b: Version) -> Diff:
    """The changes that turn version ``a`` into version ``b``."""
    old = {c.id: c for c in a.clauses}
    new = {c.id: c for c in b.clauses}
    changes: dict[str, ClauseChange] = {}
    unchanged = []
    for clause_id in new.keys() & old.keys():
        terms = compare_clauses(old[clause_id], new[clause_id])
        if terms:
            changes[clause_id] = ClauseChange(clause_id, new[clause_id].kind, "changed",
                                              old[clause_id], new[clause_id], terms)
        else:
            unchanged.append(clause_id)
    gone = [old[i] for i in old if i not in new]
    fresh = [new[i] for i in new if i not in old]
    for before, after in _renames(gone, fresh):
        gone.remove(before)
        fresh.remove(after)
        changes[after.id] = ClauseChange(after.id, after.kind, "renamed", before, after,
                                         compare_clauses(before, after))
    for clause in gone:
        changes[clause.id] = ClauseChange(clause.id, clause.kind, "removed", old=clause)
    for clause in fresh:
        changes[clause.id] = ClauseChange(clause.id, clause.kind, "added", new=clause)
    ordered = tuple(changes[i] for i in reading_order(a, b) if i in changes)
    order = {c.id: n for n, c in enumerate(b.clauses)}
    return Diff(a, b, ordered, compare_front(a, b),
                tuple(sorted(unchanged, key=lambda i: order.get(i, 0))))


def compare_clauses(old: ClauseBase, new: ClauseBase) -> tuple[TermChange, ...]:
    """The terms of two clauses with the same id (or a rename) that differ, in model order."""
    if old.kind != new.kind:
        return (TermChange("kind", old.kind, new.kind, old.kind, new.kind),)
    old_json = old.model_dump(mode="json", by_alias=True)
    new_json = new.model_dump(mode="json", by_alias=True)
    out = []
    for name in clause_terms(type(new)):
        term = type(new).model_fields[name].alias or name
        before, after = getattr(old, name), getattr(new, name)
        if not same_value(term, before, after):
            out.append(TermChange(term, before, after, old_json.get(term), new_json.get(term)))
    before, after = heading_text(old), heading_text(new)
    if before != after:
        out.append(TermChange("heading", before or None, after or None, before, after))
    # What a clause does first, where its figures come from last.
    return tuple(sorted(out, key=lambda t: t.provenance))


def clause_terms(kind: type[ClauseBase]) -> list[str]:
    """Field names of a clause kind that carry meaning (not id, kind, or position records)."""
    return [name for name, info in kind.model_fields.items()
            if not info.exclude and name not in ("id", "kind")]


def same_value(term: str, old: Any, new: Any) -> bool:
    return _normal(term, old) == _normal(term, new)


def _normal(term: str, value: Any) -> Any:
    if isinstance(value, str) and value in EVERYTHING:
        return "all"
    if isinstance(value, (list, tuple)):
        items = tuple(_normal(term, v) for v in value)
        return frozenset(items) if term in UNORDERED_TERMS else items
    if term == "source" and isinstance(value, str):
        return frozenset({value})
    if hasattr(value, "model_dump"):
        return {k: _normal(k, v) for k, v in value.model_dump(by_alias=True).items()}
    if isinstance(value, dict):
        return {k: _normal(k, v) for k, v in value.items()}
    return value


def _meaning(clause: ClauseBase) -> dict[str, Any]:
    data = clause.model_dump(by_alias=True)
    for term in ("id", "source", "note", "assumed"):
        data.pop(term, None)
    return {k: _normal(k, v) for k, v in data.items()}


def _renames(gone: list[ClauseBase], fresh: list[ClauseBase]):
    """Pairs (removed, added) of the same kind whose terms match apart from id and provenance."""
    taken: set[str] = set()
    for before in gone:
        for after in fresh:
            if after.id not in taken and _meaning(before) == _meaning(after):
                taken.add(after.id)
                yield before, after
                break


def reading_order(a: Version, b: Version) -> list[str]:
    """Clause ids of both versions in one order: a's order, each clause new in b placed just after
    the clause that precedes it in b (first, when it leads b)."""
    out = [c.id for c in a.clauses]
    previous: str | None = None
    for clause in b.clauses:
        if clause.id not in out:
            out.insert(out.index(previous) + 1 if previous in out else 0, clause.id)
        previous = clause.id
    return out


# ---------------------------------------------------------------------------------------------
# front matter


def compare_front(a: Version, b: Version) -> tuple[EntryChange, ...]:
    out: list[EntryChange] = []
    if a.currency != b.currency:
        out.append(EntryChange("currency", "currency", "changed", a.currency, b.currency))
    for section in FRONT_SECTIONS[1:]:
        old, new = getattr(a, section), getattr(b, section)
        for key in old:
            if key not in new:
                out.append(EntryChange(section, key, "removed", old=old[key]))
        for key in new:
            if key not in old:
                out.append(EntryChange(section, key, "added", new=new[key]))
            else:
                fields = _entry_fields(old[key], new[key])
                if fields:
                    out.append(EntryChange(section, key, "changed", old[key], new[key], fields))
    return tuple(out)


def _entry_fields(old: Any, new: Any) -> tuple[TermChange, ...]:
    if not hasattr(old, "model_dump"):
        return () if old == new else (TermChange("description", old, new, old, new),)
    before = old.model_dump(mode="json", by_alias=True)
    after = new.model_dump(mode="json", by_alias=True)
    out = []
    for key in dict.fromkeys([*before, *after]):
        if not same_value(key, before.get(key), after.get(key)):
            out.append(TermChange(key, before.get(key), after.get(key),
                                  before.get(key), after.get(key)))
    return tuple(out)


def _dump(clause: ClauseBase | None) -> dict[str, Any] | None:
    if clause is None:
        return None
    return clause.model_dump(mode="json", by_alias=True, exclude_none=True)


def _json(value: Any) -> Any:
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    return value
