"""Settle 10,000,000 FOCUS rows (Parquet) under the flagship: termsheet against a hand-written DuckDB
SQL query and against pandas, computing the same statement amounts (asserted equal).

    python benchmarks/bench_settle.py [--rows 10000000] [--data DIR]

Synthetic billing for 2025-07..2026-12 (``termsheet generate-billing`` data, with its credits,
corrections, case variants and unusable rows) plus OpenAI's direct sales. Each contestant runs in
a fresh process; its time is the best of a few runs (files in the OS cache) and excludes start-up
(imports, and one run over the small direct-sales file that loads what libraries load lazily);
peak memory is the process's maximum resident set. Goals: at most 1.2x the SQL's
time, at least 10x faster than pandas, peak RSS under 2 GB.

With currency conversion switched on (an eighth of the rows in EUR, a rate table), and a second
pair with per-period tiers as well: ``termsheet-tiers`` settles the same rows under an agreement
of two tiered clauses (bands restarting each month; bands counted over each calendar year),
``sql-tiers`` is the same by hand in SQL; their amounts are asserted equal to the cent and the
ratio printed against that anchor.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "agreements" / "openai-microsoft"
FIRST, LAST = date(2025, 7, 1), date(2026, 12, 31)
CHUNK = 1_000_000

# Both anchors read the FOCUS rows and the direct sales as one table of rows, then tag each row
# with the clause it falls under (the tagging differs: it opens the ``tagged`` step).
SOURCE = """WITH src AS (
    SELECT CAST(ChargePeriodStart AS DATE) AS day, BilledCost AS cost, PublisherName AS seller,
           ServiceName AS service, ChargeCategory AS category, BillingCurrency AS currency
    FROM read_parquet('{focus}')
    UNION ALL
    SELECT date, amount, seller, NULL, 'usage', currency FROM read_parquet('{direct}')
), tagged AS (
    SELECT day, cost, upper(trim(currency)) AS currency,
"""

# Both anchors: each clause's rows summed by day and currency, then converted to USD at the rate
# in force on the day (an ASOF join on the rate table), rows without a rate left out.
CONVERT = """), daily AS (
    SELECT clause, day, currency, sum(cost) AS cost FROM tagged WHERE clause IS NOT NULL
    GROUP BY ALL
), rates AS (
    SELECT CAST(date AS DATE) AS date, "from", CAST(rate AS DECIMAL(38, 10)) AS rate
    FROM read_csv('{rates}', all_varchar = true) WHERE "to" = 'USD'
), converted AS (
    SELECT d.clause, d.day,
           CASE WHEN d.currency = 'USD' THEN d.cost
                ELSE CAST(d.cost * r.rate AS DECIMAL(38, 10)) END AS cost
    FROM daily d ASOF LEFT JOIN rates r ON d.currency = r."from" AND d.day >= r.date
    WHERE d.currency = 'USD' OR r.rate IS NOT NULL
"""


# The flagship's terms over 2025-07..2026-12, written out by hand: 20% each way; Microsoft's share
# to OpenAI ends when the 2026-04-27 version takes effect; OpenAI's share under that version is
# capped at $38B in total. Currency conversion is on: an eighth of the rows are billed in EUR and
# converted at the latest EUR->USD rate on or before their charge day (rates on weekdays only).
SQL = """
""" + SOURCE + """           CASE WHEN lower(seller) IN ('openai', 'openai group pbc', 'openai, l.l.c.')
                THEN 'revenue-share-to-microsoft'
                WHEN lower(seller) IN ('microsoft', 'microsoft corporation')
                     AND lower(service) = 'azure openai service' AND day < DATE '2026-04-27'
                THEN 'revenue-share-to-openai' END AS clause
    FROM src
    WHERE upper(trim(currency)) IN ('USD', 'EUR') AND cost IS NOT NULL
      AND day >= DATE '2025-01-21'
      AND lower(category) IN ('usage', 'purchase', 'credit', 'adjustment')
""" + CONVERT + """), lines AS (
    SELECT clause,
           CASE WHEN day >= DATE '2026-04-27' THEN '2026-04-27'
                WHEN day >= DATE '2026-02-27' THEN '2026-02-27'
                WHEN day >= DATE '2025-10-28' THEN '2025-10-28'
                ELSE '2025-01-21' END AS version,
           CAST(date_trunc('month', day) AS DATE) AS period, sum(cost) * 0.2 AS due
    FROM converted GROUP BY ALL
), paid AS (
    SELECT *, CASE WHEN version = '2026-04-27'
                   THEN least(38000000000, sum(due) OVER w) - least(38000000000, sum(due) OVER w - due)
                   ELSE due END AS paid
    FROM lines WINDOW w AS (PARTITION BY clause, version ORDER BY period)
)
SELECT clause, version, period,
       round(sum(paid) OVER w, 2) - round(sum(paid) OVER w - paid, 2) AS amount
FROM paid WINDOW w AS (PARTITION BY clause, version ORDER BY period)
"""


# Per-period tiers, on the same rows with the same conversion: an agreement of two clauses
# (written by ``tiers_agreement`` with thresholds the data crosses), 20% of Microsoft's Azure
# OpenAI Service revenue up to T_MONTH a month and 10% above it, the bands restarting each month;
# 20% of OpenAI's revenue up to T_YEAR a (calendar) year and 15% above it, counted from each
# January. Both marginal, monthly statements, one version.
TIERS_SQL = """
""" + SOURCE + """           CASE WHEN lower(seller) IN ('openai', 'openai group pbc', 'openai, l.l.c.')
                THEN 'yearly-tiers'
                WHEN lower(seller) IN ('microsoft', 'microsoft corporation')
                     AND lower(service) = 'azure openai service'
                THEN 'monthly-tiers' END AS clause
    FROM src
    WHERE upper(trim(currency)) IN ('USD', 'EUR') AND cost IS NOT NULL
      AND day >= DATE '2025-01-01'
      AND lower(category) IN ('usage', 'purchase', 'credit', 'adjustment')
""" + CONVERT + """), months AS (
    SELECT clause, CAST(date_trunc('month', day) AS DATE) AS period, sum(cost) AS base
    FROM converted GROUP BY ALL
), volumes AS (
    SELECT *, CASE WHEN clause = 'monthly-tiers' THEN 0
                   ELSE coalesce(sum(base) OVER (PARTITION BY clause, year(period) ORDER BY period
                        ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING), 0) END AS before,
              CASE WHEN clause = 'monthly-tiers' THEN {t_month} ELSE {t_year} END AS t,
              CASE WHEN clause = 'monthly-tiers' THEN 0.10 ELSE 0.15 END AS upper_rate
    FROM months
), paid AS (
    SELECT clause, period,
           0.20 * (least(greatest(before + base, 0), t) - least(greatest(before, 0), t))
           + upper_rate * (greatest(before + base, t) - greatest(before, t)) AS paid
    FROM volumes
)
SELECT clause, '2025-01-01' AS version, period,
       round(sum(paid) OVER w, 2) - round(sum(paid) OVER w - paid, 2) AS amount
FROM paid WINDOW w AS (PARTITION BY clause ORDER BY period)
"""

TIERS_AGREEMENT = """---
agreement: bench-tiers
version: 2025-01-01
title: Per-period tiers on the benchmark's rows
effective: 2025-01-01
currency: USD
parties:
  openai: {{name: OpenAI Group PBC, aliases: [OpenAI, "OpenAI, L.L.C."]}}
  microsoft: {{name: Microsoft Corporation, aliases: [Microsoft, Microsoft Corporation]}}
products:
  azure-openai-service: {{owner: microsoft, type: api, name: Azure OpenAI Service}}
---

## Monthly tiers

```terms
id: monthly-tiers
kind: revenue-share
payer: microsoft
payee: openai
base: {{seller: microsoft, product: [azure-openai-service]}}
tiers: {{mode: marginal, per: month, bands: [{{above: 0, rate: 20%}}, {{above: {t_month}, rate: 10%}}]}}
settle: month
```

## Yearly tiers

```terms
id: yearly-tiers
kind: revenue-share
payer: openai
payee: microsoft
base: {{seller: openai}}
tiers: {{mode: marginal, per: year, bands: [{{above: 0, rate: 20%}}, {{above: {t_year}, rate: 15%}}]}}
settle: month
```
"""


def thresholds(focus: Path, direct: Path) -> dict[str, int]:
    """Thresholds the synthetic rows cross: about the average month of Azure OpenAI Service
    revenue (the later months cross it, the earlier do not), three average months of OpenAI's
    (each year crosses it after a few months)."""
    import duckdb
    month, openai = duckdb.connect().execute(f"""
        SELECT avg(m) FILTER (WHERE c = 'm'), avg(m) FILTER (WHERE c = 'y') FROM (
            SELECT c, p, sum(cost) AS m FROM (
                SELECT CASE WHEN lower(PublisherName) LIKE 'microsoft%' THEN 'm' ELSE 'y' END
                       AS c, date_trunc('month', ChargePeriodStart) AS p, BilledCost AS cost
                FROM read_parquet('{focus}') WHERE lower(PublisherName) LIKE 'openai%'
                    OR lower(ServiceName) = 'azure openai service'
                UNION ALL
                SELECT 'y', date_trunc('month', date), amount FROM read_parquet('{direct}'))
            GROUP BY ALL)""").fetchone()
    return {"t_month": int(month), "t_year": int(3 * openai)}


def tiers_agreement(folder: Path, focus: Path, direct: Path) -> Path:
    where = folder / "tiers"
    where.mkdir(parents=True, exist_ok=True)
    (where / "2025-01-01.md").write_text(TIERS_AGREEMENT.format(**thresholds(focus, direct)))
    return where


def generate(folder: Path, rows: int) -> list[Path]:
    """FOCUS rows (an eighth of the USD ones billed in EUR), OpenAI's direct sales, and a table of
    EUR->USD rates for the weekdays of the period."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq
    from termsheet.settle.generate import focus_table, revenue_table, write
    focus, writer = folder / "focus.parquet", None
    for index in range(0, rows, CHUNK):
        table = focus_table(FIRST, LAST, min(CHUNK, rows - index), seed=100 + index // CHUNK)
        column = table.schema.get_field_index("BillingCurrency")
        currency = table.column(column).cast(pa.string())
        eighth = pc.equal(pc.bit_wise_and(pa.array(range(table.num_rows), pa.int64()), 7), 3)
        eur = pc.and_(pc.equal(currency, "USD"), eighth)
        table = table.set_column(column, "BillingCurrency", pc.if_else(eur, "EUR", currency)
                                 .cast(table.schema.field(column).type))
        writer = writer or pq.ParquetWriter(focus, table.schema)
        writer.write_table(table, row_group_size=250_000)
    writer.close()
    rates = folder / "rates.csv"
    with open(rates, "w") as handle:
        handle.write("date,from,to,rate\n")
        day = date(2025, 1, 1)
        while day <= LAST:
            if day.weekday() < 5:
                rate = Decimal("1.0500") + Decimal(day.toordinal() % 97) / 10_000
                handle.write(f"{day},EUR,USD,{rate}\n")
            day = date.fromordinal(day.toordinal() + 1)
    direct = write(revenue_table(FIRST, LAST), folder / "direct.parquet")
    return [focus, direct, rates, tiers_agreement(folder, focus, direct)]


def run_termsheet(paths: list[str], agreement: Path = FLAGSHIP) -> dict[str, str]:
    from termsheet import load_history_of, settle
    from termsheet.settle.currency import load_rates
    history = load_history_of(agreement)
    rates = load_rates(paths[2])
    settle(history, paths[1:2], rates=rates)  # start-up: the libraries' lazy imports
    began = time.perf_counter()
    result = settle(history, paths[:2], rates=rates)
    seconds = time.perf_counter() - began
    assert result.balanced
    return seconds, {f"{l.clause}|{l.version}|{l.period}": str(l.amount) for l in result.lines}


def run_termsheet_tiers(paths: list[str]) -> dict[str, str]:
    return run_termsheet(paths, Path(paths[3]))


def run_sql(paths: list[str], sql: str = SQL, **values) -> dict[str, str]:
    import duckdb
    con = duckdb.connect()
    con.execute(f"SELECT count(*) FROM read_parquet('{paths[1]}')").fetchall()  # start-up
    began = time.perf_counter()
    rows = con.execute(sql.format(focus=paths[0], direct=paths[1], rates=paths[2],
                                  **values)).fetchall()
    seconds = time.perf_counter() - began
    return seconds, {f"{c}|{v}|{p}": str(a) for c, v, p, a in rows}


def run_sql_tiers(paths: list[str]) -> dict[str, str]:
    """The thresholds are read from the agreement the bench wrote (not from the data again)."""
    import re
    text = (Path(paths[3]) / "2025-01-01.md").read_text()
    month, year = (re.search(rf"above: (\d+), rate: {r}%", text).group(1) for r in (10, 15))
    return run_sql(paths, TIERS_SQL, t_month=month, t_year=year)


def run_pandas(paths: list[str]) -> dict[str, str]:
    import pandas as pd
    began = time.perf_counter()
    focus = pd.read_parquet(paths[0], dtype_backend="pyarrow", columns=[
        "ChargePeriodStart", "BilledCost", "PublisherName", "ServiceName", "ChargeCategory",
        "BillingCurrency"])
    direct = pd.read_parquet(paths[1], dtype_backend="pyarrow")
    frame = pd.DataFrame({
        "day": pd.concat([focus.ChargePeriodStart.dt.floor("D"),
                          pd.to_datetime(direct["date"]).astype(focus.ChargePeriodStart.dtype)],
                         ignore_index=True),
        "cost": pd.concat([focus.BilledCost, direct.amount], ignore_index=True),
        "seller": pd.concat([focus.PublisherName.astype("string[pyarrow]"),
                             direct.seller.astype("string[pyarrow]")], ignore_index=True),
        "service": pd.concat([focus.ServiceName.astype("string[pyarrow]"),
                              pd.Series([None] * len(direct), dtype="string[pyarrow]")],
                             ignore_index=True),
        "category": pd.concat([focus.ChargeCategory.astype("string[pyarrow]"),
                               pd.Series(["usage"] * len(direct), dtype="string[pyarrow]")],
                              ignore_index=True),
        "currency": pd.concat([focus.BillingCurrency.astype("string[pyarrow]"),
                               direct.currency.astype("string[pyarrow]")], ignore_index=True)})
    del focus
    seller = frame.seller.str.lower()
    currency = frame.currency.str.strip().str.upper()
    usable = currency.isin(["USD", "EUR"]) & frame.cost.notna() \
        & (frame.day >= pd.Timestamp("2025-01-21")) \
        & frame.category.str.lower().isin(["usage", "purchase", "credit", "adjustment"])
    openai = usable & seller.isin(["openai", "openai group pbc", "openai, l.l.c."])
    azure = usable & seller.isin(["microsoft", "microsoft corporation"]) \
        & (frame.service.str.lower() == "azure openai service") \
        & (frame.day < pd.Timestamp("2026-04-27"))
    parts = []
    for clause, mask in (("revenue-share-to-microsoft", openai),
                         ("revenue-share-to-openai", azure)):
        part = frame.loc[mask.fillna(False), ["day", "cost"]]
        part = part.assign(currency=currency[mask.fillna(False)])
        part = _pandas_converted(pd, part, paths[2])
        version = pd.cut(part.day.astype("datetime64[ns]"), bins=pd.to_datetime(
            ["1900-01-01", "2025-10-28", "2026-02-27", "2026-04-27", "2100-01-01"]), right=False,
            labels=["2025-01-21", "2025-10-28", "2026-02-27", "2026-04-27"])
        period = part.day.astype("datetime64[ns]").dt.to_period("M").dt.start_time.dt.date
        sums = part.cost.groupby([version, period], observed=True).sum()
        parts.append((clause, sums))
    amounts = _pandas_amounts(parts)
    return time.perf_counter() - began, amounts


def _pandas_converted(pd, part, rates_path: str):
    """EUR rows summed per day, converted at the latest rate on or before the day (held at ten
    decimals, as termsheet and the SQL hold it), USD rows as they are: one cost per day."""
    rates = pd.read_csv(rates_path, dtype=str)
    rates = rates[rates["to"] == "USD"]
    table = dict(zip(pd.to_datetime(rates["date"]), rates["rate"].map(Decimal)))
    steps = sorted(table)
    daily = part.groupby(["day", "currency"], observed=True).cost.sum()
    days, costs = [], []
    import bisect
    for (day, cur), cost in daily.items():
        cost = Decimal(cost)
        if cur == "EUR":
            index = bisect.bisect_right(steps, pd.Timestamp(day).tz_localize(None)) - 1
            if index < 0:
                continue
            cost = (cost * table[steps[index]]).quantize(Decimal("1e-10"),
                                                          rounding=ROUND_HALF_UP)
        days.append(day)
        costs.append(cost)
    return pd.DataFrame({"day": pd.Series(days, dtype=part.day.dtype),
                         "cost": pd.Series(costs, dtype=object)})


def _pandas_amounts(parts) -> dict[str, str]:
    """The grouped sums to rounded amounts: 20%, the 2026-04-27 cap, the rounding carry."""
    out = {}
    for clause, sums in parts:
        paid_before = {}
        for (version, period), base in sorted(sums.items(), key=lambda kv: (kv[0][0], kv[0][1])):
            due = Decimal(base) * Decimal("0.2")
            before = paid_before.get(version, Decimal(0))
            paid = due
            if version == "2026-04-27":
                cap = Decimal(38_000_000_000)
                paid = min(cap, before + due) - min(cap, before)
            rounded = _cents(before + paid) - _cents(before)
            paid_before[version] = before + paid
            out[f"{clause}|{version}|{period}"] = str(rounded)
    return out


def _cents(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


CONTESTANTS = {"termsheet": run_termsheet, "sql": run_sql, "pandas": run_pandas,
               "termsheet-tiers": run_termsheet_tiers, "sql-tiers": run_sql_tiers}


def contestant(name: str, paths: list[str]) -> tuple[float, float, dict]:
    """Run one contestant in a fresh process: its time, peak RSS (MB) and amounts."""
    done = subprocess.run([sys.executable, __file__, "--contestant", name, *paths],
                          stdout=subprocess.PIPE, text=True, check=True)
    data = json.loads(done.stdout)
    return data["seconds"], data["peak_mb"], data["amounts"]


def peak_mb() -> float:
    """This process's peak resident set (VmHWM), which starts afresh at exec."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def normalise(amounts: dict) -> dict:
    return {key: Decimal(value).quantize(Decimal("0.01")) for key, value in amounts.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--data", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-settle-") as tmp:
        folder = args.data or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        paths = [str(p) for p in (folder / "focus.parquet", folder / "direct.parquet",
                                  folder / "rates.csv", folder / "tiers")]
        if not all(Path(p).exists() for p in paths):
            began = time.perf_counter()
            paths = [str(p) for p in generate(folder, args.rows)]
            print(f"generated {args.rows:,} FOCUS rows in {time.perf_counter() - began:.1f} s")
        best: dict[str, tuple] = {}
        for _ in range(args.repeat):
            for name in ("termsheet", "sql", "termsheet-tiers", "sql-tiers"):
                seconds, rss, amounts = contestant(name, paths)
                if name not in best or seconds < best[name][0]:
                    best[name] = (seconds, max(rss, best.get(name, (0, 0))[1]), amounts)
        best["pandas"] = contestant("pandas", paths)
        report(best)


def report(best: dict) -> None:
    ours = normalise(best["termsheet"][2])
    for name in ("sql", "pandas"):
        assert normalise(best[name][2]) == ours, f"{name} computes different amounts"
    tiers = normalise(best["termsheet-tiers"][2])
    assert normalise(best["sql-tiers"][2]) == tiers, "sql-tiers computes different amounts"
    assert len({k.split("|")[0] for k in tiers}) == 2, "both tiered clauses have lines"
    sql, pandas = best["sql"][0], best["pandas"][0]
    print(f"{len(ours)} statement lines, equal in all three; "
          f"total {sum(ours.values()):,.2f} USD")
    print(f"per-period tiers: {len(tiers)} statement lines, equal to the cent in termsheet and "
          f"SQL; total {sum(tiers.values()):,.2f} USD")
    print(f"{'':<16} {'seconds':>8} {'peak RSS':>10} {'vs SQL':>8}")
    for name, (seconds, rss, _) in best.items():
        anchor = best["sql-tiers"][0] if name.endswith("-tiers") else sql
        print(f"{name:<16} {seconds:>8.2f} {rss:>7.0f} MB {seconds / anchor:>7.2f}x")
    ts, rss = best["termsheet"][0], best["termsheet"][1]
    tiered = best["termsheet-tiers"][0] / best["sql-tiers"][0]
    print(f"termsheet / SQL = {ts / sql:.2f} (goal <= 1.2); with per-period tiers "
          f"{tiered:.2f} (goal <= 1.2); pandas / termsheet = "
          f"{pandas / ts:.1f} (goal >= 10); termsheet peak RSS {rss:.0f} MB (goal < 2048)")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--contestant":
        seconds, amounts = CONTESTANTS[sys.argv[2]](sys.argv[3:])
        print(json.dumps({"seconds": seconds, "amounts": amounts, "peak_mb": peak_mb()}))
    else:
        main()
