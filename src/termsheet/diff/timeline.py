"""Every clause's active window across the whole history of an agreement: a table and a chart.

A clause is active in a version from its start (the version's effective date, or its own
``from``) to its end (its ``until``, clipped to the last day the version is in force). Windows of
one clause id in consecutive versions that touch are drawn as one bar; a marker shows each
version where its terms changed. A term that ends on an event uses the event dates given; an
event with no date never happens, so such a clause runs as long as its version does (drawn
hatched when that is open-ended).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Mapping

from .changes import compare_clauses, heading_text
from ..agreement.history import History
from ..agreement.scope import scope_text
from ..agreement.model import clause_window, events_in

# One colour per clause kind (colour-blind-safe, after Okabe and Ito).
KIND_COLOURS = {
    "exclusivity": "#D55E00",
    "distribution": "#009E73",
    "license": "#0072B2",
    "right-of-first-refusal": "#CC79A7",
    "revenue-share": "#E69F00",
    "equity": "#56B4E9",
    "commitment": "#7F7F7F",
    "cooperation": "#B8A21A",
}


@dataclass(frozen=True, slots=True)
class Segment:
    """The days one version's clause is active; ``end`` None: open-ended."""

    version: str
    start: date
    end: date | None
    pending: tuple[str, ...] = ()   # events without a date that would end it

    def to_dict(self) -> dict[str, Any]:
        return {"version": self.version, "start": self.start.isoformat(),
                "end": self.end.isoformat() if self.end else None,
                "pending_events": list(self.pending)}


@dataclass(frozen=True, slots=True)
class Row:
    """One clause id across the history."""

    clause: str
    kind: str
    heading: str
    segments: tuple[Segment, ...]
    changed_in: tuple[str, ...] = ()   # versions whose terms differ from the previous version's
    scope: str = ""                    # where and for what a scoped licence or exclusivity holds

    @property
    def versions(self) -> tuple[str, ...]:
        return tuple(s.version for s in self.segments)

    @property
    def start(self) -> date:
        return self.segments[0].start

    @property
    def end(self) -> date | None:
        return self.segments[-1].end

    def to_dict(self) -> dict[str, Any]:
        return {"clause": self.clause, "kind": self.kind, "heading": self.heading,
                "start": self.start.isoformat(),
                "end": self.end.isoformat() if self.end else None,
                "versions": list(self.versions), "changed_in": list(self.changed_in),
                "segments": [s.to_dict() for s in self.segments],
                **({"scope": self.scope} if self.scope else {})}


@dataclass(frozen=True, slots=True)
class Timeline:
    agreement: str
    versions: tuple[tuple[str, date], ...]
    rows: tuple[Row, ...]
    events: tuple[tuple[str, date], ...] = ()

    def row(self, clause_id: str) -> Row | None:
        return next((r for r in self.rows if r.clause == clause_id), None)

    @property
    def horizon(self) -> date:
        """Right edge of a chart: past the last finite end and the last version."""
        ends = [s.end for r in self.rows for s in r.segments if s.end is not None]
        last = max([*ends, self.versions[-1][1] + timedelta(days=365)])
        return last + timedelta(days=180)

    def to_dict(self) -> dict[str, Any]:
        return {"agreement": self.agreement,
                "versions": [{"version": v, "effective": d.isoformat()} for v, d in self.versions],
                "events": {e: d.isoformat() for e, d in self.events},
                "rows": [r.to_dict() for r in self.rows]}


def timeline(history: History, events: Mapping[str, date] | None = None) -> Timeline:
    """Every clause's active windows, one row per clause id, in order of first appearance."""
    events = dict(events or {})
    segments: dict[str, list[Segment]] = {}
    kinds: dict[str, str] = {}
    headings: dict[str, str] = {}
    changed: dict[str, list[str]] = {}
    scopes: dict[str, str] = {}
    previous = None
    for version, effective, end in history.windows():
        for clause in version.clauses:
            window = clause_window(clause, effective, end, events)
            kinds[clause.id] = clause.kind
            headings[clause.id] = heading_text(clause) or clause.id
            scopes[clause.id] = scope_text(clause).strip() if hasattr(clause, "territories") \
                else ""
            before = previous.clause(clause.id) if previous is not None else None
            if before is not None and any(not t.provenance
                                          for t in compare_clauses(before, clause)):
                changed.setdefault(clause.id, []).append(version.version)
            if window is None:
                continue
            pending = tuple(e for e in events_in(clause.until) if e not in events)
            segments.setdefault(clause.id, []).append(
                Segment(version.version, window[0], window[1], pending))
        previous = version
    rows = tuple(Row(cid, kinds[cid], headings[cid], tuple(segs), tuple(changed.get(cid, ())),
                     scopes.get(cid, "")) for cid, segs in segments.items())
    return Timeline(history.agreement, tuple((v.version, v.effective) for v in history.versions),
                    rows, tuple(sorted(events.items())))


def merged(row: Row) -> list[tuple[date, date | None, tuple[str, ...]]]:
    """A row's segments joined where one ends the day before the next starts."""
    spans: list[list[Any]] = []
    for seg in row.segments:
        if spans and spans[-1][1] is not None and spans[-1][1] + timedelta(days=1) == seg.start:
            spans[-1][1], spans[-1][2] = seg.end, seg.pending
        else:
            spans.append([seg.start, seg.end, seg.pending])
    return [tuple(s) for s in spans]


def table(tl: Timeline) -> list[dict[str, str]]:
    """The timeline as rows of text, for a terminal table or a CSV."""
    out = []
    for row in tl.rows:
        windows = []
        for start, end, pending in merged(row):
            text = f"{start.isoformat()} → {end.isoformat() if end else 'open'}"
            if pending and end is None:
                text += f" (until {', '.join(pending)})"
            windows.append(text)
        versions = row.versions
        out.append({"clause": row.clause, "kind": row.kind, "heading": row.heading,
                    "active": "; ".join(windows),
                    "versions": versions[0] if len(versions) == 1 else
                    f"{versions[0]} … {versions[-1]} ({len(versions)})",
                    "changed in": ", ".join(row.changed_in) or "—",
                    **({"scope": row.scope} if row.scope else {})})
    return out


def draw(tl: Timeline, out_dir: str | Path, name: str | None = None) -> tuple[Path, Path]:
    """Write the chart as SVG and PNG into ``out_dir``; returns both paths."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out_dir = Path(out_dir)
    stem = out_dir / (name or f"{tl.agreement}-timeline")
    fig = _figure(tl, plt)
    paths = (stem.with_suffix(".svg"), stem.with_suffix(".png"))
    from ..agreement.atomic import replacing
    try:
        with replacing(paths[0]) as temp:
            fig.savefig(temp, bbox_inches="tight")
        with replacing(paths[1]) as temp:
            fig.savefig(temp, dpi=150, bbox_inches="tight")
    finally:
        plt.close(fig)
    return paths


def _figure(tl: Timeline, plt: Any) -> Any:
    import matplotlib.dates as mdates
    from matplotlib.patches import Patch

    rows = tl.rows
    fig, ax = plt.subplots(figsize=(13, 1.6 + 0.42 * len(rows)))
    horizon = tl.horizon
    for y, row in enumerate(rows):
        colour = KIND_COLOURS.get(row.kind, "#999999")
        for start, end, pending in merged(row):
            stop = end + timedelta(days=1) if end else horizon
            ax.barh(y, mdates.date2num(stop) - mdates.date2num(start),
                    left=mdates.date2num(start), height=0.62, color=colour,
                    edgecolor="white" if end else colour, linewidth=0.8,
                    hatch="///" if (end is None and pending) else None,
                    alpha=0.55 if end is None else 0.95)
            if end is None:
                ax.plot(mdates.date2num(horizon), y, marker=">", color=colour, markersize=7)
        for version_id in row.changed_in:
            day = dict(tl.versions)[version_id]
            ax.plot(mdates.date2num(day), y, marker="D", color="white", markeredgecolor="black",
                    markersize=5, zorder=5)
    ax.set_yticks(range(len(rows)), [r.clause for r in rows], fontsize=9)
    ax.invert_yaxis()
    ax.set_ylim(len(rows) - 0.4, -1.3)
    ax.set_xlim(mdates.date2num(tl.versions[0][1] - timedelta(days=120)),
                mdates.date2num(horizon))
    _versions(ax, tl, len(rows), mdates)
    for event_id, day in tl.events:
        ax.axvline(mdates.date2num(day), color="#B00020", linestyle=":", linewidth=1.2)
        ax.annotate(event_id, (mdates.date2num(day), -0.35), xytext=(3, 0),
                    textcoords="offset points", fontsize=8, color="#B00020", ha="left",
                    va="center", bbox={"boxstyle": "square,pad=0.1", "facecolor": "white",
                                       "edgecolor": "none"})
    ax.xaxis.set_major_locator(mdates.YearLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.grid(axis="x", color="#e5e5e5", linewidth=0.6)
    ax.set_axisbelow(True)
    kinds = list(dict.fromkeys(r.kind for r in rows))
    handles = [Patch(color=KIND_COLOURS.get(k, "#999999"), label=k) for k in kinds]
    handles.append(plt.Line2D([], [], marker=">", color="#666666", linestyle="",
                              label="open-ended (faded)"))
    if any(p for r in rows for _, end, p in merged(r) if end is None):
        handles.append(Patch(facecolor="white", edgecolor="#666666", hatch="///",
                             label="open until an event with no date"))
    handles.append(plt.Line2D([], [], marker="D", color="white", markeredgecolor="black",
                              linestyle="", label="terms changed"))
    ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.06), ncol=5,
              fontsize=8.5, frameon=False)
    ax.set_title(f"{tl.agreement}: when each clause applies", fontsize=12, loc="left", pad=40)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig


def _versions(ax: Any, tl: Timeline, count: int, mdates: Any) -> None:
    """Dashed lines at each version's effective date, labels staggered so none overlap."""
    left, right = ax.get_xlim()
    # A label's width in days: ~0.085 in per character at 8 pt over ~10.5 in of axis.
    per_char = (right - left) / 10.5 * 0.085
    level_ends: list[float] = []
    for version_id, day in tl.versions:
        x = mdates.date2num(day)
        ax.axvline(x, color="#333333", linestyle="--", linewidth=0.8, zorder=1)
        level = next((i for i, end in enumerate(level_ends) if end < x), len(level_ends))
        if level == len(level_ends):
            level_ends.append(0.0)
        level_ends[level] = x + per_char * (len(version_id) + 1)
        ax.annotate(version_id, (x, -0.7), xytext=(2, 11 * level), textcoords="offset points",
                    fontsize=8, ha="left", va="bottom", annotation_clip=False,
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white",
                          "edgecolor": "none"})
