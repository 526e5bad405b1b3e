"""May party X do Y on date D: one decision, a batch, a launch plan; as JSON and as a form.

A request names its action the way a plan file does (:mod:`termsheet.plans`):
``{"action": "distribute", "party": "openai", "product": "openai-api", "channel": "aws",
"date": "2026-05-01"}``, with the facts that hold, the dates of events that happened and, for a
distribution, the first day the product was available on each channel. The answer is
``Decision.to_dict()``: ``decision`` and ``context.reasons`` (the OpenID AuthZEN shape), the
version, the deciding clauses, the obligations and the assumptions.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal, Union

from fastapi import APIRouter, Body, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from ..api import BuyCompute, Distribute, GrantLicense, UseLicense, decide
from ..api import History
from ..api import check_plan, parse_plan
from ..api import Problem, TermsheetError
from .audit import audit, decision_answer, problems_of
from .api import Viewer, catalog_of, visible
from .html import Viewer as PageViewer, render
from .schemas import Out, errors

api = APIRouter(prefix="/api", tags=["decide"], responses=errors(401, 404, 413, 422))
pages = APIRouter(include_in_schema=False)
Name = Annotated[str, Field(min_length=1, max_length=100)]
MAX_BATCH = 10_000


class Common(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)
    date: dt.date = Field(description="The day of the action")
    facts: list[Name] = Field(default_factory=list, max_length=50,
                              description="Conditions that hold")
    version: Name | None = Field(None, description="Decide under this version, as if in force")
    events: dict[Name, dt.date] = Field(default_factory=dict, max_length=50,
                                        description="Events that happened, with their dates")


class Scoped(Common):
    """A licence's scope (issue 16): where, for what, through which channel; none named asks
    for everywhere, every field, every channel."""

    territory: Name | None = Field(None, description="A territory or a named set of them")
    field: Name | None = Field(None, description="A field of use or a named set of them")


class DistributeIn(Scoped):
    action: Literal["distribute"]
    party: Name
    product: Name
    channel: Name
    available: dict[Name, dt.date] = Field(
        default_factory=dict, max_length=50,
        description="First day the product was available on each channel before this action")


class UseLicenseIn(Scoped):
    action: Literal["use-license"]
    licensee: Name
    licensor: Name
    subject: Name
    channel: Name | None = Field(None, description="The channel the licence is used through")


class GrantLicenseIn(Scoped):
    action: Literal["grant-license"]
    licensor: Name
    to: Name
    subject: Name
    exclusive: bool = False
    channel: Name | None = Field(None, description="The channel the licence is granted for")


class BuyComputeIn(Common):
    action: Literal["buy-compute"]
    party: Name
    from_: Name = Field(alias="from")


ActionIn = Annotated[Union[DistributeIn, UseLicenseIn, GrantLicenseIn, BuyComputeIn],
                     Field(discriminator="action")]


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    events: dict[Name, dt.date] = Field(default_factory=dict, max_length=50,
                                        description="Events for every request (a request's "
                                                    "own events add to these)")
    requests: list[ActionIn] = Field(min_length=1, max_length=MAX_BATCH)


class PlanIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(max_length=500_000, description="A plan file: YAML (or JSON) of dated "
                      "actions, as `termsheet check` reads")
    events: dict[Name, dt.date] = Field(default_factory=dict, max_length=50)


class DecisionOut(Out):
    decision: bool
    context: dict[str, Any]
    action: dict[str, Any]
    version: str
    deciding: list[dict[str, Any]]
    obligations: list[dict[str, Any]]
    assumptions: list[str]


class BatchOut(Out):
    decisions: list[DecisionOut]
    summary: dict[str, int]


def to_action(request: BaseModel):
    facts = frozenset(request.facts)
    if isinstance(request, DistributeIn):
        return Distribute(request.party, request.product, request.channel, request.date, facts,
                          dict(request.available), request.territory, request.field)
    if isinstance(request, UseLicenseIn):
        return UseLicense(request.licensee, request.licensor, request.subject, request.date,
                          facts, request.territory, request.field, request.channel)
    if isinstance(request, GrantLicenseIn):
        return GrantLicense(request.licensor, request.to, request.subject, request.date,
                            request.exclusive, facts, request.territory, request.field,
                            request.channel)
    return BuyCompute(request.party, request.from_, request.date, facts)


def decide_one(history: History, request: BaseModel,
               events: dict[str, dt.date] | None = None, indexes=None) -> dict:
    """``indexes``: the compiled indexes kept with the server's loaded agreements."""
    merged = {**(events or {}), **request.events}
    return decide(history, to_action(request), merged, version=request.version,
                  indexes=indexes).to_dict()


@api.post("/agreements/{agreement}/decide", response_model=DecisionOut)
async def decide_action(agreement: str, body: Annotated[ActionIn, Body()], request: Request,
                       principal: Viewer):
    """May the party do this on that date? The version in force decides (or ``version``)."""
    history = visible(request, principal, agreement)
    # the answer is built by the engine, whose records fix its shape: no second validation
    try:
        answer = decide_one(history, body, indexes=catalog_of(request).indexes)
    except TermsheetError as err:
        audit(request, principal, "decide", body.model_dump(mode="json"), problems_of(err))
        raise
    audit(request, principal, "decide", body.model_dump(mode="json"), decision_answer(answer))
    return JSONResponse(answer)


@api.post("/agreements/{agreement}/decide/batch", response_model=BatchOut)
async def decide_batch(agreement: str, body: BatchIn, request: Request, principal: Viewer):
    """Many decisions at once (up to 10,000), each on its own; the first bad request stops the
    batch with its index in the problem's path."""
    history = visible(request, principal, agreement)
    events, out = dict(body.events), []
    for number, item in enumerate(body.requests):
        try:
            out.append(decide_one(history, item, events, catalog_of(request).indexes))
            audit(request, principal, "decide", {**item.model_dump(mode="json"), "batch": number},
                  decision_answer(out[-1]))
        except TermsheetError as err:
            audit(request, principal, "decide", {**item.model_dump(mode="json"), "batch": number},
                  problems_of(err))
            raise TermsheetError([Problem(p.code, p.message, f"requests.{number}", p.line,
                                          p.column, p.clause, p.hint) for p in err.problems])
    allowed = sum(1 for d in out if d["decision"])
    return {"decisions": out, "summary": {"decisions": len(out), "allowed": allowed,
                                          "forbidden": len(out) - allowed}}


@api.post("/agreements/{agreement}/check", tags=["decide"])
def check_a_plan(agreement: str, body: PlanIn, request: Request, principal: Viewer
                ) -> dict[str, Any]:
    """Check a launch plan: every action in date order, carrying first availability forward;
    ``ok`` is true when every action is allowed. Problems point at lines of the plan text."""
    history = visible(request, principal, agreement)
    plan = parse_plan(body.text, "<plan>")
    result = check_plan(plan, history, dict(body.events)).to_dict()
    audit(request, principal, "check-plan", {"plan": body.text[:2000],
                                             "events": body.model_dump(mode="json")["events"]},
          {"ok": result.get("ok")})
    return result


# ------------------------------------------------------------------------------------------------
# the decision form


def vocabulary(history: History) -> dict[str, list[str]]:
    """The names a form offers: from every version, so that any date can be asked about."""
    def union(attr: str) -> list[str]:
        return sorted({k for v in history.versions for k in getattr(v, attr)})
    return {"parties": union("parties"), "products": union("products"),
            "channels": union("channels"), "conditions": union("conditions"),
            "events": union("events"), "versions": [v.version for v in history.versions],
            "territories": union("territories"), "fields": union("fields"),
            "operators": sorted({c.operator for v in history.versions
                                 for c in v.channels.values() if c.operator})}


def form_body(params, history: History) -> dict[str, Any]:
    """Query parameters of the form -> the JSON body the API takes for the same question."""
    get = lambda name: (params.get(name) or "").strip() or None  # noqa: E731
    kind, party, product = get("action") or "distribute", get("party"), get("product")
    channel, counterparty = get("channel"), get("counterparty")
    body: dict[str, Any] = {"action": kind, "date": get("date"),
                            "facts": params.getlist("fact")}
    events = {name: get(f"event.{name}") for name in vocabulary(history)["events"]}
    body["events"] = {k: v for k, v in events.items() if v}
    if get("version"):
        body["version"] = get("version")
    scope = {"territory": get("territory"), "field": get("field")}
    if kind == "distribute":
        body.update(scope)
        available = {c: get(f"available.{c}") for c in vocabulary(history)["channels"]}
        body.update(party=party, product=product, channel=channel,
                    available={k: v for k, v in available.items() if v})
    elif kind == "use-license":
        owner = history.latest.products.get(product or "")
        body.update(licensee=party, subject=product, channel=channel,
                    licensor=counterparty or (owner.owner if owner else None), **scope)
    elif kind == "grant-license":
        body.update(licensor=party, to=counterparty, subject=product, channel=channel,
                    exclusive=params.get("exclusive") == "on", **scope)
    else:
        body.update(party=party, **{"from": channel or counterparty})
    return {k: v for k, v in body.items() if v is not None}


def answer(history: History, body: dict[str, Any]) -> tuple[dict | None, list[dict]]:
    """The decision for a form's body, or the problems with it (as the API reports them)."""
    from pydantic import TypeAdapter, ValidationError
    try:
        request = TypeAdapter(ActionIn).validate_python(body)
        return decide_one(history, request), []
    except ValidationError as err:
        return None, [Problem("E422", e["msg"], ".".join(str(p) for p in e["loc"][1:]) or
                              "form").to_dict() for e in err.errors()]
    except TermsheetError as err:
        return None, [p.to_dict() for p in err.problems]


@pages.get("/agreements/{agreement}/decide", response_class=HTMLResponse)
def decide_page(agreement: str, request: Request, principal: PageViewer):
    history = visible(request, principal, agreement)
    params = request.query_params
    asked = "date" in params
    body = form_body(params, history) if asked else {}
    decision, problems = answer(history, body) if asked else (None, [])
    if asked:
        audit(request, principal, "decide", body,
              decision_answer(decision) if decision else {"ok": False, "errors": problems})
    import json
    return render(request, "decide.html", principal, status=422 if problems else 200,
                  agreement=agreement, vocab=vocabulary(history), form=params, body=body,
                  body_json=json.dumps(body, indent=1), decision=decision, problems=problems,
                  extras_open=any(body.get(k) for k in ("facts", "events", "available")))
