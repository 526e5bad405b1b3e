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
