"""Reading FOCUS: the public FOCUS 1.0 sample, every row accounted for; 1.3 columns; Parquet;
the quirks of real exports."""

import csv
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from termsheet import load_history_of
from termsheet.agreement.problems import TermsheetError
from termsheet.settle import settle

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "focus-1.0-sample.csv"
SAMPLE_AGREEMENT = Path(__file__).parent / "cases" / "settle" / "focus-sample"
AWS = {"Amazon Web Services, Inc.", "Amazon Web Services Canada, Inc.",
       "Amazon Web Services EMEA SARL"}



def sample_rows() -> list[dict]:
    with open(SAMPLE, newline="") as handle:
        return list(csv.DictReader(handle))


def money(text: str) -> Decimal:
    """An amount as the engine reads it: DECIMAL(38,10), rounded half-up at ten decimals."""
    return Decimal(text).quantize(Decimal("1e-10"), rounding=ROUND_HALF_UP)


def cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_every_row_of_the_focus_sample_is_accounted_for():
    rows = sample_rows()
    # Worked out from the file with the csv module, independently of the engine:
    ec2 = [r for r in rows if r["PublisherName"] in AWS
           and r["ServiceName"] == "Amazon Elastic Compute Cloud"]
    azure = [r for r in rows if r["PublisherName"] == "Microsoft"]
    ec2_base = sum(money(r["BilledCost"]) for r in ec2)
    azure_base = sum(money(r["EffectiveCost"]) for r in azure)
    total = sum(money(r["BilledCost"]) for r in rows)
    settled_billed = sum(money(r["BilledCost"]) for r in ec2 + azure)
    assert (len(rows), len(ec2), len(azure)) == (1000, 554, 51)
    assert total == Decimal("20.5202267289")

    result = settle(load_history_of(SAMPLE_AGREEMENT), [SAMPLE])
    lines = {line.clause: line for line in result.lines}
    assert set(lines) == {"ec2-commission", "azure-commission"}
    assert (lines["ec2-commission"].rows, lines["ec2-commission"].base) == (554, ec2_base)
    assert lines["ec2-commission"].amount == cents(ec2_base / 2) == Decimal("8.02")
    assert (lines["azure-commission"].rows, lines["azure-commission"].base) == (51, azure_base)
    assert lines["azure-commission"].amount == cents(azure_base * Decimal("0.4")) \
        == Decimal("0.79")
    (usd,) = result.reconciliation
    assert (usd.rows_in.rows, usd.rows_in.amount) == (1000, total)
    assert (usd.settled.rows, usd.settled.amount) == (605, settled_billed)
    assert (usd.out_of_scope.rows, usd.out_of_scope.amount) == (395, total - settled_billed)
    assert (usd.quarantined.rows, usd.quarantined.amount) == (0, 0)
    assert usd.balanced and not result.quarantine
    assert result.sources[0].focus_version == "1.0"


def test_the_sample_as_parquet_settles_the_same(tmp_path):
    import pyarrow.csv as pcsv
    table = pcsv.read_csv(SAMPLE)  # typed columns: doubles and timestamps, as tools write them
    path = tmp_path / "sample.parquet"
    pq.write_table(table, path)
    history = load_history_of(SAMPLE_AGREEMENT)
    from_csv, from_parquet = settle(history, [SAMPLE]), settle(history, [path])
    assert [(l.clause, l.rows, l.amount) for l in from_csv.lines] == \
        [(l.clause, l.rows, l.amount) for l in from_parquet.lines]
    assert from_parquet.reconciliation[0].rows_in.rows == 1000


def focus_13(tmp_path: Path, rows: list[dict]) -> Path:
    """A FOCUS 1.3 export: ServiceProviderName and HostProviderName, no PublisherName."""
    columns = ["BilledCost", "EffectiveCost", "ListCost", "BillingCurrency", "ChargePeriodStart",
               "ChargeCategory", "ChargeClass", "ServiceProviderName", "HostProviderName",
               "InvoiceIssuerName", "ServiceName"]
    path = tmp_path / "focus13.csv"
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "NULL") for c in columns})
    return path


def test_focus_13_seller_and_host(tmp_path):
    # OpenAI sells through AWS: the seller is ServiceProviderName, the channel HostProviderName.
    # 1000 on AWS in May 2026 under the flagship's 2026-04-27 terms: 20% -> 200.00. A row whose
    # host is Google Cloud is sold by OpenAI too: 500 -> 100.00, same line (the base is every
    # sale by OpenAI): 300.00 in all.
    base = {"BillingCurrency": "USD", "ChargeCategory": "usage", "ServiceName": "OpenAI models"}
    rows = [{**base, "BilledCost": "1000", "EffectiveCost": "1000", "ListCost": "1000",
             "ChargePeriodStart": "2026-05-02T00:00:00Z", "ServiceProviderName": "OpenAI",
             "HostProviderName": "AWS", "InvoiceIssuerName": "Amazon Web Services, Inc."},
            {**base, "BilledCost": "500", "EffectiveCost": "500", "ListCost": "500",
             "ChargePeriodStart": "2026-05-03 00:00:00", "ServiceProviderName": "OpenAI",
             "HostProviderName": "Google Cloud", "InvoiceIssuerName": "Google"}]
    history = load_history_of(ROOT / "agreements" / "openai-microsoft")
    result = settle(history, [focus_13(tmp_path, rows)])
    (line,) = result.lines
    assert (line.clause, line.version, line.label) == \
        ("revenue-share-to-microsoft", "2026-04-27", "2026-05")
    assert (line.rows, line.amount) == (2, Decimal("300.00"))
    assert result.sources[0].focus_version == "1.3"


def test_quirks_of_real_exports(tmp_path):
    # Timestamps with and without T/Z and with an offset (the charge day is the UTC day), literal
    # NULLs, upper- and lower-case values, more than ten decimals: all read. 20% of 100 + 200 +
    # 300.00000000004 (rounded to ten decimals on the way in) = 120.00.
    common = {"BillingCurrency": "usd", "ServiceProviderName": "openai", "ServiceName": "NULL",
              "HostProviderName": "aws", "ChargeClass": "NULL"}
    rows = [{**common, "BilledCost": "100", "EffectiveCost": "NULL", "ListCost": "100",
             "ChargePeriodStart": "2026-05-31T23:30:00-02:00", "ChargeCategory": "USAGE"},
            {**common, "BilledCost": "200", "EffectiveCost": "200", "ListCost": "200",
             "ChargePeriodStart": "2026-06-02", "ChargeCategory": "Usage"},
            {**common, "BilledCost": "300.00000000004", "EffectiveCost": "300",
             "ListCost": "300", "ChargePeriodStart": "2026-06-03 10:00:00",
             "ChargeCategory": "usage"}]
    history = load_history_of(ROOT / "agreements" / "openai-microsoft")
    result = settle(history, [focus_13(tmp_path, rows)])
    # The first row's charge day is 2026-06-01 in UTC. Its EffectiveCost is missing, but the
    # flagship's shares are on BilledCost: the row is usable.
    assert not result.quarantine
    (line,) = result.lines
    assert (line.label, line.rows, line.base, line.amount) == \
        ("2026-06", 3, Decimal("600.0000000000"), Decimal("120.00"))


def test_a_row_is_unusable_when_an_amount_the_agreement_uses_is(tmp_path):
    # The sample agreement's Azure commission is on EffectiveCost: a row whose EffectiveCost
    # cannot be read is quarantined with its row number; 40% of the other row's 50 is 20.00.
    path = tmp_path / "azure.csv"
    path.write_text("BilledCost,EffectiveCost,ListCost,BillingCurrency,ChargePeriodStart,"
                    "ChargeCategory,PublisherName,ProviderName,ServiceName\n"
                    "10,n/a,10,USD,2024-09-01 00:00:00,Usage,Microsoft,Microsoft,Virtual Machines\n"
                    "50,50,60,USD,2024-09-02 00:00:00,Usage,Microsoft,Microsoft,Virtual Machines\n")
    result = settle(load_history_of(SAMPLE_AGREEMENT), [path])
    assert [(q.row, q.code, q.reason) for q in result.quarantine] == \
        [(1, "effective", "EffectiveCost 'n/a' is not a number")]
    (line,) = result.lines
    assert (line.clause, line.rows, line.amount) == ("azure-commission", 1, Decimal("20.00"))


def test_bad_inputs_are_problems_not_tracebacks(tmp_path):
    history = load_history_of(SAMPLE_AGREEMENT)
    odd = tmp_path / "odd.csv"
    odd.write_text("a,b\n1,2\n")
    with pytest.raises(TermsheetError) as err:
        settle(history, [odd])
    assert err.value.problems[0].code == "E052"
    with pytest.raises(TermsheetError) as err:
        settle(history, [tmp_path / "missing.csv"])
    assert err.value.problems[0].code == "E004"
    text = tmp_path / "notes.json"
    text.write_text("{}")
    with pytest.raises(TermsheetError) as err:
        settle(history, [text])
    assert err.value.problems[0].code == "E051"
