"""What the JSON endpoints return, built from the facade's records.

Each function here is pure and returns plain JSON data; the API returns it as is and the page at
the same address renders the very same data with a template. That is how a page and its endpoint
can never disagree.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from ..api import clause_row
from ..api import History
from ..api import ClauseBase, Version
from ..api import COMMON_TERMS


def span_view(span) -> dict[str, Any] | None:
    return None if span is None else {"path": span.path, "line": span.line,
                                      "column": span.column}


def jsonable(value: Any) -> Any:
    """Terms data -> JSON: dates as ISO text, Decimals as text, tuples as lists."""
    from decimal import Decimal
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() \
            else format(value, "f")
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    return value


def version_link(version: Version, history: History) -> dict[str, Any]:
    start, end = history.window(version)
    gist = version.preamble.split("\n\n")[0] if version.preamble else ""
    return {"version": version.version, "title": version.title, "effective": start.isoformat(),
            "until": end.isoformat() if end else None, "amends": version.amends,
            "clauses": len(version.clauses), "gist": gist}


def agreement_summary(history: History) -> dict[str, Any]:
    latest = history.latest
    return {"agreement": history.agreement, "title": latest.title,
            "versions": len(history.versions), "first": history.first.version,
            "latest": latest.version, "parties": {k: p.name for k, p in latest.parties.items()}}


def history_view(history: History) -> dict[str, Any]:
    return {**agreement_summary(history),
            "history": [version_link(v, history) for v in history.versions]}


def terms_json(clause: ClauseBase) -> dict[str, Any]:
    """A clause's terms as JSON, as a person writes them: rates as percentages, dates as text."""
    data = clause.model_dump(mode="json", by_alias=True, exclude_none=True,
                             exclude_defaults=True)
    head = {"id": clause.id, "kind": clause.kind}
    data.pop("id", None), data.pop("kind", None)
    common = {k: data.pop(k) for k in COMMON_TERMS if k in data}
    return {**head, **data, **common}


def clause_view(clause: ClauseBase, version: Version) -> dict[str, Any]:
    return {"id": clause.id, "kind": clause.kind, "heading": clause.heading,
            "prose": clause.prose, "summary": clause_row(clause, version),
            "terms": terms_json(clause), "sources": list(clause.sources),
            "assumed": dict(clause.assumed or {}), "span": span_view(clause.span)}


def version_view(history: History, version: Version) -> dict[str, Any]:
    start, end = history.window(version)
    index = history.index(version.version)
    previous = history.versions[index - 1].version if index else None
    following = history.versions[index + 1].version if index + 1 < len(history.versions) \
        else None
    return {
        "agreement": version.agreement, "version": version.version, "title": version.title,
        "effective": start.isoformat(), "until": end.isoformat() if end else None,
        "amends": version.amends, "previous": previous, "next": following,
        "currency": version.currency,
        "parties": {k: jsonable(p) for k, p in version.parties.items()},
        "channels": {k: jsonable(c) for k, c in version.channels.items()},
        "products": {k: p.attributes for k, p in version.products.items()},
        "events": dict(version.events), "conditions": dict(version.conditions),
        "sources": {k: jsonable(s) for k, s in version.sources.items()},
        "preamble": version.preamble,
        "clauses": [clause_view(c, version) for c in version.clauses],
    }


def clause_in_version(history: History, version: Version, clause_id: str) -> dict[str, Any]:
    clause = version.clause(clause_id)
    view = clause_view(clause, version)
    view["versions"] = [v.version for v in history.versions if v.clause(clause_id) is not None]
    view["agreement"], view["version"] = version.agreement, version.version
    return view


def event_dates(history: History, pairs: list[str]) -> dict[str, date]:
    """``["agi-verified=2027-01-01"]`` -> {event: date}; every bad pair is a problem."""
    from ..api import Problem, TermsheetError, known_hint
    known = sorted({e for v in history.versions for e in v.events})
    out, problems = {}, []
    for pair in pairs:
        name, _, day = pair.partition("=")
        try:
            out[name.strip()] = date.fromisoformat(day.strip())
        except ValueError:
            problems.append(Problem("E024", f"'{pair}' is not NAME=YYYY-MM-DD", "query.event"))
            continue
        if name.strip() not in known:
            problems.append(Problem("E013", f"unknown event '{name.strip()}'", "query.event",
                                    hint=known_hint(name.strip(), known)))
    if problems:
        raise TermsheetError(problems)
    return out


def timeline_view(history: History, events: dict[str, date] | None = None) -> dict[str, Any]:
    """Every clause's windows across the history (:func:`termsheet.timeline.timeline`), with
    each version's window. An event given a date ends the terms that end on it; an event with
    no date never happens, so such a term runs as long as its version."""
    from ..api import timeline
    data = timeline(history, events or {}).to_dict()
    data["versions"] = [version_link(v, history) for v in history.versions]
    data["start"] = history.first.effective.isoformat()
    return data
