"""Parsing documents into records, and the positioned problems of bad ones."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from termsheet import parse
from termsheet.agreement.model import Distribution, FirstOf, RevenueShare

MINIMAL = (Path(__file__).parent / "documents" / "minimal.md").read_text()


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line containing needle."""
    for number, line in enumerate(text.split("\n"), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in text")


def test_minimal_document_parses_into_typed_records():
    version, problems = parse(MINIMAL, "minimal.md")
    assert problems == []
    assert version.agreement == "acme-widget"
    assert version.version == "2025-01-01"
    assert version.effective == date(2025, 1, 1)
    assert version.parties["widget"].aliases == ("Widget",)
    assert version.products["api"].attributes == {"owner": "acme", "type": "api",
                                                  "stateless": True}
    assert version.preamble == "Acme sells Widget's models; Widget takes a share."
    cloud, share = version.clauses
    assert isinstance(cloud, Distribution)
    assert cloud.first_launch.on == "azure" and cloud.first_launch.lead_days == 7
    assert cloud.heading == "1. Any cloud, Azure first"
    assert cloud.prose == "Acme may sell anywhere. Products ship first on Azure."
    assert isinstance(share, RevenueShare)
    assert share.rate == Decimal("0.2")
    assert share.cap.total == Decimal("38000000000") and share.cap.per_year == Decimal(1000000)
    assert isinstance(share.cap.total, Decimal)
    assert share.until == FirstOf(first=(date(2030, 12, 31), "ipo"))
    assert share.base.channel == ("aws",)
    assert share.span.line == line_of(MINIMAL, "id: share")
    assert share.span_of("base.channel").line == line_of(MINIMAL, "base: {seller: acme")


# (replace this, with that) -> the code expected, on the line holding `at`
BROKEN = [
    ("payee: widget", "payee: widgit", "E010", "payee: widgit", "did you mean 'widget'"),
    ("channels: any", "channels: [azure, gcp]", "E011", "channels: [azure, gcp]", "known: aws"),
    ("products: all", "products: [api, ap]", "E012", "products: [api, ap]", "did you mean"),
    ("ipo]}", "ipoo]}", "E013", "ipoo]}", "did you mean 'ipo'"),
    ("unless: declines", "unless: decline", "E014", "unless: decline", "did you mean"),
    ("assumed: {rate: contract}", "assumed: {rate: cnbc}", "E015", "assumed:", "known: contract"),
    ("kind: distribution", "kind: distribtion", "E016", "kind: distribtion", "distribution"),
    ("id: share", "id: any-cloud", "E020", "id: any-cloud\nkind: revenue", "first used"),
    ("payer: acme\n", "", "E021", "id: share", "payer"),
    ("rate: 20%", "rate: 20%\nratio: 3", "E022", "ratio: 3", "did you mean 'rate'"),
    ("rate: 20%", "rate: twenty", "E023", "rate: twenty", None),
    ("2030-12-31", "2030-02-30", "E024", "2030-02-30", None),
    ("effective: 2025-01-01", "effective: 2025-13-01", "E024", "effective: 2025-13-01", None),
    ("source: contract\nassumed", "from: 2031-01-01\nsource: contract\nassumed",
     "E025", "until: {first: [2030-12-31", None),
    ("rate: 20%", "rate: 120%", "E026", "rate: 120%", None),
    ("per-year: 1_000_000", "per-year: -5", "E028", "per-year: -5", None),
    ("rate: 20%", "tiers: {bands: [{above: 0, rate: 5%}]}\nrate: 20%", "E029", "rate: 20%", None),
    ("rate: 20%",
     "tiers: {bands: [{above: 100, rate: 5%}, {above: 50, rate: 9%}]}", "E027", "tiers:", None),
]


@pytest.mark.parametrize("old,new,code,at,hint", BROKEN, ids=[b[2] for b in BROKEN])
def test_each_problem_is_reported_with_its_position(old, new, code, at, hint):
    text = MINIMAL.replace(old, new, 1)
    assert text != MINIMAL
    version, problems = parse(text, "x.md")
    matching = [p for p in problems if p.code == code]
    assert matching, problems
    problem = matching[0]
    first_line = at.split("\n")[0]
    assert problem.path == "x.md"
    assert problem.line == line_of(text, first_line) if code != "E020" else \
        problem.line == [i for i, l in enumerate(text.split("\n"), 1) if l == "id: any-cloud"][1]
    assert problem.column >= 1
    if hint:
        assert hint in (problem.hint or "")


def test_unclosed_fence_and_yaml_error_are_positioned():
    text = MINIMAL.replace("cap: {total: 38e9", "cap: {total: [38e9").rstrip()
    text = text[: text.rindex("```")]  # the last fence never closes
    _, problems = parse(text, "x.md")
    codes = {p.code for p in problems}
    assert "E002" in codes
    fence = next(p for p in problems if p.code == "E002")
    assert fence.line == [i for i, l in enumerate(text.split("\n"), 1) if l == "```terms"][-1]
    yaml_text = MINIMAL.replace("party: acme", "party: [acme")
    _, problems = parse(yaml_text, "y.md")
    assert [p.code for p in problems] == ["E001"]
    assert problems[0].line >= line_of(yaml_text, "party: [acme")


def test_front_matter_problems_do_not_hide_clause_problems():
    text = MINIMAL.replace("effective: 2025-01-01", "effective: 2025-02-30") \
        .replace("payee: widget", "payee: wodget")
    version, problems = parse(text, "x.md")
    assert version is None
    assert {"E024", "E010"} <= {p.code for p in problems}


@pytest.mark.parametrize("text", ["", "no front matter", "---\nagreement: [\n---\n", "---\n- 1\n---",
                                  "---\nagreement: a\n", "\x00\x01---"])
def test_garbage_gives_problems_not_exceptions(text):
    version, problems = parse(text, "g.md")
    assert version is None and problems


def test_unreadable_front_matter_does_not_flood_clause_problems():
    text = MINIMAL.replace("title: Acme and Widget", "title: [Acme")
    _, problems = parse(text, "x.md")
    assert [p.code for p in problems] == ["E001"]


def test_control_characters_are_a_positioned_yaml_problem():
    text = MINIMAL.replace("payer: acme", "payer: ac\x01me")
    _, problems = parse(text, "x.md")
    assert [(p.code, p.line, p.column) for p in problems] == \
        [("E001", line_of(text, "payer: ac"), 10)]


def test_a_byte_order_mark_is_not_part_of_the_document(tmp_path):
    """Some editors save UTF-8 with a byte-order mark: the document is the same (it was E003,
    "must open with YAML front matter")."""
    from pathlib import Path

    from termsheet.agreement.document import parse_file
    text = (Path(__file__).parent / "documents" / "minimal.md").read_text(encoding="utf-8")
    plain, marked = tmp_path / "plain.md", tmp_path / "marked.md"
    plain.write_text(text, encoding="utf-8")
    marked.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    (a, problems_a), (b, problems_b) = parse_file(plain), parse_file(marked)
    assert problems_a == problems_b == []
    assert a.model_dump(exclude={"path"}) == b.model_dump(exclude={"path"})
