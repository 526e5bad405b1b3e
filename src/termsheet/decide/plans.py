"""Launch plans: YAML files of dated actions, checked in date order against an agreement.

```yaml
plan: OpenAI on AWS
agreement: ../agreements/openai-microsoft   # relative to the plan file; --agreement overrides
events: {agi-verified: 2029-01-01}          # optional
facts: [microsoft-declines-support]          # optional, for every action
available:                                    # optional: launches before the plan
  chatgpt: {azure: 2023-02-01}
actions:
  - {date: 2026-04-20, action: distribute, party: openai, product: openai-api, channel: azure}
  - {date: 2026-05-01, action: buy-compute, party: openai, from: aws}
  - {date: 2026-06-01, action: use-license, licensee: pharmaco, licensor: helix,
     subject: helix-model, territory: de, field: healthcare, channel: retail}
```

A licence action may name its scope (``territory``, ``field``, and for ``use-license`` and
``grant-license`` the ``channel`` it goes through); a scope not named is everywhere.

Checking keeps one piece of state: the first day each product was available on each channel,
from ``available`` and from every allowed ``distribute`` before (a forbidden one is not taken).
Every problem in the file is reported at once, each with its line and column.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping

from ..agreement import yamlpos
from .actions import BuyCompute, Decision, Distribute, GrantLicense, UseLicense
from .engine import decide
from .index import index_for
from ..agreement.history import History
from ..agreement.problems import Problem, TermsheetError, known_hint

# action -> (required fields, optional fields); every action also takes date, note and facts
FIELDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "distribute": (("party", "product", "channel"), ("territory", "field")),
    "use-license": (("licensee", "licensor", "subject"), ("territory", "field", "channel")),
    "grant-license": (("licensor", "to", "subject"), ("exclusive", "territory", "field",
                                                      "channel")),
    "buy-compute": (("party", "from"), ()),
}
SCOPE = ("territory", "field", "channel")
COMMON = ("date", "action", "note", "facts")
TOP = ("plan", "agreement", "events", "facts", "available", "actions", "note")


@dataclass(frozen=True, slots=True)
class Step:
    action: Any
    line: int
    column: int
    note: str | None = None
    positions: Mapping[str, tuple[int, int]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Plan:
    name: str
    path: str
    agreement: str | None
    events: Mapping[str, dt.date]
    facts: frozenset[str]
    available: Mapping[str, Mapping[str, dt.date]]
    steps: tuple[Step, ...]
    positions: Mapping[tuple, tuple[int, int]] = field(default_factory=dict)

    def at(self, *where: Any) -> tuple[int, int]:
        """Line and column of a value of the plan (its nearest known enclosing value)."""
        return yamlpos.position(self.positions, where)


@dataclass(frozen=True, slots=True)
class Checked:
    step: Step
    decision: Decision


@dataclass(frozen=True, slots=True)
class PlanReport:
    plan: Plan
    results: tuple[Checked, ...]
    available: Mapping[str, Mapping[str, dt.date]]

    @property
    def ok(self) -> bool:
        return all(r.decision.allowed for r in self.results)

    @property
    def forbidden(self) -> tuple[Checked, ...]:
        return tuple(r for r in self.results if not r.decision.allowed)

    def obligations(self) -> list[str]:
        seen = {}
        for r in self.results:
            for o in r.decision.obligations:
                seen.setdefault(f"{o.text} ({o.clause})", None)
        return list(seen)

    def to_dict(self) -> dict[str, Any]:
        return {
            "plan": self.plan.name, "path": self.plan.path, "ok": self.ok,
            "decisions": [{"line": r.step.line, "note": r.step.note, **r.decision.to_dict()}
                          for r in self.results],
            "summary": {"actions": len(self.results),
                        "allowed": len(self.results) - len(self.forbidden),
                        "forbidden": len(self.forbidden), "obligations": self.obligations()},
            "available": {p: {c: d.isoformat() for c, d in sorted(chans.items())}
                          for p, chans in sorted(self.available.items())},
        }


# ---------------------------------------------------------------------------------------------
# reading


def load_plan(path: str | Path) -> Plan:
    """Read a plan file; raises TermsheetError with every positioned problem."""
    path = Path(path)
    from ..agreement.document import not_a_file
    if (problem := not_a_file(path, "a plan file (YAML)")):
        raise TermsheetError([problem])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as err:
        raise TermsheetError([Problem("E004", f"cannot read plan: {err}", str(path))])
    return parse_plan(text, str(path))


def parse_plan(text: str, path: str = "<plan>") -> Plan:
    try:
        data, positions = yamlpos.load(text)
    except yamlpos.YamlError as err:
        raise TermsheetError([Problem("E001", f"YAML syntax error: {err.message}", path,
                                      err.line, err.column)])
    reader = _Reader(path, positions)
    if not isinstance(data, dict):
        raise TermsheetError([reader.problem((), "E003", "a plan must be a mapping with "
                                             "'actions'", "write 'actions:' and a list")])
    reader.unknown_keys(data, (), TOP)
    events = reader.dates(data.get("events") or {}, ("events",))
    available = {str(product): reader.dates(chans, ("available", product))
                 for product, chans in reader.mapping(data, "available").items()}
    actions = data.get("actions")
    if not isinstance(actions, list) or not actions:
        reader.add((), "E021", "the plan has no 'actions' list", "add 'actions:' with a list "
                   "of dated actions")
        actions = []
    steps = [s for i, item in enumerate(actions) if (s := reader.step(item, ("actions", i)))]
    reader.raise_problems()
    facts = data.get("facts")
    for number, fact in enumerate(facts if isinstance(facts, list) else []):
        if isinstance(fact, str) and ("facts", number) in positions:
            positions[("facts", fact)] = positions[("facts", number)]
    agreement = data.get("agreement")
    if agreement is not None:
        agreement = str((Path(path).parent / str(agreement)))
    return Plan(str(data.get("plan") or Path(path).stem), path, agreement, events,
                frozenset(reader.names(data.get("facts") or [], ("facts",))), available,
                tuple(steps), positions)


class _Reader:
    """Builds records from the YAML data and collects positioned problems."""

    def __init__(self, path: str, positions: dict):
        self.path, self.positions, self.problems = path, positions, []

    def problem(self, where: tuple, code: str, message: str, hint: str | None = None,
                key: bool = False) -> Problem:
        position = self.positions.get(where + ("<key>",)) if key else None
        line, column = position or yamlpos.position(self.positions, where)
        return Problem(code, message, self.path, line, column, None, hint)

    def add(self, where: tuple, code: str, message: str, hint: str | None = None,
            key: bool = False) -> None:
        self.problems.append(self.problem(where, code, message, hint, key))

    def raise_problems(self) -> None:
        if self.problems:
            raise TermsheetError(self.problems)

    def unknown_keys(self, data: dict, where: tuple, known: tuple[str, ...]) -> None:
        for key in data:
            if key not in known:
                self.add(where + (key,), "E022", f"unknown field '{key}'",
                         known_hint(str(key), known), key=True)

    def mapping(self, data: dict, name: str) -> dict:
        value = data.get(name) or {}
        if not isinstance(value, dict):
            self.add((name,), "E023", f"'{name}' must be a mapping")
            return {}
        return value

    def dates(self, value: Any, where: tuple) -> dict[str, dt.date]:
        if not isinstance(value, dict):
            self.add(where, "E023", "expected a mapping of names to dates",
                     "write {name: YYYY-MM-DD}")
            return {}
        out = {}
        for key, day in value.items():
            if (day := _as_date(day)) is not None:
                out[str(key)] = day
            else:
                self.add(where + (key,), "E024", f"bad date {day!s:.40} for '{key}'",
                         "write YYYY-MM-DD")
        return out

    def names(self, value: Any, where: tuple) -> list[str]:
        if isinstance(value, str):
            return [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.add(where, "E023", "expected a list of names")
            return []
        return value

    def step(self, item: Any, where: tuple) -> Step | None:
        line, column = yamlpos.position(self.positions, where)
        if not isinstance(item, dict):
            self.add(where, "E023", "an action must be a mapping",
                     "write {date: ..., action: ..., ...}")
            return None
        kind = item.get("action")
        if kind not in FIELDS:
            self.add(where + ("action",) if "action" in item else where,
                     "E021" if kind is None else "E023",
                     "missing field 'action'" if kind is None else f"unknown action '{kind}'",
                     known_hint(str(kind or ""), FIELDS))
            return None
        required, optional = FIELDS[kind]
        self.unknown_keys(item, where, COMMON + required + optional)
        missing = [name for name in ("date",) + required if name not in item]
        for name in missing:
            self.add(where, "E021", f"missing field '{name}' for action '{kind}'",
                     f"add '{name}: ...'")
        day = _as_date(item.get("date"))
        if "date" in item and day is None:
            self.add(where + ("date",), "E024", f"bad date {item['date']!s:.40}",
                     "write YYYY-MM-DD")
            missing.append("date")
        exclusive = item.get("exclusive", False)
        if not isinstance(exclusive, bool):
            self.add(where + ("exclusive",), "E023", "'exclusive' must be true or false")
        for name in SCOPE:
            if name in optional and name in item and not isinstance(item[name], str):
                self.add(where + (name,), "E023", f"'{name}' must be one name",
                         f"write {name}: NAME (leave it out for every {name})")
                missing.append(name)
        if missing:
            return None
        fields = {name: str(item[name]) for name in required}
        fields |= {name: item[name] for name in SCOPE if name in optional and name in item}
        facts = frozenset(self.names(item.get("facts") or [], where + ("facts",)))
        action = _action(kind, fields, day, facts, exclusive is True)
        spots = {name: yamlpos.position(self.positions, where + (name,)) for name in item}
        return Step(action, line, column, item.get("note"), spots)


def _as_date(value: Any) -> dt.date | None:
    """A day: a YAML date, or the same written in quotes ("2026-05-01"); nothing else."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if isinstance(value, str) and len(value) == 10 and value[4] == value[7] == "-":
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return None


def _action(kind: str, f: dict[str, str], day: dt.date, facts: frozenset, exclusive: bool):
    where = {"territory": f.get("territory"), "field_of_use": f.get("field")}
    if kind == "distribute":
        return Distribute(f["party"], f["product"], f["channel"], day, facts, **where)
    if kind == "use-license":
        return UseLicense(f["licensee"], f["licensor"], f["subject"], day, facts, **where,
                          channel=f.get("channel"))
    if kind == "grant-license":
        return GrantLicense(f["licensor"], f["to"], f["subject"], day, exclusive, facts,
                            **where, channel=f.get("channel"))
    return BuyCompute(f["party"], f["from"], day, facts)


# ---------------------------------------------------------------------------------------------
# checking

# field -> the vocabulary it names: party, item (a product), channel, or counterparty
ROLES = {"party": "party", "licensee": "party", "licensor": "party", "product": "item",
         "subject": "item", "channel": "channel", "to": "counterparty", "from": "counterparty"}


def check_plan(plan: Plan, history: History, events: Mapping[str, dt.date] | None = None,
               facts: frozenset[str] = frozenset(), version: str | None = None) -> PlanReport:
    """Decide every action of the plan in date order, carrying first availability forward.

    ``version`` decides every action under that version, as if it were in force throughout."""
    check_plan_events(plan, history)
    events = {**plan.events, **(events or {})}
    index = index_for(history, events)
    check_names(plan, index)
    available = {p: dict(chans) for p, chans in plan.available.items()}
    results, problems = [], []
    ordered = sorted(plan.steps, key=lambda s: s.action.date)  # stable: same day, file order
    for step in ordered:
        action = step.action
        extra = plan.facts | facts
        if isinstance(action, Distribute):
            seen = {c: d for c, d in available.get(action.product, {}).items()
                    if d <= action.date}
            action = replace(action, facts=action.facts | extra, available=seen)
        elif extra:
            action = _with_facts(action, action.facts | extra)
        try:
            decision = decide(history, action, events, version=version)
        except TermsheetError as err:
            line, column = step.positions.get("date", (step.line, step.column))
            problems += [Problem(p.code, p.message, plan.path, line, column, None, p.hint)
                         for p in err.problems]
            continue
        if decision.allowed and isinstance(action, Distribute):
            first = available.setdefault(action.product, {})
            if action.channel not in first or first[action.channel] > action.date:
                first[action.channel] = action.date
        results.append(Checked(step, decision))
    if problems:
        raise TermsheetError(problems)
    return PlanReport(plan, tuple(results), available)


def _with_facts(action, facts: frozenset[str]):
    return replace(action, facts=facts)


def check_names(plan: Plan, index) -> None:
    """Every name in the plan is known to the agreement; problems point at the plan's text."""
    channels = sorted({c for v in index.versions for c in v.channels})
    known = {"party": index.parties, "item": [n for n in index.items if n != "compute"],
             "channel": channels, "counterparty": index.targets}
    codes = {"party": "E010", "item": "E012", "channel": "E011", "counterparty": "E010"}
    words = {"party": "party", "item": "product", "channel": "channel",
             "counterparty": "party or channel"}
    scopes = {"territory": ("territory",
                            sorted({t for v in index.versions for t in v.territories})),
              "field": ("field of use", sorted({f for v in index.versions for f in v.fields}))}
    problems = []
    for step in plan.steps:
        for name, (what, names) in scopes.items():
            value = step.action.scope.get(name) if hasattr(step.action, "scope") else None
            if value is not None and value not in names:
                line, column = step.positions.get(name, (step.line, step.column))
                problems.append(Problem("E017", f"unknown {what} '{value}'", plan.path, line,
                                        column, None, known_hint(value, names)))
        for name, value in _fields(step.action).items():
            role = ROLES[name]
            if value not in known[role]:
                line, column = step.positions.get(name, (step.line, step.column))
                problems.append(Problem(codes[role], f"unknown {words[role]} '{value}'",
                                        plan.path, line, column, None,
                                        known_hint(value, known[role])))
        for fact in step.action.facts - plan.facts:
            if fact not in index.conditions:
                line, column = step.positions.get("facts", (step.line, step.column))
                problems.append(Problem("E014", f"unknown condition '{fact}'", plan.path, line,
                                        column, None, known_hint(fact, index.conditions)))
    for fact in sorted(plan.facts):
        if fact not in index.conditions:
            problems.append(Problem("E014", f"unknown condition '{fact}'", plan.path,
                                    *plan.at("facts", fact), None,
                                    known_hint(fact, index.conditions)))
    for product, chans in plan.available.items():
        if product not in known["item"]:
            problems.append(Problem("E012", f"unknown product '{product}' in 'available'",
                                    plan.path, *plan.at("available", product), None,
                                    known_hint(product, known["item"])))
        for channel in chans:
            if channel not in channels:
                problems.append(Problem("E011", f"unknown channel '{channel}' in 'available'",
                                        plan.path, *plan.at("available", product, channel),
                                        None, known_hint(channel, channels)))
    if problems:
        raise TermsheetError(problems)


def check_plan_events(plan: Plan, history: History) -> None:
    known = sorted({e for v in history.versions for e in v.events})
    problems = [Problem("E013", f"unknown event '{name}'", plan.path, *plan.at("events", name),
                        None, known_hint(name, known))
                for name in plan.events if name not in known]
    if problems:
        raise TermsheetError(problems)


def _fields(action) -> dict[str, str]:
    if isinstance(action, Distribute):
        return {"party": action.party, "product": action.product, "channel": action.channel}
    channel = {"channel": action.channel} if getattr(action, "channel", None) else {}
    if isinstance(action, UseLicense):
        return {"licensee": action.licensee, "licensor": action.licensor,
                "subject": action.subject, **channel}
    if isinstance(action, GrantLicense):
        return {"licensor": action.licensor, "to": action.to, "subject": action.subject,
                **channel}
    return {"party": action.party, "from": action.supplier}
