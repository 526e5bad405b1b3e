"""diff(a, b): every transition of the flagship history against changes listed by hand, and the
rules of lining clauses up (renames, meaning-preserving rewrites, front matter)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from termsheet import diff, parse
from termsheet.diff.changes import reading_order
from termsheet.agreement.model import FirstOf

CASES = yaml.safe_load((Path(__file__).parent / "cases" / "diff" / "flagship.yaml").read_text())


def test_cases_cover_every_transition(flagship):
    ids = [v.version for v in flagship.versions]
    assert [(str(c["from"]), str(c["to"])) for c in CASES] == list(zip(ids, ids[1:]))


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['from']}->{c['to']}")
def test_flagship_transition(flagship, case):
    d = diff(flagship.get(str(case["from"])), flagship.get(str(case["to"])))
    assert set(d.added) == set(case["added"])
    assert set(d.removed) == set(case["removed"])
    assert d.renamed == ()
    substantive = {c.id: {t.term for t in c.substantive_terms}
                   for c in d.of("changed") if c.substantive_terms}
    assert substantive == {k: set(v) for k, v in case["changed"].items()}
    provenance_only = {c.id: {t.term for t in c.terms} for c in d.of("changed")
                       if c.provenance_only}
    assert provenance_only == {k: set(v) for k, v in case["provenance"].items()}
    front: dict = {}
    for entry in d.front:
        if entry.section != "sources":
            front.setdefault(entry.section, {}).setdefault(entry.status, set()).add(entry.key)
    assert front == {s: {k: set(v) for k, v in by.items()} for s, by in case["front"].items()}


def test_seed_revision_values(flagship):
    d = diff(flagship.get("2026-02-27"), flagship.get("2026-04-27"))
    terms = {(c.id, t.term): t for c in d.clauses for t in c.terms}
    exclusive = terms[("ip-license", "exclusive")]
    assert (exclusive.old, exclusive.new) == (True, False)
    until = terms[("revenue-share-to-microsoft", "until")]
    assert (until.old, until.new) == ("agi-verified", date(2030, 12, 31))
    cap = terms[("revenue-share-to-microsoft", "cap")]
    assert cap.change == "set" and cap.new.total == Decimal("38000000000")
    assert cap.new_json == {"total": 38000000000, "per-year": None, "per-quarter": None}
    products = terms[("any-cloud", "products")]
    assert products.old == {"type": ["app", "hardware"]} and products.new == "all"
    research = terms[("research-ip-license", "until")]
    assert research.old == FirstOf(first=("agi-verified", date(2030, 12, 31)))
    assert d.removed_events == ("agi-verified",)
    assert d.unchanged == ("azure-commitment",)


def test_seed_revision_json(flagship):
    data = diff(flagship.get("2026-02-27"), flagship.get("2026-04-27")).to_dict()
    assert data["from"]["version"] == "2026-02-27" and data["to"]["version"] == "2026-04-27"
    removed = next(c for c in data["clauses"] if c["id"] == "revenue-share-to-openai")
    assert removed["status"] == "removed" and removed["terms"]["rate"] == "20%"
    changed = next(c for c in data["clauses"] if c["id"] == "ip-license")
    assert {"term": "exclusive", "change": "changed", "old": True, "new": False} in \
        changed["changes"]


def test_reading_order_keeps_the_older_order_and_slots_new_clauses(flagship):
    a, b = flagship.get("2026-02-27"), flagship.get("2026-04-27")
    order = reading_order(a, b)
    # ai-cooperation follows azure-commitment, as in the newer text
    assert order.index("ai-cooperation") == order.index("azure-commitment") + 1
    assert order.index("stateless-api-exclusivity") < order.index("any-cloud")
    assert set(order) == {c.id for c in a.clauses} | {c.id for c in b.clauses}


def test_same_version_is_empty(flagship):
    version = flagship.get("2025-10-28")
    d = diff(version, version)
    assert d.empty and len(d.unchanged) == len(version.clauses)


# ---------------------------------------------------------------------------------------------
# small documents

FRONT = """---
agreement: demo
version: {version}
title: Demo
effective: {effective}
currency: {currency}
parties:
  alpha: Alpha Inc.
  beta: {beta}
channels:
  cloud: {{operator: {operator}}}
  shop: {{operator: alpha}}
products:
  widget: {{owner: alpha, type: {widget_type}}}
---
"""

CLAUSES = {
    "share": """
## Share

```terms
id: {share_id}
kind: revenue-share
payer: alpha
payee: beta
base: {{seller: alpha}}
rate: {rate}
source: a-source
```
""",
    "grant": """
## Grant

```terms
id: grant
kind: distribution
party: alpha
products: {products}
channels: {channels}
```
""",
    "together": """
## Together

```terms
id: together
kind: cooperation
parties: {parties}
areas: [research]
```
""",
}


def document(**values) -> object:
    fields = {"version": "v1", "effective": "2024-01-01", "currency": "USD", "beta": "Beta Ltd.",
              "operator": "beta", "widget_type": "app", "share_id": "share", "rate": "20%",
              "products": "all", "channels": "any", "parties": "[alpha, beta]",
              "source": "a-source"}
    fields.update(values)
    text = FRONT.format(**fields) + "".join(c.format(**fields) for c in CLAUSES.values())
    text = text.replace("source: a-source\n", "")
    version, problems = parse(text)
    assert not problems, problems
    return version


def test_renamed_clause_with_the_same_terms():
    d = diff(document(), document(version="v2", share_id="share-to-beta"))
    assert d.renamed == (("share", "share-to-beta"),)
    assert d.added == () and d.removed == ()


def test_new_id_and_new_terms_is_removed_and_added():
    d = diff(document(), document(version="v2", share_id="share-to-beta", rate="25%"))
    assert d.renamed == ()
    assert d.added == ("share-to-beta",) and d.removed == ("share",)


def test_meaning_not_layout():
    same = document(version="v2", rate="0.2", channels="all", parties="[beta, alpha]")
    assert diff(document(), same).clauses == ()


def test_term_changes_and_their_kinds():
    d = diff(document(), document(version="v2", rate="25%", products="[widget]"))
    share = d.clause("share")
    assert [(t.term, t.change, t.old_json, t.new_json) for t in share.terms] == \
        [("rate", "changed", "20%", "25%")]
    grant = d.clause("grant")
    assert [(t.term, t.old, t.new) for t in grant.terms] == [("products", "all", ("widget",))]


def test_front_matter_changes():
    d = diff(document(), document(version="v2", currency="EUR", beta="Beta GmbH",
                                  operator="alpha", widget_type="hardware"))
    changes = {(e.section, e.key): e for e in d.front}
    assert changes[("currency", "currency")].new == "EUR"
    assert [f.term for f in changes[("parties", "beta")].fields] == ["name"]
    assert [(f.term, f.old, f.new) for f in changes[("channels", "cloud")].fields] == \
        [("operator", "beta", "alpha")]
    assert [(f.term, f.old, f.new) for f in changes[("products", "widget")].fields] == \
        [("type", "app", "hardware")]


def test_kind_change_is_one_term():
    a = document()
    text = FRONT.format(version="v2", effective="2024-06-01", currency="USD", beta="Beta Ltd.",
                        operator="beta", widget_type="app") + """
## Share, now a stake

```terms
id: share
kind: equity
holder: beta
issuer: alpha
stake: 10%
```
"""
    b, problems = parse(text)
    assert not problems
    change = diff(a, b).clause("share")
    assert change.status == "changed" and [t.term for t in change.terms] == ["kind"]
