"""Statements a counterparty can check: each statement (payer -> payee, one period) as one
document with everything needed to check it, as JSON, CSV, HTML and PDF (pdf.py).

A document holds: its lines (each base of a clause its own line; the rates of converted rows; an
advance's recoupment and unrecouped balance), the total, the text of every clause behind it as
the agreement writes it (heading, prose, terms), the hashes of the inputs it was computed from
(input files, agreement versions, the exchange-rate table), the run's reconciliation (rows and
amounts in = settled + out of scope + quarantined, per currency) and the rounding note.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Iterable

import yaml

from ..agreement.history import History
from ..agreement.jsonable import json_default
from ..money.currency import round_money
from .pdf import line_name as _line_name, money, to_pdf
from .statements import Line, Reconciliation, notes_of, statements_of

FORMATS = ("json", "csv", "html", "pdf")


def clause_texts(history: History | None) -> dict[tuple[str, str], dict]:
    """(version, clause id) -> heading, prose and terms of every revenue-share clause."""
    out: dict[tuple[str, str], dict] = {}
    for version in history.versions if history is not None else ():
        for clause in version.clauses:
            if clause.kind != "revenue-share":
                continue
            terms = clause.model_dump(mode="json", by_alias=True, exclude_none=True,
                                      exclude_defaults=True)
            out[(version.version, clause.id)] = {
                "version": version.version, "clause": clause.id, "heading": clause.heading,
                "prose": clause.prose.strip(),
                "terms": yaml.safe_dump(terms, sort_keys=False, allow_unicode=True).strip(),
                "source": f"{version.path}:{clause.span.line}" if clause.span else version.path}
    return out


def documents(lines: Iterable[Line], *, clauses: dict[tuple[str, str], dict],
              inputs: list[dict], versions: dict[str, str], rates: dict | None,
              reconciliation: Iterable[Reconciliation], run: int | None = None) -> list[dict]:
    """One document per statement."""
    recon = [{k: ({**v, "amount": _exact(v["amount"])} if isinstance(v, dict) else v)
              for k, v in r.to_dict().items()} for r in reconciliation]
    out = []
    for s in statements_of(lines):
        used = sorted({(line.version, line.clause) for line in s.lines})
        out.append({
            "agreement": s.lines[0].agreement, "payer": s.payer, "payee": s.payee,
            "period": s.period, "period_start": s.lines[0].period,
            "period_end": s.lines[0].period_end, "currency": s.currency,
            "lines": [_line(line) for line in s.lines],
            "total": round_money(s.total, s.currency),
            "advances": _advances(s.lines),
            "clauses": [clauses.get(key, {"version": key[0], "clause": key[1], "heading": "",
                                          "prose": "", "terms": "", "source": ""})
                        for key in used],
            "inputs": inputs, "versions": {v: versions.get(v) for v, _ in used},
            "rates": rates, "reconciliation": recon, "run": run,
            "notes": notes_of(s.lines),
        })
    return out


def from_settlement(result, history: History | None, run: int | None = None) -> list[dict]:
    """The documents of a run (``settle(...)``'s result)."""
    return documents(result.lines, clauses=clause_texts(history),
                     inputs=[{"path": s.path, "sha256": s.sha256, "kind": s.kind}
                             for s in result.sources],
                     versions=result.versions, rates=result.rates,
                     reconciliation=result.reconciliation, run=run)


def _line(line: Line) -> dict:
    detail = line.detail or {}
    return {"key": line.key, "clause": line.clause, "version": line.version, "part": line.part,
            "kind": line.kind, "heading": line.heading, "rows": line.rows,
            "corrections": line.corrections, "base": _exact(line.base), "cost": line.cost,
            "rate": line.rate, "exact": _exact(line.paid),
            "amount": round_money(line.amount, line.currency),
            "currency": line.currency, "conversions": detail.get("conversions", []),
            "advance": detail.get("advance")}


def _exact(value: Decimal) -> Decimal:
    """An exact amount without trailing zeros (the same whether computed or read back)."""
    value = Decimal(value)
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else \
        value.normalize()


def _advances(lines: Iterable[Line]) -> list[dict]:
    """The balance of each advance after this statement's period."""
    out = {}
    for line in lines:
        balance = (line.detail or {}).get("advance")
        if balance is not None:
            out[(line.version, line.clause)] = {"clause": line.clause, "version": line.version,
                                                **balance}
    return list(out.values())


def name_of(doc: dict) -> str:
    """A file name for a document: period, payer, payee."""
    text = f"{doc['period']}-{doc['payer']}-to-{doc['payee']}"
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text)


# ---------------------------------------------------------------------------------------------
# renderings


def to_json(doc: dict) -> str:
    return json.dumps(doc, default=json_default, indent=2, ensure_ascii=False) + "\n"


CSV_HEADER = ("section", "name", "detail", "amount", "currency")


def to_csv(doc: dict) -> str:
    """One CSV per statement: ``section`` says what a row is (statement, line, conversion,
    advance, total, clause, input, version, rates, reconciliation, note)."""
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(CSV_HEADER)
    cur = doc["currency"]
    w.writerow(["statement", f"{doc['payer']} -> {doc['payee']}",
                f"{doc['agreement']} {doc['period']} ({doc['period_start']} to "
                f"{doc['period_end']})", "", cur])
    for line in doc["lines"]:
        w.writerow(["line", _line_name(line), f"{line['rows']} rows; base {line['base']}; "
                    f"rate {line['rate']}; exact {line['exact']}", line["amount"], cur])
        for c in line["conversions"]:
            w.writerow(["conversion", f"{c['from']}->{c['to']} {c['rate']} of {c['rate_date']}",
                        f"{c['rows']} rows; {c['amount']} {c['from']}", c["converted"], c["to"]])
    for a in doc["advances"]:
        w.writerow(["advance", a["clause"], f"advance {a['advance']} paid {a['paid_date']}; "
                    f"recouped to date {a['recouped_to_date']}", a["unrecouped"], cur])
    w.writerow(["total", "", "", doc["total"], cur])
    for c in doc["clauses"]:
        w.writerow(["clause", f"{c['clause']} (version {c['version']})", c["heading"], "", ""])
        w.writerow(["clause-text", c["clause"], c["prose"], "", ""])
        w.writerow(["clause-terms", c["clause"], c["terms"], "", ""])
    for i in doc["inputs"]:
        w.writerow(["input", i["path"], f"sha256 {i['sha256']}", "", ""])
    for version, digest in doc["versions"].items():
        w.writerow(["version", version, f"sha256 {digest}", "", ""])
    if doc["rates"]:
        w.writerow(["rates", doc["rates"]["path"], f"sha256 {doc['rates']['sha256']}", "", ""])
    for r in doc["reconciliation"]:
        for name in ("in", "settled", "out_of_scope", "quarantined"):
            w.writerow(["reconciliation", name, f"{r[name]['rows']} rows", r[name]["amount"],
                        r["currency"]])
        w.writerow(["reconciliation", "balanced", "yes" if r["balanced"] else "NO", "",
                    r["currency"]])
    for note in doc["notes"]:
        w.writerow(["note", "", note, "", ""])
    return out.getvalue()


def to_html(doc: dict) -> str:
    """A standalone page a counterparty can read and print."""
    e = html.escape
    cur = doc["currency"]
    p = [f"<!doctype html><html lang=en><meta charset=utf-8><title>{e(doc['agreement'])} "
         f"{e(doc['period'])}: {e(doc['payer'])} to {e(doc['payee'])}</title>",
         "<style>body{font-family:system-ui,sans-serif;margin:2rem;max-width:60rem}table{"
         "border-collapse:collapse;margin:.5rem 0 1.2rem}td,th{padding:.2rem .5rem;border-bottom:"
         "1px solid #ddd;text-align:left;vertical-align:top}td.n{text-align:right;"
         "font-variant-numeric:tabular-nums}blockquote{border-left:3px solid #bbb;margin:.5rem 0;"
         "padding:.2rem .8rem;color:#333}pre{background:#f6f6f6;padding:.5rem;white-space:"
         "pre-wrap}code{word-break:break-all}</style>",
         f"<h1>Statement {e(doc['period'])}: {e(doc['payer'])} → {e(doc['payee'])}</h1>",
         f"<p>{e(doc['agreement'])}, {e(str(doc['period_start']))} to "
         f"{e(str(doc['period_end']))}, in {e(cur)}</p>",
         "<h2>Lines</h2><table><tr><th>clause</th><th>what</th><th>rows</th><th>base</th>"
         "<th>rate</th><th>exact</th><th>amount</th></tr>"]
    for line in doc["lines"]:
        p.append(f"<tr><td>{e(_line_name(line))}</td><td>{e(line['kind'])}</td><td class=n>"
                 f"{line['rows']:,}</td><td class=n>{e(str(line['base']))}</td><td>"
                 f"{e(line['rate'])}</td><td class=n>{e(str(line['exact']))}</td><td class=n>"
                 f"{e(money(line['amount'], cur))} {e(cur)}</td></tr>")
        for c in line["conversions"]:
            p.append(f"<tr><td></td><td colspan=6><small>converted {e(str(c['amount']))} "
                     f"{e(c['from'])} ({c['rows']} rows) at {e(str(c['rate']))} {e(c['to'])} "
                     f"per {e(c['from'])}, the rate of {e(str(c['rate_date']))}: "
                     f"{e(str(c['converted']))} {e(c['to'])}</small></td></tr>")
    p.append(f"<tr><th colspan=6>total</th><td class=n><b>{e(money(doc['total'], cur))} "
             f"{e(cur)}</b></td></tr></table>")
    if doc["advances"]:
        p.append("<h2>Advances</h2><table><tr><th>clause</th><th>advance</th><th>paid</th>"
                 "<th>recouped this period</th><th>recouped to date</th><th>unrecouped</th></tr>")
        for a in doc["advances"]:
            p.append(f"<tr><td>{e(a['clause'])}</td><td class=n>{e(money(a['advance'], cur))}"
                     f"</td><td>{e(str(a['paid_date']))}</td><td class=n>"
                     f"{e(money(a['recouped'], cur))}</td><td class=n>"
                     f"{e(money(a['recouped_to_date'], cur))}</td><td class=n><b>"
                     f"{e(money(a['unrecouped'], cur))}</b></td></tr>")
        p.append("</table>")
    p.append("<h2>The agreement's words</h2>")
    for c in doc["clauses"]:
        p.append(f"<h3>{e(c['heading'] or c['clause'])} <small>({e(c['clause'])}, version "
                 f"{e(c['version'])})</small></h3><blockquote>{e(c['prose'])}</blockquote>"
                 f"<pre>{e(c['terms'])}</pre>")
    p.append("<h2>Inputs</h2><table><tr><th>file</th><th>sha256</th></tr>")
    for i in doc["inputs"]:
        p.append(f"<tr><td>{e(i['path'])}</td><td><code>{e(i['sha256'])}</code></td></tr>")
    for version, digest in doc["versions"].items():
        p.append(f"<tr><td>agreement version {e(version)}</td><td><code>{e(str(digest))}</code>"
                 "</td></tr>")
    if doc["rates"]:
        p.append(f"<tr><td>exchange rates {e(doc['rates']['path'])}</td><td><code>"
                 f"{e(str(doc['rates']['sha256']))}</code></td></tr>")
    p.append("</table><h2>Reconciliation</h2><p>rows and amounts in = settled + out of scope + "
             "quarantined</p><table><tr><th>currency</th><th>in</th><th>settled</th>"
             "<th>out of scope</th><th>quarantined</th><th>balanced</th></tr>")
    for r in doc["reconciliation"]:
        cells = "".join(f"<td class=n>{r[k]['rows']:,} rows<br>{e(str(r[k]['amount']))}</td>"
                        for k in ("in", "settled", "out_of_scope", "quarantined"))
        p.append(f"<tr><td>{e(r['currency'])}</td>{cells}<td>"
                 f"{'yes' if r['balanced'] else 'NO'}</td></tr>")
    p.append("</table>")
    for note in doc["notes"]:
        p.append(f"<p><small>{e(note)}</small></p>")
    return "\n".join(p) + "\n</html>\n"


def write(docs: list[dict], folder: Path, formats: Iterable[str] = FORMATS) -> list[Path]:
    """Each document in each format: ``FOLDER/<period>-<payer>-to-<payee>.<format>``."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for doc in docs:
        stem = folder / name_of(doc)
        for fmt in formats:
            path = stem.with_suffix(f".{fmt}")
            if fmt == "pdf":
                path.write_bytes(to_pdf(doc))
            else:
                path.write_text({"json": to_json, "csv": to_csv, "html": to_html}[fmt](doc))
            written.append(path)
    return written
