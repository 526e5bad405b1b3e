"""The ledger built with Beancount's own types and printer, checked by its loader in process; one
party's books on their own, as Fava opens them."""

from __future__ import annotations

from decimal import Decimal

import pytest

from termsheet.settle.ledger import beancount, check, entries_of


@pytest.fixture(scope="module")
def entries(flagship, flagship_dir, tmp_path_factory):
    from termsheet import settle
    from termsheet.settle.store import Store
    folder = tmp_path_factory.mktemp("ledger")
    with Store(folder / "store.duckdb") as store:
        store.record(settle(flagship, [str(flagship_dir / "revenue.csv")]))
        return store.entries()


def _sum(text: str, account_prefix: str) -> Decimal:
    from beancount import loader
    loaded, errors, _ = loader.load_string(text)
    assert errors == []
    return sum((p.units.number for e in loaded if hasattr(e, "postings") for p in e.postings
                if p.account.startswith(account_prefix)), Decimal(0))


def test_the_whole_ledger_loads_without_errors(entries):
    text = beancount(entries, "openai-microsoft")
    assert check(text) == []
    # six statement lines of revenue.csv: six transactions, each with four postings
    directives = entries_of(entries)
    transactions = [d for d in directives if type(d).__name__ == "Transaction"]
    assert len(transactions) == 6 and all(len(t.postings) == 4 for t in transactions)
    # what OpenAI owes Microsoft, by hand: 200.00 + 200.00 + 100.00 + 66.67 = 566.67
    assert _sum(text, "Expenses:Openai:RevenueShare:Microsoft") == Decimal("566.67")
    # and Microsoft OpenAI: 500.00 + 50.00 = 550.00
    assert _sum(text, "Income:Openai:RevenueShare:Microsoft") == Decimal("-550.00")


def test_one_partys_books_balance_on_their_own(entries):
    text = beancount(entries, "openai books", party="openai")
    assert check(text) == []
    from beancount import loader
    loaded, _, _ = loader.load_string(text)
    accounts = {p.account for e in loaded if hasattr(e, "postings") for p in e.postings}
    # OpenAI's side only: its expense and payable, its receivable and income
    assert accounts == {"Expenses:Openai:RevenueShare:Microsoft",
                        "Liabilities:Openai:Payable:Microsoft",
                        "Assets:Openai:Receivable:Microsoft",
                        "Income:Openai:RevenueShare:Microsoft"}
    assert _sum(text, "Liabilities:Openai:Payable:Microsoft") == Decimal("-566.67")
    assert _sum(text, "Assets:Openai:Receivable:Microsoft") == Decimal("550.00")


def test_check_reports_what_the_loader_finds():
    broken = "2026-01-01 * \"x\"\n  Assets:Cash  10.00 USD\n  Income:Sales  -9.00 USD\n"
    assert check(broken)  # unopened accounts, and it does not balance
