"""Per-row allocations: what each input row contributed to each statement line, as Parquet.

Each row in a term's base gets ``allocated = base x factor`` where ``factor`` is its slice's exact
amount paid over the slice's base (the flat rate itself when no tier or cap is involved), at ten
decimals. Allocations explain a line; the line's rounded amount is the figure that is owed.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import ibis
import pyarrow as pa

from ..agreement.atomic import cannot_write, replacing
from .currency import convert
from .engine import COSTS, EXACT, MONEY, Names, classify, in_term, part_of, segment_of
from .lines import contract_period_of
from .statements import Slice
from .terms import Term

FACTOR_PLACES = Decimal("1e-10")


def factors(slices: list[Slice]) -> pa.Table:
    """(term, period, segment) -> paid / base, for the share slices."""
    sums: dict[tuple, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for s in slices:
        if s.kind == "share":
            sums[(s.term, s.period, s.segment)][0] += s.paid
            sums[(s.term, s.period, s.segment)][1] += s.base
    keys = sorted(sums)
    values = [(sums[k][0] / sums[k][1]).quantize(FACTOR_PLACES) if sums[k][1] else Decimal(0)
              for k in keys]
    return pa.table({"f_term": pa.array([k[0] for k in keys], pa.int64()),
                     "f_period": pa.array([k[1] for k in keys], pa.date32()),
                     "f_segment": pa.array([k[2] for k in keys], pa.int64()),
                     "factor": pa.array(values, pa.decimal128(38, 10))})


def allocation_rows(rows: ibis.Table, names: Names, terms: list[Term], slices: list[Slice],
                    first, last, fx: ibis.Table | None = None) -> ibis.Table:
    """One row per input row and term it is in. ``fx``: the day's rates (``settle --rates``):
    a row in another currency is converted as the summary's rows are, and keeps its amount and
    currency as read, the rate and the rate's date."""
    t = classify(rows.mutate(n=ibis.literal(1, type="int64")), names)
    if fx is not None:
        t = convert(t, fx)
    table = ibis.memtable(factors(slices))
    parts = []
    for term in terms:
        picked = t.filter(in_term(t, term, first, last))
        cost = COSTS[term.clause.base.cost]
        if fx is not None:
            read = dict(original_amount=picked[f"{cost}_in"].cast(MONEY),
                        original_currency=picked.currency_in, rate=picked.fx_rate.cast(MONEY),
                        rate_date=picked.fx_rate_day)
        else:
            read = dict(original_amount=picked[cost].cast(MONEY),
                        original_currency=ibis.literal(term.currency),
                        rate=ibis.null(MONEY), rate_date=ibis.null("date"))
        parts.append(picked.select(
            "source", "source_row", day=picked.day,
            agreement=ibis.literal(term.version.agreement),
            version=ibis.literal(term.version.version), clause=ibis.literal(term.clause.id),
            term=ibis.literal(term.index, type="int64"),
            period=contract_period_of(picked.day, term.clause.settle, term.start_month),
            segment=segment_of(picked.day, term, part_of(picked, term) if term.parts else None),
            base=picked[cost].cast(MONEY),
            currency=ibis.literal(term.currency), **read))
    union = parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0]
    joined = union.join(table, (union.term == table.f_term) & (union.period == table.f_period)
                        & (union.segment == table.f_segment), how="left")
    return joined.select(
        "source", "source_row", "day", "agreement", "version", "clause", "period", "base",
        allocated=(joined.base * joined.factor.coalesce(0)).cast(EXACT).cast(MONEY),
        currency=joined.currency, original_amount=joined.original_amount,
        original_currency=joined.original_currency, rate=joined.rate, rate_date=joined.rate_date)


PARTITIONS = ("clause", "period")


def write_allocations(backend, names: Names, terms: list[Term], slices: list[Slice], first, last,
                      path: Path, fx: ibis.Table | None = None) -> str:
    """Write the allocations: to one Parquet file, in row order, when ``path`` ends in
    ``.parquet``; else to a directory of Parquet files partitioned by clause and period
    (``clause=.../period=.../*.parquet``), streamed by the engine as it computes them: no sort,
    nothing collected in Python, within DuckDB's memory limit."""
    expr = allocation_rows(backend.rows, names, terms, slices, first, last, fx)
    import duckdb
    unwritable = (duckdb.IOException, duckdb.PermissionException)
    if path.suffix == ".parquet":
        with replacing(path, unwritable) as temp:
            backend.con.to_parquet(expr.order_by(["source", "source_row", "clause", "version"]),
                                   temp)
        return str(path)
    _check_folder(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise cannot_write(path, err) from None
    if backend.name == "duckdb":
        con = backend.con
        sql = con.compile(expr)
        con._run_pre_execute_hooks(expr)  # registers the factors' in-memory table
        target = str(path).replace("'", "''")
        try:
            con.con.execute(f"COPY ({sql}) TO '{target}' (FORMAT parquet, PARTITION_BY "
                            f"({', '.join(PARTITIONS)}), OVERWRITE true)")
        except unwritable as err:
            raise cannot_write(path, err) from None
    else:
        backend.con.to_parquet(expr, path, mode="overwrite", partitionBy=list(PARTITIONS))
    return str(path)


def _check_folder(path: Path) -> None:
    """An allocations directory is replaced whole: only one that holds nothing else."""
    from ..agreement.problems import Problem, TermsheetError
    if path.exists() and (not path.is_dir() or any(
            not (p.name.startswith("clause=") or p.name.startswith((".", "_")))
            for p in path.iterdir())):
        raise TermsheetError([Problem(
            "E059", f"{path} is not an allocations directory: it holds other files",
            "--allocations", hint="name a new or empty directory, or a file ending in .parquet")])
