"""OpenID AuthZEN Authorization API 1.0: decisions at ``/access/v1/evaluation`` and
``/access/v1/evaluations``, the PDP's metadata at ``/.well-known/authzen-configuration``.

The four entities map onto a decision like this::

    subject  {type: party, id: openai}
    action   {name: distribute | use-license | grant-license | buy-compute,
              properties: {exclusive: true}}                   # grant-license only
    resource {type: product, id: openai-api,
              properties: {channel: aws,                        # distribute
                           licensor: openai, to: amazon,        # use- / grant-license
                           territory: eu, field: healthcare}}   # a licence's scope
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

import msgspec
import orjson
from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..api import History
from ..api import Problem, TermsheetError
from ..api import BuyCompute, Distribute, GrantLicense, UseLicense, decide
from .access import SCOPE_KEY, Principal, principal_of
from .audit import decision_answer
from .answers import AnswerCache
from .api import Viewer, catalog_of, visible_in
from .catalog import Catalog
from .errors import HttpProblem, error_body
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
# mapping (over the request's JSON as parsed: plain dicts, checked by `_shape` first)


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


def _property(entity: dict[str, Any], *names: str) -> Any:
    properties = entity.get("properties") or {}
    for name in names:
        if properties.get(name) is not None:
            return properties[name]
    return None


def _scope(resource: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """A licence's scope from resource properties: territory, field (of use), channel."""
    values = [_property(resource, name) for name in ("territory", "field", "channel")]
    for name, value in zip(("territory", "field", "channel"), values):
        if value is not None and not isinstance(value, str):
            raise Denied(f"resource.properties.{name} must be a name")
    return values[0], values[1], values[2]


def to_action(history: History, ev: dict[str, Any]):
    """The engine's action for an evaluation; Denied when it cannot be one."""
    subject, action, resource = ev["subject"], ev["action"], ev["resource"]
    if subject["type"] != "party":
        raise Denied(f"subject.type must be 'party', not '{subject['type']}'")
    context, party, name = ev["context"], subject["id"], action["name"]
    day, facts = _date(context), _names(context.get("facts"), "context.facts")
    if name == "distribute":
        channel = _property(resource, "channel") or _property(action, "channel") \
            or context.get("channel")
        if not channel:
            raise Denied("distribute needs resource.properties.channel")
        return Distribute(party, resource["id"], str(channel), day, facts,
                          _dates(context.get("available"), "context.available"),
                          *_scope(resource)[:2])
    if name == "use-license":
        product = history.latest.products.get(resource["id"])
        licensor = _property(resource, "licensor", "owner") or (product.owner if product
                                                                  else None)
        if not licensor:
            raise Denied("use-license needs resource.properties.licensor")
        return UseLicense(party, str(licensor), resource["id"], day, facts, *_scope(resource))
    if name == "grant-license":
        to = _property(resource, "to") or _property(action, "to")
        if not to:
            raise Denied("grant-license needs resource.properties.to, the grantee")
        exclusive = _property(action, "exclusive") or _property(resource, "exclusive")
        return GrantLicense(party, str(to), resource["id"], day, exclusive is True, facts,
                            *_scope(resource))
    if name == "buy-compute":
        supplier = _property(resource, "from", "supplier", "channel") or resource["id"]
        return BuyCompute(party, str(supplier), day, facts)
    raise Denied(f"unknown action '{name}'; known: buy-compute, distribute, grant-license, "
                 "use-license")


def agreement_of(catalog: Catalog, principal: Principal, ev: dict[str, Any]) -> History:
    name = _property(ev["resource"], "agreement") or ev["context"].get("agreement")
    ids = catalog.ids
    if name is None:
        if len(ids) != 1:
            raise Denied("name the agreement in context.agreement; this server holds "
                         + ", ".join(ids))
        name = ids[0]
    try:
        return visible_in(catalog, principal, str(name))
    except HttpProblem:
        raise Denied(f"no agreement '{name}'")


def evaluate_encoded(catalog: Catalog, principal: Principal, ev: dict[str, Any],
                     cache: AnswerCache | None = None) -> tuple[bool, bytes]:
    """The answer to one evaluation, encoded: (allowed, bytes).

    An outcome of the compiled index that needs nothing of the action beyond its cell and
    segment (no first-launch term, no version applied late) gives the same answer to every
    action that reaches it: its bytes are kept in ``cache`` by the outcome and reused."""
    try:
        history = agreement_of(catalog, principal, ev)
        action = to_action(history, ev)
        events = _dates(ev["context"].get("events"), "context.events")
        version = ev["context"].get("version")
        version = str(version) if version is not None else None
        if cache is not None:
            outcome, late = catalog.indexes.get(history, events).outcome_of(action, version)
            if outcome.first_launch is None and late is None:
                kept = cache.by_outcome.get(id(outcome))
                if kept is not None and kept[0] is outcome:
                    return kept[1]
                answered = _encoded(decide(history, action, events, version=version,
                                           indexes=catalog.indexes))
                cache.keep_outcome(outcome, answered)
                return answered
        decision = decide(history, action, events, version=version, indexes=catalog.indexes)
    except Denied as denied:
        return False, orjson.dumps({"decision": False, "context": {"reasons": denied.reasons}})
    except TermsheetError as err:
        return False, orjson.dumps({"decision": False, "context": {
            "reasons": [p.message + (f" ({p.hint})" if p.hint else "") for p in err.problems],
            "problems": [p.to_dict() for p in err.problems]}})
    return _encoded(decision)


def _encoded(decision) -> tuple[bool, bytes]:
    data = decision.to_dict()
    context = {**data["context"], "obligations": data["obligations"],
               "assumptions": data["assumptions"], "deciding": data["deciding"]}
    return decision.allowed, orjson.dumps({"decision": decision.allowed, "context": context})


# ------------------------------------------------------------------------------------------------
# the endpoints
#
# The two POST routes are answered by `Evaluations`, a plain ASGI endpoint reached ahead of
# FastAPI's routes (see `FastRoutes`): it reads the token and the body itself and answers from
# the kept answers (web/answers.py) whatever was asked before. A batch is split into its items
# with msgspec without parsing them (each item stays raw JSON bytes, the key of its kept
# answer); only an item not answered before is parsed, checked with a few type tests (and, when
# they fail, through the pydantic models above, for their positioned messages), decided and
# encoded. The FastAPI functions below declare the same routes for the OpenAPI document and
# answer through the same code when reached.


def _shape(ev: Any, *, item: bool) -> bool:
    """Whether ``ev`` has the shape of ``EvaluationItem`` (``item``) or ``EvaluationIn``: the
    same type and length tests as the models, fast. False sends it to the models."""
    if not isinstance(ev, dict):
        return False
    for name, longest in (("subject", 200), ("resource", 200), ("action", 0)):
        entity = ev.get(name)
        if entity is None:
            if item:
                continue
            return False
        if not isinstance(entity, dict):
            return False
        if name == "action":
            label = entity.get("name")
            if not isinstance(label, str) or len(label) > 100:
                return False
        else:
            kind, ident = entity.get("type"), entity.get("id")
            if not isinstance(kind, str) or len(kind) > 100 or not isinstance(ident, str) \
                    or len(ident) > longest:
                return False
        if not isinstance(entity.get("properties", {}), dict):
            return False
    context = ev.get("context", {})
    return isinstance(context, dict) or (item and context is None)


def _shape_batch(body: Any) -> bool:
    """The shape of ``EvaluationsIn`` but for the items of ``evaluations`` (each is checked
    when it is not answered from the kept answers)."""
    if not _shape(body, item=True):
        return False
    evaluations, options = body.get("evaluations"), body.get("options", {})
    if evaluations is not None and (not isinstance(evaluations, list)
                                    or len(evaluations) > 10_000):
        return False
    return isinstance(options, dict) and options.get("evaluations_semantic", "execute_all") in (
        "execute_all", "deny_on_first_deny", "permit_on_first_permit")


def _checked(model: type[BaseModel], raw: bytes, body: Any) -> dict[str, Any]:
    """The body when it passed the fast shape test's failure through the model; else a 400
    with the model's positioned problems."""
    try:
        parsed = model.model_validate_json(raw) if body is _UNREADABLE else \
            model.model_validate(body)
    except ValidationError as err:
        problems = [Problem("E400", item.get("msg", "invalid value"),
                            ".".join(str(p) for p in ("body", *item.get("loc", ()))), 1, 1,
                            None, f"see the request's schema at /reference ({item.get('type')})")
                    for item in err.errors()]
        raise HttpProblem(400, problems[0].message, problems=problems)
    return parsed.model_dump()


_UNREADABLE = object()


def _merged(defaults: dict[str, Any], item: dict[str, Any], number: int) -> dict[str, Any]:
    parts = {}
    for name in ("subject", "action", "resource"):
        value = item.get(name) or defaults.get(name)
        if value is None:
            where = f"evaluations.{number}.{name}" if number >= 0 else name
            raise HttpProblem(400, f"{where} is missing and has no default", path=where,
                              hint=f"give '{name}' in the evaluation or at the top level")
        parts[name] = value
    parts["context"] = {**(defaults.get("context") or {}), **(item.get("context") or {})}
    return parts


class _Batch(msgspec.Struct):
    """The top level of an evaluations body, its parts left as raw JSON: the items are split
    out without being parsed. Whatever does not fit (an ``evaluations`` that is not a list,
    say) fails here and goes the slow way, through the pydantic models, for their messages."""

    subject: msgspec.Raw = msgspec.Raw()
    action: msgspec.Raw = msgspec.Raw()
    resource: msgspec.Raw = msgspec.Raw()
    context: msgspec.Raw = msgspec.Raw()
    evaluations: list[msgspec.Raw] | None = None
    options: dict[str, Any] | None = None


_BATCH = msgspec.json.Decoder(_Batch)
_DEFAULTS = ("subject", "action", "resource", "context")


def _who(principal: Principal) -> tuple:
    """What an answer depends on of who asks: a party sees only its own agreements."""
    return (principal.role, principal.party)


class Answers:
    """Answers for one principal from the catalog's kept answers (web/answers.py): under the
    bytes asked, else under the question as understood, else decided and encoded now."""

    def __init__(self, catalog: Catalog, principal: Principal):
        # the cache first, then the agreements (see Catalog.add_version)
        self.cache, self.catalog, self.principal = catalog.answers, catalog, principal
        self.who = _who(principal)

    def one(self, ev: dict[str, Any], raw_key: tuple | None = None) -> tuple[bool, bytes]:
        """The answer to a merged, checked evaluation; also kept under ``raw_key``."""
        key = (self.who, orjson.dumps(ev, option=orjson.OPT_SORT_KEYS))
        answered = self.cache.get(key)
        if answered is None:
            answered = evaluate_encoded(self.catalog, self.principal, ev, self.cache)
            self.cache.put(key, answered)
        if raw_key is not None:
            self.cache.put(raw_key, answered)
        return answered


def _parsed(raw: bytes, json_type: bool) -> Any:
    try:
        if json_type:
            return orjson.loads(raw)
    except orjson.JSONDecodeError:
        pass
    raise HttpProblem(400, "the body is not a JSON evaluation", path="body",
                      hint="send the evaluation as application/json")


def answer_evaluation(catalog: Catalog, principal: Principal, raw: bytes,
                      json_type: bool = True) -> bytes:
    """The encoded answer to ``POST /access/v1/evaluation``."""
    cache = catalog.answers     # first, before the agreements (see Catalog.add_version)
    key = ((principal.role, principal.party), raw)    # _who(principal)
    hit = cache.get(key)
    if hit is not None:
        return hit[1]
    answers = Answers(catalog, principal)
    body = _parsed(raw, json_type)
    if not _shape(body, item=False):
        body = _checked(EvaluationIn, raw, body)
    body = {**body, "context": body.get("context") or {}}
    return answers.one(body, key)[1]


def answer_evaluations(catalog: Catalog, principal: Principal, raw: bytes,
                       json_type: bool = True) -> bytes:
    """The encoded answer to ``POST /access/v1/evaluations``. An item asked before with the
    same defaults is answered from the kept answers as it stands, without parsing, checking or
    merging it again (it was checked the first time)."""
    if not json_type:
        _parsed(raw, json_type)       # the 400 of a body that is not JSON
    try:
        batch = _BATCH.decode(raw)
    except msgspec.DecodeError:       # not JSON at all: a 400; else the models' message
        body = _parsed(raw, json_type)
        return answer_evaluations_parsed(catalog, principal, raw, _checked(
            EvaluationsIn, raw, body))
    items, options = batch.evaluations, batch.options or {}
    if not items or len(items) > 10_000 or options.get(
            "evaluations_semantic", "execute_all") not in SEMANTICS:
        return answer_evaluations_parsed(catalog, principal, raw, _parsed(raw, True))
    semantic = options.get("evaluations_semantic", "execute_all")
    answers = Answers(catalog, principal)
    raws = [bytes(getattr(batch, name)) for name in _DEFAULTS]
    prefix = (answers.who, b"\0".join(raws))
    get, out, defaults = answers.cache.get, [], None
    for number, item in enumerate(items):
        key = (*prefix, bytes(item))
        answered = get(key)
        if answered is None:
            if defaults is None:
                defaults = _defaults(raw, raws)
            answered = _answer_item(answers, raw, defaults, orjson.loads(key[2]), number, key)
        out.append(answered[1])
        if semantic != "execute_all" and answered[0] is (semantic == "permit_on_first_permit"):
            break
    return b'{"evaluations":[' + b",".join(out) + b"]}"


SEMANTICS = ("execute_all", "deny_on_first_deny", "permit_on_first_permit")


def _defaults(raw: bytes, raws: list[bytes]) -> dict[str, Any]:
    """The top-level values of a batch (defaults for its items), parsed and checked."""
    defaults = {name: orjson.loads(text) for name, text in zip(_DEFAULTS, raws) if text}
    if not _shape(defaults, item=True):
        _checked(EvaluationsIn, raw, _parsed(raw, True))   # a 400 naming the field
    return {k: v for k, v in defaults.items() if v is not None}


def _answer_item(answers: Answers, raw: bytes, defaults: dict[str, Any], item: Any,
                 number: int, key: tuple | None) -> tuple[bool, bytes]:
    if not _shape(item, item=True):
        _checked(EvaluationsIn, raw, _parsed(raw, True))   # a 400 naming the item and field
        item = EvaluationItem.model_validate(item).model_dump()
    return answers.one(_merged(defaults, item, number), key)


def answer_evaluations_parsed(catalog: Catalog, principal: Principal, raw: bytes,
                              body: Any) -> bytes:
    """:func:`answer_evaluations` for a body already parsed (not split into raw items): one
    without ``evaluations``, or one the fast split refused (checked by the models here)."""
    if not _shape_batch(body):
        body = _checked(EvaluationsIn, raw, body)
    answers = Answers(catalog, principal)
    defaults = {k: body[k] for k in _DEFAULTS if body.get(k) is not None}
    if not body.get("evaluations"):
        return answers.one(_merged(defaults, {}, -1))[1]
    semantic = (body.get("options") or {}).get("evaluations_semantic", "execute_all")
    out = []
    for number, item in enumerate(body["evaluations"]):
        answered = _answer_item(answers, raw, defaults, item, number, None)
        out.append(answered[1])
        if semantic != "execute_all" and answered[0] is (semantic == "permit_on_first_permit"):
            break
    return b'{"evaluations":[' + b",".join(out) + b"]}"


def _json_type(content_type: str | None) -> bool:
    if not content_type:
        return True
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/")
                                          and kind.endswith("+json"))


_JSON = [(b"content-type", b"application/json")]
_UNAUTHENTICATED = {"WWW-Authenticate": 'Bearer realm="termsheet"'}


class Evaluations:
    """``POST /access/v1/evaluation`` (``batch`` false) or ``.../evaluations`` as a plain ASGI
    endpoint: the token first (as the middleware already found it), then the body; answers
    from :class:`Answers`."""

    def __init__(self, batch: bool):
        self.answer = answer_evaluations if batch else answer_evaluation

    async def __call__(self, scope, receive, send) -> None:
        app = scope["app"]
        request_id = content_type = None
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                request_id = value[:200]
            elif name == b"content-type":
                content_type = value.decode("latin-1")
        headers = list(_JSON)
        if request_id:
            headers.append((b"x-request-id", request_id))
        try:
            found = scope.get(SCOPE_KEY)     # as the guard verified it, else resolved here
            token, principal = found if found is not None else await principal_of(scope)
            if principal is None:
                raise HttpProblem(401, "the token is not valid" if token else
                                  "a token is required", path=scope["path"],
                                  hint="send 'Authorization: Bearer ts_...' (see `termsheet "
                                       "token add`)", headers=_UNAUTHENTICATED)
            message = await receive()     # the whole body in one message, most often
            if message["type"] == "http.request" and not message.get("more_body"):
                raw = message.get("body", b"")
            else:
                raw = await _body(receive, message)
            status, state = 200, app.state
            content = self.answer(state.catalog, principal, raw, _json_type(content_type))
            if state.audit.on:
                _audit(app.state.audit, scope["path"], principal, orjson.loads(raw), content)
        except HttpProblem as err:
            status, content = err.status, orjson.dumps(error_body(err.problems))
            headers += [(k.lower().encode(), v.encode()) for k, v in err.headers.items()]
        headers.append((b"content-length", b"%d" % len(content)))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": content})


def _audit(log, path: str, principal: Principal, body: dict, content: bytes) -> None:
    """One audit record per evaluation answered (when the server keeps an audit log)."""
    answer = orjson.loads(content)
    results = answer.get("evaluations")
    defaults = {k: body.get(k) for k in ("subject", "action", "resource", "context")
                if body.get(k) is not None}
    if results is None:
        asked = [(defaults, answer)]
    else:
        asked = [({**defaults, **item, "batch": number}, result) for number, (item, result)
                 in enumerate(zip(body.get("evaluations") or [], results))]
    for what, result in asked:
        agreement = (what.get("context") or {}).get("agreement")
        log.write(principal, "evaluate", path, agreement, what, decision_answer(result))


async def _body(receive, message=None) -> bytes:
    chunks = []
    while True:
        if message is None:
            message = await receive()
        if message["type"] == "http.disconnect":
            raise HttpProblem(400, "the client went away", path="body")
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)
        message = None


def fast_routes() -> dict[str, Evaluations]:
    """The AuthZEN POST endpoints by path, answered by :class:`FastRoutes`."""
    return {"/access/v1/evaluation": Evaluations(batch=False),
            "/access/v1/evaluations": Evaluations(batch=True)}


class FastRoutes:
    """ASGI middleware, the innermost of the app's own (after the request log, the guard and
    the body limit): a POST to one of ``routes`` (path -> ASGI endpoint) goes straight to its
    endpoint, past Starlette's exception middleware, FastAPI's exit stack and the router, work
    a decision endpoint, which handles its own errors, does not need. Anything else goes on.
    ``routes`` is kept by reference (``app.state.fast_routes``)."""

    def __init__(self, app, routes: dict):
        self.app, self.routes = app, routes

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST":
            endpoint = self.routes.get(scope["path"])
            if endpoint is not None:
                await endpoint(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _as_response(request: Request, content: bytes) -> Response:
    response = Response(content, media_type="application/json")
    request_id = request.headers.get("x-request-id")
    if request_id:
        response.headers["X-Request-ID"] = request_id[:200]
    return response


@router.post("/access/v1/evaluation", response_model=DecisionOut)
async def access_evaluation(body: EvaluationIn, request: Request, principal: Viewer):
    """May this subject (a party) take this action on this resource (a product, with its
    channel) in this context (the date, facts, events)?"""
    return _as_response(request, answer_evaluation(catalog_of(request), principal,
                                                   orjson.dumps(body.model_dump())))


@router.post("/access/v1/evaluations", response_model=EvaluationsOut | DecisionOut)
async def access_evaluations(body: EvaluationsIn, request: Request, principal: Viewer):
    """Several evaluations in one request; the top-level subject, action, resource and context
    are defaults for each. ``options.evaluations_semantic``: execute_all (the default),
    deny_on_first_deny or permit_on_first_permit (stop at the first such answer)."""
    return _as_response(request, answer_evaluations(catalog_of(request), principal,
                                                    orjson.dumps(body.model_dump())))


@router.get("/.well-known/authzen-configuration")
async def pdp_configuration(request: Request) -> dict[str, str]:
    """The PDP's metadata (section 9): where its endpoints are."""
    # the configured address, else the request's own, whose Host the server allows (a Host
    # that is not allowed never gets this far)
    base = (request.app.state.settings.base_url or str(request.base_url)).rstrip("/")
    return {"policy_decision_point": base,
            "access_evaluation_endpoint": f"{base}/access/v1/evaluation",
            "access_evaluations_endpoint": f"{base}/access/v1/evaluations"}
