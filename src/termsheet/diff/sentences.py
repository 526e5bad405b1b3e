"""The sentence templates of the narration, written by hand in English and Simplified Chinese.

For each clause kind: a sentence for a clause ``added``, ``removed`` and ``renamed``, and one per
term. A term's template is a string, or a mapping with ``changed`` / ``set`` (the term was absent
before) / ``cleared`` (the term is gone); a yes-or-no term may instead have ``true`` and ``false``
(chosen by the new value). ``{old}`` and ``{new}`` are the term's values before and after; every
other field is the clause's own term in words (the newer clause's, for a change), plus:
``{period}`` (when it starts and ends), ``{share}`` (a rate or tiers), ``{cap_clause}``,
``{minimum_clause}``, ``{excludes_clause}``, ``{first_launch_clause}``, ``{by_clause}``,
``{covered}`` (a removed grant that another clause now gives) and ``{whatever}`` (events removed
from the agreement that the clause's end no longer depends on).

``COMMON`` holds the templates of the terms every kind has; a kind may override any of them.
``FRONT`` holds the sentences for the front matter: parties, channels, products, events,
conditions, sources and the currency.
"""

from __future__ import annotations

COMMON = {
    "en": {
        "from": {
            "changed": "“{heading}” now applies {new} (before: {old}).",
            "set": "“{heading}” now applies only {new}.",
            "cleared": "“{heading}” now applies from the version's effective date "
                       "(before: {old}).",
        },
        "until": {
            "changed": "“{heading}” now lasts {new} (before: {old}).",
            "set": "“{heading}” now has an end: it lasts {new}.",
            "cleared": "“{heading}” no longer ends on a set day or event (before: it lasted "
                       "{old}).",
        },
        "source": {
            "changed": "“{heading}” now cites {new} (before: {old}).",
            "set": "“{heading}” now cites {new}.",
            "cleared": "“{heading}” no longer cites a source (before: {old}).",
        },
        "assumed": {
            "changed": "“{heading}”: the figures reported but never disclosed are now {new} "
                       "(before: {old}).",
            "set": "“{heading}” now marks as reported but never disclosed: {new}.",
            "cleared": "“{heading}”: no figure is marked as assumed any more (before: {old}).",
        },
        "note": {
            "changed": "“{heading}”: the note is rewritten.",
            "set": "“{heading}”: a note is added.",
            "cleared": "“{heading}”: the note is removed.",
        },
        "heading": "The clause {id} is now headed “{new}” (before: “{old}”).",
        "id": "“{heading}” keeps its terms under a new id, {id} (before: {old_id}).",
        "kind": "“{heading}” is now a clause of kind {new} (before: {old}).",
    },
    "zh": {
        "from": {
            "changed": "「{heading}」：起始时间改为{new}（原为{old}）。",
            "set": "「{heading}」：现{new}才开始适用。",
            "cleared": "「{heading}」：现自本版本生效日起适用（原为{old}）。",
        },
        "until": {
            "changed": "「{heading}」：期限改为{new}（原为{old}）。",
            "set": "「{heading}」：现设有期限，{new}。",
            "cleared": "「{heading}」：不再设终止日期或终止事件（原为{old}）。",
        },
        "source": {
            "changed": "「{heading}」：引用的来源改为{new}（原为{old}）。",
            "set": "「{heading}」：现注明来源{new}。",
            "cleared": "「{heading}」：不再注明来源（原为{old}）。",
        },
        "assumed": {
            "changed": "「{heading}」：据报道但未经披露的数字现为{new}（原为{old}）。",
            "set": "「{heading}」：{new}现标注为据报道但未经披露的数字。",
            "cleared": "「{heading}」：不再有标注为假设的数字（原为{old}）。",
        },
        "note": {
            "changed": "「{heading}」：备注已改写。",
            "set": "「{heading}」：新增备注。",
            "cleared": "「{heading}」：备注已删除。",
        },
        "heading": "条款{id}的标题改为「{new}」（原为「{old}」）。",
        "id": "「{heading}」内容不变，编号由{old_id}改为{id}。",
        "kind": "「{heading}」的条款类型由{old}改为{new}。",
    },
}

KINDS = {
    "en": {
        "exclusivity": {
            "added": "New, “{heading}”: {party} may sell {products} only through "
                     "{channels}{scope}{period}.",
            "removed": "“{heading}” is gone: {party} no longer has to sell {products} only "
                       "through {channels}.",
            "renamed": "“{heading}” keeps its terms under a new id, {id} (before: {old_id}).",
            "party": "“{heading}”: the restriction now binds {new} (before: {old}).",
            "products": "“{heading}”: the restriction now covers {new} (before: {old}); "
                        "{party} may sell them only through {channels}.",
            "channels": "“{heading}”: {party} may now sell {products} only through {new} "
                        "(before: {old}).",
            "territories": "“{heading}”: the restriction now holds in {new} (before: {old}).",
            "fields": "“{heading}”: the restriction now holds for the fields of use {new} "
                      "(before: {old}).",
            "until": {
                "changed": "“{heading}”: the restriction now lasts {new} (before: {old}).",
                "set": "“{heading}”: the restriction now has an end: it lasts {new}.",
                "cleared": "“{heading}”: the restriction no longer ends on a set day or event "
                           "(before: it lasted {old}).",
            },
        },
        "distribution": {
            "added": "New, “{heading}”: {party} may sell {products} through "
                     "{channels}{period}{first_launch_clause}.",
            "removed": "“{heading}” is gone: its permission for {party} to sell {products} "
                       "through {channels} ends{covered}.",
            "renamed": "“{heading}” keeps its terms under a new id, {id} (before: {old_id}).",
            "party": "“{heading}”: the permission now goes to {new} (before: {old}).",
            "products": "“{heading}”: {party} may now sell {new} through {channels} "
                        "(before: {old}).",
            "channels": "“{heading}”: {party} may now sell {products} through {new} "
                        "(before: {old}).",
            "first-launch": {
                "changed": "“{heading}”: now {new} (before: {old}).",
                "set": "“{heading}”: from now on, {new}.",
                "cleared": "“{heading}”: no channel has to come first any more (before: "
                           "{old}).",
            },
            "until": {
                "changed": "“{heading}”: the permission now lasts {new} (before: {old}).",
                "set": "“{heading}”: the permission now has an end: it lasts {new}.",
                "cleared": "“{heading}”: the permission no longer ends (before: it lasted "
                           "{old}).",
            },
        },
        "license": {
            "added": "New, “{heading}”: {licensor} grants {licensee} {an_exclusive} licence "
                     "to {subject}{excludes_clause}{scope}{period}.",
            "removed": "“{heading}” is gone: {licensee}'s licence to {subject} from {licensor} "
                       "ends.",
            "renamed": "“{heading}” keeps its terms under a new id, {id} (before: {old_id}).",
            "licensor": "“{heading}”: the licence is now granted by {new} (before: {old}).",
            "licensee": "“{heading}”: the licence now goes to {new} (before: {old}).",
            "subject": "“{heading}”: the licence now covers {new} (before: {old}).",
            "territories": "“{heading}”: {licensee}'s licence to {subject} now holds in {new} "
                           "(before: {old}).",
            "fields": "“{heading}”: {licensee}'s licence to {subject} is now for the fields of "
                      "use {new} (before: {old}).",
            "channels": "“{heading}”: {licensee}'s licence to {subject} may now be used through "
                        "{new} (before: {old}).",
            "excludes": {
                "changed": "“{heading}”: the licence now leaves out {new} (before: {old}).",
                "set": "“{heading}”: the licence now leaves out {new}.",
                "cleared": "“{heading}”: the licence no longer leaves out {old}.",
            },
            "exclusive": {
                "false": "“{heading}”: {licensee}'s licence to {subject}{excludes_clause} is now "
                         "non-exclusive, "
                         "so {licensor} may license the same to others; it runs "
                         "{until}{whatever}.",
                "true": "“{heading}”: {licensee}'s licence to {subject}{excludes_clause} is now "
                        "exclusive, so "
                        "{licensor} may license it to no one else; it runs {until}{whatever}.",
            },
            "until": {
                "changed": "“{heading}”: the licence now runs {new} (before: {old}).",
                "set": "“{heading}”: the licence now has an end: it runs {new}.",
                "cleared": "“{heading}”: the licence no longer ends (before: it ran {old}).",
            },
        },
        "right-of-first-refusal": {
            "added": "New, “{heading}”: {grantor} must offer {subject} to {holder} "
                     "first{period}.",
            "removed": "“{heading}” is gone: {grantor} no longer has to offer {subject} to "
                       "{holder} first.",
            "renamed": "“{heading}” keeps its terms under a new id, {id} (before: {old_id}).",
            "holder": "“{heading}”: {grantor} must now offer {subject} first to {new} "
                      "(before: {old}).",
            "grantor": "“{heading}”: the duty to offer {subject} first now falls on {new} "
                       "(before: {old}).",
            "subject": "“{heading}”: the right now covers {new} (before: {old}).",
            "until": {
                "changed": "“{heading}”: the right now lasts {new} (before: {old}).",
                "set": "“{heading}”: the right now has an end: it lasts {new}.",
                "cleared": "“{heading}”: the right no longer ends (before: it lasted {old}).",
            },
        },
        "revenue-share": {
            "added": "New, “{heading}”: {payer} pays {payee} {share} of "
                     "{base}{cap_clause}{minimum_clause}{period}.",
            "removed": "“{heading}” is gone: {payer} no longer pays {payee} a share of {base}.",
            "renamed": "“{heading}” keeps its terms under a new id, {id} (before: {old_id}).",
            "payer": "“{heading}”: the share is now paid by {new} (before: {old}).",
            "payee": "“{heading}”: the share is now paid to {new} (before: {old}).",
            "base": "“{heading}”: {payer} now pays {payee} a share of {new} (before: {old}).",
            "rate": {
                "changed": "“{heading}”: the rate is now {new} (before: {old}).",
                "set": "“{heading}”: the share is now a flat rate of {new}.",
                "cleared": "“{heading}”: the flat rate of {old} no longer applies.",
            },
            "tiers": {
                "changed": "“{heading}”: the tiers are now {new} (before: {old}).",
                "set": "“{heading}”: the share now follows {new}.",
                "cleared": "“{heading}”: the tiers no longer apply (before: {old}).",
            },
            "cap": {
                "changed": "“{heading}”: the cap is now {new} (before: {old}).",
                "set": "“{heading}”: {payer}'s payments to {payee} are now capped at {new}.",
                "cleared": "“{heading}”: the payments are no longer capped (before: {old}).",
            },
            "minimum": {
                "changed": "“{heading}”: the minimum is now {new} (before: {old}).",
                "set": "“{heading}”: {payer} must now pay {payee} at least {new}.",
                "cleared": "“{heading}”: there is no minimum payment any more (before: {old}).",
            },
            "settle": "“{heading}”: the share is now settled {new} (before: {old}).",
            "rounding": "“{heading}”: amounts are now rounded {new} (before: {old}).",
            "bases": {
                "changed": "“{heading}”: the share is now {new} (before: {old}).",
                "set": "“{heading}”: the share now has several bases: {new}.",
                "cleared": "“{heading}”: the share no longer has several bases (before: {old}).",
            },
            "advance": {
                "changed": "“{heading}”: the advance is now {new} (before: {old}).",
                "set": "“{heading}”: {payer} now pays {payee} an advance of {new}, recouped from "
                       "the royalties earned after it.",
                "cleared": "“{heading}”: there is no advance any more (before: {old}).",
            },
            "reset": {
                "true": "“{heading}”: from this version its tier volumes, caps and minimum are "
                        "counted afresh.",
                "false": "“{heading}”: its tier volumes, caps and minimum now carry on from the "
                         "previous version.",
            },
            "until": {
                "changed": "“{heading}”: {payer} keeps paying {payee} {share} of {base}, now "
                           "{new} (before: {old}).",
                "set": "“{heading}”: {payer}'s share to {payee} now has an end: it runs {new}.",
                "cleared": "“{heading}”: the share no longer ends (before: it ran {old}).",
            },
        },
        "equity": {
            "added": "New, “{heading}”: {holder} holds {stake} of {issuer}.",
            "removed": "“{heading}” is gone: {holder}'s {stake} stake in {issuer} is no longer "
                       "part of the agreement.",
            "renamed": "“{heading}” keeps its terms under a new id, {id} (before: {old_id}).",
            "holder": "“{heading}”: the stake in {issuer} is now held by {new} (before: {old}).",
            "issuer": "“{heading}”: {holder}'s stake is now in {new} (before: {old}).",
            "stake": "“{heading}”: {holder}'s stake in {issuer} is now {new} (before: {old}).",
        },
        "commitment": {
            "added": "New, “{heading}”: {party} commits {amount} to {counterparty}{by_clause}.",
            "removed": "“{heading}” is gone: {party}'s commitment of {amount} to {counterparty} "
                       "is no longer part of the agreement.",
            "renamed": "“{heading}” keeps its terms under a new id, {id} (before: {old_id}).",
            "party": "“{heading}”: the commitment is now made by {new} (before: {old}).",
            "counterparty": "“{heading}”: the commitment is now owed to {new} (before: {old}).",
            "amount": "“{heading}”: {party}'s commitment to {counterparty} is now {new} "
                      "(before: {old}).",
            "by": {
                "changed": "“{heading}”: the amount is now due by {new} (before: {old}).",
                "set": "“{heading}”: the amount must now be spent by {new}.",
                "cleared": "“{heading}”: the deadline of {old} is dropped.",
            },
            "subject": {
                "changed": "“{heading}”: the commitment now buys {new} (before: {old}).",
                "set": "“{heading}”: the commitment is now said to buy {new}.",
                "cleared": "“{heading}”: the commitment no longer names what it buys ({old}).",
            },
        },
        "cooperation": {
            "added": "New, “{heading}”: {parties} undertake to work together on {areas}.",
            "removed": "“{heading}” is gone: {parties} no longer have an undertaking on "
                       "{areas}.",
            "renamed": "“{heading}” keeps its terms under a new id, {id} (before: {old_id}).",
            "parties": "“{heading}”: the undertaking now binds {new} (before: {old}).",
            "areas": "“{heading}”: the undertaking now covers {new} (before: {old}).",
        },
    },
    "zh": {
        "exclusivity": {
            "added": "新增「{heading}」：{party}只能通过{channels}销售{products}{scope}{period}。",
            "removed": "「{heading}」已删除：{party}不再只能通过{channels}销售{products}。",
            "renamed": "「{heading}」内容不变，编号由{old_id}改为{id}。",
            "party": "「{heading}」：该限制现约束{new}（原为{old}）。",
            "products": "「{heading}」：该限制现适用于{new}（原为{old}），{party}只能通过"
                        "{channels}销售。",
            "channels": "「{heading}」：{party}现只能通过{new}销售{products}（原为{old}）。",
            "territories": "「{heading}」：该限制的适用地域改为{new}（原为{old}）。",
            "fields": "「{heading}」：该限制的适用领域改为{new}（原为{old}）。",
            "until": {
                "changed": "「{heading}」：该限制的期限改为{new}（原为{old}）。",
                "set": "「{heading}」：该限制现设有期限，{new}。",
                "cleared": "「{heading}」：该限制不再设终止日期或终止事件（原为{old}）。",
            },
        },
        "distribution": {
            "added": "新增「{heading}」：{party}可以通过{channels}销售{products}"
                     "{period}{first_launch_clause}。",
            "removed": "「{heading}」已删除：{party}通过{channels}销售{products}的许可随之终止"
                       "{covered}。",
            "renamed": "「{heading}」内容不变，编号由{old_id}改为{id}。",
            "party": "「{heading}」：该销售许可现授予{new}（原为{old}）。",
            "products": "「{heading}」：{party}现可通过{channels}销售{new}（原为{old}）。",
            "channels": "「{heading}」：{party}现可通过{new}销售{products}（原为{old}）。",
            "first-launch": {
                "changed": "「{heading}」：现规定{new}（原规定{old}）。",
                "set": "「{heading}」：现规定{new}。",
                "cleared": "「{heading}」：不再要求任何渠道首发（原规定{old}）。",
            },
            "until": {
                "changed": "「{heading}」：该销售许可的期限改为{new}（原为{old}）。",
                "set": "「{heading}」：该销售许可现设有期限，{new}。",
                "cleared": "「{heading}」：该销售许可不再设期限（原为{old}）。",
            },
        },
        "license": {
            "added": "新增「{heading}」：{licensor}授予{licensee}{an_exclusive}许可，标的为"
                     "{subject}{excludes_clause}{scope}{period}。",
            "removed": "「{heading}」已删除：{licensee}对{licensor}的{subject}的许可终止。",
            "renamed": "「{heading}」内容不变，编号由{old_id}改为{id}。",
            "licensor": "「{heading}」：许可方改为{new}（原为{old}）。",
            "licensee": "「{heading}」：被许可方改为{new}（原为{old}）。",
            "subject": "「{heading}」：许可标的改为{new}（原为{old}）。",
            "territories": "「{heading}」：{licensee}对{subject}的许可地域改为{new}（原为{old}）。",
            "fields": "「{heading}」：{licensee}对{subject}的许可使用领域改为{new}（原为{old}）。",
            "channels": "「{heading}」：{licensee}对{subject}的许可使用渠道改为{new}（原为{old}）。",
            "excludes": {
                "changed": "「{heading}」：许可排除的范围改为{new}（原为{old}）。",
                "set": "「{heading}」：许可现不包括{new}。",
                "cleared": "「{heading}」：许可不再排除{old}。",
            },
            "exclusive": {
                "false": "「{heading}」：{licensee}对{subject}{excludes_clause}的许可改为非独家，{licensor}可以将"
                         "同样的技术授权给他人；许可期限{until}{whatever}。",
                "true": "「{heading}」：{licensee}对{subject}{excludes_clause}的许可改为独家，{licensor}不得再"
                        "授权给他人；许可期限{until}{whatever}。",
            },
            "until": {
                "changed": "「{heading}」：许可期限改为{new}（原为{old}）。",
                "set": "「{heading}」：许可现设有期限，{new}。",
                "cleared": "「{heading}」：许可不再设期限（原为{old}）。",
            },
        },
        "right-of-first-refusal": {
            "added": "新增「{heading}」：{grantor}须先向{holder}提供{subject}{period}。",
            "removed": "「{heading}」已删除：{grantor}不再须先向{holder}提供{subject}。",
            "renamed": "「{heading}」内容不变，编号由{old_id}改为{id}。",
            "holder": "「{heading}」：{grantor}现须先向{new}提供{subject}（原为{old}）。",
            "grantor": "「{heading}」：优先提供{subject}的义务现由{new}承担（原为{old}）。",
            "subject": "「{heading}」：该权利现涵盖{new}（原为{old}）。",
            "until": {
                "changed": "「{heading}」：该权利的期限改为{new}（原为{old}）。",
                "set": "「{heading}」：该权利现设有期限，{new}。",
                "cleared": "「{heading}」：该权利不再设期限（原为{old}）。",
            },
        },
        "revenue-share": {
            "added": "新增「{heading}」：{payer}向{payee}支付{base}的{share}"
                     "{cap_clause}{minimum_clause}{period}。",
            "removed": "「{heading}」已删除：{payer}不再向{payee}支付{base}的分成。",
            "renamed": "「{heading}」内容不变，编号由{old_id}改为{id}。",
            "payer": "「{heading}」：分成现由{new}支付（原为{old}）。",
            "payee": "「{heading}」：分成现支付给{new}（原为{old}）。",
            "base": "「{heading}」：分成基数改为{new}（原为{old}）。",
            "rate": {
                "changed": "「{heading}」：分成比例改为{new}（原为{old}）。",
                "set": "「{heading}」：分成现按固定比例{new}计算。",
                "cleared": "「{heading}」：不再适用{old}的固定比例。",
            },
            "tiers": {
                "changed": "「{heading}」：阶梯费率改为{new}（原为{old}）。",
                "set": "「{heading}」：分成现采用{new}。",
                "cleared": "「{heading}」：不再适用阶梯费率（原为{old}）。",
            },
            "cap": {
                "changed": "「{heading}」：上限改为{new}（原为{old}）。",
                "set": "「{heading}」：{payer}向{payee}支付的分成现设上限，{new}。",
                "cleared": "「{heading}」：分成不再设上限（原为{old}）。",
            },
            "minimum": {
                "changed": "「{heading}」：保底金额改为{new}（原为{old}）。",
                "set": "「{heading}」：{payer}现须向{payee}支付保底金额，{new}。",
                "cleared": "「{heading}」：不再有保底金额（原为{old}）。",
            },
            "settle": "「{heading}」：结算周期改为{new}（原为{old}）。",
            "rounding": "「{heading}」：金额舍入方式改为{new}（原为{old}）。",
            "bases": {
                "changed": "「{heading}」：分成改为{new}（原为{old}）。",
                "set": "「{heading}」：分成现按多个基数计算：{new}。",
                "cleared": "「{heading}」：分成不再按多个基数计算（原为{old}）。",
            },
            "advance": {
                "changed": "「{heading}」：预付款改为{new}（原为{old}）。",
                "set": "「{heading}」：{payer}现向{payee}支付预付款{new}，从此后的分成中抵扣。",
                "cleared": "「{heading}」：不再有预付款（原为{old}）。",
            },
            "reset": {
                "true": "「{heading}」：自本版本起，阶梯累计金额、上限和保底金额重新计算。",
                "false": "「{heading}」：阶梯累计金额、上限和保底金额改为承接上一版本继续计算。",
            },
            "until": {
                "changed": "「{heading}」：{payer}继续向{payee}支付{base}的{share}，期限改为{new}"
                           "（原为{old}）。",
                "set": "「{heading}」：{payer}向{payee}支付的分成现设期限，{new}。",
                "cleared": "「{heading}」：分成不再设期限（原为{old}）。",
            },
        },
        "equity": {
            "added": "新增「{heading}」：{holder}持有{issuer}的{stake}股份。",
            "removed": "「{heading}」已删除：{holder}持有{issuer}的{stake}股份一事不再列入协议。",
            "renamed": "「{heading}」内容不变，编号由{old_id}改为{id}。",
            "holder": "「{heading}」：{issuer}的股份现由{new}持有（原为{old}）。",
            "issuer": "「{heading}」：{holder}所持股份的发行方改为{new}（原为{old}）。",
            "stake": "「{heading}」：{holder}在{issuer}的持股比例改为{new}（原为{old}）。",
        },
        "commitment": {
            "added": "新增「{heading}」：{party}承诺向{counterparty}投入{amount}{by_clause}。",
            "removed": "「{heading}」已删除：{party}对{counterparty}的{amount}承诺不再列入协议。",
            "renamed": "「{heading}」内容不变，编号由{old_id}改为{id}。",
            "party": "「{heading}」：承诺方改为{new}（原为{old}）。",
            "counterparty": "「{heading}」：承诺的对象改为{new}（原为{old}）。",
            "amount": "「{heading}」：{party}对{counterparty}的承诺金额改为{new}（原为{old}）。",
            "by": {
                "changed": "「{heading}」：期限改为{new}前（原为{old}前）。",
                "set": "「{heading}」：该金额现须在{new}前投入。",
                "cleared": "「{heading}」：取消{old}的期限。",
            },
            "subject": {
                "changed": "「{heading}」：承诺采购的内容改为{new}（原为{old}）。",
                "set": "「{heading}」：现写明承诺采购{new}。",
                "cleared": "「{heading}」：不再写明承诺采购的内容（原为{old}）。",
            },
        },
        "cooperation": {
            "added": "新增「{heading}」：{parties}承诺在{areas}方面开展合作。",
            "removed": "「{heading}」已删除：{parties}不再就{areas}作出约定。",
            "renamed": "「{heading}」内容不变，编号由{old_id}改为{id}。",
            "parties": "「{heading}」：该约定的参与方改为{new}（原为{old}）。",
            "areas": "「{heading}」：合作领域改为{new}（原为{old}）。",
        },
    },
}

# Pieces the clause sentences are built from, per language.
PIECES = {
    "en": {"period_from": ", {start}", "period_until": ", {until}",
           "cap_clause": ", capped at {cap}", "minimum_clause": ", at least {minimum}",
           "excludes_clause": " (excluding {excludes})", "by_clause": " by {by}",
           "first_launch_clause": "; {first_launch}",
           "covered": " as a clause of its own; “{other}” now gives the same permission"},
    "zh": {"period_from": "，{start}", "period_until": "，{until}",
           "cap_clause": "，上限为{cap}", "minimum_clause": "，保底{minimum}",
           "excludes_clause": "（不包括{excludes}）", "by_clause": "，期限为{by}前",
           "first_launch_clause": "；{first_launch}",
           "covered": "，但这一许可已包含在「{other}」中"},
}

FRONT = {
    "en": {
        "currency": {"changed": "Amounts are now in {new} (before: {old})."},
        "parties": {
            "added": "New party: {name} ({key}).",
            "removed": "{name} ({key}) is no longer a party.",
            "name": "Party {key} is now {new} (before: {old}).",
            "aliases": "{name} now appears in billing data as {new} (before: {old}).",
        },
        "channels": {
            "added": "New channel: {name}, run by {operator}.",
            "removed": "The channel {name} is no longer listed.",
            "operator": "{name} is now run by {new} (before: {old}).",
            "name": "The channel {key} is now called {new} (before: {old}).",
            "aliases": "{name} now appears in billing data as {new} (before: {old}).",
        },
        "products": {
            "added": "New product: {key} ({attributes}).",
            "removed": "The product {key} is no longer listed.",
            "field": "The product {key} now has {field} {new} (before: {old}).",
        },
        "events": {
            "added": "New event: {description} ({key}).",
            "removed": "The event “{description}” ({key}) is no longer part of the "
                       "agreement{ended}.",
            "description": "The event {key} now reads: {new}",
        },
        "conditions": {
            "added": "New condition: {description} ({key}).",
            "removed": "The condition “{description}” ({key}) is no longer part of the "
                       "agreement.",
            "description": "The condition {key} now reads: {new}",
        },
        "sources": {
            "added": "New source: {title}.",
            "removed": "No longer cited: {title}.",
            "field": "The source {key} now has {field} {new} (before: {old}).",
        },
        "ended": "; before, it ended {clauses}",
    },
    "zh": {
        "currency": {"changed": "金额币种由{old}改为{new}。"},
        "parties": {
            "added": "新增当事方：{name}（{key}）。",
            "removed": "{name}（{key}）不再是协议当事方。",
            "name": "当事方{key}的名称由{old}改为{new}。",
            "aliases": "{name}在账单数据中的名称改为{new}（原为{old}）。",
        },
        "channels": {
            "added": "新增渠道：{name}，由{operator}运营。",
            "removed": "渠道{name}不再列出。",
            "operator": "{name}现由{new}运营（原为{old}）。",
            "name": "渠道{key}更名为{new}（原为{old}）。",
            "aliases": "{name}在账单数据中的名称改为{new}（原为{old}）。",
        },
        "products": {
            "added": "新增产品：{key}（{attributes}）。",
            "removed": "产品{key}不再列出。",
            "field": "产品{key}的{field}改为{new}（原为{old}）。",
        },
        "events": {
            "added": "新增事件：{description}（{key}）。",
            "removed": "事件「{description}」（{key}）已从协议中删除{ended}。",
            "description": "事件{key}的描述改为：{new}",
        },
        "conditions": {
            "added": "新增条件：{description}（{key}）。",
            "removed": "条件「{description}」（{key}）已从协议中删除。",
            "description": "条件{key}的描述改为：{new}",
        },
        "sources": {
            "added": "新增来源：{title}。",
            "removed": "不再引用来源：{title}。",
            "field": "来源{key}的{field}改为{new}（原为{old}）。",
        },
        "ended": "；此前以它为终止条件的条款有{clauses}",
    },
}

SUMMARY = {
    "en": "{agreement} {a} → {b}: {added} added, {removed} removed, {changed} changed, "
          "{renamed} renamed{cosmetic}.",
    "zh": "{agreement} {a} → {b}：新增{added}条，删除{removed}条，修改{changed}条，"
          "更名{renamed}条{cosmetic}。",
}
COSMETIC = {
    "en": "; {n} changed only in heading, sources or notes",
    "zh": "；另有{n}条仅标题、来源或备注有变动",
}
