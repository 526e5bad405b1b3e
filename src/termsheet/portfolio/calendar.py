"""The obligations calendar: every dated duty and deadline across a portfolio.

For each agreement, a clause is followed through the versions that restate it (by id). Entries:

- ``deadline``: a commitment's ``by`` date;
- ``duty``: the first day of a first-launch duty (ship first on a channel, with its condition);
- ``starts``: a clause that begins later than its version (a ``from`` date or event);
- ``ends``: the last day of a clause's own term (``until``), with what ends with it (a revenue
  share's cap, a licence's exclusivity);
- ``removed``: the last day of a clause that a later version does not restate;
- ``rate``: a step of a rate schedule.

A term that ends or starts on an event without a date is listed as undated, with the event. The
calendar is read from the documents alone: no clock is read, so the ``.ics`` stamp is the latest
effective date in the portfolio.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Mapping

from ..agreement.describe import money
from ..agreement.history import History
from ..agreement.model import (
    ClauseBase, Commitment, Distribution, Exclusivity, License, RevenueShare, Version,
    clause_window, events_in, looks_like_date, resolve_end,
)
from .load import Portfolio


@dataclass(frozen=True, slots=True)
class Entry:
    date: dt.date | None
    kind: str
    agreement: str
    version: str
    clause: str
    heading: str
    text: str
    condition: str | None = None
    source: tuple[str, ...] = ()
    at: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date, "kind": self.kind, "agreement": self.agreement,
                "version": self.version, "clause": self.clause, "heading": self.heading,
                "text": self.text, "condition": self.condition, "source": list(self.source),
                "at": self.at}


@dataclass(frozen=True)
class Calendar:
    start: dt.date | None
    end: dt.date | None
    entries: tuple[Entry, ...]
    undated: tuple[Entry, ...]
    stamp: dt.date

    def to_dict(self) -> dict[str, Any]:
        return {"from": self.start, "to": self.end,
                "entries": [e.to_dict() for e in self.entries],
                "undated": [e.to_dict() for e in self.undated]}


def _entry(day, kind, history: History, version: Version, clause: ClauseBase, text: str,
           condition: str | None = None) -> Entry:
    return Entry(day, kind, history.agreement, version.version, clause.id, clause.heading, text,
                 condition, clause.sources, str(clause.span) if clause.span else "")


def history_entries(history: History, events: Mapping[str, dt.date]) -> list[Entry]:
    out: list[Entry] = []
    windows = history.windows()
    for index, (version, vstart, vend) in enumerate(windows):
        known = {k: v for k, v in events.items() if k in version.events}
        previous = windows[index - 1][0] if index else None
        following = windows[index + 1][0] if index + 1 < len(windows) else None
        for clause in version.clauses:
            window = clause_window(clause, version.effective, vend, known)
            earlier = previous.clause(clause.id) if previous is not None else None
            later = following.clause(clause.id) if following is not None else None
            out += _clause_entries(history, version, clause, window, known, earlier, later,
                                   vend, following)
    return out


def _clause_entries(history, version, clause, window, events, earlier, later,
                    vend, following) -> list[Entry]:
    """The entries of one clause of one version; ``earlier`` and ``later`` are the same clause
    (by id) in the versions before and after, if they restate it."""
    before, after = earlier is not None, later is not None
    out: list[Entry] = []
    e = lambda day, kind, text, condition=None: _entry(  # noqa: E731
        day, kind, history, version, clause, text, condition)
    start = clause.from_
    if window is None:
        if isinstance(start, str) and not looks_like_date(start):
            out.append(e(None, "starts", f"{_what(clause)} begins when {start} happens",
                         start))
        return out
    first, last = window
    if start is not None and first > version.effective and not before:
        out.append(e(first, "starts", f"{_what(clause)} begins"))
    if isinstance(clause, Distribution) and clause.first_launch is not None and \
            getattr(earlier, "first_launch", None) != clause.first_launch:
        rule = clause.first_launch
        lead = f" {rule.lead_days} days" if rule.lead_days else ""
        out.append(e(first, "duty", f"{clause.party} must ship each product first on "
                     f"{rule.on}{lead}, before any other cloud", rule.unless and
                     f"unless {rule.unless}"))
    if isinstance(clause, Commitment) and clause.by is not None and \
            first <= clause.by and (vend is None or clause.by <= vend):
        out.append(e(clause.by, "deadline", f"{clause.party} to spend "
                     f"{money(clause.amount, version.currency)} with {clause.counterparty}"
                     + (f" on {clause.subject}" if clause.subject else "")))
    if isinstance(clause, RevenueShare) and isinstance(clause.rate, tuple):
        for step in clause.rate:
            if first < step.from_ and (last is None or step.from_ <= last):
                out.append(e(step.from_, "rate", f"{clause.payer}'s share to {clause.payee} "
                             f"becomes {step.rate * 100:.4g}%"))
    own_end = resolve_end(clause.until, events)
    if own_end is not None and (vend is None or own_end <= vend) and own_end >= first:
        out.append(e(own_end, "ends", f"{_what(clause)} ends{_with(clause, version)}"))
    elif last is not None and last == vend and not after and following is not None:
        out.append(e(last, "removed", f"{_what(clause)} ends: version {following.version} "
                     f"does not restate it"))
    elif own_end is None and not (after and later.until == clause.until):
        for event in events_in(clause.until):
            if event not in events:
                out.append(e(None, "ends", f"{_what(clause)} ends when {event} happens",
                             event))
    return out


def _what(clause: ClauseBase) -> str:
    if isinstance(clause, RevenueShare):
        return f"{clause.payer}'s revenue share to {clause.payee} ({clause.id})"
    if isinstance(clause, License):
        kind = "exclusive licence" if clause.exclusive else "licence"
        return f"{clause.licensee}'s {kind} from {clause.licensor} ({clause.id})"
    if isinstance(clause, Exclusivity):
        return f"the exclusivity on {clause.party}'s products ({clause.id})"
    if isinstance(clause, Commitment):
        return f"{clause.party}'s commitment to {clause.counterparty} ({clause.id})"
    return f"{clause.kind} {clause.id}"


def _with(clause: ClauseBase, version: Version) -> str:
    if isinstance(clause, RevenueShare) and clause.cap is not None and clause.cap.total:
        return f", with its total cap of {money(clause.cap.total, version.currency)}"
    return ""


def calendar(portfolio: Portfolio, start: dt.date | None = None, end: dt.date | None = None,
             events: Mapping[str, dt.date] | None = None) -> Calendar:
    """Every dated duty and deadline of every agreement between ``start`` and ``end``."""
    dated, undated = [], []
    for history in portfolio:
        for entry in history_entries(history, events or {}):
            if entry.date is None:
                undated.append(entry)
            elif (start is None or entry.date >= start) and (end is None or entry.date <= end):
                dated.append(entry)
    dated.sort(key=lambda e: (e.date, e.agreement, e.clause, e.kind))
    stamp = max(v.effective for _, v in portfolio.versions())
    return Calendar(start, end, tuple(dated), tuple(undated), stamp)


def to_ics(cal: Calendar) -> bytes:
    """The calendar as iCalendar (RFC 5545): one all-day event per dated entry."""
    from icalendar import Calendar as ICalendar, Event
    out = ICalendar()
    out.add("prodid", "-//termsheet//obligations calendar//EN")
    out.add("version", "2.0")
    out.add("x-wr-calname", "termsheet obligations")
    stamp = dt.datetime(cal.stamp.year, cal.stamp.month, cal.stamp.day, tzinfo=dt.timezone.utc)
    for entry in cal.entries:
        event = Event()
        event.add("uid", f"{entry.agreement}.{entry.version}.{entry.clause}.{entry.kind}."
                         f"{entry.date.isoformat()}@termsheet")
        event.add("dtstamp", stamp)
        event.add("dtstart", entry.date)
        event.add("dtend", entry.date + dt.timedelta(days=1))
        event.add("summary", f"{entry.agreement}: {entry.text}")
        description = f"{entry.kind} — {entry.heading} ({entry.agreement} version " \
                      f"{entry.version}, {entry.clause})"
        if entry.condition:
            description += f"\n{entry.condition}"
        if entry.source:
            description += f"\nsources: {', '.join(entry.source)}"
        event.add("description", description)
        event.add("categories", [entry.kind])
        out.add_component(event)
    return out.to_ical()
