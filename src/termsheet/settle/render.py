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
              "currency", "first_day", "last_day", "key")


def money(value: Decimal) -> str:
    return f"{value:,.2f}"


def exact(value: Decimal) -> str:
    """Every decimal there is (at least two): reconciliations are exact."""
    text = f"{value:,.10f}".rstrip("0")
    whole, _, part = text.partition(".")
    return f"{whole}.{part.ljust(2, '0')}"


def statements_table(lines: Iterable[Line], title: str | None = None) -> Table:
    """One row per statement line, grouped by period and payer -> payee, with totals."""
    lines = list(lines)
    table = Table(title=title, caption="; ".join(notes_of(lines)) or None, show_lines=False)
    for column, justify in (("period", "left"), ("payer → payee", "left"), ("clause", "left"),
                            ("version", "left"), ("rows", "right"), ("base", "right"),
                            ("rate", "left"), ("amount", "right")):
        table.add_column(column, justify=justify, overflow="fold")
    for statement in statements_of(lines):
        for index, line in enumerate(statement.lines):
            rows = f"{line.rows:,}" + (f" ({line.corrections} corr.)" if line.corrections else "")
            table.add_row(statement.period if index == 0 else "",
                          f"{line.payer} → {line.payee}" if index == 0 else "",
                          line.clause, line.version, rows,
                          money(line.base) if line.kind == "share" else "",
                          line.rate, f"{money(line.amount)} {line.currency}")
    for (payer, payee, currency), total in sorted(totals(lines).items()):
        table.add_row("total", f"{payer} → {payee}", "", "", "", "", "",
                      f"[bold]{money(total)} {currency}[/bold]", end_section=False)
    return table


def totals(lines: Iterable[Line]) -> dict[tuple[str, str, str], Decimal]:
    out: dict[tuple[str, str, str], Decimal] = defaultdict(Decimal)
    for line in lines:
        out[(line.payer, line.payee, line.currency)] += line.amount
    return dict(out)


def reconciliation_table(items: Iterable[Reconciliation]) -> Table:
    items = list(items)
    pending = [text for r in items for text in r.pending]
    table = Table(title="reconciliation: in = settled + out of scope + quarantined",
                  caption="\n".join(pending) or None)
    for column in ("currency", "in", "settled", "out of scope", "quarantined", "balanced"):
        table.add_column(column, justify="left" if column == "currency" else "right")
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
        data = line.to_dict()
        writer.writerow([data[f] if data[f] is not None else "" for f in CSV_FIELDS])
    return out.getvalue()


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
            parts.append(f"<tr><td title='{e(line.key)}'>{e(line.clause)}</td><td>"
                         f"{e(line.version)}</td><td class=n>{line.rows:,}</td><td class=n>"
                         f"{money(line.base)}</td><td>{e(line.rate)}</td><td class=n>"
                         f"{money(line.amount)} {e(line.currency)}</td></tr>")
        parts.append(f"<tr><th colspan=5>total</th><td class=n><b>{money(s.total)} "
                     f"{e(s.currency)}</b></td></tr></table>")
    return "\n".join(parts) + "\n</html>\n"
