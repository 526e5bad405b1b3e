"""Charts as inline SVG, drawn on the server: no script and no network needed to see them.

Each function takes the JSON an endpoint returns and gives SVG markup (every text escaped).
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import Any, Sequence

KIND_COLOURS = {
    "exclusivity": "#b8433a", "distribution": "#2f7d4f", "license": "#3461a8",
    "right-of-first-refusal": "#8a5a9e", "revenue-share": "#c77c1e", "equity": "#2c8c92",
    "commitment": "#6b6b6b", "cooperation": "#7b8f3a",
}
SERIES = ("#3461a8", "#c77c1e", "#2f7d4f", "#b8433a", "#8a5a9e", "#2c8c92")


def _day(text: str) -> date:
    return date.fromisoformat(text)


def _years(start: date, end: date) -> list[int]:
    return list(range(start.year + (start.month > 1 or start.day > 1), end.year + 1))


def timeline_svg(timeline: dict[str, Any], link: str = "", width: int = 1100) -> str:
    """Versions as bands across the top, one row per clause, a bar for each stretch it applies;
    a diamond where a version changed the clause's terms.

    ``link`` is the address prefix of version pages (``/agreements/x/versions/``): a bar links to
    its clause in its version.
    """
    versions, rows = timeline["versions"], timeline["rows"]
    start = _day(timeline["start"])
    last = max(_day(v["effective"]) for v in versions)
    ends = [_day(s["end"]) for r in rows for s in r["segments"] if s["end"]]
    end = date(max([last.year + 2] + [d.year + 1 for d in ends if d.year < last.year + 8]), 1, 1)
    label_w, row_h, top = 250, 20, 58
    plot_w = width - label_w - 24
    height = top + row_h * len(rows) + 24

    def x(day: date) -> float:
        span = (end - start).days or 1
        return label_w + plot_w * max(0, min((day - start).days, span)) / span

    out = [f'<svg class="timeline" viewBox="0 0 {width} {height}" width="100%" '
           f'role="img" aria-label="timeline of {escape(timeline["agreement"])}" '
           f'xmlns="http://www.w3.org/2000/svg">']
    bands = [_version_band(i, v, x(_day(v["effective"])),
                           x(_day(v["until"])) if v["until"] else x(end), height, link)
             for i, v in enumerate(versions)]
    out += [band for band, _ in bands] + [label for _, label in bands]  # labels above bands
    for year in _years(start, end):
        xy = x(date(year, 1, 1))
        out.append(f'<line x1="{xy:.1f}" y1="{top - 6}" x2="{xy:.1f}" y2="{height - 20}" '
                   f'class="grid"/><text x="{xy:.1f}" y="{height - 6}" class="tick" '
                   f'text-anchor="middle">{year}</text>')
    for r, row in enumerate(rows):
        out.append(_clause_row(row, top + r * row_h, row_h, x, end, link))
    out.append("</svg>")
    return "".join(out)


def _version_band(i: int, v: dict, x0: float, x1: float, height: int,
                  link: str) -> tuple[str, str]:
    shade = "#f3f1ea" if i % 2 == 0 else "#e8e5da"
    href = escape(f"{link}{v['version']}", quote=True)
    title = f'<title>{escape(v["version"])}: {escape(v["title"])}</title>'
    band = (f'<a href="{href}"><rect x="{x0:.1f}" y="0" width="{max(x1 - x0, 1):.1f}" '
            f'height="{height - 20}" fill="{shade}">{title}</rect></a>')
    label = (f'<a href="{href}"><text x="{x0 + 3:.1f}" y="{13 + (i % 3) * 14}" '
             f'class="vlabel">{escape(v["version"])}{title}</text></a>')
    return band, label


def _clause_row(row: dict, y: float, row_h: int, x, end: date, link: str) -> str:
    out = [f'<text x="4" y="{y + 14}" class="rlabel">{escape(row["clause"])}'
           f'<title>{escape(row["heading"])}</title></text>']
    colour = KIND_COLOURS.get(row["kind"], "#555")
    for s in row["segments"]:
        x0, x1 = x(_day(s["start"])), x(_day(s["end"])) if s["end"] else x(end)
        open_end = "" if s["end"] else ' stroke-dasharray="4 2"'
        pending = s.get("pending_events") or []
        note = f"; ends on {', '.join(pending)}, if it happens" if pending else ""
        href = escape(f"{link}{s['version']}#{row['clause']}", quote=True)
        out.append(f'<a href="{href}"><rect x="{x0 + 1:.1f}" y="{y + 3}" '
                   f'width="{max(x1 - x0 - 2, 2):.1f}" height="{row_h - 6}" rx="3" '
                   f'fill="{colour}" stroke="#222"{open_end} stroke-width="0.6">'
                   f'<title>{escape(row["clause"])} in {escape(s["version"])}: '
                   f'{escape(s["start"])} → {escape(s["end"] or "open")}{escape(note)}'
                   f'</title></rect></a>')
        if s["version"] in row.get("changed_in", []):
            cx, cy = x0 + 1, y + row_h / 2
            out.append(f'<path d="M{cx - 5:.1f},{cy:.1f} L{cx:.1f},{cy - 6:.1f} '
                       f'L{cx + 5:.1f},{cy:.1f} L{cx:.1f},{cy + 6:.1f} Z" class="changed">'
                       f'<title>terms changed in {escape(s["version"])}</title></path>')
    return "".join(out)


def histogram_svg(values: Sequence[float], *, bins: int = 30, label: str = "",
                  colour: str = SERIES[0]) -> str:
    """A histogram of sampled values."""
    values = [float(v) for v in values]
    if not values:
        return '<svg class="chart" viewBox="0 0 10 10"></svg>'
    lo, hi = min(values), max(values)
    hi = hi if hi > lo else lo + 1
    counts = [0] * bins
    for v in values:
        counts[min(int((v - lo) / (hi - lo) * bins), bins - 1)] += 1
    edges = [lo + (hi - lo) * i / bins for i in range(bins + 1)]
    return binned_svg(edges, counts, label=label, colour=colour)


def binned_svg(edges: Sequence[float], counts: Sequence[int], *, width: int = 520,
               height: int = 220, label: str = "", colour: str = SERIES[0],
               marks: dict[str, float] | None = None, currency: str | None = None) -> str:
    """Bars of pre-binned counts (``len(edges) == len(counts) + 1``), with a zero line when
    zero is in range and a dashed line for each of ``marks`` (``{"mean": ...}``) in range."""
    if not counts or len(edges) != len(counts) + 1:
        return '<svg class="chart" viewBox="0 0 10 10"></svg>'
    lo, hi = float(edges[0]), float(edges[-1])
    hi = hi if hi > lo else lo + 1
    left, bottom, top = 10, 30, 22
    plot_w, plot_h = width - 2 * left, height - bottom - top
    peak = max(counts) or 1
    bar_w = plot_w / len(counts)
    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
           f'aria-label="{escape(label, quote=True)}" xmlns="http://www.w3.org/2000/svg">',
           f'<text x="{left}" y="14" class="ctitle">{escape(label)}</text>']
    for i, count in enumerate(counts):
        h = plot_h * count / peak
        out.append(f'<rect x="{left + i * bar_w:.1f}" y="{top + plot_h - h:.1f}" '
                   f'width="{max(bar_w - 1, 1):.1f}" height="{h:.1f}" fill="{colour}">'
                   f'<title>{escape(short(edges[i], currency))} to '
                   f'{escape(short(edges[i + 1], currency))}: '
                   f'{count}</title></rect>')
    shown = {"0": 0.0, **(marks or {})}
    for n, (name, value) in enumerate(shown.items()):
        if lo < float(value) < hi:
            xm = left + plot_w * (float(value) - lo) / (hi - lo)
            out.append(f'<line x1="{xm:.1f}" y1="{top}" x2="{xm:.1f}" y2="{top + plot_h}" '
                       f'class="{"zero" if name == "0" else "mark"}"/><text x="{xm + 2:.1f}" '
                       f'y="{top + 10 + 11 * n}" class="tick">{escape(name)}</text>')
    out.append(f'<text x="{left}" y="{height - 8}" class="tick">{escape(short(lo, currency))}'
               f'</text><text x="{width - left}" y="{height - 8}" class="tick" '
               f'text-anchor="end">{escape(short(hi, currency))}</text></svg>')
    return "".join(out)


def lines_svg(xs: Sequence[str], series: dict[str, Sequence[float]], *, width: int = 520,
              height: int = 220, label: str = "",
              bands: dict[str, tuple[Sequence[float], Sequence[float]]] | None = None,
              currency: str | None = None) -> str:
    """Line chart of several series over the same x labels; ``bands`` shades a low-high range."""
    allv = [float(v) for s in series.values() for v in s]
    for low, high in (bands or {}).values():
        allv += [float(v) for v in low] + [float(v) for v in high]
    if not xs or not allv:
        return '<svg class="chart" viewBox="0 0 10 10"></svg>'
    lo, hi = min(allv + [0.0]), max(allv)
    hi = hi if hi > lo else lo + 1
    left, bottom, top, right = 64, 28, 22, 24
    plot_w, plot_h = width - left - right, height - bottom - top
    step = plot_w / max(len(xs) - 1, 1)

    def pt(i: int, v: float) -> str:
        return f"{left + i * step:.1f},{top + plot_h - plot_h * (float(v) - lo) / (hi - lo):.1f}"

    out = [f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
           f'aria-label="{escape(label, quote=True)}" xmlns="http://www.w3.org/2000/svg">',
           f'<text x="{left}" y="14" class="ctitle">{escape(label)}</text>',
           f'<text x="{left - 4}" y="{top + 8}" class="tick" text-anchor="end">'
           f'{escape(short(hi, currency))}</text>',
           f'<text x="{left - 4}" y="{top + plot_h}" class="tick" text-anchor="end">'
           f'{escape(short(lo, currency))}</text>']
    for n, (name, (low, high)) in enumerate((bands or {}).items()):
        pts = [pt(i, v) for i, v in enumerate(high)] + \
            [pt(i, v) for i, v in reversed(list(enumerate(low)))]
        out.append(f'<polygon points="{" ".join(pts)}" fill="{SERIES[n % len(SERIES)]}" '
                   f'opacity="0.15"><title>{escape(name)}</title></polygon>')
    for n, (name, values) in enumerate(series.items()):
        colour = SERIES[n % len(SERIES)]
        pts = " ".join(pt(i, v) for i, v in enumerate(values))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2">'
                   f'<title>{escape(name)}</title></polyline>'
                   f'<text x="{left + 4 + 150 * n}" y="{height - 2}" class="legend" '
                   f'fill="{colour}">■ {escape(name)}</text>')
    for i, xl in enumerate(xs):
        if len(xs) <= 12 or i % max(len(xs) // 10, 1) == 0:
            out.append(f'<text x="{left + i * step:.1f}" y="{top + plot_h + 12}" class="tick" '
                       f'text-anchor="middle">{escape(str(xl))}</text>')
    out.append("</svg>")
    return "".join(out)


def short(value: float, currency: str | None = None) -> str:
    """1234567890 -> '1.23B'; with a currency, in it through Babel ('$1.23B', '€950')."""
    value = float(value)
    if currency:
        from .. import api
        return api.compact_money(value, currency, fraction_digits=2)
    for size, suffix in ((1e12, "T"), (1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"
