"""What changed between two versions: the diff as JSON and as a page, narrated in English or
Chinese (:mod:`termsheet.diff`, :mod:`termsheet.narrate`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from ..api import PROVENANCE_TERMS, diff
from ..api import History
from ..api import narrate, diff_summary as summary
from .api import Viewer, catalog_of, visible
from .html import Viewer as PageViewer, render
from .schemas import Out, errors

api = APIRouter(prefix="/api", tags=["diff"], responses=errors(401, 404, 413, 422))
pages = APIRouter(include_in_schema=False)
Lang = Literal["en", "zh"]


class DiffOut(Out):
    agreement: str
    lang: str
    summary: str
    sentences: list[dict[str, Any]]
    clauses: list[dict[str, Any]]
    front: list[dict[str, Any]]


def pair(request: Request, history: History, old: str | None, new: str | None):
    """The two versions to compare; by default the latest and the version it amends."""
    catalog = catalog_of(request)
    b = catalog.version(history.agreement, new) if new else history.latest
    if old:
        a = catalog.version(history.agreement, old)
    else:
        index = history.index(b.version)
        a = history.versions[index - 1] if index else b
    return a, b


def diff_view(a, b, lang: Lang = "en", provenance: bool = True) -> dict[str, Any]:
    d = diff(a, b)
    data = {**d.to_dict(lang), "lang": lang, "summary": summary(d, lang),
            "sentences": [s.to_dict() for s in narrate(d, lang, provenance)]}
    if not provenance:
        data["clauses"] = [c for c in map(_substantive, data["clauses"]) if c is not None]
        data["front"] = [e for e in data["front"] if e["section"] != "sources"]
    return data


def _substantive(change: dict[str, Any]) -> dict[str, Any] | None:
    """A clause change without its provenance terms; None when nothing else changed."""
    kept = [t for t in change["changes"] if t["term"] not in PROVENANCE_TERMS]
    if change["status"] == "changed" and not kept:
        return None
    return {**change, "changes": kept}


FromQ = Annotated[str | None, Query(alias="from", max_length=100,
                                    description="The older version (default: the one `to` "
                                                "amends)")]
ToQ = Annotated[str | None, Query(alias="to", max_length=100,
                                  description="The newer version (default: the latest)")]
LangQ = Annotated[Lang, Query(description="Language of the narration")]
ProvQ = Annotated[bool, Query(description="Include changes of headings, sources and notes")]


@api.get("/agreements/{agreement}/diff", response_model=DiffOut)
def get_diff(agreement: str, request: Request, principal: Viewer, old: FromQ = None,
             new: ToQ = None, lang: LangQ = "en", provenance: ProvQ = True):
    """Clauses and front-matter entries added, removed, changed or renamed, each change
    narrated in one sentence."""
    history = visible(request, principal, agreement)
    a, b = pair(request, history, old, new)
    return diff_view(a, b, lang, provenance)


@pages.get("/agreements/{agreement}/diff", response_class=HTMLResponse)
def diff_page(agreement: str, request: Request, principal: PageViewer, old: FromQ = None,
              new: ToQ = None, lang: LangQ = "en", provenance: ProvQ = True):
    history = visible(request, principal, agreement)
    a, b = pair(request, history, old, new)
    data = diff_view(a, b, lang, provenance)
    by_clause: dict[str, list[dict]] = {}
    for sentence in data["sentences"]:
        by_clause.setdefault(sentence["key"], []).append(sentence)
    return render(request, "diff.html", principal, data=data, agreement=agreement,
                  versions=[v.version for v in history.versions], lang=lang,
                  provenance=provenance, by_clause=by_clause, a=a.version, b=b.version)
