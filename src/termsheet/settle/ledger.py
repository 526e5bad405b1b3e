"""The ledger as Beancount text, which ``bean-check`` accepts.

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
from decimal import Decimal
from typing import Iterable

from ..money.currency import minor_unit


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


def _amount(value: Decimal, currency: str) -> str:
    return f"{value.quantize(minor_unit(currency))} {currency}"


def beancount(entries: Iterable, title: str = "termsheet ledger") -> str:
    """Ledger entries (``termsheet.store.Entry``) as a Beancount file."""
    entries = sorted(entries, key=lambda e: (e.date, e.entry))
    out = [f"option \"title\" {_quote(title)}"]
    currencies = sorted({e.currency for e in entries})
    for currency in currencies:
        out.append(f"option \"operating_currency\" {_quote(currency)}")
    out.append("")
    opened: dict[str, object] = {}
    for e in entries:
        for account in accounts(e.payer, e.payee):
            opened.setdefault(account, e.date)
    for account, day in sorted(opened.items(), key=lambda item: (item[1], item[0])):
        out.append(f"{day} open {account}")
    for e in entries:
        out.append("")
        out.append(_transaction(e))
    return "\n".join(out) + "\n"


def _transaction(e) -> str:
    links = f" ^e{e.restates}" if e.restates else f" ^e{e.entry}"
    tags = " #restatement" if e.type == "restatement" else ""
    lines = [f"{e.date} * {_quote(f'{e.payer} -> {e.payee}')} {_quote(e.narration)}{tags}{links}",
             f"  entry: {_quote(e.entry)}", f"  run: {_quote(e.run)}", f"  key: {_quote(e.key)}",
             f"  clause: {_quote(e.clause)}", f"  version: {_quote(e.version)}"]
    expense, payable, receivable, income = accounts(e.payer, e.payee)
    for account, sign in ((expense, 1), (payable, -1), (receivable, 1), (income, -1)):
        lines.append(f"  {account:<48} {_amount(e.amount * sign, e.currency):>24}")
    return "\n".join(lines)
