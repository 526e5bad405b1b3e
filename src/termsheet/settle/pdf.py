"""A statement document (counterparty.py) as a PDF, drawn with fpdf2.

The text is set in DejaVu Sans (the TrueType font matplotlib ships), so any character an
agreement's prose uses prints as written. The same sections as the HTML: lines, advances, the
agreement's words, inputs with their hashes, the reconciliation, the rounding note.
"""

from __future__ import annotations

import importlib.util
from decimal import Decimal
from pathlib import Path

from ..money.currency import round_money


def money(value: Decimal, currency: str) -> str:
    return f"{round_money(value, currency):,}"


def line_name(line: dict) -> str:
    """A document line's name: clause and version, its base, and what it is if not a share."""
    name = f"{line['clause']} (version {line['version']})"
    if line["part"]:
        name += f" / {line['part']}"
    return name if line["kind"] == "share" else f"{name}: {line['kind']}"


def _font_dir() -> Path:
    spec = importlib.util.find_spec("matplotlib")
    return Path(spec.submodule_search_locations[0]) / "mpl-data" / "fonts" / "ttf"


def to_pdf(doc: dict) -> bytes:
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(True, margin=15)
    fonts = _font_dir()
    pdf.add_font("DejaVu", "", str(fonts / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(fonts / "DejaVuSans-Bold.ttf"))
    pdf.add_font("DejaVuMono", "", str(fonts / "DejaVuSansMono.ttf"))
    pdf.set_title(f"{doc['agreement']} {doc['period']}: {doc['payer']} to {doc['payee']}")
    pdf.add_page()
    cur = doc["currency"]
    width = pdf.epw
    head = FontFace(emphasis="BOLD", fill_color=(230, 230, 230))

    def heading(text: str, size: int = 12) -> None:
        pdf.ln(2)
        pdf.set_font("DejaVu", "B", size)
        pdf.multi_cell(width, 7, text, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)

    def text(value: str, mono: bool = False) -> None:
        pdf.set_font("DejaVuMono" if mono else "DejaVu", "", 8 if mono else 9)
        pdf.multi_cell(width, 4.5, value, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)

    heading(f"Statement {doc['period']}: {doc['payer']} → {doc['payee']}", 16)
    text(f"{doc['agreement']}, {doc['period_start']} to {doc['period_end']}, in {cur}")

    heading("Lines")
    with pdf.table(col_widths=(52, 12, 26, 22, 30, 28), text_align=(
            "LEFT", "RIGHT", "RIGHT", "LEFT", "RIGHT", "RIGHT"), headings_style=head,
            line_height=5) as table:
        table.row(("clause", "rows", "base", "rate", "exact", "amount"))
        for line in doc["lines"]:
            table.row((line_name(line), f"{line['rows']:,}", _short(line["base"]),
                       line["rate"], _short(line["exact"]),
                       f"{money(line['amount'], cur)} {cur}"))
            for c in line["conversions"]:
                table.row((f"  converted {_short(c['amount'])} {c['from']} at {c['rate']} "
                           f"({c['rate_date']})", f"{c['rows']:,}", _short(c["converted"]),
                           f"{c['from']}→{c['to']}", "", ""))
        table.row(("total", "", "", "", "", f"{money(doc['total'], cur)} {cur}"),
                  style=FontFace(emphasis="BOLD"))

    if doc["advances"]:
        heading("Advances")
        with pdf.table(headings_style=head, line_height=5) as table:
            table.row(("clause", "advance", "paid", "recouped now", "recouped to date",
                       "unrecouped"))
            for a in doc["advances"]:
                table.row((a["clause"], money(a["advance"], cur), str(a["paid_date"]),
                           money(a["recouped"], cur), money(a["recouped_to_date"], cur),
                           money(a["unrecouped"], cur)))

    heading("The agreement's words")
    for c in doc["clauses"]:
        pdf.set_font("DejaVu", "B", 10)
        pdf.multi_cell(width, 5, f"{c['heading'] or c['clause']} ({c['clause']}, version "
                       f"{c['version']})", new_x="LMARGIN", new_y="NEXT")
        if c["prose"]:
            text(c["prose"])
        if c["terms"]:
            text(c["terms"], mono=True)

    heading("Inputs")
    rows = [(i["path"], i["sha256"]) for i in doc["inputs"]]
    rows += [(f"agreement version {v}", str(d)) for v, d in doc["versions"].items()]
    if doc["rates"]:
        rows.append((f"exchange rates {doc['rates']['path']}", str(doc["rates"]["sha256"])))
    for name, digest in rows:
        text(f"{name}\n  sha256 {digest}", mono=True)

    heading("Reconciliation: in = settled + out of scope + quarantined")
    with pdf.table(headings_style=head, line_height=5, text_align="RIGHT") as table:
        table.row(("currency", "in", "settled", "out of scope", "quarantined", "balanced"))
        for r in doc["reconciliation"]:
            table.row((r["currency"], *(f"{r[k]['rows']:,} rows\n{_short(r[k]['amount'])}"
                                        for k in ("in", "settled", "out_of_scope",
                                                  "quarantined")),
                       "yes" if r["balanced"] else "NO"))
    for note in doc["notes"]:
        text(note)
    return bytes(pdf.output())


def _short(value) -> str:
    """Every decimal there is, without trailing zeros (at least two)."""
    value = Decimal(value)
    text = f"{value:,.10f}".rstrip("0")
    whole, _, part = text.partition(".")
    return f"{whole}.{part.ljust(2, '0')}"
