"""Money for readers: symbols, minor units and compact amounts in English and Chinese; chart
ticks in the agreement's currency; statement CSV and Excel files opened and read back."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from termsheet.money.format import compact, exact, money, plain, symbol, tick_labels, words


def test_amounts_with_symbols_at_the_minor_unit():
    assert money(Decimal("1234.5"), "USD") == "$1,234.50"
    assert money(Decimal("1234.5"), "EUR") == "€1,234.50"
    assert money(Decimal("1234.5"), "JPY") == "¥1,235"          # no minor unit; half up
    assert money(Decimal("5"), "KWD").endswith("5.000")         # three decimals
    assert money(Decimal("1234.5"), "USD", "zh") == "US$1,234.50"
    assert symbol("EUR") == "€" and symbol("USD", "zh") == "US$"


def test_compact_amounts_in_english_and_chinese():
    assert compact(Decimal("38000000000"), "USD") == "$38B"
    assert compact(Decimal("-1250000"), "EUR") == "−€1.2M"
    assert compact(Decimal("38000000000"), "USD", "zh") == "US$380亿"    # 380 x 10^8
    assert compact(Decimal("1250000"), "EUR", "zh") == "€125万"          # 125 x 10^4


def test_a_terms_amount_is_shown_as_written_never_rounded():
    assert exact(Decimal("38000000000"), "USD") == "38,000,000,000"        # whole: no decimals
    assert exact(Decimal("1234.5"), "USD") == "1,234.50"                   # the minor unit
    assert exact(Decimal("1.2345"), "KWD") == "1.2345"                     # every digit written
    assert exact(Decimal("5.5"), "KWD") == "5.500"                         # KWD has three
    assert exact(Decimal("1234.5"), "JPY") == "1,234.5"                    # JPY has none
    assert exact(Decimal("0.0000000001"), "USD") == "0.0000000001"         # ten places kept


def test_amounts_in_sentences_are_words_only_when_exact():
    assert words(Decimal("38000000000"), "USD") == "USD 38 billion"
    assert words(Decimal("38500000000"), "USD") == "USD 38.5 billion"
    assert words(Decimal("-2500000"), "EUR") == "EUR -2.5 million"
    # 123.457 million would round it: written out instead
    assert words(Decimal("123456789"), "USD") == "USD 123,456,789"
    assert words(Decimal("999999.5"), "USD") == "USD 999,999.50"          # below a million
    # Chinese counts in 万 (10^4) and 亿 (10^8); the currency's name from CLDR
    assert words(Decimal("38000000000"), "USD", "zh") == "380亿美元"
    assert words(Decimal("12345"), "EUR", "zh") == "1.2345万欧元"
    assert words(Decimal("1500"), "KWD", "zh") == "1,500科威特第纳尔"
    assert words(Decimal("123456789"), "JPY", "zh") == "123,456,789日元"    # 1.2346亿 rounds


def test_currencies_and_minor_units_follow_iso_4217():
    from termsheet.money.currency import CURRENCIES, minor_unit
    # ISO 4217's exponents: USD 2, JPY 0, KWD 3, CLF 4 (a fund code), IQD 3 and RSD 2 (CLDR
    # displays both without decimals; settlement follows ISO)
    assert [minor_unit(c) for c in ("USD", "JPY", "KWD", "CLF", "IQD", "RSD")] == [
        Decimal("0.01"), Decimal("1"), Decimal("0.001"), Decimal("0.0001"), Decimal("0.001"),
        Decimal("0.01")]
    # in use today, tender or fund: XCG replaced ANG in 2025; USN is a fund code
    assert {"EUR", "CNY", "XCG", "USN", "XOF"} <= set(CURRENCIES)
    # metals, drawing rights, testing codes, offshore yuan, withdrawn and lower-case codes: none
    assert not {"XAU", "XDR", "XTS", "XXX", "CNH", "DEM", "usd"} & set(CURRENCIES)
    assert "DEM" not in CURRENCIES and len(CURRENCIES) > 150


def test_plain_amounts_for_files():
    assert plain(Decimal("0E-20"), "USD") == "0.00"
    assert plain(Decimal("66.6660000000"), "USD") == "66.67"
    assert plain(Decimal("1000.0000000000"), "JPY") == "1000"


def test_ticks_tell_small_amounts_apart():
    # a small deal: ticks 1.0M, 1.2M, 1.4M used to read "$1M $1M $1M"
    assert tick_labels([1e6, 1.2e6, 1.4e6], "USD") == ["$1M", "$1.2M", "$1.4M"]
    # 1.5M is not rounded to 2M to make the labels look tidy
    assert tick_labels([0, 5e5, 1e6, 1.5e6], "EUR") == ["€0", "€500K", "€1M", "€1.5M"]
    assert tick_labels([-2e9, 0, 2e9], "USD") == ["−$2B", "$0", "$2B"]


def test_a_chart_axis_in_euros():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from termsheet.money.format import formatter
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [0, 700_000, 1_400_000])
    ax.yaxis.set_major_formatter(formatter("EUR"))
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels() if t.get_text()]
    plt.close(fig)
    assert labels and all(label.startswith(("€", "−€")) for label in labels), labels
    assert len(set(labels)) == len(labels), labels
    assert "€1.2M" in labels or "€1.4M" in labels, labels


@pytest.fixture(scope="module")
def lines(flagship_dir):
    from termsheet import load_history_of, settle
    result = settle(load_history_of(flagship_dir), [str(flagship_dir / "revenue.csv")],
                    events={})
    return result.lines


def test_statement_csv_at_minor_units(lines):
    from termsheet.settle.render import to_csv
    rows = list(csv.DictReader(io.StringIO(to_csv(lines))))
    # revenue.csv, by hand: May 2026, OpenAI's ChatGPT sale of 333.33 at 20% -> 66.666 -> 66.67
    may = next(r for r in rows if r["clause"] == "revenue-share-to-microsoft"
               and r["label"] == "2026-05")
    assert (may["base"], may["amount"], may["paid"], may["currency"]) == (
        "333.33", "66.67", "66.666", "USD")
    for row in rows:
        for field in ("base", "amount"):
            whole, _, part = row[field].partition(".")
            assert len(part) == 2 and "E" not in row[field], row
        assert "E" not in row["paid"] and "e" not in row["paid"]


def test_statement_xlsx_opened_and_read(lines, tmp_path):
    from openpyxl import load_workbook

    from termsheet.settle.render import CSV_FIELDS, to_xlsx
    path = tmp_path / "statements.xlsx"
    path.write_bytes(to_xlsx(lines, "openai-microsoft statements"))
    book = load_workbook(path)
    sheet = book["statements"]
    header = [c.value for c in sheet[1]]
    assert header == list(CSV_FIELDS)
    rows = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
    assert len(rows) == len(lines)
    # November 2025: OpenAI's 1,000.00 at 20% -> 200.00; Microsoft's 2,500.00 -> 500.00
    nov = {r["clause"]: r for r in rows if r["label"] == "2025-11"}
    assert nov["revenue-share-to-microsoft"]["amount"] == 200
    assert nov["revenue-share-to-openai"]["amount"] == 500
    assert nov["revenue-share-to-openai"]["base"] == 2500
    amount = sheet.cell(2, header.index("amount") + 1)
    assert amount.number_format == "#,##0.00" and isinstance(amount.value, (int, float))
    totals = {(r[0].value, r[1].value): r[3].value for r in book["totals"].iter_rows(min_row=2)}
    # openai -> microsoft: 200.00 + 200.00 + 100.00 + 66.67 = 566.67 (every line of revenue.csv)
    assert totals[("openai", "microsoft")] == pytest.approx(566.67)
    # microsoft -> openai: 500.00 + 50.00 = 550.00
    assert totals[("microsoft", "openai")] == pytest.approx(550.0)


def test_settle_writes_xlsx_only_to_a_file(flagship_dir, tmp_path):
    from support.cli import run_cli
    out = tmp_path / "s.xlsx"
    result = run_cli("settle", flagship_dir / "revenue.csv", "-a", flagship_dir, "--no-store",
                     "--format", "xlsx", "-o", out)
    assert result.returncode == 0, result.stderr
    assert out.read_bytes()[:2] == b"PK"   # a zip: the workbook
    result = run_cli("settle", flagship_dir / "revenue.csv", "-a", flagship_dir, "--no-store",
                     "--format", "xlsx")
    assert result.returncode == 2


def test_a_narrow_terminal_stacks_statements_never_cutting_money(lines):
    from rich.console import Console

    from termsheet.settle.render import money as figure, statements_table
    for width in (60, 140):
        console = Console(width=width, record=True, color_system=None)
        console.print(statements_table(lines, "openai-microsoft statements"))
        text = console.export_text()
        assert max(len(row.rstrip()) for row in text.splitlines()) <= width
        for line in lines:
            assert f"{figure(line.amount, line.currency)} {line.currency}" in text, (width,
                                                                                    line.amount)
        # the totals, by hand from revenue.csv: 566.67 and 550.00
        assert "566.67 USD" in text and "550.00 USD" in text


def test_statement_amounts_at_each_currencys_minor_unit():
    from termsheet.settle.render import money as figure
    # yen have no minor unit, dinars three decimals: never "1,235.00 JPY"
    assert figure(Decimal("1234.5"), "JPY") == "1,235"
    assert figure(Decimal("1234.5"), "KWD") == "1,234.500"
    assert figure(Decimal("1234567.891"), "USD") == "1,234,567.89"


def test_simulated_values_in_the_agreements_currency():
    from termsheet.cli.simulate import money as estimate
    # whole units below a million, compact from there on, always with the currency's symbol
    assert estimate(950.4, "JPY") == "¥950"
    assert estimate(-12345.6, "EUR") == "-€12,346"
    assert estimate(1_250_000.0, "EUR") == "€1.2M"
    assert estimate(None, "USD") == "-"


def _reconciliation():
    """1,000 rows in, 990 settled, 6 out of scope, 4 quarantined: in = the three together."""
    from termsheet.settle.statements import Reconciliation, Tally
    tally = {name: Tally(rows, Decimal(amount)) for name, rows, amount in (
        ("in", 1000, "123456789.123456"), ("settled", 990, "123450000.000001"),
        ("out", 6, "6789.123455"), ("quarantined", 4, "0"))}
    return Reconciliation("USD", tally["in"], tally["settled"], tally["out"],
                          Tally(0, Decimal(0)), tally["quarantined"])


def test_a_narrow_terminal_wraps_the_reconciliation_never_cutting_money():
    from rich.console import Console

    from termsheet.settle.render import reconciliation_table
    console = Console(width=44, record=True, color_system=None)
    console.print(reconciliation_table([_reconciliation()]))
    text = console.export_text()
    assert "…" not in text and max(len(row.rstrip()) for row in text.splitlines()) <= 44
    # every digit of every amount is in its column, if folded over lines
    body = [row.split("│")[1:-1] for row in text.splitlines() if row.startswith("│")]
    columns = ["".join(ch for row in body for ch in row[i] if ch.isdigit()) for i in range(5)]
    assert columns[1:] == ["1000123456789123456", "990123450000000001", "66789123455", "4000"]


def test_describe_shows_a_terms_amounts_at_their_currencys_precision():
    """The one-line terms of `show`, decide's obligations and the calendar: a cap of 1.2345 KWD
    is not 1.23, and a commitment of 1,234.5 JPY is not 1,234.50."""
    from pathlib import Path

    from termsheet.agreement.describe import key_terms
    from termsheet.agreement.document import parse

    text = (Path(__file__).parent / "documents" / "minimal.md").read_text()
    text = text.replace("currency: USD", "currency: KWD").replace(
        "cap: {total: 38e9, per-year: 1_000_000}", "cap: {total: 38e9, per-year: 1.2345}")
    version, problems = parse(text)
    assert not problems, problems
    share = next(c for c in version.clauses if c.id == "share")
    assert key_terms(share, "KWD").endswith(
        "; cap 38,000,000,000 KWD total; cap 1.2345 KWD a year")
    text = text.replace("currency: KWD", "currency: JPY")
    version, _ = parse(text)
    share = next(c for c in version.clauses if c.id == "share")
    assert "cap 1.2345 JPY a year" in key_terms(share, "JPY")


def test_the_simulation_pages_charts_read_in_the_agreements_currency():
    from termsheet.web.charts import binned_svg, lines_svg
    bars = binned_svg([-1.5e6, 0.0, 2.5e6], [3, 4], currency="EUR")
    assert ">−€1.5M</text>" in bars and ">€2.5M</text>" in bars
    assert "<title>−€1.5M to €0: 3</title>" in bars
    flows = lines_svg(["2026", "2027"], {"a": [0.0, 950.0]}, currency="JPY")
    assert ">¥950</text>" in flows and ">¥0</text>" in flows
    assert ">950</text>" in lines_svg(["2026", "2027"], {"a": [0.0, 950.0]})  # no currency


def test_simulation_tables_stack_on_a_narrow_terminal_with_every_figure_whole():
    from rich.console import Console

    from termsheet.cli.common import Fitted
    grid = Fitted("Value under B minus under A (EUR)",
                  ("party", "mean", "p5", "p50", "p95", "P(gain)", "P(loss)", "overall"))
    grid.add_row("microsoft", "−€38.2B", "−€164.2B", "−€15.9B", "€20.2B", "27.2%", "72.8%",
                 "loses")
    wide = Console(width=100, record=True, color_system=None)
    wide.print(grid)
    assert "microsoft  −€38.2B  −€164.2B" in wide.export_text()     # the table, on one row
    narrow = Console(width=40, record=True, color_system=None)
    narrow.print(grid)
    text = narrow.export_text()
    assert max(len(row.rstrip()) for row in text.splitlines()) <= 40
    items = [item.strip() for row in text.splitlines()[2:] for item in row.split(",")]
    assert items == ["mean −€38.2B", "p5 −€164.2B", "p50 −€15.9B", "p95 €20.2B",
                     "P(gain) 27.2%", "P(loss) 72.8%", "overall loses"]


def test_the_statement_pages_show_money_as_decimals_at_the_minor_unit():
    """The statements, rows and ledger pages formatted amounts through float with two decimals:
    17 digits lost the cents and yen showed .00."""
    from termsheet.web.html import templates
    money, exact = templates.env.filters["money"], templates.env.filters["exact"]
    assert money("12345678901234567.89", "USD") == "12,345,678,901,234,567.89"
    assert "{:,.2f}".format(float("12345678901234567.89")) == "12,345,678,901,234,568.00"
    assert money(Decimal("1235"), "JPY") == "1,235" and money("5.5", "KWD") == "5.500"
    assert exact("123456789.1234567891") == "123,456,789.1234567891"
    page = templates.env.from_string("{{ a | money('JPY') }} / {{ b | exact }}").render(
        a=Decimal("100000"), b=Decimal("0.5"))
    assert page == "100,000 / 0.50"


def test_the_reconciliation_stacks_on_a_narrow_terminal_with_every_amount_whole():
    from rich.console import Console

    from termsheet.settle.render import Reconciled
    recon = _reconciliation()
    narrow = Console(width=44, record=True, color_system=None)
    narrow.print(Reconciled([recon]))
    lines = [line.strip() for line in narrow.export_text().splitlines()]
    assert lines[-4:] == ["in 1,000 rows, 123,456,789.123456",
                          "settled 990 rows, 123,450,000.000001",
                          "out of scope 6 rows, 6,789.123455", "quarantined 4 rows, 0.00"]
    assert "USD  balanced" in lines
    wide = Console(width=120, record=True, color_system=None)
    wide.print(Reconciled([recon]))
    assert "│ USD" in wide.export_text()     # the table where it fits
