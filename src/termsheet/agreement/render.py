"""Version -> agreement document text. ``parse(render(v))`` gives records equal to ``v``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml

from .model import ClauseBase, Version


class _Dumper(yaml.SafeDumper):
    pass


def _decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    if value == value.to_integral_value():
        return dumper.represent_scalar("tag:yaml.org,2002:int", format(value.quantize(1), "f"))
    return dumper.represent_scalar("tag:yaml.org,2002:float", format(value.normalize(), "f"))


_Dumper.add_representer(Decimal, _decimal)
_Dumper.add_representer(tuple, lambda d, v: d.represent_list(list(v)))


def _dump(data: Any, flow: bool | None = False) -> str:
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     default_flow_style=flow, width=100)


def terms_data(clause: ClauseBase) -> dict[str, Any]:
    """A clause's terms as plain data, in the order a person writes them."""
    data = clause.model_dump(by_alias=True, exclude_none=True, exclude_defaults=True)
    data["kind"] = clause.kind
    head = {"id": data.pop("id"), "kind": data.pop("kind")}
    common = {k: data.pop(k) for k in COMMON_TERMS if k in data}
    if clause.headings:
        common["heading"] = dict(clause.headings)
    return {**head, **data, **common}


COMMON_TERMS = ("from", "until", "source", "assumed", "note")


def front_data(version: Version) -> dict[str, Any]:
    data = version.model_dump(by_alias=True, exclude_none=True,
                              exclude={"preamble", "clauses"})
    for table in ("parties", "channels", "products", "territories", "sources"):
        entries = data.get(table, {})
        for key, value in list(entries.items()):
            if isinstance(value, dict):
                entries[key] = {k: v for k, v in value.items() if v not in (None, (), [])}
    if version.titles:
        data["title"] = {"en": version.title, **version.titles}
    return data


def render(version: Version) -> str:
    parts = ["---", _dump(front_data(version)).rstrip(), "---", ""]
    parts += [f"# {version.title}", ""]
    if version.preamble:
        parts += [version.preamble, ""]
    for clause in version.clauses:
        parts += [f"## {clause.heading or clause.id}", ""]
        if clause.prose:
            parts += [clause.prose, ""]
        parts += ["```terms", _dump(terms_data(clause)).rstrip(), "```", ""]
    return "\n".join(parts)


