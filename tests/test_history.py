"""The flagship history: the chain, the version in force, effective windows, round trips."""

import shutil
from datetime import date

import pytest

from termsheet import History, load, load_history, parse, parse_file, render
from termsheet.agreement.history import check_chain

VERSIONS = ["2019-07-22", "2020-09-22", "2023-01-23", "2025-01-21", "2025-10-28", "2026-02-27",
            "2026-04-27"]


def test_flagship_loads_as_a_history_in_date_order(flagship):
    assert isinstance(flagship, History)
    assert flagship.agreement == "openai-microsoft"
    assert [v.version for v in flagship.versions] == VERSIONS
    assert [v.amends for v in flagship.versions] == [None] + VERSIONS[:-1]


@pytest.mark.parametrize("day,expected", [
    ("2019-07-21", None), ("2019-07-22", "2019-07-22"), ("2020-09-21", "2019-07-22"),
    ("2023-06-01", "2023-01-23"), ("2025-11-01", "2025-10-28"), ("2026-04-01", "2026-02-27"),
    ("2026-04-26", "2026-02-27"), ("2026-04-27", "2026-04-27"), ("2026-05-01", "2026-04-27"),
    ("2040-01-01", "2026-04-27"),
])
def test_in_force(flagship, day, expected):
    version = flagship.in_force(date.fromisoformat(day))
    assert (version.version if version else None) == expected


def test_windows_tile_the_history(flagship):
    windows = flagship.windows()
    assert windows[0][1] == date(2019, 7, 22)
    assert windows[4][1:] == (date(2025, 10, 28), date(2026, 2, 26))
    assert windows[5][1:] == (date(2026, 2, 27), date(2026, 4, 26))
    assert windows[-1][2] is None


@pytest.mark.parametrize("name", VERSIONS)
def test_round_trip_parse_render_parse(flagship_dir, name):
    version, problems = parse_file(flagship_dir / f"{name}.md")
    assert problems == []
    again, problems = parse(render(version), "rendered.md")
    assert problems == []
    assert again.model_dump() == version.model_dump()
    assert [c.heading for c in again.clauses] == [c.heading for c in version.clauses]
    assert [c.prose for c in again.clauses] == [c.prose for c in version.clauses]


def test_every_flagship_clause_cites_a_source(flagship):
    for version in flagship.versions:
        for clause in version.clauses:
            assert clause.sources, (version.version, clause.id)


def test_undisclosed_figures_are_marked_assumed(flagship):
    share = flagship.get("2026-04-27").clause("revenue-share-to-microsoft")
    assert set(share.assumed) >= {"rate", "cap"}
    assert share.cap.total == 38_000_000_000
    assert share.until == date(2030, 12, 31)


def _copy(flagship_dir, tmp_path):
    target = tmp_path / "agreement"
    shutil.copytree(flagship_dir, target)
    return target


def test_chain_problems(flagship_dir, tmp_path):
    folder = _copy(flagship_dir, tmp_path)
    path = folder / "2026-04-27.md"
    path.write_text(path.read_text().replace("amends: 2026-02-27", "amends: 2026-02-28", 1))
    history, problems = load_history(folder)
    assert history is None
    assert [p.code for p in problems] == ["E030"]
    assert "did you mean '2026-02-27'" in problems[0].hint
    text = path.read_text().replace("amends: 2026-02-28", "amends: 2026-04-27", 1)
    path.write_text(text)
    assert "E031" in {p.code for p in load_history(folder)[1]}


def test_effective_before_amended_version(flagship_dir, tmp_path):
    folder = _copy(flagship_dir, tmp_path)
    path = folder / "2026-04-27.md"
    path.write_text(path.read_text().replace("effective: 2026-04-27", "effective: 2026-01-01", 1))
    problems = load_history(folder)[1]
    assert [p.code for p in problems] == ["E032"]


def test_empty_folder_and_missing_path(tmp_path):
    assert load_history(tmp_path)[1][0].code == "E035"
    with pytest.raises(Exception) as err:
        load(tmp_path / "nope")
    assert "E004" in str(err.value)


def test_check_chain_accepts_the_flagship(flagship):
    assert check_chain(list(flagship.versions)) == []
