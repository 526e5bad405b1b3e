"""The command line's entry point: which output its problems take."""

import json

from termsheet.cli import wants_json
from support.cli import run_cli


def test_json_is_the_commands_own_option():
    assert wants_json(["validate", "a.md", "--json"])
    assert not wants_json(["validate", "a.md"])
    # "--json" taken as the value of --as-of is a date (a bad one), not a request for JSON
    assert not wants_json(["show", "a.md", "--as-of", "--json"])
    assert not wants_json(["no-such-command", "--json"])
    assert not wants_json([])


def test_problems_of_a_json_command_are_json(tmp_path):
    missing = tmp_path / "missing.md"
    result = run_cli("show", missing, "--json")
    assert result.returncode == 1
    data = json.loads(result.stdout)
    assert (data["ok"], [e["code"] for e in data["errors"]]) == (False, ["E004"])


def test_flags_show_no_value_type_in_the_help():
    """``--json`` takes no value: its help line shows none (Typer labels it ``<bool>``), while
    an option that takes one keeps its type."""
    for args in (["--help"], ["decide", "use-license", "--help"], ["settle", "--help"],
                 ["simulate", "--help"]):
        result = run_cli(*args)
        assert result.returncode == 0, result.stderr
        assert "<bool>" not in result.stdout, args
    verbose = next(line for line in run_cli("--help").stdout.splitlines() if "--verbose" in line)
    assert "<int>" not in verbose                      # -v counts: it takes no value either
    assert "<str>" in run_cli("decide", "use-license", "--help").stdout
