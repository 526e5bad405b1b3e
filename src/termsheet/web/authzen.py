"""OpenID AuthZEN Authorization API 1.0: decisions at ``/access/v1/evaluation`` and
``/access/v1/evaluations``, the PDP's metadata at ``/.well-known/authzen-configuration``.

The four entities map onto a decision like this::

    subject  {type: party, id: openai}
    action   {name: distribute | use-license | grant-license | buy-compute,
              properties: {exclusive: true}}                   # grant-license only
    resource {type: product, id: openai-api,
              properties: {channel: aws,                        # distribute
                           licensor: openai, to: amazon}}       # use- / grant-license
             or {type: channel, id: aws}                        # buy-compute: the supplier
    context  {date: 2026-05-01, facts: [...], events: {agi-verified: ...},
              available: {azure: 2026-04-20}, agreement: ..., version: ...}

and the answer is ``{decision, context: {reasons, version, clauses, obligations, assumptions}}``.
A request that names something the agreement does not know (a party, a product, an event) or
lacks the date is denied, its reasons saying why; a request that is not an evaluation at all
(no subject, say) is a 400 in the one error shape. ``X-Request-ID`` is echoed.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from ..decide import BuyCompute, Distribute, GrantLicense, UseLicense, decide
from ..agreement.history import History
from ..agreement.problems import TermsheetError
from .audit import audit, decision_answer
from .api import Viewer, catalog_of, visible
from .errors import HttpProblem
from .schemas import errors

router = APIRouter(tags=["authzen"], responses=errors(400, 401, 413))


class Entity(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str = Field(max_length=100, examples=["party"])
    id: str = Field(max_length=200, examples=["openai"])
    properties: dict[str, Any] = Field(default_factory=dict)


class Action(BaseModel):
    model_config = ConfigDict(extra="allow")
    name: str = Field(max_length=100, examples=["distribute"])
    properties: dict[str, Any] = Field(default_factory=dict)


class EvaluationIn(BaseModel):
    """An access evaluation request (AuthZEN 1.0, section 6.1)."""

    model_config = ConfigDict(extra="allow")
    subject: Entity
    action: Action
    resource: Entity
    context: dict[str, Any] = Field(default_factory=dict)


class EvaluationItem(BaseModel):
    model_config = ConfigDict(extra="allow")
    subject: Entity | None = None
    action: Action | None = None
    resource: Entity | None = None
    context: dict[str, Any] | None = None


class Options(BaseModel):
    model_config = ConfigDict(extra="allow")
    evaluations_semantic: Literal["execute_all", "deny_on_first_deny",
                                  "permit_on_first_permit"] = "execute_all"


class EvaluationsIn(EvaluationItem):
    """Access evaluations (section 7.1): top-level values are defaults for every item."""

    evaluations: list[EvaluationItem] | None = Field(None, max_length=10_000)
    options: Options = Field(default_factory=Options)


class DecisionOut(BaseModel):
    decision: bool
    context: dict[str, Any] = Field(default_factory=dict)


class EvaluationsOut(BaseModel):
    evaluations: list[DecisionOut]


# ------------------------------------------------------------------------------------------------
# mapping


class Denied(Exception):
    """A request the agreement cannot answer yes to, for the reasons given."""

    def __init__(self, *reasons: str, problems: list[dict] | None = None):
        self.reasons, self.problems = list(reasons), problems or []


def _date(context: dict[str, Any], key: str = "date") -> dt.date:
    value = context.get(key)
    if value is None:
        raise Denied(f"context.{key} is required: the day of the action, YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise Denied(f"context.{key} '{value}' is not a date; write YYYY-MM-DD")


def _dates(value: Any, where: str) -> dict[str, dt.date]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Denied(f"{where} must map names to dates")
    return {str(k): _date(value, k) for k in value}


def _names(value: Any, where: str) -> frozenset[str]:
    if value is None:
        return frozenset()
    if isinstance(value, str):
        return frozenset({value})
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Denied(f"{where} must be a list of names")
    return frozenset(value)


def _property(entity: Entity | Action, *names: str) -> Any:
    for name in names:
        if entity.properties.get(name) is not None:
            return entity.properties[name]
    return None


def to_action(history: History, ev: EvaluationIn):
    """The engine's action for an evaluation; Denied when it cannot be one."""
    if ev.subject.type != "party":
        raise Denied(f"subject.type must be 'party', not '{ev.subject.type}'")
    context, party, name = ev.context, ev.subject.id, ev.action.name
    day, facts = _date(context), _names(context.get("facts"), "context.facts")
    resource = ev.resource
    if name == "distribute":
        channel = _property(resource, "channel") or _property(ev.action, "channel") \
            or context.get("channel")
        if not channel:
            raise Denied("distribute needs resource.properties.channel")
        return Distribute(party, resource.id, str(channel), day, facts,
                          _dates(context.get("available"), "context.available"))
    if name == "use-license":
        product = history.latest.products.get(resource.id)
        licensor = _property(resource, "licensor", "owner") or (product.owner if product
                                                                  else None)
        if not licensor:
            raise Denied("use-license needs resource.properties.licensor")
        return UseLicense(party, str(licensor), resource.id, day, facts)
    if name == "grant-license":
        to = _property(resource, "to") or _property(ev.action, "to")
        if not to:
            raise Denied("grant-license needs resource.properties.to, the grantee")
        exclusive = _property(ev.action, "exclusive") or _property(resource, "exclusive")
        return GrantLicense(party, str(to), resource.id, day, exclusive is True, facts)
    if name == "buy-compute":
        supplier = _property(resource, "from", "supplier", "channel") or resource.id
        return BuyCompute(party, str(supplier), day, facts)
    raise Denied(f"unknown action '{name}'; known: buy-compute, distribute, grant-license, "
                 "use-license")


def agreement_of(request: Request, principal, ev: EvaluationIn) -> History:
    name = _property(ev.resource, "agreement") or ev.context.get("agreement")
    ids = catalog_of(request).ids
    if name is None:
        if len(ids) != 1:
            raise Denied("name the agreement in context.agreement; this server holds "
                         + ", ".join(ids))
        name = ids[0]
    try:
        return visible(request, principal, str(name))
    except HttpProblem:
        raise Denied(f"no agreement '{name}'")


def evaluate(request: Request, principal, ev: EvaluationIn) -> dict[str, Any]:
    try:
        history = agreement_of(request, principal, ev)
        action = to_action(history, ev)
        events = _dates(ev.context.get("events"), "context.events")
        version = ev.context.get("version")
        decision = decide(history, action, events,
                          version=str(version) if version is not None else None)
    except Denied as denied:
        return {"decision": False, "context": {"reasons": denied.reasons}}
    except TermsheetError as err:
        return {"decision": False, "context": {
            "reasons": [p.message + (f" ({p.hint})" if p.hint else "") for p in err.problems],
            "problems": [p.to_dict() for p in err.problems]}}
    data = decision.to_dict()
    context = {**data["context"], "obligations": data["obligations"],
               "assumptions": data["assumptions"], "deciding": data["deciding"]}
    return {"decision": decision.allowed, "context": context}


def _echo(request: Request, response: Response) -> None:
    request_id = request.headers.get("x-request-id")
    if request_id:
        response.headers["X-Request-ID"] = request_id[:200]


@router.post("/access/v1/evaluation", response_model=DecisionOut)
async def access_evaluation(body: EvaluationIn, request: Request, response: Response,
                     principal: Viewer):
    """May this subject (a party) take this action on this resource (a product, with its
    channel) in this context (the date, facts, events)?"""
    result = evaluate(request, principal, body)
    audit(request, principal, "evaluate", body.model_dump(mode="json"), decision_answer(result))
    answer = JSONResponse(result)
    _echo(request, answer)
    return answer


@router.post("/access/v1/evaluations", response_model=EvaluationsOut | DecisionOut)
async def access_evaluations(body: EvaluationsIn, request: Request, response: Response,
                      principal: Viewer):
    """Several evaluations in one request; the top-level subject, action, resource and context
    are defaults for each. ``options.evaluations_semantic``: execute_all (the default),
    deny_on_first_deny or permit_on_first_permit (stop at the first such answer)."""
    _echo(request, response)
    if not body.evaluations:
        one = _merged(body, EvaluationItem(), -1)
        result = evaluate(request, principal, one)
        audit(request, principal, "evaluate", one.model_dump(mode="json"), decision_answer(result))
        return result
    semantic, out = body.options.evaluations_semantic, []
    for number, item in enumerate(body.evaluations):
        question = _merged(body, item, number)
        answer = evaluate(request, principal, question)
        audit(request, principal, "evaluate", {**question.model_dump(mode="json"),
                                               "batch": number}, decision_answer(answer))
        out.append(answer)
        if (semantic == "deny_on_first_deny" and not answer["decision"]) or \
                (semantic == "permit_on_first_permit" and answer["decision"]):
            break
    return {"evaluations": out}


def _merged(defaults: EvaluationsIn, item: EvaluationItem, number: int) -> EvaluationIn:
    parts = {}
    for name in ("subject", "action", "resource"):
        value = getattr(item, name) or getattr(defaults, name)
        if value is None:
            where = f"evaluations.{number}.{name}" if number >= 0 else name
            raise HttpProblem(400, f"{where} is missing and has no default", path=where,
                              hint=f"give '{name}' in the evaluation or at the top level")
        parts[name] = value
    context = {**(defaults.context or {}), **(item.context or {})}
    return EvaluationIn(**parts, context=context)


@router.get("/.well-known/authzen-configuration")
async def pdp_configuration(request: Request) -> dict[str, str]:
    """The PDP's metadata (section 9): where its endpoints are."""
    # the configured address, else the request's own, whose Host the server allows (a Host
    # that is not allowed never gets this far)
    base = (request.app.state.settings.base_url or str(request.base_url)).rstrip("/")
    return {"policy_decision_point": base,
            "access_evaluation_endpoint": f"{base}/access/v1/evaluation",
            "access_evaluations_endpoint": f"{base}/access/v1/evaluations"}
