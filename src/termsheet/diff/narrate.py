"""Narration: one plain sentence per change of a :class:`~termsheet.diff.Diff`, in English or
Simplified Chinese, from the hand-written templates in :mod:`termsheet.sentences`.

Each sentence keeps the clause id (or the front-matter entry) and the term it narrates, so a page
or a table can point from the sentence back to the documents.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from .changes import ClauseChange, Diff, EntryChange, TermChange, clause_terms, heading_text
from ..agreement.model import EVERYTHING, ClauseBase, Distribution, RevenueShare, Version
from .phrases import Phrases, phrasebook
from .sentences import COMMON, COSMETIC, FRONT, KINDS, PIECES, SUMMARY

LANGS = ("en", "zh")


@dataclass(frozen=True, slots=True)
class Sentence:
    """One narrated change."""

    text: str
    lang: str
    section: str            # "clauses", or the front-matter section ("parties", "events", ...)
    key: str                # the clause id, or the front-matter entry's key
    status: str             # added, removed, changed, renamed
    term: str | None = None
    provenance: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def template(kind: str, term: str, lang: str) -> Any:
    """The template of a clause kind's term (or of added/removed/renamed); None if missing."""
    own = KINDS.get(lang, {}).get(kind, {})
    return own.get(term, COMMON.get(lang, {}).get(term))


def narrate(d: Diff, lang: str = "en", provenance: bool = True) -> tuple[Sentence, ...]:
    """The sentences of a diff in reading order; ``provenance=False`` leaves out changes to
    headings, sources, notes and assumed figures."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGS)}")
    books = (phrasebook(d.a, lang), phrasebook(d.b, lang))
    out: list[Sentence] = []
    for change in d.clauses:
        out.extend(_clause_sentences(change, d, books, lang))
    for entry in d.front:
        out.extend(_front_sentences(entry, d, books, lang))
    return tuple(s for s in out if provenance or not s.provenance)


def summary(d: Diff, lang: str = "en") -> str:
    """One line: how many clauses were added, removed, changed in their terms, renamed."""
    cosmetic = sum(1 for c in d.clauses if c.provenance_only)
    agreement, a, b = d.b.agreement, d.a.version, d.b.version
    if d.a.agreement != d.b.agreement:  # two agreements compared: each named with its version
        agreement, a, b = "", f"{d.a.agreement} {a}", f"{d.b.agreement} {b}"
    return SUMMARY[lang].format(
        agreement=agreement, a=a, b=b, added=len(d.added),
        removed=len(d.removed), changed=len(d.changed) - cosmetic, renamed=len(d.renamed),
        cosmetic=COSMETIC[lang].format(n=cosmetic) if cosmetic else "").lstrip()


def render_text(sentences: tuple[Sentence, ...]) -> str:
    return "\n".join(f"- {s.text}" for s in sentences)


# ---------------------------------------------------------------------------------------------
# clauses


def _clause_sentences(change: ClauseChange, d: Diff, books: tuple[Phrases, Phrases],
                      lang: str) -> list[Sentence]:
    def sentence(text: str, term: str | None = None, prov: bool = False) -> Sentence:
        return Sentence(text, lang, "clauses", change.id, change.status, term, prov)

    if change.status in ("added", "removed"):
        old = change.status == "removed"
        clause = change.old if old else change.new
        ctx = clause_context(clause, books[0] if old else books[1], d, books[0])
        if old:
            ctx["covered"] = _covered(clause, d.b, lang)
        return [sentence(template(change.kind, change.status, lang).format_map(ctx))]
    ctx = clause_context(change.new, books[1], d, books[0])
    out = []
    if change.status == "renamed":
        ctx["old_id"] = change.old_id
        out.append(sentence(template(change.kind, "renamed", lang).format_map(ctx)))
    for term in change.terms:
        out.append(sentence(term_sentence(change.kind, term, ctx, books, lang), term.term,
                            term.provenance))
    return out


def term_sentence(kind: str, term: TermChange, ctx: dict[str, Any],
                  books: tuple[Phrases, Phrases], lang: str) -> str:
    entry = template(kind, term.term, lang)
    if isinstance(entry, dict):
        if isinstance(term.new, bool) and str(term.new).lower() in entry:
            entry = entry[str(term.new).lower()]
        else:
            entry = entry.get(term.change, entry.get("changed"))
    values = dict(ctx, old=_phrase(books[0], term.term, term.old),
                  new=_phrase(books[1], term.term, term.new))
    return entry.format_map(values)


def _phrase(book: Phrases, term: str, value: Any) -> str:
    if term == "kind":
        return book.kind(value)
    return book.value(term, value)


def clause_context(clause: ClauseBase, book: Phrases, d: Diff | None = None,
                   old_book: Phrases | None = None) -> dict[str, Any]:
    """Every term of a clause in words, plus the pieces the templates are built from."""
    ctx: dict[str, Any] = {"heading": heading_text(clause, book.lang) or clause.id, "id": clause.id,
                           "kind": book.kind(clause.kind), "old_id": clause.id, "covered": ""}
    for name in clause_terms(type(clause)):
        term = type(clause).model_fields[name].alias or name
        ctx[_key(term)] = book.value(term, getattr(clause, name))
    ctx["start"] = book.start(clause.from_)
    if isinstance(clause, RevenueShare):
        ctx["share"] = book.rate(clause.rate) if clause.rate is not None else \
            book.tiers(clause.tiers)
    ctx["an_exclusive"] = book.an_exclusive(getattr(clause, "exclusive", False))
    pieces = PIECES[book.lang]
    ctx["period"] = (pieces["period_from"].format_map(ctx) if clause.from_ is not None else "") \
        + (pieces["period_until"].format_map(ctx) if clause.until is not None else "")
    for piece, term in (("cap_clause", "cap"), ("minimum_clause", "minimum"),
                        ("excludes_clause", "excludes"), ("by_clause", "by"),
                        ("first_launch_clause", "first_launch")):
        present = getattr(clause, term, None) is not None
        ctx[piece] = pieces[piece].format_map(ctx) if present else ""
    ctx["scope"] = scope_words(clause, book.lang)
    ctx["whatever"] = ""
    if d is not None and old_book is not None and not book.event_ids(clause.until):
        ctx["whatever"] = old_book.whatever(d.removed_events)
    return ctx


def scope_words(clause: Any, lang: str) -> str:
    """Where, for what and through what a licence or an exclusivity holds, in words."""
    from ..agreement.scope import dimensions_of, scope_text, selector_words
    if lang == "en":
        return scope_text(clause) if hasattr(clause, "territories") else ""
    if not hasattr(clause, "territories"):
        return ""
    labels = {"territories": "地域", "fields": "领域", "channels": "渠道"}
    parts = []
    for dimension in dimensions_of(clause):
        value = getattr(clause, dimension)
        if isinstance(value, str) and value in ("any", "all"):
            continue
        if isinstance(value, dict) and set(value) == {"excludes"}:
            words = f"除{selector_words(value['excludes'])}以外"
        else:
            words = selector_words(value)
        parts.append(f"{labels[dimension]}：{words}")
    return f"（{'；'.join(parts)}）" if parts else ""


def _key(term: str) -> str:
    return "start" if term == "from" else term.replace("-", "_")


def _covered(clause: ClauseBase, b: Version, lang: str) -> str:
    """For a removed distribution grant: the clause of b that grants at least as much."""
    if not isinstance(clause, Distribution):
        return ""
    for other in b.clauses_of(Distribution):
        if other.party == clause.party and _covers(other.products, clause.products) and \
                _covers(other.channels, clause.channels):
            return PIECES[lang]["covered"].format(other=heading_text(other, lang) or other.id)
    return ""


def _covers(big: Any, small: Any) -> bool:
    if isinstance(big, str) and big in EVERYTHING:
        return True
    if isinstance(big, (list, tuple)) and isinstance(small, (list, tuple)):
        return set(small) <= set(big)
    return big == small


# ---------------------------------------------------------------------------------------------
# front matter


def _front_sentences(entry: EntryChange, d: Diff, books: tuple[Phrases, Phrases],
                     lang: str) -> list[Sentence]:
    texts = FRONT[lang][entry.section]
    book = books[0] if entry.status == "removed" else books[1]
    ctx = _entry_context(entry, d, book, lang)

    def sentence(text: str, term: str | None = None) -> Sentence:
        return Sentence(text, lang, entry.section, entry.key, entry.status, term,
                        entry.provenance)

    if entry.section == "currency":
        return [sentence(texts["changed"].format(old=entry.old, new=entry.new))]
    if entry.status in ("added", "removed"):
        return [sentence(texts[entry.status].format_map(ctx))]
    out = []
    for field in entry.fields:
        text = texts.get(field.term, texts.get("field", texts.get("description")))
        values = dict(ctx, field=field.term, old=_entry_value(books[0], entry, field.old),
                      new=_entry_value(books[1], entry, field.new))
        out.append(sentence(text.format_map(values), field.term))
    return out


def _entry_context(entry: EntryChange, d: Diff, book: Phrases, lang: str) -> dict[str, Any]:
    record = entry.new if entry.new is not None else entry.old
    ctx: dict[str, Any] = {"key": entry.key, "ended": ""}
    if entry.section == "parties":
        ctx["name"] = book.name(record.name)
    elif entry.section == "channels":
        ctx["name"] = book.name(record.name or entry.key)
        ctx["operator"] = book.party(record.operator) if record.operator else "—"
    elif entry.section == "products":
        ctx["attributes"] = ", ".join(f"{k}: {book.plain(v)}"
                                      for k, v in record.attributes.items())
    elif entry.section in ("events", "conditions"):
        ctx["description"] = book.event(entry.key)
        if entry.status == "removed" and entry.section == "events":
            ctx["ended"] = _ended(entry.key, d.a, book, lang)
    elif entry.section == "sources":
        ctx["title"] = record.title
    return ctx


def _ended(event_id: str, a: Version, book: Phrases, lang: str) -> str:
    headings = [heading_text(c, lang) or c.id for c in a.clauses
                if event_id in book.event_ids(c.until) or c.from_ == event_id]
    if not headings:
        return ""
    quoted = [f"“{h}”" if lang == "en" else f"「{h}」" for h in headings]
    return FRONT[lang]["ended"].format(clauses=book.join(quoted))


def _entry_value(book: Phrases, entry: EntryChange, value: Any) -> str:
    if value is None:
        return book.nothing
    if entry.section == "parties" and isinstance(value, str):
        return book.name(value)
    if entry.section == "channels" and isinstance(value, str):
        return book.party(value) if value in book.version.parties else book.name(value)
    return book.plain(value)
