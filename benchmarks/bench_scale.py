"""Settlement at scale: 10M, 30M and 100M FOCUS rows (Parquet) on DuckDB held to a memory limit,
against the hand-written SQL of bench_settle.py at each size, and a Spark standalone cluster (a
master and two workers on this machine) at 10M.

    python benchmarks/bench_scale.py [--sizes 10,30,100] [--memory-limit 2GB] [--data DIR]
                                     [--no-spark] [--no-allocations] [--keep]

The rows are ten files of 10M distinct rows each (``generate.focus_parquet``: one DuckDB query
writing Parquet, each file its own seed), a size is the first 1, 3 or 10 of them, plus OpenAI's
direct sales: every size reads as many distinct rows as it names, none twice. Each contestant
runs once per size in a fresh process (the files in the OS cache), its time excludes start-up
(imports, one run over the small direct-sales file); peak RSS is the process's VmHWM. The
machine's load average is printed with each figure: on a shared machine the figures are only
comparable within one run.

- termsheet: ``settle`` with ``memory_limit`` and a ``temp_dir`` to spill to (statements only);
- +allocations: the same with per-row allocations streamed to a partitioned Parquet directory;
- sql: the hand-written DuckDB query (no memory limit), the anchor; amounts asserted equal.

Goals: time near-linear in rows (rows/s about flat from 10M to 100M), peak RSS flat and under
the limit + 500 MB, termsheet within 1.2x of the SQL.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_settle import SQL, normalise, peak_mb  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FLAGSHIP = ROOT / "agreements" / "openai-microsoft"
FIRST, LAST = date(2025, 7, 1), date(2026, 12, 31)
FILE_ROWS = 10_000_000


def generate(folder: Path, files: int, file_rows: int = FILE_ROWS) -> list[Path]:
    from termsheet.settle.generate import focus_parquet, revenue_table, write
    paths = []
    for n in range(files):
        path = folder / f"focus-{n:02d}.parquet"
        if not path.exists():
            began = time.perf_counter()
            focus_parquet(path.with_suffix(".tmp"), FIRST, LAST, file_rows, seed=200 + n)
            path.with_suffix(".tmp").rename(path)
            print(f"  generated {path.name}: {file_rows:,} rows in "
                  f"{time.perf_counter() - began:.1f} s", flush=True)
        paths.append(path)
    direct = folder / "direct.parquet"
    if not direct.exists():
        write(revenue_table(FIRST, LAST), direct)
    return [*paths, direct]


def _amounts(result) -> dict[str, str]:
    return {f"{l.clause}|{l.version}|{l.period}": str(l.amount) for l in result.lines}


def run_termsheet(args: dict) -> tuple[float, dict]:
    from termsheet import load_history_of, settle
    history = load_history_of(FLAGSHIP)
    paths = args["paths"]
    options = dict(memory_limit=args.get("memory_limit"), temp_dir=args.get("temp_dir"))
    if args.get("spark_master"):
        options = dict(engine="spark", spark_master=args["spark_master"],
                       spark_conf=args["spark_conf"], temp_dir=args.get("temp_dir"))
    settle(history, paths[-1:], **options)  # start-up, on the small file
    began = time.perf_counter()
    result = settle(history, paths, allocations=args.get("allocations"), **options)
    seconds = time.perf_counter() - began
    assert result.balanced
    return seconds, _amounts(result)


def run_sql(args: dict) -> tuple[float, dict]:
    import duckdb
    paths = args["paths"]
    con = duckdb.connect()
    con.execute(f"SELECT count(*) FROM read_parquet('{paths[-1]}')").fetchall()  # start-up
    focus = "[" + ", ".join(f"'{p}'" for p in paths[:-1]) + "]"
    sql = SQL.replace("read_parquet('{focus}')", "read_parquet({focus})")
    # bench_settle's anchor converts EUR rows; these rows are all in USD, so one EUR rate (that
    # no row uses) lets the same query run unchanged.
    rates = Path(paths[-1]).with_name("rates.csv")
    rates.write_text("date,from,to,rate\n2025-01-01,EUR,USD,1.05\n")
    began = time.perf_counter()
    rows = con.execute(sql.format(focus=focus, direct=paths[-1], rates=rates)).fetchall()
    seconds = time.perf_counter() - began
    return seconds, {f"{c}|{v}|{p}": str(a) for c, v, p, a in rows}


CONTESTANTS = {"termsheet": run_termsheet, "sql": run_sql}


LOADS: list[float] = []  # the 1-minute load average before and after each contestant


def contestant(name: str, args: dict) -> tuple[float, float, dict]:
    LOADS.append(os.getloadavg()[0])
    done = subprocess.run([sys.executable, __file__, "--contestant", name, json.dumps(args)],
                          stdout=subprocess.PIPE, text=True, check=True)
    LOADS.append(os.getloadavg()[0])
    data = json.loads(done.stdout.strip().splitlines()[-1])
    return data["seconds"], data["peak_mb"], data["amounts"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10,30,100", help="millions of rows, multiples of 10")
    parser.add_argument("--memory-limit", default="2GB")
    parser.add_argument("--data", type=Path)
    parser.add_argument("--no-spark", action="store_true")
    parser.add_argument("--no-allocations", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the generated data")
    parser.add_argument("--file-rows", type=int, default=FILE_ROWS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    unit = args.file_rows  # rows of one file, a "10M" (fewer for a smoke run)
    sizes = [int(s) for s in args.sizes.split(",")]
    folder = args.data or Path(tempfile.mkdtemp(prefix="bench-scale-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        results, spark = [], None
        for size in sizes:  # the data is generated as the sizes need it
            began = time.perf_counter()
            files = [str(p) for p in generate(folder, size // 10, args.file_rows)]
            assert len(set(files)) == size // 10 + 1  # distinct files, none read twice
            print(f"data: {size}M FOCUS rows ready ({size // 10} distinct file(s) of "
                  f"{args.file_rows:,}) in {time.perf_counter() - began:.1f} s", flush=True)
            chosen = files
            spill = folder / "spill"
            common = {"paths": chosen, "memory_limit": args.memory_limit, "temp_dir": str(spill)}
            row = {"size": size, "rows": size // 10 * unit}
            row["termsheet"] = contestant("termsheet", common)
            if not args.no_allocations:
                out = folder / f"allocations-{size}"
                row["allocations"] = contestant("termsheet", {**common,
                                                              "allocations": str(out)})
                shutil.rmtree(out, ignore_errors=True)
            row["sql"] = contestant("sql", {"paths": chosen})
            ours = normalise(row["termsheet"][2])
            for other in ("sql", "allocations"):
                if other in row:
                    assert normalise(row[other][2]) == ours, f"{other} differs at {size}M"
            results.append(row)
            _print_row(row, args.memory_limit)
            if size == 10 and not args.no_spark:
                try:
                    spark = _spark(chosen, folder, row, unit)
                except Exception as err:  # report it, and go on with the sizes
                    print(f"  10M spark cluster: failed: {err}", flush=True)
                    continue
                print(f"  10M spark cluster  {spark[0]:>8.2f} s {unit / spark[0]:>13,.0f} rows/s "
                      f"{spark[1]:>7.0f} MB (driver)", flush=True)
        _report(results, spark, args.memory_limit)
    finally:
        if not args.keep:
            shutil.rmtree(folder, ignore_errors=True)


def _spark(paths: list[str], folder: Path, duck_row: dict, unit: int):
    from termsheet.settle.cluster import SMALL_EXECUTORS, LocalCluster
    conf = {**SMALL_EXECUTORS, "spark.executor.memory": "1g"}
    began = time.perf_counter()
    with LocalCluster(workers=2, cores=1, memory="1536m", folder=folder / "cluster") as cluster:
        print(f"Spark standalone cluster (master + 2 workers) up in "
              f"{time.perf_counter() - began:.1f} s", flush=True)
        seconds, rss, amounts = contestant("termsheet", {
            "paths": paths, "spark_master": cluster.master, "spark_conf": conf,
            "temp_dir": str(folder / "spill")})
    assert normalise(amounts) == normalise(duck_row["termsheet"][2]), "Spark differs at 10M"
    return seconds, rss, unit


def _print_row(row: dict, limit: str) -> None:
    rows = row["rows"]
    for name in ("termsheet", "allocations", "sql"):
        if name in row:
            seconds, rss, _ = row[name]
            print(f"  {row['size']:>4}M {name:<12} {seconds:>8.2f} s {rows / seconds:>13,.0f} "
                  f"rows/s {rss:>7.0f} MB (load average {LOADS[-1]:.1f})", flush=True)


def _report(results: list[dict], spark, limit: str) -> None:
    print(f"\n{len(results[0]['termsheet'][2])} statement lines at each size, equal to the "
          f"SQL's; DuckDB memory limit {limit}")
    print(f"{'rows':>6} {'contestant':<13} {'seconds':>8} {'rows/s':>12} {'peak RSS':>9} "
          f"{'vs SQL':>7}")
    for row in results:
        sql = row["sql"][0]
        for name in ("termsheet", "allocations", "sql"):
            if name in row:
                seconds, rss, _ = row[name]
                label = "+allocations" if name == "allocations" else name
                print(f"{row['size']:>5}M {label:<13} {seconds:>8.2f} "
                      f"{row['rows'] / seconds:>12,.0f} {rss:>6.0f} MB "
                      f"{seconds / sql:>6.2f}x")
    first, last = results[0], results[-1]
    scale = last["size"] / first["size"]
    grow = last["termsheet"][0] / first["termsheet"][0]
    print(f"{first['size']}M -> {last['size']}M rows ({scale:.0f}x): termsheet time x{grow:.1f}, "
          f"peak RSS {first['termsheet'][1]:.0f} -> {last['termsheet'][1]:.0f} MB")
    if spark:
        seconds, rss, rows = spark
        duck = results[[r["size"] for r in results].index(10)]["termsheet"][0]
        print(f"Spark standalone (2 workers) at 10M: {seconds:.2f} s, {rows / seconds:,.0f} rows/s "
              f"(driver peak RSS {rss:.0f} MB); Spark / DuckDB = {seconds / duck:.1f}x")
    print(f"load average (1 min) on this {os.cpu_count()}-core machine during the run: "
          f"{min(LOADS):.1f} to {max(LOADS):.1f}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--contestant":
        seconds, amounts = CONTESTANTS[sys.argv[2]](json.loads(sys.argv[3]))
        print(json.dumps({"seconds": seconds, "amounts": amounts, "peak_mb": peak_mb()}))
    else:
        main()
