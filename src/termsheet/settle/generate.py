"""Synthetic FOCUS billing and revenue data for the flagship, seeded and reproducible.

FOCUS rows (CSV or Parquet, FOCUS 1.2 or 1.3 columns):

- Azure OpenAI Service, sold by Microsoft on Azure;
- OpenAI models sold by OpenAI through the AWS marketplace (from 2025-08) and Google Cloud (from
  2026-05);
- other cloud services of the same accounts, in no revenue share's base;
- about 2% credits (negative), 1% corrections (``ChargeClass=Correction``) billed in the month after
  their charge period, and, with ``quirks``, literal ``NULL`` strings, timestamps with and without
  ``T``/``Z``, lower-case category values, and a few rows that cannot be used (quarantined).

A revenue table of OpenAI's direct sales (ChatGPT, API, Sora): one row per product and day.
Money is generated in micro-dollars as integers and written as DECIMAL(38,10): no float reaches a
file. Monthly volumes grow from levels of the order reported for 2025; they are illustrations.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pyarrow as pa

MICRO = 10**6
LEVELS_AT = date(2025, 7, 1)  # the month the volumes below describe
SCALE = 10**4  # micro-dollars -> DECIMAL(38,10) units


@dataclass(frozen=True, slots=True)
class Stream:
    name: str
    provider: str
    publisher: str
    issuer: str
    service: str
    category: str
    first: date
    monthly: float  # USD in the first month it sells
    growth: float  # per month
    weight: float  # share of rows


STREAMS = (
    Stream("azure-openai", "Microsoft", "Microsoft", "Microsoft", "Azure OpenAI Service",
           "AI and Machine Learning", date(2019, 1, 1), 350e6, 0.04, 0.40),
    Stream("openai-on-aws", "AWS", "OpenAI", "Amazon Web Services, Inc.",
           "OpenAI models on Amazon Bedrock", "AI and Machine Learning", date(2025, 8, 1), 20e6,
           0.15, 0.15),
    Stream("openai-on-google", "Google Cloud", "OpenAI", "Google Cloud", "OpenAI on Vertex AI",
           "AI and Machine Learning", date(2026, 5, 1), 30e6, 0.15, 0.10),
    Stream("aws-compute", "AWS", "Amazon Web Services, Inc.", "Amazon Web Services, Inc.",
           "Amazon Elastic Compute Cloud", "Compute", date(2019, 1, 1), 5e6, 0.01, 0.20),
    Stream("azure-storage", "Microsoft", "Microsoft", "Microsoft", "Storage Accounts", "Storage",
           date(2019, 1, 1), 2e6, 0.01, 0.15),
)
DIRECT = (("chatgpt", 650e6), ("openai-api", 250e6), ("sora", 20e6))
DIRECT_GROWTH = 0.06


def months(first: date, last: date) -> list[date]:
    out, day = [], first.replace(day=1)
    while day <= last:
        out.append(day)
        day = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return out


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)


def _decimal(micro: np.ndarray) -> pa.Array:
    """Micro-dollar integers as an exact DECIMAL(38,10) array."""
    unscaled = micro.astype(np.int64) * SCALE
    words = np.empty((len(unscaled), 2), dtype=np.int64)
    words[:, 0] = unscaled
    words[:, 1] = np.where(unscaled < 0, -1, 0)
    return pa.Array.from_buffers(pa.decimal128(38, 10), len(unscaled),
                                 [None, pa.py_buffer(words.tobytes())])


def _volume(monthly: float, growth: float, first: date, month: date) -> float:
    """A stream's volume in a month: its level at launch (or in 2025-07), grown monthly."""
    start = max(first, LEVELS_AT)
    age = (month.year - start.year) * 12 + month.month - start.month
    return monthly * (1 + growth) ** age


def _pick(rng, values: list, index: np.ndarray) -> pa.Array:
    return pa.DictionaryArray.from_arrays(pa.array(index.astype(np.int32)), pa.array(values))


def focus_table(first: date, last: date, rows: int, seed: int = 7, version: str = "1.2",
                quirks: bool = True, typed: bool = True) -> pa.Table:
    """FOCUS rows for the months first..last; ``typed``: timestamps as timestamps (Parquet)."""
    rng = np.random.default_rng(seed)
    span = months(first, last)
    active = [[m for m in span if m >= s.first] for s in STREAMS]
    weights = np.array([s.weight if a else 0 for s, a in zip(STREAMS, active)])
    stream = rng.choice(len(STREAMS), size=rows, p=weights / weights.sum())
    month_index = np.empty(rows, dtype=np.int64)
    for k, months_k in enumerate(active):
        at = np.flatnonzero(stream == k)
        if len(at):
            offset = len(span) - len(months_k)
            month_index[at] = offset + rng.integers(0, len(months_k), size=len(at))
    micro = _amounts(rng, stream, month_index, span)
    starts = np.array([np.datetime64(m, "D") for m in span])
    month_days = np.array([(_next_month(m) - m).days for m in span])
    day = starts[month_index] + (rng.random(rows) * month_days[month_index]).astype(int)
    hour = rng.integers(0, 24, size=rows)
    charge_start = day.astype("datetime64[s]") + hour.astype("timedelta64[h]")
    category = np.zeros(rows, dtype=np.int64)  # Usage
    credit = rng.random(rows) < 0.02
    category[credit] = 1
    micro[credit] = -np.abs(micro[credit]) // 2
    correction = (~credit) & (rng.random(rows) < 0.01)
    micro[correction] = micro[correction] // 10 * np.where(rng.random(correction.sum()) < .5,
                                                           -1, 1)
    billing_index = np.minimum(month_index + correction, len(span) - 1)
    columns = _focus_columns(rng, stream, micro, charge_start, starts, billing_index, category,
                             correction, version)
    table = pa.table(columns)
    return _quirks(rng, table, typed) if quirks else _typed(table, typed)


def _amounts(rng, stream: np.ndarray, month_index: np.ndarray, span: list[date]) -> np.ndarray:
    """Each stream-month's volume split over its rows with log-normal weights."""
    micro = np.zeros(len(stream), dtype=np.int64)
    weight = rng.lognormal(0.0, 1.0, size=len(stream))
    key = stream * len(span) + month_index
    totals = np.bincount(key, weights=weight, minlength=len(STREAMS) * len(span))
    for k, s in enumerate(STREAMS):
        for m, month in enumerate(span):
            target = _volume(s.monthly, s.growth, s.first, month)
            totals[k * len(span) + m] = target / totals[k * len(span) + m] \
                if totals[k * len(span) + m] else 0
    micro[:] = np.floor(weight * totals[key] * MICRO).astype(np.int64)
    return micro


def _focus_columns(rng, stream, micro, charge_start, starts, billing_index, category, correction,
                   version: str) -> dict:
    rows = len(stream)
    names = lambda attr: [getattr(s, attr) for s in STREAMS]  # noqa: E731
    ends = np.array([np.datetime64(_next_month(m.astype(object)), "D") for m in starts])
    billed = _decimal(micro)
    listed = _decimal(micro + np.abs(micro) // 20)
    columns = {
        "BilledCost": billed, "EffectiveCost": billed, "ListCost": listed,
        "BillingAccountId": _pick(rng, ["1234567890123", "9876543210987"], stream % 2),
        "BillingCurrency": _pick(rng, ["USD"], np.zeros(rows, dtype=int)),
        "BillingPeriodStart": starts[billing_index].astype("datetime64[s]"),
        "BillingPeriodEnd": ends[billing_index].astype("datetime64[s]"),
        "ChargeCategory": _pick(rng, ["Usage", "Credit"], category),
        "ChargeClass": pa.array(np.where(correction, "Correction", None)),
        "ChargeDescription": _pick(rng, names("service"), stream),
        "ChargeFrequency": _pick(rng, ["Usage-Based"], np.zeros(rows, dtype=int)),
        "ChargePeriodStart": charge_start,
        "ChargePeriodEnd": charge_start + np.timedelta64(1, "h"),
        "InvoiceIssuerName": _pick(rng, names("issuer"), stream),
        "RegionId": _pick(rng, ["us-east-1", "eastus", "us-central1", "westeurope"],
                          rng.integers(0, 4, size=rows)),
        "ServiceCategory": _pick(rng, names("category"), stream),
        "ServiceName": _pick(rng, names("service"), stream),
        "SubAccountId": _pick(rng, [f"sub-{i:04d}" for i in range(200)],
                              rng.integers(0, 200, size=rows)),
    }
    if version == "1.3":
        columns["ServiceProviderName"] = _pick(rng, names("publisher"), stream)
        columns["HostProviderName"] = _pick(rng, names("provider"), stream)
    else:
        columns["PublisherName"] = _pick(rng, names("publisher"), stream)
        columns["ProviderName"] = _pick(rng, names("provider"), stream)
    return columns


def _typed(table: pa.Table, typed: bool) -> pa.Table:
    if typed:
        return table
    for name in ("ChargePeriodStart", "ChargePeriodEnd", "BillingPeriodStart", "BillingPeriodEnd"):
        index = table.schema.get_field_index(name)
        text = pa.compute.strftime(table[name], format="%Y-%m-%d %H:%M:%S")
        table = table.set_column(index, name, text)
    return table


def _quirks(rng, table: pa.Table, typed: bool) -> pa.Table:
    """What real exports do: literal NULLs, mixed timestamp forms, lower-case values, bad rows."""
    import pyarrow.compute as pc
    table = _typed(table, typed)
    rows = table.num_rows

    def mask(values: np.ndarray) -> pa.Array:
        return pa.array(values, pa.bool_())

    def put(name: str, column: pa.Array) -> None:
        nonlocal table
        table = table.set_column(table.schema.get_field_index(name), name, column)

    category = table["ChargeCategory"].cast(pa.string())
    put("ChargeCategory", pc.if_else(mask(rng.random(rows) < 0.001), pc.utf8_lower(category),
                                     category))
    put("ChargeClass", pc.fill_null(table["ChargeClass"].cast(pa.string()), "NULL"))
    if not typed:
        stamps = table["ChargePeriodStart"]
        iso = pc.binary_join_element_wise(pc.replace_substring(stamps, " ", "T"), "Z", "")
        put("ChargePeriodStart", pc.if_else(mask(rng.random(rows) < 0.3), iso, stamps))
    bad = rng.choice(rows, size=min(rows, 3), replace=False)
    at = [np.isin(np.arange(rows), [i]) for i in bad]
    currency = table["BillingCurrency"].cast(pa.string())
    currency = pc.if_else(mask(at[0]), pa.scalar(None if typed else "NULL", pa.string()),
                          currency)
    if len(at) > 1:
        currency = pc.if_else(mask(at[1]), "ZZZ", currency)
    put("BillingCurrency", currency)
    if len(at) > 2 and not typed:
        put("ChargePeriodStart", pc.if_else(mask(at[2]), "2025-13-45 25:00:00",
                                            table["ChargePeriodStart"]))
    return table


def revenue_table(first: date, last: date, seed: int = 7) -> pa.Table:
    """OpenAI's direct sales: one row per product per day, amounts in USD."""
    rng = np.random.default_rng(seed + 1)
    out = {"date": [], "seller": [], "channel": [], "product": [], "micro": []}
    for month in months(first, last):
        days = (_next_month(month) - month).days
        age = (month.year - LEVELS_AT.year) * 12 + month.month - LEVELS_AT.month
        for product, level in DIRECT:
            split = rng.dirichlet(np.full(days, 20.0))
            for offset, share in enumerate(split):
                out["date"].append(month + timedelta(days=offset))
                out["seller"].append("OpenAI")
                out["channel"].append("direct")
                out["product"].append(product)
                out["micro"].append(int(level * (1 + DIRECT_GROWTH) ** age * share * MICRO))
    return pa.table({"date": pa.array(out["date"], pa.date32()), "seller": out["seller"],
                     "channel": out["channel"], "product": out["product"],
                     "amount": _decimal(np.array(out["micro"], dtype=np.int64)),
                     "currency": ["USD"] * len(out["date"])})


def write(table: pa.Table, path: Path) -> Path:
    from ..agreement.atomic import replacing
    with replacing(path, (pa.ArrowIOError,)) as temp:
        if path.suffix == ".parquet":
            import pyarrow.parquet as pq
            pq.write_table(table, temp)
        else:
            import pyarrow.csv as pcsv
            table = table.cast(pa.schema([pa.field(f.name, pa.string() if pa.types.is_dictionary(
                f.type) else f.type) for f in table.schema]))
            pcsv.write_csv(table, temp)
    return path


def generate(folder: str | Path, first: date, last: date, rows: int = 10_000, seed: int = 7,
             fmt: str = "csv", version: str = "1.2", quirks: bool = True) -> list[Path]:
    """Write the FOCUS export and the revenue table into ``folder``; their paths."""
    folder = Path(folder)
    focus = focus_table(first, last, rows, seed, version, quirks, typed=fmt == "parquet")
    stem = f"focus-{version}-{first:%Y-%m}-{last:%Y-%m}"
    return [write(focus, folder / f"{stem}.{fmt}"),
            write(revenue_table(first, last, seed), folder / f"openai-direct-sales.{fmt}")]


def focus_parquet(path: str | Path, first: date, last: date, rows: int, seed: int = 7,
                  version: str = "1.2", quirks: bool = True, threads: int | None = None,
                  memory_limit: str | None = None) -> Path:
    """FOCUS rows straight to Parquet by one DuckDB query: streamed, never held in memory, so
    100,000,000 rows take a minute or two and little memory. The same streams, credits,
    corrections and quirks as :func:`focus_table` (not the same rows: each row's draws are hashes
    of its number and the seed). A stream-month's volume is spread over its rows with log-normal
    weights scaled by their expected count (not their actual sum: no second pass), so monthly
    totals are the levels above give or take a fraction of a percent. Money is drawn in
    micro-dollar integers and written as exact DECIMAL(38,10)."""
    import duckdb
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    span = months(first, last)
    active = [[m for m in span if m >= s.first] for s in STREAMS]
    weights = np.array([s.weight if a else 0 for s, a in zip(STREAMS, active)])
    p = weights / weights.sum()
    bounds = np.cumsum(p)
    pick = " ".join(f"WHEN u0 < {float(bounds[k])!r} THEN {k}" for k in range(len(STREAMS) - 1)
                    if p[k] > 0)
    last_stream = max(k for k in range(len(STREAMS)) if p[k] > 0)
    e_weight = float(np.exp(0.5))  # the mean of a log-normal(0, 1) weight
    stream_rows, month_rows = [], []
    for k, s in enumerate(STREAMS):
        offset = len(span) - len(active[k])
        stream_rows.append(f"({k}, {offset}, {max(len(active[k]), 1)}, {_sql(s.service)}, "
                           f"{_sql(s.issuer)}, {_sql(s.category)}, {_sql(s.publisher)}, "
                           f"{_sql(s.provider)}, {k % 2})")
        expected = rows * p[k] / max(len(active[k]), 1)
        for m, month in enumerate(span):
            if m >= offset and expected > 0:
                scale = _volume(s.monthly, s.growth, s.first, month) / (expected * e_weight)
                month_rows.append(f"({k}, {m}, {float(scale * MICRO)!r})")
    month_table = ", ".join(f"({m}, DATE '{month}', DATE '{_next_month(month)}', "
                            f"{(_next_month(month) - month).days})" for m, month in enumerate(span))
    seller, host = (("ServiceProviderName", "HostProviderName") if version == "1.3"
                    else ("PublisherName", "ProviderName"))
    u = lambda k: f"((hash({int(seed)} * 4294967296 + i * 16 + {k}) >> 11)::DOUBLE / 9007199254740992.0)"  # noqa: E501, E731
    bad = [int(x) for x in np.random.default_rng(seed).choice(rows, size=min(rows, 2),
                                                             replace=False)] if quirks else []
    currency = "'USD'"
    if bad:
        currency = f"CASE WHEN i = {bad[0]} THEN NULL " + \
            (f"WHEN i = {bad[1]} THEN 'ZZZ' " if len(bad) > 1 else "") + "ELSE 'USD' END"
    category = "CASE WHEN credit THEN 'Credit' ELSE 'Usage' END"
    if quirks:
        category = f"CASE WHEN {u(9)} < 0.001 THEN lower({category}) ELSE {category} END"
    charge_class = "CASE WHEN correction THEN 'Correction' ELSE " + \
        ("'NULL'" if quirks else "NULL") + " END"
    money = "CAST(CAST({} AS DECIMAL(32,0)) * 0.000001 AS DECIMAL(38,10))"
    sql = f"""
    WITH streams(stream, first_month, n_months, service, issuer, category, publisher, provider,
                 account) AS (VALUES {', '.join(stream_rows)}),
    scales(stream, month, scale) AS (VALUES {', '.join(month_rows)}),
    span(month, start, next, days) AS (VALUES {month_table}),
    drawn AS (
        SELECT i, CASE {pick} ELSE {last_stream} END AS stream, {u(1)} AS u_month,
               {u(2)} AS u_day, CAST(hash({int(seed)} * 4294967296 + i * 16 + 3) % 24 AS INTEGER) AS hour,
               exp(sqrt(-2 * ln(1 - {u(4)})) * cos(2 * pi() * {u(5)})) AS weight,
               {u(6)} < 0.02 AS credit, {u(7)} AS u_correction, {u(8)} < 0.5 AS down,
               CAST(hash({int(seed)} * 4294967296 + i * 16 + 10) % 4 AS INTEGER) AS region,
               CAST(hash({int(seed)} * 4294967296 + i * 16 + 11) % 200 AS INTEGER) AS sub
        FROM (SELECT {u(0)} AS u0, i FROM range({int(rows)}) t(i))
    ),
    placed AS (
        SELECT d.*, s.*, least(s.first_month + floor(d.u_month * s.n_months)::INTEGER,
                               {len(span) - 1}) AS month_index,
               NOT d.credit AND d.u_correction < 0.01 AS correction
        FROM drawn d JOIN streams s USING (stream)
    ),
    priced AS (
        SELECT p.*, m.start, m.days, b.start AS billing_start, b.next AS billing_next,
               CAST(floor(p.weight * c.scale) AS BIGINT) AS raw
        FROM placed p JOIN scales c ON c.stream = p.stream AND c.month = p.month_index
        JOIN span m ON m.month = p.month_index
        JOIN span b ON b.month = least(p.month_index + p.correction::INTEGER, {len(span) - 1})
    ),
    final AS (
        SELECT *, CASE WHEN credit THEN -(abs(raw) // 2)
                       WHEN correction THEN raw // 10 * CASE WHEN down THEN -1 ELSE 1 END
                       ELSE raw END AS micro,
               CAST(start + CAST(floor(u_day * days) AS INTEGER) AS TIMESTAMP)
                   + to_hours(CAST(hour AS BIGINT)) AS charge_start
        FROM priced
    )
    SELECT {money.format("micro")} AS BilledCost, {money.format("micro")} AS EffectiveCost,
           {money.format("micro + abs(micro) // 20")} AS ListCost,
           CASE WHEN account = 0 THEN '1234567890123' ELSE '9876543210987' END
               AS BillingAccountId,
           {currency} AS BillingCurrency, CAST(billing_start AS TIMESTAMP) AS BillingPeriodStart,
           CAST(billing_next AS TIMESTAMP) AS BillingPeriodEnd, {category} AS ChargeCategory,
           {charge_class} AS ChargeClass, service AS ChargeDescription,
           'Usage-Based' AS ChargeFrequency, charge_start AS ChargePeriodStart,
           charge_start + INTERVAL 1 HOUR AS ChargePeriodEnd, issuer AS InvoiceIssuerName,
           ['us-east-1', 'eastus', 'us-central1', 'westeurope'][region + 1] AS RegionId,
           category AS ServiceCategory, service AS ServiceName,
           'sub-' || lpad(CAST(sub AS VARCHAR), 4, '0') AS SubAccountId,
           publisher AS {seller}, provider AS {host}
        FROM final
    """
    con = duckdb.connect()
    try:
        con.execute("SET preserve_insertion_order = false")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            con.execute(f"SET memory_limit = '{memory_limit}'")
        target = str(path).replace("'", "''")
        con.execute(f"COPY ({sql}) TO '{target}' (FORMAT parquet, ROW_GROUP_SIZE 250000)")
    finally:
        con.close()
    return path


def _sql(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


__all__ = ["generate", "focus_table", "focus_parquet", "revenue_table", "months"]
