"""The glossary: what each word of an agreement means, in English and Simplified Chinese.

``TERMS`` explains the vocabulary of the document format (clause kinds, terms, concepts) in both
languages; ``termsheet glossary`` prints it and docs/diff.md reproduces it. The other tables give
the Chinese names the narration uses for common proper names, product types, attributes and
labels; a name that is not here is written as it stands in the document.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Entry:
    term: str
    en: str
    zh: str
    means_en: str
    means_zh: str

    def to_dict(self) -> dict[str, str]:
        return {"term": self.term, "en": self.en, "zh": self.zh, "means_en": self.means_en,
                "means_zh": self.means_zh}


def _entries(*rows: tuple[str, str, str, str, str]) -> dict[str, Entry]:
    return {row[0]: Entry(*row) for row in rows}


TERMS: dict[str, Entry] = _entries(
    # concepts
    ("agreement", "agreement", "协议", "the deal between the parties, in all its versions",
     "各方之间的协议，包括其所有版本"),
    ("version", "version", "版本", "one amended and restated text of the agreement",
     "协议的一个经修订并重述的文本"),
    ("clause", "clause", "条款", "one undertaking, with its prose and its terms block",
     "一项约定，包括其文字说明和条款块"),
    ("effective", "effective date", "生效日", "first day a version is in force",
     "某一版本开始生效的第一天"),
    ("amends", "amends", "修订", "the version this one replaces", "本版本所取代的版本"),
    ("event", "event", "事件", "something that may happen on a date; a term may end on it",
     "可能在某一日期发生的事情；条款可以因其发生而终止"),
    ("condition", "condition", "条件", "a state of affairs that holds only when stated as a fact",
     "只有被明确陈述为事实时才成立的情形"),
    ("selector", "selector", "选择器", "all, a list of ids, or attributes that must match",
     "全部、编号列表，或必须匹配的属性"),
    ("channel", "channel", "渠道", "where products are sold, such as a cloud",
     "销售产品的途径，例如某个云平台"),
    ("product", "product", "产品", "something a party sells or licenses", "当事方销售或许可的东西"),
    ("agi", "AGI", "通用人工智能（AGI）", "artificial general intelligence",
     "人工通用智能，即通用人工智能"),
    ("renamed", "renamed", "更名", "a clause with a new id and the same terms",
     "编号改变但内容不变的条款"),
    # clause kinds
    ("exclusivity", "exclusivity", "排他性条款",
     "the party may sell the products only through the channels",
     "当事方只能通过指定渠道销售指定产品"),
    ("distribution", "distribution", "分销许可",
     "the party may sell the products through the channels", "当事方可以通过指定渠道销售指定产品"),
    ("license", "licence", "许可", "the licensee may use the subject",
     "被许可方可以使用许可标的"),
    ("right-of-first-refusal", "right of first refusal", "优先拒绝权",
     "the grantor must offer the subject to the holder first", "授予方须先向权利人提供标的"),
    ("revenue-share", "revenue share", "收入分成",
     "the payer pays the payee a share of the base", "付款方按分成基数向收款方支付一定比例"),
    ("equity", "equity", "股权", "the holder owns a stake in the issuer", "持有人持有发行方的股份"),
    ("commitment", "commitment", "支出承诺",
     "the party commits to spend an amount with the counterparty", "当事方承诺向对方支出一定金额"),
    ("cooperation", "cooperation", "合作约定", "an undertaking with no payment",
     "不涉及付款的约定"),
    # terms
    ("id", "id", "编号", "the clause's stable identifier", "条款的固定编号"),
    ("kind", "kind", "类型", "what sort of clause it is", "条款的种类"),
    ("from", "from", "起始", "first day, or the event that starts the clause",
     "条款开始适用的日期或事件"),
    ("until", "until", "终止", "last day, or the event that ends the clause",
     "条款最后适用的日期或使其终止的事件"),
    ("source", "source", "来源", "where the term is reported", "条款内容的出处"),
    ("assumed", "assumed", "假设数据", "figures reported but never disclosed",
     "据报道但从未正式披露的数字"),
    ("note", "note", "备注", "free text", "自由文字说明"),
    ("heading", "heading", "标题", "the section heading above the clause", "条款上方的小节标题"),
    ("party", "party", "当事方", "who the clause binds or benefits", "条款约束或惠及的一方"),
    ("parties", "parties", "各方", "the parties to an undertaking", "参与约定的各方"),
    ("products", "products", "产品", "which products (a selector)", "适用的产品（选择器）"),
    ("channels", "channels", "渠道", "which channels (a selector)", "适用的渠道（选择器）"),
    ("first-launch", "first launch", "首发",
     "a product must be available on one channel before any other",
     "产品须先在某一渠道上线，再进入其他渠道"),
    ("on", "on", "首发渠道", "the channel that comes first", "须首先上线的渠道"),
    ("lead-days", "lead days", "提前天数", "how many days earlier the first channel must have it",
     "首发渠道须提前的天数"),
    ("unless", "unless", "除外条件", "the condition under which the rule does not apply",
     "规则不适用的条件"),
    ("licensor", "licensor", "许可方", "who grants the licence", "授予许可的一方"),
    ("licensee", "licensee", "被许可方", "who receives the licence", "获得许可的一方"),
    ("subject", "subject", "标的", "what the licence or right covers", "许可或权利所涵盖的对象"),
    ("excludes", "excludes", "排除范围", "what the licence leaves out", "许可不包括的内容"),
    ("territories", "territories", "地域", "where a licence or an exclusivity holds",
     "许可或排他限制适用的地域"),
    ("fields", "fields of use", "使用领域", "what a licence or an exclusivity is for",
     "许可或排他限制适用的使用领域"),
    ("exclusive", "exclusive", "独家", "the licensor may grant it to no one else",
     "许可方不得再授予他人"),
    ("holder", "holder", "权利人/持有人", "who holds the right or the shares", "持有权利或股份的一方"),
    ("grantor", "grantor", "授予方", "who owes the right", "承担义务的一方"),
    ("payer", "payer", "付款方", "who pays the share", "支付分成的一方"),
    ("payee", "payee", "收款方", "who receives the share", "收取分成的一方"),
    ("base", "base", "分成基数", "which revenue the share is computed on", "计算分成所依据的收入"),
    ("seller", "seller", "卖方", "who sold: the revenue row's seller", "收入记录中的销售方"),
    ("channel-of-base", "channel", "渠道", "where it was sold", "销售所经渠道"),
    ("service", "service", "服务", "billing service names", "账单中的服务名称"),
    ("charge-category", "charge category", "费用类别", "usage, purchase, credit, adjustment, tax",
     "用量、购买、抵扣、调整、税费"),
    ("cost", "cost column", "成本列", "BilledCost, EffectiveCost or ListCost",
     "BilledCost、EffectiveCost 或 ListCost"),
    ("rate", "rate", "分成比例", "the percentage paid", "支付的百分比"),
    ("tiers", "tiers", "阶梯费率", "rates that depend on volume", "随金额变化的费率"),
    ("marginal", "marginal", "超额累进", "each band's rate on the part inside the band",
     "各档费率只适用于落在该档内的部分"),
    ("whole", "whole-volume", "全额累进", "the rate of the band reached applies to all",
     "按达到的档位费率计算全部金额"),
    ("cap", "cap", "上限", "the most that will be paid", "最多支付的金额"),
    ("total", "total", "总额", "over the clause's whole life", "在条款整个期限内"),
    ("per-year", "per year", "每年", "within each calendar year", "在每个日历年内"),
    ("minimum", "minimum", "保底金额", "the least that will be paid a year, with a true-up",
     "每年至少支付的金额，年末补足"),
    ("settle", "settlement period", "结算周期", "month, quarter or year", "按月、按季或按年"),
    ("rounding", "rounding", "舍入方式", "half-up or half-even, once per statement line",
     "四舍五入或银行家舍入，每行结算只舍入一次"),
    ("bases", "bases", "多个分成基数", "several bases in one clause, each with its own rate",
     "同一条款中的多个基数，各有其比例"),
    ("advance", "advance", "预付款", "paid ahead, recouped from the royalties earned after it",
     "预先支付，从此后应得的分成中抵扣"),
    ("reset", "reset", "重新计算", "counts start again at this version instead of carrying on",
     "累计从本版本重新开始，而非承接上一版本"),
    ("stake", "stake", "持股比例", "the share of the issuer held", "所持发行方股份的比例"),
    ("issuer", "issuer", "发行方", "whose shares are held", "股份的发行公司"),
    ("amount", "amount", "金额", "how much, in the agreement's currency", "以协议币种计的金额"),
    ("counterparty", "counterparty", "对方", "with whom the amount is spent", "支出的对象"),
    ("by", "by", "期限", "the date by which it is spent", "须完成支出的日期"),
    ("areas", "areas", "合作领域", "what the parties work on together", "双方共同开展的工作"),
)

# Proper names and common labels in Chinese; English uses the documents' own words.
NAMES_ZH = {
    "Microsoft": "微软", "Microsoft Corporation": "微软公司", "Microsoft Azure": "微软Azure",
    "Azure": "Azure", "Amazon": "亚马逊", "Amazon Web Services": "亚马逊云科技（AWS）",
    "AWS": "亚马逊云科技（AWS）", "Google": "谷歌", "Google Cloud": "谷歌云",
    "Oracle": "甲骨文", "Oracle Cloud Infrastructure": "甲骨文云（OCI）",
    "OpenAI direct sales": "OpenAI直销",
}

# Product type -> (English plural, Chinese).
TYPES = {
    "api": ("APIs", "API产品"), "app": ("apps", "应用"), "hardware": ("hardware", "硬件"),
    "model": ("models", "模型"), "research": ("research", "研究成果"),
    "service": ("services", "服务"),
}

# Product attribute -> (English if true, if false, Chinese if true, if false); English adjectives
# that go after the noun start with "+".
ATTRIBUTES = {
    "stateless": ("stateless", "stateful", "无状态", "有状态"),
    "third-party": ("+built with third parties", "+not built with third parties",
                    "与第三方合作开发的", "非与第三方合作开发的"),
}

# Attribute values and free labels (cooperation areas, right-of-first-refusal subjects).
LABELS = {
    "us-national-security": ("US national-security customers", "美国国家安全客户"),
    "compute": ("new compute capacity", "新增算力"),
    "data-centers": ("data centers", "数据中心"),
    "chips": ("chips", "芯片"),
    "cybersecurity": ("AI for cybersecurity", "网络安全AI"),
    "agi-expert-panel": ("an expert panel that verifies AGI", "由专家小组核实AGI"),
    "agi-determination-by-board": ("the board's determination of AGI", "由董事会认定AGI"),
    "commercializing-new-ai-technologies": ("bringing new AI technologies to market",
                                            "新AI技术的商业化"),
    "capped-profit-returns": ("capped returns on investment", "投资回报设上限"),
}

# Events and conditions in Chinese, by id; English uses the document's own description.
EVENTS_ZH = {
    "agi-declared": "OpenAI董事会宣布实现AGI",
    "agi-verified": "独立专家小组核实OpenAI已实现AGI",
    "microsoft-declines-support": "微软无法支持产品所需的能力且选择不予支持",
}


def name_zh(name: str) -> str:
    return NAMES_ZH.get(name, name)


def label(value: str, lang: str) -> str:
    """A free label in a language: the glossary's words, or the label with hyphens as spaces."""
    if value in LABELS:
        return LABELS[value][0 if lang == "en" else 1]
    return value.replace("-", " ") if lang == "en" else value
