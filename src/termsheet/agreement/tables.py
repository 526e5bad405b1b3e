"""Records as tables, for notebooks: an HTML table (``_repr_html_``), an Arrow table and a pandas
DataFrame from a list of row dicts. PyArrow (a dependency) and pandas (optional) load on use."""

from __future__ import annotations

import html
from decimal import Decimal
from typing import Any, Sequence

MAX_ROWS = 50  # rows shown in a notebook; the Arrow and pandas tables have them all


def html_table(rows: Sequence[dict[str, Any]], caption: str = "") -> str:
    """A small HTML table of the rows (the first MAX_ROWS), with a caption."""
    e = html.escape
    columns = list(rows[0]) if rows else []
    parts = ["<table>"]
    if caption:
        parts.append(f"<caption style='text-align:left'><b>{e(caption)}</b></caption>")
    parts.append("<tr>" + "".join(f"<th>{e(str(c))}</th>" for c in columns) + "</tr>")
    for row in rows[:MAX_ROWS]:
        parts.append("<tr>" + "".join(
            f"<td style='text-align:{'right' if isinstance(row[c], (int, float, Decimal)) else 'left'}'>"
            f"{e(_cell(row[c]))}</td>" for c in columns) + "</tr>")
    if len(rows) > MAX_ROWS:
        parts.append(f"<tr><td colspan={len(columns)}>… {len(rows) - MAX_ROWS} more rows "
                     f"(.to_pandas() has them all)</td></tr>")
    parts.append("</table>")
    return "".join(parts)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def to_arrow(rows: Sequence[dict[str, Any]]):
    """The rows as a pyarrow.Table (Decimals stay decimals, dates stay dates)."""
    import pyarrow as pa
    return pa.Table.from_pylist(list(rows))


def to_pandas(rows: Sequence[dict[str, Any]]):
    """The rows as a pandas DataFrame (needs pandas)."""
    return to_arrow(rows).to_pandas()
