"""Narration: a hand-written sentence for every clause kind and term in both languages, and what
the seed's revision must say."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from termsheet import diff, narrate
from termsheet.diff.changes import clause_terms
from termsheet.diff.glossary import TERMS
from termsheet.agreement.model import CLAUSE_KINDS, Cap, FirstLaunch, FirstOf, Version
from termsheet.diff.narrate import LANGS, clause_context, summary, template
from termsheet.diff.phrases import phrasebook
from termsheet.diff.sentences import FRONT, KINDS

CJK = re.compile(r"[\u4e00-\u9fff]")


def term_names(kind: type) -> list[str]:
    return [kind.model_fields[name].alias or name for name in clause_terms(kind)]


def optional(kind: type, term: str) -> bool:
    for name, info in kind.model_fields.items():
        if (info.alias or name) == term:
            return info.default is None and not info.is_required()
    raise KeyError(term)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", sorted(CLAUSE_KINDS))
def test_every_kind_and_term_has_a_sentence(kind, lang):
    """Fails when a clause kind or any of its terms lacks a template in either language."""
    model = CLAUSE_KINDS[kind]
    assert kind in KINDS[lang], f"no {lang} sentences for kind {kind}"
    for status in ("added", "removed", "renamed"):
        assert isinstance(template(kind, status, lang), str), (kind, status, lang)
    for term in [*term_names(model), "heading", "id", "kind"]:
        entry = template(kind, term, lang)
        assert entry is not None, f"no {lang} sentence for term {term!r} of {kind}"
        if isinstance(entry, dict):
            forms = set(entry)
            assert "changed" in forms or {"true", "false"} <= forms, (kind, term, forms)
            if optional(model, term):
                assert {"set", "cleared"} <= forms, f"{kind}.{term}: needs set and cleared"


def test_every_model_field_is_a_term_walked():
    """The walk above covers every field of every kind (positions and prose excepted)."""
    for kind, model in CLAUSE_KINDS.items():
        walked = set(term_names(model)) | {"id", "kind"}
        fields = {info.alias or name for name, info in model.model_fields.items()
                  if not info.exclude}
        assert walked == fields, kind


@pytest.mark.parametrize("lang", LANGS)
def test_every_front_section_has_sentences(lang):
    for section in ("parties", "channels", "products", "events", "conditions", "sources"):
        assert {"added", "removed"} <= set(FRONT[lang][section]), section
    assert "changed" in FRONT[lang]["currency"]


def test_glossary_has_every_kind_and_term_in_both_languages():
    for kind, model in CLAUSE_KINDS.items():
        assert kind in TERMS, kind
        for term in term_names(model):
            assert term in TERMS, f"{term} of {kind} missing from the glossary"
    for entry in TERMS.values():
        assert entry.en and entry.means_en and not CJK.search(entry.en)
        assert CJK.search(entry.zh) or entry.zh.isupper(), entry.term
        assert CJK.search(entry.means_zh), entry.term


# ---------------------------------------------------------------------------------------------
# every template renders


SAMPLE_FRONT = dict(
    agreement="demo", version="v1", title="Demo", effective=date(2024, 1, 1),
    parties={"alpha": {"name": "Alpha Inc.", "aliases": ["Alpha"]}, "beta": "Beta Ltd."},
    channels={"cloud": {"operator": "beta", "name": "Beta Cloud"}},
    products={"widget": {"owner": "alpha", "type": "app"}},
    events={"launch": "The product launches."}, conditions={"outage": "Beta Cloud is down."},
)

SAMPLE_TERMS = {
    "from": date(2024, 2, 1), "until": FirstOf(first=("launch", date(2030, 12, 31))),
    "source": ("a", "b"), "assumed": {"rate": "a"}, "note": "n",
    "party": "alpha", "counterparty": "beta", "payer": "alpha", "payee": "beta",
    "licensor": "alpha", "licensee": "beta", "holder": "beta", "grantor": "alpha",
    "issuer": "alpha", "parties": ("alpha", "beta"), "products": {"type": "app"},
    "channels": ("cloud",), "first-launch": {"on": "cloud", "lead-days": 3, "unless": "outage"},
    "subject": ("widget",), "excludes": {"type": "hardware"}, "exclusive": True,
    "base": {"seller": "alpha", "channel": ("cloud",)}, "rate": "20%",
    "cap": {"total": 1000000, "per-year": 250000}, "minimum": {"per-year": 50000},
    "settle": "quarter", "rounding": "half-even", "stake": "12.5%", "amount": 5000000,
    "by": date(2027, 6, 30), "areas": ("chips",),
    "bases": ({"id": "net-sales", "product": ("widget",), "rate": "8%"},
              {"id": "sublicensing", "seller": "beta", "rate": "20%"}),
    "advance": {"amount": 100000, "paid": date(2024, 3, 1)}, "territories": {"excludes": ("eu",)},
    "fields": ("healthcare",), "reset": True,
}


def sample(kind: str):
    model = CLAUSE_KINDS[kind]
    data = {"id": f"sample-{kind}", "kind": kind, "heading": f"Sample {kind}"}
    for term in term_names(model):
        if term == "subject" and kind in ("right-of-first-refusal", "commitment"):
            data[term] = "compute"
        elif term == "tiers":
            continue  # a revenue share has a rate or tiers, not both
        else:
            data[term] = SAMPLE_TERMS[term]
    return model.model_validate(data)


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", sorted(CLAUSE_KINDS))
def test_every_template_renders(kind, lang):
    version = Version.model_validate(SAMPLE_FRONT)
    book = phrasebook(version, lang)
    ctx = clause_context(sample(kind), book)
    ctx.update(old="OLD", new="NEW")
    entries = dict(KINDS[lang][kind])
    for term in ("from", "until", "source", "assumed", "note", "heading", "id", "kind"):
        entries.setdefault(term, template(kind, term, lang))
    for term, entry in entries.items():
        for text in (entry.values() if isinstance(entry, dict) else [entry]):
            rendered = text.format_map(ctx)
            assert "{" not in rendered and rendered.strip(), (kind, term)
            if lang == "zh":
                assert CJK.search(rendered), (kind, term, rendered)


def test_phrases_of_values():
    version = Version.model_validate(SAMPLE_FRONT)
    en, zh = phrasebook(version, "en"), phrasebook(version, "zh")
    assert en.money(Decimal("38000000000")) == "USD 38 billion"
    assert en.money(Decimal("1500000000")) == "USD 1.5 billion"
    assert en.money(Decimal("1234.5")) == "USD 1,234.50"
    assert zh.money(Decimal("38000000000")) == "380亿美元"
    assert zh.money(Decimal("250000000000")) == "2500亿美元"
    assert zh.money(Decimal("12000")) == "1.2万美元"
    assert en.until(date(2030, 12, 31)) == "through 2030"
    assert zh.until(date(2030, 12, 31)) == "至2030年底"
    assert en.until(date(2030, 6, 30)) == "through 2030-06-30"
    assert en.until("launch") == "until the product launches"
    assert en.products({"type": "api", "third-party": True}) == "APIs built with third parties"
    assert zh.products({"type": "api", "stateless": True}) == "无状态API产品"
    assert en.channels("any") == "any cloud or channel"
    assert en.channels(("cloud",)) == "Beta Cloud"
    assert en.party("alpha") == "Alpha"
    assert en.cap(Cap(total=Decimal(10 ** 9))) == "USD 1 billion in total"
    launch = FirstLaunch(on="cloud", unless="outage")
    assert en.first_launch(launch) == ("a product must be available on Beta Cloud no later than "
                                       "on any other channel, unless Beta Cloud is down")
    late = FirstLaunch(on="cloud", **{"lead-days": 3})
    assert en.first_launch(late) == ("a product must be available on Beta Cloud at least 3 days "
                                     "before any other channel")


def test_unknown_language_is_refused(flagship):
    with pytest.raises(ValueError, match="unknown language"):
        narrate(diff(flagship.first, flagship.latest), "fr")


# ---------------------------------------------------------------------------------------------
# the seed's revision


@pytest.fixture(scope="module")
def seed(flagship):
    return diff(flagship.get("2026-02-27"), flagship.get("2026-04-27"))


def sentences_of(d, lang: str, clause: str, term: str | None = None) -> list[str]:
    return [s.text for s in narrate(d, lang) if s.key == clause and s.term == term]


def test_seed_in_english(seed):
    assert sentences_of(seed, "en", "stateless-api-exclusivity") == [
        "“Stateless API calls stay on Azure” is gone: OpenAI no longer has to sell openai-api "
        "only through Microsoft Azure or OpenAI direct sales."]
    assert sentences_of(seed, "en", "any-cloud", "products") == [
        "“Any cloud, Azure first”: OpenAI may now sell all products through any cloud or channel "
        "(before: apps and hardware)."]
    azure_first, = sentences_of(seed, "en", "any-cloud", "first-launch")
    assert "must be available on Microsoft Azure no later than on any other channel" in \
        azure_first and "unless Microsoft cannot support" in azure_first
    licence, = sentences_of(seed, "en", "ip-license", "exclusive")
    assert "Microsoft's licence to models, apps and APIs (excluding hardware) is now " \
           "non-exclusive" in licence
    assert "through 2032, whether or not an independent expert panel verifies" in licence
    assert sentences_of(seed, "en", "revenue-share-to-openai") == [
        "“Revenue share to OpenAI” is gone: Microsoft no longer pays OpenAI a share of "
        "Microsoft's sales of azure-openai-service."]
    until, = sentences_of(seed, "en", "revenue-share-to-microsoft", "until")
    assert "OpenAI keeps paying Microsoft 20% of OpenAI's sales, now through 2030" in until
    assert sentences_of(seed, "en", "revenue-share-to-microsoft", "cap") == [
        "“Revenue share to Microsoft”: OpenAI's payments to Microsoft are now capped at "
        "USD 38 billion in total."]
    assert sentences_of(seed, "en", "agi-determination") == [
        "“Verifying AGI” is gone: OpenAI and Microsoft no longer have an undertaking on an "
        "expert panel that verifies AGI."]


def test_seed_in_chinese(seed):
    text = "\n".join(s.text for s in narrate(seed, "zh", provenance=False))
    for phrase in ("「无状态 API 调用留在 Azure」已删除：OpenAI不再只能通过微软Azure",
                   "OpenAI现可通过任何云平台或渠道销售所有产品（原为应用和硬件）",
                   "产品须首先在微软Azure上线，不得晚于其他任何渠道，除非微软无法支持",
                   "微软对模型、应用和API产品（不包括硬件）的许可改为非独家",
                   "许可期限至2032年底，无论「独立专家小组核实OpenAI已实现AGI」是否发生",
                   "「付给 OpenAI 的收入分成」已删除：微软不再向OpenAI支付",
                   "OpenAI继续向微软支付OpenAI销售收入的20%，期限改为至2030年底",
                   "OpenAI向微软支付的分成现设上限，总额380亿美元",
                   "「AGI 的验证」已删除"):
        assert phrase in text, phrase


def test_one_sentence_per_change_in_both_languages(seed):
    en, zh = narrate(seed, "en"), narrate(seed, "zh")
    assert [(s.key, s.term) for s in en] == [(s.key, s.term) for s in zh]
    changes = sum(len(c.terms) + (c.status != "changed") for c in seed.clauses)
    fields = sum(max(len(e.fields), 1) for e in seed.front)
    assert len(en) == changes + fields
    assert all(CJK.search(s.text) for s in zh)
    # microsoft-equity and preferred-commercialization-partner changed only their sources
    assert summary(seed, "en") == ("openai-microsoft 2026-02-27 → 2026-04-27: 1 added, "
                                   "5 removed, 4 changed, 0 renamed; 2 changed only in "
                                   "heading, sources or notes.")
    assert summary(seed, "zh").endswith("新增1条，删除5条，修改4条，更名0条；另有2条仅标题、"
                                        "来源或备注有变动。")


def test_two_agreements_compared_are_each_named(flagship_dir):
    from termsheet.api import load
    microsoft = load(flagship_dir).get("2026-04-27")
    amazon = load(flagship_dir.parent / "openai-amazon").get("2026-02-27")
    assert summary(diff(microsoft, amazon), "en").startswith(
        "openai-microsoft 2026-04-27 → openai-amazon 2026-02-27: ")
    assert summary(diff(microsoft, amazon), "zh").startswith(
        "openai-microsoft 2026-04-27 → openai-amazon 2026-02-27：")


def test_provenance_can_be_left_out(seed):
    shown = narrate(seed, "en", provenance=False)
    assert shown and not any(s.provenance for s in shown)
    assert not any(s.term in ("source", "note", "heading", "assumed") for s in shown)
    assert any(s.provenance for s in narrate(seed, "en"))
