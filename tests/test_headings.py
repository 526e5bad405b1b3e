"""Headings and titles in both languages: ``heading: {zh: ...}`` in a terms block and
``title: {en: ..., zh: ...}`` in the front matter reach the Chinese diff, and survive a render."""

from __future__ import annotations

from termsheet import diff, narrate, parse, render

V1 = """---
agreement: demo
version: v1
title:
  en: First terms
  zh: 初版条款
effective: 2024-01-01
parties:
  alpha: Alpha Inc.
  beta: Beta Ltd.
channels:
  cloud: {operator: beta}
---

# First terms

## 1. Revenue share to Beta

Alpha pays Beta a share of its revenue.

```terms
id: share
kind: revenue-share
payer: alpha
payee: beta
base: {seller: alpha}
rate: 10%
heading: {zh: 付给贝塔的收入分成}
```
"""


def test_a_heading_and_a_title_in_chinese_are_read():
    version, problems = parse(V1, "v1.md")
    assert problems == []
    clause = version.clause("share")
    assert clause.heading == "1. Revenue share to Beta"
    assert clause.heading_in("zh") == "付给贝塔的收入分成"
    assert clause.heading_in("en") == "1. Revenue share to Beta"
    assert version.title == "First terms"
    assert version.title_in("zh") == "初版条款"
    # A language without its own text falls back to the document's heading.
    assert parse(V1.replace("heading: {zh: 付给贝塔的收入分成}\n", ""), "v.md")[0] \
        .clause("share").heading_in("zh") == "1. Revenue share to Beta"


def test_the_chinese_diff_names_the_clause_by_its_chinese_heading():
    a = parse(V1, "v1.md")[0]
    b = parse(V1.replace("version: v1", "version: v2").replace("rate: 10%", "rate: 12%"),
              "v2.md")[0]
    changes = diff(a, b)
    zh = " ".join(s.text for s in narrate(changes, "zh"))
    en = " ".join(s.text for s in narrate(changes, "en"))
    assert "「付给贝塔的收入分成」" in zh and "Revenue share to Beta" not in zh
    assert "Revenue share to Beta" in en and "付给贝塔" not in en
    data = changes.to_dict("zh")
    assert data["clauses"][0]["heading"] == "付给贝塔的收入分成"
    assert data["to"]["title"] == "初版条款"
    assert changes.to_dict()["clauses"][0]["heading"] == "Revenue share to Beta"


def test_headings_in_other_languages_survive_a_render():
    version = parse(V1, "v1.md")[0]
    again, problems = parse(render(version), "again.md")
    assert problems == []
    assert again.model_dump() == version.model_dump()
    assert again.clause("share").headings == {"zh": "付给贝塔的收入分成"}
    assert again.titles == {"en": "First terms", "zh": "初版条款"}


def test_a_heading_in_an_unknown_language_is_a_positioned_problem():
    text = V1.replace("heading: {zh: 付给贝塔的收入分成}", "heading: {fr: Part de Beta}")
    version, problems = parse(text, "v1.md")
    assert [(p.code, p.line, p.clause) for p in problems] == [
        ("E023", text.split("\n").index("heading: {fr: Part de Beta}") + 1, "share")]
    assert "unknown language 'fr'" in problems[0].message


def test_a_title_in_several_languages_needs_english():
    text = V1.replace("  en: First terms\n", "")
    version, problems = parse(text, "v1.md")
    assert version is None
    # the problem points at the title's mapping, which now starts with its zh line (line 5)
    assert [(p.code, p.line) for p in problems] == [("E021", 5)]


def test_the_flagship_has_a_chinese_heading_for_every_clause(flagship):
    for version in flagship.versions:
        assert version.title_in("zh") != version.title
        for clause in version.clauses:
            assert clause.heading_in("zh") != clause.heading, (version.version, clause.id)
