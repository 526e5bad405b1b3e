"""Tier bands per group of any input column (``tiers: {by: COLUMN}``): a column the input lacks
is a positioned error (E062, exit 1); a FOCUS column named as it is written; groups carried from
run to run by the store. The hand-worked amounts are in tests/cases/settle/per-customer-*.yaml."""

from datetime import date
from decimal import Decimal

from termsheet import load_history_of
from termsheet.settle import settle
from termsheet.settle.store import Store
from support.cli import run_cli
from support.settle import write_inputs, write_versions


def case(by: str, bands: list | None = None, per: str = "period") -> dict:
    bands = bands or [{"above": 0, "rate": "10%"}, {"above": 1000, "rate": "30%"}]
    return {"versions": [{"clauses": [{
        "id": "resale", "kind": "revenue-share", "payer": "acme", "payee": "beta",
        "base": {"seller": "acme"}, "tiers": {"mode": "marginal", "per": per, "by": by,
                                             "bands": bands}}]}]}


def test_a_by_column_the_input_lacks_is_e062_with_its_file(tmp_path):
    """tiers by region over a revenue table without a region column: exit 1, E062 naming the
    file (line 1, its header), the column and the clause; nothing settled, no traceback."""
    spec = case("region") | {"revenue": [["2026-01-10", "Acme", "direct", "widget", "100",
                                          "USD"]]}
    folder = write_versions(spec, tmp_path / "agreement")
    (data,) = write_inputs(spec, tmp_path / "data")
    out = run_cli("settle", "--agreement", folder, data, "--no-store")
    assert out.returncode == 1, (out.stdout, out.stderr)
    text = out.stdout + out.stderr
    assert "E062" in text and "revenue.csv has no column 'region'" in text, text
    assert "'resale' of v1" in text and "Traceback" not in text


def test_a_focus_export_groups_by_a_column_named_as_written(tmp_path):
    """tiers by SubAccountId (any case) in a FOCUS export: 10% up to 1,000 a month per
    sub-account, 30% above. S-1 1,500: 100 + 150 = 250; S-2 500: 50; 300.00. A sub-account
    customer alias resolves the same way (``sub-account``)."""
    rows = [{"ChargePeriodStart": f"2026-01-0{d} 00:00:00", "BilledCost": amount,
             "SubAccountId": sub} for d, amount, sub in ((3, "1000", "S-1"), (4, "500", "S-1"),
                                                         (5, "500", "S-2"))]
    for name in ("subaccountid", "sub-account"):
        spec = case(name) | {"focus": rows}
        history = load_history_of(write_versions(spec, tmp_path / name / "agreement"))
        result = settle(history, write_inputs(spec, tmp_path / name / "data"))
        assert [line.amount for line in result.lines] == [Decimal("300.00")], name


def test_groups_of_a_column_carry_from_run_to_run(tmp_path):
    """Per customer and per year, 10% up to 20,000, 20% above, settled month by month into a
    store: Globex 15,000 in January (1,500.00), 10,000 in February: its year's volume reaches
    25,000 (5,000 at 10% + 5,000 at 20% = 1,500.00), Initech's 10,000 in February stays at 10%
    (1,000.00): February 2,500.00, as one run over both months gives."""
    spec = case("customer", [{"above": 0, "rate": "10%"}, {"above": 20000, "rate": "20%"}],
                per="year")
    history = load_history_of(write_versions(spec, tmp_path / "agreement"))
    header = "date,seller,channel,product,amount,currency,customer\n"
    january, february = tmp_path / "jan.csv", tmp_path / "feb.csv"
    january.write_text(header + "2026-01-10,Acme,direct,widget,15000,USD,Globex\n")
    february.write_text(header + "2026-02-10,Acme,direct,widget,10000,USD,Globex\n"
                        "2026-02-11,Acme,direct,widget,10000,USD,Initech\n")
    with Store(tmp_path / "s.duckdb") as store:
        for path, first, last in ((january, date(2026, 1, 1), date(2026, 1, 31)),
                                  (february, date(2026, 2, 1), date(2026, 2, 28))):
            store.record(settle(history, [path], start=first, end=last,
                                opening=lambda day: store.opening(history.agreement, day)))
        got = {line.label: line.amount for line in store.current_lines(history.agreement)}
    assert got == {"2026-01": Decimal("1500.00"), "2026-02": Decimal("2500.00")}


def test_per_quarter_terms_need_statements_of_a_quarter_at_most(tmp_path):
    """A per-quarter cap settled per year is E023 at its term; a minimum with neither per-year
    nor per-quarter is refused at the clause; a per-quarter minimum settled per quarter is fine."""
    from termsheet.api import validate

    def problems(extra: dict, name: str) -> list:
        spec = {"versions": [{"clauses": [{
            "id": "resale", "kind": "revenue-share", "payer": "acme", "payee": "beta",
            "rate": "10%", **extra}]}]}
        return validate(write_versions(spec, tmp_path / name) / "v1.md")

    (yearly,) = problems({"cap": {"per-quarter": 100}, "settle": "year"}, "yearly")
    assert yearly.code == "E023" and "cap.per-quarter" in yearly.message and yearly.line
    (empty,) = problems({"minimum": {}}, "empty")
    assert "per-year' or 'per-quarter" in empty.message and empty.line
    assert problems({"minimum": {"per-quarter": 100}, "settle": "quarter"}, "fine") == []
