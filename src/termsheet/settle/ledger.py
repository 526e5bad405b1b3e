"""The ledger as Beancount, built with Beancount's own data types and printer and checked by
its loader in process (``check``); the whole ledger, or one party's books (for Fava).

Each entry is one transaction with both parties' books side by side: the payer's expense and
payable, the payee's receivable and income. A restatement is a transaction of its own for the
difference, tagged ``#restatement`` and linked (``^``) to the posting it restates, so the
original stays as it was.

    2025-07-31 * "openai -> microsoft" "revenue-share-to-microsoft 2025-07: ..." ^e1
      entry: "1"
      run: "1"
      key: "openai-microsoft/2025-01-21/revenue-share-to-microsoft/2025-07-01/share"
      Expenses:Openai:RevenueShare:Microsoft        184000000.00 USD
      Liabilities:Openai:Payable:Microsoft         -184000000.00 USD
      Assets:Microsoft:Receivable:Openai            184000000.00 USD
      Income:Microsoft:RevenueShare:Openai         -184000000.00 USD
"""

from __future__ import annotations

import re
from typing import Iterable

from ..money.currency import minor_unit

SIDES = {"payer": (0, 1), "payee": (2, 3)}  # the accounts of each side, in accounts()


def account_part(party: str) -> str:
    """'google-cloud' -> 'GoogleCloud': a valid Beancount account component."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", party) if w]
    text = "".join(w[:1].upper() + w[1:] for w in words) or "Party"
    return text if text[0].isupper() or text[0].isdigit() else "P" + text


def accounts(payer: str, payee: str) -> tuple[str, str, str, str]:
    a, b = account_part(payer), account_part(payee)
    return (f"Expenses:{a}:RevenueShare:{b}", f"Liabilities:{a}:Payable:{b}",
            f"Assets:{b}:Receivable:{a}", f"Income:{b}:RevenueShare:{a}")


def _quote(text: str) -> str:
    return '"' + str(text).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _books(e, party: str | None) -> tuple[int, ...]:
    """Which of an entry's four postings belong in the ledger: all, or one party's side."""
    if party is None:
        return (0, 1, 2, 3)
    return (SIDES["payer"] if e.payer == party else ()) + \
        (SIDES["payee"] if e.payee == party else ())


def entries_of(entries: Iterable, party: str | None = None) -> list:
    """Beancount directives (``beancount.core.data``): an Open per account, a Transaction per
    ledger entry (restatements tagged and linked to what they restate). With ``party``, only
    that party's postings: its books balance on their own."""
    from beancount.core import amount, data
    entries = sorted(entries, key=lambda e: (e.date, e.entry))
    opened: dict[str, object] = {}
    transactions = []
    for e in entries:
        kept = _books(e, party)
        if not kept:
            continue
        names = accounts(e.payer, e.payee)
        postings = []
        for index, sign in zip(range(4), (1, -1, 1, -1)):
            if index in kept:
                opened.setdefault(names[index], e.date)
                units = amount.Amount((e.amount * sign).quantize(minor_unit(e.currency)),
                                      e.currency)
                postings.append(data.Posting(names[index], units, None, None, None, None))
        meta = data.new_metadata("termsheet", 0, {
            "entry": str(e.entry), "run": str(e.run), "key": e.key, "clause": e.clause,
            "version": e.version})
        tags = frozenset({"restatement"}) if e.type == "restatement" else frozenset()
        links = frozenset({f"e{e.restates or e.entry}"})
        transactions.append(data.Transaction(meta, e.date, "*", f"{e.payer} -> {e.payee}",
                                             e.narration, tags, links, postings))
    opens = [data.Open(data.new_metadata("termsheet", 0), day, account, None, None)
             for account, day in sorted(opened.items(), key=lambda item: (item[1], item[0]))]
    return opens + transactions


def beancount(entries: Iterable, title: str = "termsheet ledger",
              party: str | None = None) -> str:
    """Ledger entries (``termsheet.store.Entry``) as a Beancount file, printed by Beancount's
    printer; with ``party``, that party's books only."""
    from beancount.parser import printer
    entries = list(entries)
    directives = entries_of(entries, party)
    out = [f"option \"title\" {_quote(title)}"]
    for currency in sorted({e.currency for e in entries}):
        out.append(f"option \"operating_currency\" {_quote(currency)}")
    out.append("")
    opens = [d for d in directives if type(d).__name__ == "Open"]
    out += [printer.format_entry(d).rstrip("\n") for d in opens]
    for directive in directives[len(opens):]:
        out.append("")
        out.append(printer.format_entry(directive).rstrip("\n"))
    return "\n".join(out) + "\n"


def check(text: str) -> list[str]:
    """What Beancount's loader finds wrong with a ledger text (an empty list: it is valid)."""
    from beancount import loader
    _, errors, _ = loader.load_string(text)
    return [getattr(error, "message", str(error)) for error in errors]
