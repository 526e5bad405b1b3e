"""Statements drawn for people and programs: a terminal table, CSV, HTML (JSON is ``to_dict``)."""

from __future__ import annotations

import csv
import html
import io
from collections import defaultdict
from decimal import Decimal
from typing import Iterable

from rich.table import Table

from .statements import Line, Reconciliation, notes_of, statements_of

CSV_FIELDS = ("label", "payer", "payee", "agreement", "version", "clause", "kind", "period",
              "period_end", "rows", "corrections", "base", "cost", "rate", "paid", "amount",
              "currency", "first_day", "last_day", "key", "part")


def money(value: Decimal, currency: str) -> str:
    """An amount at its currency's minor unit, grouped: 1,234.50 (USD), 1,235 (JPY)."""
    from ..money.format import number
    return number(value, currency)


def exact(value: Decimal) -> str:
    """Every decimal there is (at least two): reconciliations are exact."""
    text = f"{value:,.10f}".rstrip("0")
    whole, _, part = text.partition(".")
    return f"{whole}.{part.ljust(2, '0')}"


NARROW = 100  # below this width, statements are stacked: a table would have to cut figures


class Statements:
    """Statement lines for a terminal: the table where it fits, else stacked (one line of words
    then one line of figures per statement line), so money is never cut or folded."""

    def __init__(self, lines: Iterable[Line], title: str | None = None,
                 pending: Iterable[str] = ()):
        self.lines, self.title, self.pending = list(lines), title, list(pending)

    def __rich_console__(self, console, options):
        if options.max_width >= NARROW:
            yield _table(self.lines, self.title, self.pending)
            return
        from rich.text import Text
        if self.title:
            yield Text(self.title, style="bold")
        for statement in statements_of(self.lines):
            yield Text(f"{statement.period}  {statement.payer} → {statement.payee}",
                       style="bold")
            for line in statement.lines:
                yield Text(f"  {line.clause} ({line.version}), {line.rate}", overflow="fold")
                cur = line.currency
                base = f"base {money(line.base, cur)}, " if line.kind == "share" else ""
                yield Text(f"    {line.rows:,} rows, {base}amount {money(line.amount, cur)} "
                           f"{cur}")
        for (payer, payee, currency), total in sorted(totals(self.lines).items()):
            yield Text(f"total {payer} → {payee}: {money(total, currency)} {currency}",
                       style="bold")
        for note in notes_of(self.lines):
            yield Text(note, style="dim")
        for note in self.pending:
            yield Text(note)


def statements_table(lines: Iterable[Line], title: str | None = None,
                     pending: Iterable[str] = ()) -> Statements:
    """Statement lines for a terminal: a table grouped by period and payer -> payee with totals,
    or stacked on a narrow terminal; what is still pending below them."""
    return Statements(lines, title, pending)


def _table(lines: list[Line], title: str | None = None, pending: Iterable[str] = ()) -> Table:
    """One row per statement line, grouped by period and payer -> payee, with totals; the
    caption gives the rounding and what is still pending."""
    lines = list(lines)
    caption = "\n".join(["; ".join(notes_of(lines)), *pending]).strip()
    table = Table(title=title, caption=caption or None, show_lines=False)
    for column, justify in (("period", "left"), ("payer → payee", "left"), ("clause", "left"),
                            ("version", "left"), ("rows", "right"), ("base", "right"),
                            ("rate", "left"), ("amount", "right")):
        table.add_column(column, justify=justify, overflow="fold")
    for statement in statements_of(lines):
        for index, line in enumerate(statement.lines):
            rows = f"{line.rows:,}" + (f" ({line.corrections} corr.)" if line.corrections else "")
            table.add_row(statement.period if index == 0 else "",
                          f"{line.payer} → {line.payee}" if index == 0 else "",
                          line.clause + (f" / {line.part}" if line.part else ""),
                          line.version, rows,
                          money(line.base, line.currency) if line.kind == "share" else "",
                          line.rate, f"{money(line.amount, line.currency)} {line.currency}")
    for (payer, payee, currency), total in sorted(totals(lines).items()):
        table.add_row("total", f"{payer} → {payee}", "", "", "", "", "",
                      f"[bold]{money(total, currency)} {currency}[/bold]", end_section=False)
    return table


def totals(lines: Iterable[Line]) -> dict[tuple[str, str, str], Decimal]:
    out: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for line in lines:
        out[(line.payer, line.payee, line.currency)] += line.amount
    return dict(out)


class Reconciled:
    """The reconciliation for a terminal: the table where it fits without folding a figure,
    else stacked (a line per currency, then a line per tally), so no amount is cut."""

    def __init__(self, items: Iterable[Reconciliation]):
        self.items = list(items)

    def __rich_console__(self, console, options):
        from rich.text import Text
        table = reconciliation_table(self.items)
        for column in table.columns:
            column.no_wrap = True
        if table.__rich_measure__(console, options).maximum <= options.max_width:
            yield table
            return
        yield Text("reconciliation: in = settled + out of scope + quarantined", style="bold")
        for r in self.items:
            yield Text.assemble(f"  {r.currency}  ", ("balanced", "green") if r.balanced
                                else ("NOT BALANCED", "red"))
            for name, tally in (("in", r.rows_in), ("settled", r.settled),
                                ("out of scope", r.out_of_scope),
                                ("quarantined", r.quarantined)):
                yield Text(f"    {name} {tally.rows:,} rows, {exact(tally.amount)}")
            for text in r.pending:
                yield Text(f"    {text}", style="dim")


def reconciliation_table(items: Iterable[Reconciliation]) -> Table:
    items = list(items)
    pending = [text for r in items for text in r.pending]
    table = Table(title="reconciliation: in = settled + out of scope + quarantined",
                  caption="\n".join(pending) or None)
    for column in ("currency", "in", "settled", "out of scope", "quarantined", "balanced"):
        table.add_column(column, justify="left" if column == "currency" else "right",
                         overflow="fold")
    for r in items:
        cells = [f"{t.rows:,} rows\n{exact(t.amount)}" for t in
                 (r.rows_in, r.settled, r.out_of_scope, r.quarantined)]
        table.add_row(r.currency, *cells, "[green]yes[/green]" if r.balanced else "[red]NO[/red]")
    return table


def to_csv(lines: Iterable[Line]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_FIELDS)
    for line in lines:
        writer.writerow(csv_cells(line))
    return out.getvalue()


# Amounts a file shows at the currency's minor unit; ``paid``, the exact amount before the one
# rounding, is written in full but never with an exponent.
MINOR_UNIT_FIELDS = ("base", "amount")


def csv_cells(line: Line) -> list:
    """One line's cells for CSV: amounts at the currency's minor unit, exact figures as plain
    decimals (``0E-20`` is ``0``), dates ISO, nothing missing written as ``None``."""
    from ..money.format import plain
    data = line.to_dict()
    cells = []
    for field in CSV_FIELDS:
        value = data[field]
        if field in MINOR_UNIT_FIELDS:
            value = plain(value, line.currency)
        elif isinstance(value, Decimal):
            value = format(value.normalize(), "f") if value else "0"
        cells.append("" if value is None else value)
    return cells


def to_xlsx(lines: Iterable[Line], title: str = "Statements") -> bytes:
    """An Excel workbook: a sheet of statement lines (the CSV's columns, amounts as numbers with
    the currency's minor unit as their format) and a sheet of totals per payer -> payee."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from ..money.format import digits, plain
    lines = list(lines)
    book = Workbook()
    sheet = book.active
    sheet.title = "statements"
    sheet.append(list(CSV_FIELDS))
    for line in lines:
        data = line.to_dict()
        row = []
        for field in CSV_FIELDS:
            value = data[field]
            if field in MINOR_UNIT_FIELDS:
                value = Decimal(plain(value, line.currency))
            row.append(value)
        sheet.append(row)
        pattern = _number_format(digits(line.currency))
        for field in MINOR_UNIT_FIELDS + ("paid",):
            sheet.cell(sheet.max_row, CSV_FIELDS.index(field) + 1).number_format = \
                pattern if field != "paid" else "#,##0.##########"
    totals_sheet = book.create_sheet("totals")
    totals_sheet.append(["payer", "payee", "currency", "total"])
    for (payer, payee, currency), total in sorted(totals(lines).items()):
        totals_sheet.append([payer, payee, currency, total])
        totals_sheet.cell(totals_sheet.max_row, 4).number_format = _number_format(
            digits(currency))
    for ws in (sheet, totals_sheet):
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
    book.properties.title = title
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _number_format(places: int) -> str:
    return "#,##0" + ("." + "0" * places if places else "")


def to_html(lines: Iterable[Line], title: str = "Statements") -> str:
    """A standalone page: one table per statement (payer -> payee, period)."""
    lines = list(lines)
    e = html.escape
    parts = [f"<!doctype html><html lang=en><meta charset=utf-8><title>{e(title)}</title>",
             "<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:"
             "collapse;margin-bottom:1.5rem}td,th{padding:.25rem .6rem;border-bottom:1px solid "
             "#ddd}td.n{text-align:right;font-variant-numeric:tabular-nums}</style>",
             f"<h1>{e(title)}</h1>"]
    for note in notes_of(lines):
        parts.append(f"<p><small>{e(note)}</small></p>")
    for s in statements_of(lines):
        parts.append(f"<h2>{e(s.period)}: {e(s.payer)} → {e(s.payee)}</h2><table><tr><th>clause"
                     "</th><th>version</th><th>rows</th><th>base</th><th>rate</th><th>amount"
                     "</th></tr>")
        for line in s.lines:
            clause = line.clause + (f" / {line.part}" if line.part else "")
            parts.append(f"<tr><td title='{e(line.key)}'>{e(clause)}</td><td>"
                         f"{e(line.version)}</td><td class=n>{line.rows:,}</td><td class=n>"
                         f"{money(line.base, line.currency)}</td><td>{e(line.rate)}</td>"
                         "<td class=n>"
                         f"{money(line.amount, line.currency)} {e(line.currency)}</td></tr>")
        parts.append("<tr><th colspan=5>total</th><td class=n><b>"
                     f"{money(s.total, s.currency)} "
                     f"{e(s.currency)}</b></td></tr></table>")
    return "\n".join(parts) + "\n</html>\n"
