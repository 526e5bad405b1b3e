"""Settlement over HTTP: uploaded files, the reconciliation, the ledger across runs, limits.

Rows worked by hand (flagship, 2026-04-27 in force from 2026-04-27): OpenAI sells 1,000.00,
2,000.00 and 0.05 of ChatGPT directly in May 2026; the share to Microsoft is 20%:
200.00 + 400.00 + 0.01 = 600.01 exactly (0.05 x 20% = 0.01). One row has no date (quarantined),
one is Microsoft's Azure OpenAI sale (out of scope: no share to OpenAI after 2026-04-27).
"""

from __future__ import annotations

import shutil

import pytest

from web_helpers import api_client, make_access

# The tests of a fixture share its server: one worker.
pytestmark = pytest.mark.xdist_group("test_web_settle")

A = "/api/agreements/openai-microsoft"
CSV = """date,seller,channel,product,amount,currency
2026-05-02,OpenAI,direct,chatgpt,1000.00,USD
2026-05-09,OpenAI,direct,chatgpt,2000.00,USD
2026-05-30,OpenAI,direct,chatgpt,0.05,USD
,OpenAI,direct,chatgpt,5.00,USD
2026-05-03,Microsoft,azure,azure-openai-service,700.00,USD
"""


def serve(flagship_dir, root):
    from termsheet.web import Settings, create_app
    shutil.copytree(flagship_dir, root / "agreements" / "openai-microsoft")
    tokens = make_access(root / "access.yaml")
    app = create_app(Settings(agreements=root / "agreements", access=root / "access.yaml",
                              store=root / "store.duckdb", max_upload=20_000))
    return app, tokens


@pytest.fixture(scope="module")
def settled(flagship_dir, tmp_path_factory):
    """One server, and what it answered to three uploads: the file, the same file again, and
    the file corrected (2,000.00 -> 2,500.00). The tests below only read from it, so they
    hold in any order."""
    root = tmp_path_factory.mktemp("settled")
    app, tokens = serve(flagship_dir, root)
    with api_client(app) as client:
        answers = [upload(client, tokens, text) for text in
                   (CSV, CSV, CSV.replace("2000.00", "2500.00"))]
        yield client, tokens, root, answers


@pytest.fixture(scope="module")
def served(flagship_dir, tmp_path_factory):
    """A server of its own, for the tests that settle more."""
    root = tmp_path_factory.mktemp("settle")
    app, tokens = serve(flagship_dir, root)
    with api_client(app) as client:
        yield client, tokens, root


def upload(client, tokens, text: str, name: str = "may.csv"):
    return client.post(f"{A}/settle/files", files={"files": (name, text.encode(), "text/csv")},
                       headers=tokens.header("admin"))


def test_settle_a_file_then_its_statement_reconciliation_and_rows(settled):
    client, tokens, root, (response, _, _) = settled
    assert response.status_code == 201, response.text
    run = response.json()
    assert run["run"] == 1 and run["posted"] == 1 and run["restated"] == 0
    statement = run["statements"][0]
    assert (statement["payer"], statement["payee"], statement["period"], statement["total"]) == \
        ("openai", "microsoft", "2026-05", "600.01")
    recon = run["reconciliation"][0]
    assert (recon["in"]["rows"], recon["settled"]["rows"], recon["out_of_scope"]["rows"],
            recon["quarantined"]["rows"]) == (5, 3, 1, 1)
    assert run["balanced"] is True
    assert run["quarantine"][0]["row"] == 4
    key = statement["lines"][0]["key"]
    rows = client.get(f"{A}/statements/rows", params={"line": key},
                      headers=tokens.header("microsoft")).json()
    # the line as it stands now, after the correction: 2,500.00 x 20% = 500.00 on row 2
    assert [(r["row"], r["allocated"]) for r in rows["rows"]] == [
        (1, "200.0000000000"), (2, "500.0000000000"), (3, "0.0100000000")]
    assert rows["rows"][0]["input"] == {"date": "2026-05-02", "seller": "OpenAI",
                                        "channel": "direct", "product": "chatgpt",
                                        "amount": "1000.00", "currency": "USD"}
    assert (root / "store.duckdb").exists()


def test_a_correction_is_restated_not_posted_twice(settled):
    client, tokens, _, (_, again, corrected) = settled
    assert again.json()["posted"] == 0 and again.json()["restated"] == 0
    assert corrected.json()["restated"] == 1
    entries = client.get(f"{A}/ledger", headers=tokens.header("openai")).json()["entries"]
    assert [(e["type"], e["amount"], e["restates"]) for e in entries] == [
        ("posting", "600.01", None), ("restatement", "100.00", 1)]
    statements = client.get(f"{A}/statements", headers=tokens.header("openai")).json()
    assert statements["statements"][0]["total"] == "700.01"
    runs = client.get(f"{A}/runs", headers=tokens.header("openai")).json()
    assert [r["run"] for r in runs] == [1, 2, 3]


def test_ledger_as_beancount_and_statements_as_csv(settled, tmp_path):
    client, tokens, _, _ = settled
    text = client.get(f"{A}/ledger", params={"format": "beancount"},
                      headers=tokens.header("microsoft"))
    assert text.headers["content-type"].startswith("text/plain")
    assert "Income:Microsoft:RevenueShare:Openai" in text.text
    assert "-600.01 USD" in text.text and "#restatement" in text.text
    from beancount import loader
    path = tmp_path / "ledger.beancount"
    path.write_text(text.text)
    _, errors, _ = loader.load_file(str(path))
    assert errors == []
    csv = client.get(f"{A}/statements", params={"format": "csv"},
                     headers=tokens.header("microsoft"))
    assert csv.headers["content-type"].startswith("text/csv")
    assert "revenue-share-to-microsoft" in csv.text


def test_rows_posted_as_json(served):
    client, tokens, _ = served
    body = {"rows": [{"date": "2026-06-01", "seller": "OpenAI", "channel": "direct",
                      "product": "sora", "amount": 10, "currency": "USD"}]}
    response = client.post(f"{A}/settle", json=body, headers=tokens.header("admin"))
    assert response.status_code == 201
    assert response.json()["statements"][0]["total"] == "2.00"


def test_bad_inputs(served):
    client, tokens, _ = served
    assert upload(client, tokens, CSV, name="may.xlsx").status_code == 422
    dates = client.post(f"{A}/settle/files", data={"from": "2026-06-01", "to": "2026-05-01"},
                        files={"files": ("may.csv", CSV.encode(), "text/csv")},
                        headers=tokens.header("admin"))
    assert dates.status_code == 422 and dates.json()["errors"][0]["code"] == "E054"
    big = upload(client, tokens, CSV * 200)
    assert big.status_code == 413 and big.json()["errors"][0]["code"] == "E413"
