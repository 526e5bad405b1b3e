import termsheet

# The public names; a change here is a change of the public interface.
EXPECTED = {
    "Clause", "ClauseBase", "Commitment", "Cooperation", "Distribution", "Equity", "Exclusivity",
    "History", "License", "Problem", "RevenueShare", "RightOfFirstRefusal", "Span",
    "TermsheetError", "Version", "load", "load_history", "load_history_of", "load_version",
    "parse", "parse_file", "render", "validate", "__version__",
    "BuyCompute", "Decision", "Distribute", "GrantLicense", "UseLicense", "decide",
    "Diff", "diff", "narrate", "timeline",
    "Scenario", "Simulation", "load_scenario", "simulate",
    "Settlement", "settle",
}


def test_all_is_pinned():
    assert set(termsheet.__all__) == EXPECTED


def test_every_public_name_exists():
    for name in termsheet.__all__:
        assert hasattr(termsheet, name), name


def test_every_problem_code_used_is_documented():
    import re
    from pathlib import Path

    from termsheet.agreement.problems import CODES
    source = Path(termsheet.__file__).parent
    used = {code for path in source.rglob("*.py")
            for code in re.findall(r'"(E0\d{2})"', path.read_text())} - {"E000"}
    assert used <= set(CODES), sorted(used - set(CODES))
    table = (source.parents[1] / "docs" / "architecture.md").read_text()
    for code in CODES:
        number = int(code[1:])
        rows = [line for line in table.splitlines() if line.startswith("| E")]
        ranges = [(int(a), int(b or a)) for row in rows
                  for a, b in re.findall(r"E(\d{3})(?:[–-]E(\d{3}))?", row.split("|")[1])]
        assert any(a <= number <= b for a, b in ranges), code
