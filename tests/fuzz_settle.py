"""The property run of tests/test_promises_fuzz.py, in a process of its own under a memory limit:
random concatenations of CSV exports and random dates fed to `settle` and `validate` as a user
runs them (the command line's own entry point, in this process).

For every example: the exit code is 0, 1 or 2; on 0, every physical line of the file is accounted
for (header lines + blank lines + rows) and every row is in the reconciliation, in one of its
columns; on anything else, the store is byte for byte as it was.

Run: python tests/fuzz_settle.py [examples]
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import sys
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings, strategies as st

sys.path.insert(0, str(Path(__file__).parent))
from support.settle import write_versions  # noqa: E402

from termsheet.cli import main  # noqa: E402

EXAMPLES = int(sys.argv[1]) if len(sys.argv) > 1 else 25
# As in conftest.py: CI runs with a fixed seed ("ci").
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
COLUMNS = ["date", "seller", "channel", "product", "amount", "currency"]

dates = st.one_of(
    st.dates().map(str),  # 0001-01-01 .. 9999-12-31
    st.sampled_from(["2026-01-05", "2026-02-28", "2026-03-31", "0001-01-01", "9999-12-31",
                     "9998-12-31", "9999-12-31T23:00:00-05:00", "0001-01-01T01:00:00+05:00",
                     "2026-02-30", "10000-01-01", "epoch", "infinity", "-infinity", "today",
                     "now", "yesterday", "allballs", "", "NULL", "2026-01-05 BC"]),
)
amounts = st.one_of(
    st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False).map(str),
    st.sampled_from(["12345678901234567890123456789", "1_000", "1e3", "", "NaN", "inf",
                     "0x10", "1,5", " 7 "]),
)
rows = st.tuples(dates, st.sampled_from(["Acme", "ACME", "Other Co", ""]), amounts,
                 st.sampled_from(["USD", "usd", "EUR", ""]),
                 st.sampled_from(["ok", "ok", "ok", "short", "long", "blank"]))
segments = st.lists(st.tuples(st.booleans(), st.lists(rows, max_size=6)), min_size=1,
                    max_size=3)


def render(parts) -> tuple[str, int, int]:
    """The file's text, its physical lines and its rows (records other than headers and
    blank lines), counted as the file is written."""
    lines, count = [], 0
    for extra, items in parts:
        header = COLUMNS + (["Tags"] if extra else [])
        lines.append(",".join(header))
        for day, seller, amount, currency, shape in items:
            if shape == "blank":
                lines.append("")
                continue
            fields = [day, seller, "direct", "widget", f'"{amount}"', currency]
            fields += ["t"] if extra else []
            if shape == "short":
                fields = fields[:3]
            elif shape == "long":
                fields = fields + ["x", "y"]
            lines.append(",".join(fields))
            count += 1
    return "\n".join(lines) + "\n", len(lines), count


def cli(*args) -> tuple[int, str]:
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as done:
            code = done.code or 0
    return code, out.getvalue()


def digest(path: Path) -> str | None:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.exists() else None


def check(folder: Path) -> None:
    agreement = write_versions({"versions": [{"clauses": [{
        "id": "share", "kind": "revenue-share", "payer": "acme", "payee": "beta",
        "base": {"seller": "acme"}, "rate": "10%"}]}]}, folder / "acme-beta")
    store = folder / "store.duckdb"
    # A first run, so that the store has something to lose.
    seed = folder / "seed.csv"
    seed.write_text(",".join(COLUMNS) + "\n2026-01-05,Acme,direct,widget,100,USD\n")
    assert cli("settle", seed, "-a", agreement, "--store", store, "--json")[0] == 0
    counter = iter(range(10**9))

    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck),
              phases=[Phase.explicit, Phase.generate])  # no shrinking: a few seconds, always
    @given(parts=segments, start=st.one_of(st.none(), dates), effective=dates)
    def settle_and_validate(parts, start, effective):
        text, physical, count = render(parts)
        path = folder / f"in-{next(counter)}.csv"
        path.write_text(text)
        before = digest(store)
        args = ["settle", path, "-a", agreement, "--store", store, "--json"]
        if start:
            args += ["--from", start]
        code, out = cli(*args)
        assert code in (0, 1, 2), (code, text)
        if code == 0:
            result = json.loads(out)
            lines = result["sources"][0]["lines"]
            assert lines["lines"] == physical, (lines, text)
            assert lines["rows"] == count, (lines, text)
            assert (len(lines["header_lines"]) + lines["blank_lines"] + lines["rows"]
                    + lines["continued"]) == physical
            recon = result["reconciliation"]
            assert sum(r["in"]["rows"] for r in recon) == count, (recon, text)
            for r in recon:
                assert r["in"]["rows"] == (r["settled"]["rows"] + r["out_of_scope"]["rows"]
                                           + r["quarantined"]["rows"])
            quarantined = {q["line"] for q in result["quarantine"]}
            assert all(1 < line <= physical for line in quarantined)
        else:
            assert digest(store) == before, text
        # validate: the agreement with a random effective date
        version = (agreement / "v1.md").read_text()
        other = folder / f"doc-{next(counter)}.md"
        other.write_text(version.replace("effective: 2026-01-01", f"effective: {effective}"))
        code, _ = cli("validate", other, "--json")
        assert code in (0, 1, 2), code

    settle_and_validate()


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="termsheet-fuzz-") as folder:
        check(Path(folder))
    print(f"ok: {EXAMPLES} examples")
    sys.stdout.flush()
    os._exit(0)
