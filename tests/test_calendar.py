"""The obligations calendar across the flagship portfolio; the .ics read back by icalendar.

Expected entries are read off the documents: any-cloud (openai-microsoft 2026-04-27) adds the duty
to ship first on Azure unless microsoft-declines-support; revenue-share-to-microsoft runs until
2030-12-31 with a total cap of 38,000,000,000; aws-compute (openai-amazon) is to be spent by
2032-11-02; stateless-api-exclusivity is not restated by 2026-04-27, so its last day is 2026-04-26.
"""

from __future__ import annotations

import datetime as dt
import json

from icalendar import Calendar

from termsheet.portfolio import load
from termsheet.portfolio.calendar import calendar, to_ics

from conftest import FLAGSHIP
from support.cli import run_cli

AGREEMENTS = FLAGSHIP.parent
D = dt.date


def run(*args: str):
    return run_cli(*args)


def test_dated_duties_and_deadlines():
    cal = calendar(load(AGREEMENTS), D(2026, 1, 1), D(2035, 12, 31))
    got = {(e.date, e.kind, e.agreement, e.clause) for e in cal.entries}
    assert (D(2026, 4, 27), "duty", "openai-microsoft", "any-cloud") in got
    assert (D(2030, 12, 31), "ends", "openai-microsoft", "revenue-share-to-microsoft") in got
    assert (D(2032, 11, 2), "deadline", "openai-amazon", "aws-compute") in got
    assert (D(2034, 2, 26), "deadline", "openai-amazon", "aws-compute-expansion") in got
    assert (D(2026, 4, 26), "removed", "openai-microsoft", "stateless-api-exclusivity") in got
    duty = next(e for e in cal.entries if e.kind == "duty")
    assert duty.condition == "unless microsoft-declines-support"
    share = next(e for e in cal.entries if e.clause == "revenue-share-to-microsoft")
    assert "total cap of 38,000,000,000 USD" in share.text
    assert all(D(2026, 1, 1) <= e.date <= D(2035, 12, 31) for e in cal.entries)
    assert [e.date for e in cal.entries] == sorted(e.date for e in cal.entries)
    # the further $35 billion from Amazon starts on an event that has no date
    assert any(e.clause == "amazon-further-investment" and e.kind == "starts"
               for e in cal.undated)


def test_ics_reads_back_with_icalendar():
    cal = calendar(load(AGREEMENTS), D(2026, 1, 1), D(2035, 12, 31))
    parsed = Calendar.from_ical(to_ics(cal))
    events = list(parsed.walk("VEVENT"))
    assert len(events) == len(cal.entries)
    deadline = next(e for e in events if "aws-compute." in str(e["UID"]))
    assert deadline.decoded("DTSTART") == D(2032, 11, 2)
    assert deadline.decoded("DTEND") == D(2032, 11, 3)
    assert str(deadline["SUMMARY"]) == ("openai-amazon: openai to spend 38,000,000,000 USD with "
                                        "amazon on compute")
    assert len({str(e["UID"]) for e in events}) == len(events)


def test_cli_formats():
    ics = run("calendar", str(AGREEMENTS), "--from", "2030-01-01", "--to", "2030-12-31",
              "--format", "ics")
    assert ics.returncode == 0, ics.stderr
    events = list(Calendar.from_ical(ics.stdout).walk("VEVENT"))
    # 2030: research-ip-license and revenue-share-to-microsoft both end on 2030-12-31
    assert sorted(str(e["UID"]).split(".")[2] for e in events) == [
        "research-ip-license", "revenue-share-to-microsoft"]
    data = json.loads(run("calendar", str(AGREEMENTS), "--format", "json").stdout)
    assert data["entries"] and data["undated"]
    assert run("calendar", str(AGREEMENTS), "--format", "xml").returncode == 2


def test_the_table_on_a_narrow_terminal_keeps_every_word():
    """At 60 columns each entry is stacked (its date, agreement and clause, then what it says
    on lines of its own): no id is folded and no text cut with an ellipsis."""
    import re
    from rich.console import Console

    from termsheet.cli import portfolio
    wide = run("calendar", str(AGREEMENTS), "--from", "2030-01-01", "--to", "2030-12-31")
    saved = portfolio.console
    portfolio.console = Console(width=60, record=True, color_system=None, emoji=False)
    try:
        portfolio.calendar(AGREEMENTS, "2030-01-01", "2030-12-31", "table", [], False)
    finally:
        narrow, portfolio.console = portfolio.console.export_text(), saved
    assert wide.returncode == 0
    assert "…" not in narrow and max(len(line.rstrip()) for line in narrow.splitlines()) <= 60
    words = re.sub(r"\s+", " ", narrow)
    assert "2030-12-31 openai-microsoft@2026-04-27 revenue-share-to-microsoft" in words
    assert ("ends: openai's revenue share to microsoft (revenue-share-to-microsoft) ends, with "
            "its total cap of 38,000,000,000 USD") in words
