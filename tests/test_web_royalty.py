"""The server settles with an uploaded exchange-rate table, and shows each period's restatement
history (API and page).

Worked by hand on the flagship (2026-04-27 in force: OpenAI pays Microsoft 20%): OpenAI sells
EUR 1,000.00 of ChatGPT on 2026-05-02; EUR->USD is 1.08 from 2026-05-01, so 1,080.00 USD and a
share of 216.00. A row in GBP has no rate: quarantined. Then the EUR row is corrected to
1,500.00: 1,620.00 USD -> 324.00, a restatement of +108.00; May's history is the posting of
216.00 and the restatement of 108.00, 324.00 after it.
"""

from __future__ import annotations

import shutil

import pytest

from web_helpers import api_client, make_access

pytestmark = pytest.mark.xdist_group("test_web_royalty")

A = "/api/agreements/openai-microsoft"
CSV = """date,seller,channel,product,amount,currency
2026-05-02,OpenAI,direct,chatgpt,1000.00,EUR
2026-05-03,OpenAI,direct,chatgpt,50.00,GBP
"""
RATES = "date,from,to,rate\n2026-05-01,EUR,USD,1.08\n"


def serve(flagship_dir, tmp_path_factory):
    from termsheet.web import Settings, create_app
    root = tmp_path_factory.mktemp("royalty")
    shutil.copytree(flagship_dir, root / "agreements" / "openai-microsoft")
    tokens = make_access(root / "access.yaml")
    app = create_app(Settings(agreements=root / "agreements", access=root / "access.yaml",
                              store=root / "store.duckdb", max_upload=20_000))
    with api_client(app) as client:
        yield client, tokens


@pytest.fixture(scope="module")
def served(flagship_dir, tmp_path_factory):
    yield from serve(flagship_dir, tmp_path_factory)


@pytest.fixture(scope="module")
def settled(flagship_dir, tmp_path_factory):
    """A server of its own and its answers to two uploads: the rows, then the EUR row corrected
    to 1,500.00 (the tests below only read, so they hold in any order)."""
    for client, tokens in serve(flagship_dir, tmp_path_factory):
        first = upload(client, tokens, CSV)
        corrected = upload(client, tokens, CSV.replace("1000.00", "1500.00"))
        yield client, tokens, first, corrected


def upload(client, tokens, text: str, rates: str | None = RATES):
    files = [("files", ("may.csv", text.encode(), "text/csv"))]
    if rates is not None:
        files.append(("rates", ("rates.csv", rates.encode(), "text/csv")))
    return client.post(f"{A}/settle/files", files=files, headers=tokens.header("admin"))


def test_settle_with_an_uploaded_rate_table(settled):
    _, _, response, _ = settled
    assert response.status_code == 201, response.text
    run = response.json()
    (statement,) = run["statements"]
    assert statement["total"] == "216.00"
    (line,) = statement["lines"]
    (conversion,) = line["detail"]["conversions"]
    assert (conversion["from"], conversion["rate"], conversion["rate_date"],
            conversion["converted"]) == ("EUR", "1.08", "2026-05-01", "1080.0000000000")
    assert [(q["row"], q["code"]) for q in run["quarantine"]] == [(2, "rate-missing")]
    assert "GBP->USD" in run["quarantine"][0]["reason"]


def test_a_bad_rate_table_is_a_problem(served):
    client, tokens = served
    response = upload(client, tokens, CSV, rates="date,from,to\n2026-05-01,EUR,USD\n")
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["code"] == "E058"


def test_period_history_after_a_restatement(settled):
    client, tokens, _, corrected = settled
    assert corrected.status_code == 201 and corrected.json()["restated"] == 1
    history = client.get(f"{A}/periods/2026-05/history",
                         headers=tokens.header("microsoft")).json()
    (line,) = history["lines"]
    assert line["amount"] == "324.00"
    assert [(e["type"], e["amount"], e["total"]) for e in line["history"]] == [
        ("posting", "216.00", "216.00"), ("restatement", "108.00", "324.00")]
    assert client.get(f"{A}/periods/2026-13x/history",
                      headers=tokens.header("admin")).status_code == 422
    page = client.get("/agreements/openai-microsoft/statements", headers=tokens.header("admin"))
    assert page.status_code == 200
    text = page.text
    assert "restatement history of 2026-05" in text and "324.00" in text
    assert "1.08" in text and 'name="rates"' in text


def test_rates_posted_as_json(served):
    client, tokens = served
    body = {"rows": [{"date": "2026-06-02", "seller": "OpenAI", "channel": "direct",
                      "product": "chatgpt", "amount": "100", "currency": "EUR"}],
            "rates": [{"date": "2026-06-01", "from": "EUR", "to": "USD", "rate": "1.1"}],
            "from": "2026-06-01", "to": "2026-06-30"}
    response = client.post(f"{A}/settle", json=body, headers=tokens.header("admin"))
    assert response.status_code == 201, response.text
    # 100 EUR x 1.1 = 110 USD, 20% = 22.00
    (june,) = [s for s in response.json()["statements"] if s["period"] == "2026-06"]
    assert june["total"] == "22.00"
