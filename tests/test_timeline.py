"""timeline(history): every clause's active window, read off the flagship documents by hand."""

from __future__ import annotations

import json
from datetime import date

import pytest

from termsheet import timeline
from termsheet.cli import main
from termsheet.diff.timeline import draw, merged, table

D = date.fromisoformat

# clause -> merged windows (first day, last day or None for open), worked out from each version's
# effective date, the next version's effective date and the clause's own until.
WINDOWS = {
    "microsoft-investment": [("2019-07-22", "2025-10-27")],
    "azure-exclusivity": [("2019-07-22", "2025-01-20")],
    "preferred-commercialization-partner": [("2019-07-22", None)],
    "capped-profit": [("2019-07-22", "2025-10-27")],
    "gpt3-license": [("2020-09-22", "2023-01-22")],
    "ip-license": [("2023-01-23", "2032-12-31")],
    "agi-determination": [("2023-01-23", "2026-04-26")],
    "revenue-share-to-microsoft": [("2023-01-23", "2030-12-31")],
    "revenue-share-to-openai": [("2023-01-23", "2026-04-26")],
    "right-of-first-refusal-compute": [("2025-01-21", "2025-10-27")],
    "api-exclusivity": [("2025-01-21", "2026-04-26")],
    "microsoft-equity": [("2025-10-28", None)],
    "azure-commitment": [("2025-10-28", None)],
    "stateless-api-exclusivity": [("2025-10-28", "2026-04-26")],
    "any-cloud": [("2025-10-28", None)],
    "national-security-any-cloud": [("2025-10-28", "2026-04-26")],
    "research-ip-license": [("2025-10-28", "2030-12-31")],
    "ai-cooperation": [("2026-04-27", None)],
}


def windows(row):
    return [(s.isoformat(), e.isoformat() if e else None) for s, e, _ in merged(row)]


def test_one_row_per_clause_id_in_order_of_first_appearance(flagship):
    tl = timeline(flagship)
    assert [r.clause for r in tl.rows] == list(WINDOWS)
    assert [v for v, _ in tl.versions] == [v.version for v in flagship.versions]


@pytest.mark.parametrize("clause", list(WINDOWS))
def test_active_windows(flagship, clause):
    assert windows(timeline(flagship).row(clause)) == WINDOWS[clause]


def test_versions_where_terms_changed(flagship):
    tl = timeline(flagship)
    assert tl.row("ip-license").changed_in == ("2025-01-21", "2025-10-28", "2026-04-27")
    assert tl.row("revenue-share-to-openai").changed_in == ("2025-01-21", "2025-10-28")
    assert tl.row("microsoft-investment").changed_in == ("2023-01-23",)
    # only sources and notes changed in 2026-02-27: no marker
    assert tl.row("stateless-api-exclusivity").changed_in == ()
    assert tl.row("revenue-share-to-microsoft").versions == (
        "2023-01-23", "2025-01-21", "2025-10-28", "2026-02-27", "2026-04-27")


def test_an_event_ends_terms_the_day_before(flagship):
    tl = timeline(flagship, {"agi-verified": D("2026-01-01")})
    # 2025-10-28: until agi-verified -> 2025-12-31; 2026-02-27 starts after that: not active
    assert windows(tl.row("revenue-share-to-openai")) == [("2023-01-23", "2025-12-31")]
    # first of agi-verified and 2030; the 2026-04-27 version runs it again through 2030
    assert windows(tl.row("research-ip-license")) == [("2025-10-28", "2025-12-31"),
                                                       ("2026-04-27", "2030-12-31")]
    assert windows(tl.row("revenue-share-to-microsoft")) == [("2023-01-23", "2025-12-31"),
                                                              ("2026-04-27", "2030-12-31")]
    assert dict(tl.events) == {"agi-verified": D("2026-01-01")}


def test_table_rows(flagship):
    rows = {r["clause"]: r for r in table(timeline(flagship))}
    assert rows["ip-license"]["active"] == "2023-01-23 → 2032-12-31"
    assert rows["ip-license"]["versions"] == "2023-01-23 … 2026-04-27 (5)"
    assert rows["gpt3-license"]["versions"] == "2020-09-22"
    assert rows["ai-cooperation"]["active"] == "2026-04-27 → open"
    assert rows["azure-exclusivity"]["changed in"] == "—"


def test_chart_files(flagship, tmp_path):
    svg, png = draw(timeline(flagship), tmp_path)
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000
    text = svg.read_text()
    assert "revenue-share-to-microsoft" in text and "2026-04-27" in text


def test_cli_timeline_json(flagship_dir, tmp_path, capsys):
    with pytest.raises(SystemExit) as done:
        main(["timeline", str(flagship_dir), "--out", str(tmp_path), "--json"])
    assert done.value.code == 0
    data = json.loads(capsys.readouterr().out)
    assert len(data["rows"]) == 18 and (tmp_path / "openai-microsoft-timeline.png").exists()
    row = next(r for r in data["rows"] if r["clause"] == "revenue-share-to-openai")
    assert (row["start"], row["end"]) == ("2023-01-23", "2026-04-26")


def test_cli_timeline_unknown_event(flagship_dir, tmp_path, capsys):
    with pytest.raises(SystemExit) as done:
        main(["timeline", str(flagship_dir), "--out", str(tmp_path),
              "--event", "agi-verifed=2029-01-01"])
    assert done.value.code == 1
    assert "E013 unknown event 'agi-verifed'" in capsys.readouterr().err


def test_cli_timeline_bad_date_is_misuse(flagship_dir, tmp_path):
    with pytest.raises(SystemExit) as done:
        main(["timeline", str(flagship_dir), "--out", str(tmp_path),
              "--event", "agi-verified=soon"])
    assert done.value.code == 2
