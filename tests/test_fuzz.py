"""Whatever the input, parsing yields problems, never an exception."""

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from termsheet import parse
from termsheet.agreement.model import Version

FLAGSHIP = sorted((Path(__file__).resolve().parents[1] / "agreements" / "openai-microsoft")
                  .glob("*.md"))
TEXTS = [p.read_text() for p in FLAGSHIP]
SNIPPETS = ["---", "```", "```terms", ":", "- ", "[", "{", "}", "]", "\n", "  ", "%", "-1",
            "2026-02-30", "until:", "kind: license", "id: x", "&a", "*a", "!!python/object", "~",
            "\t", "'", '"', "1e400", "nan", ".inf", "on:", "rate: 200%", "tiers:", "\x00"]


def check(text: str) -> None:
    version, problems = parse(text, "fuzz.md")
    assert version is None or isinstance(version, Version)
    assert version is not None or problems
    for problem in problems:
        assert problem.line >= 1 and problem.column >= 1 and problem.code.startswith("E")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_random_text(text):
    check(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(TEXTS), st.lists(st.tuples(st.floats(0, 1), st.integers(0, 40),
                                                  st.sampled_from(SNIPPETS)), max_size=6))
def test_mutated_flagship_documents(text, edits):
    for where, cut, snippet in edits:
        at = int(where * len(text))
        text = text[:at] + snippet + text[at + cut:]
    check(text)
