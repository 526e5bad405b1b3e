"""Revenue rows in: FOCUS cost-and-usage exports (CSV or Parquet, FOCUS 1.0 to 1.3) and plain revenue
tables (``date, seller, channel, product, amount, currency``), read through DuckDB into one view.

The view ``rows`` has one row per input row and the same columns whatever the source:

    source, source_row   which file (0-based index) and which data row in it (1-based)
    day, billing_month   charge date (FOCUS ChargePeriodStart, UTC) and billing period start
    seller               FOCUS ServiceProviderName (1.3) or PublisherName; revenue table: seller
    host, provider, issuer   FOCUS HostProviderName, ProviderName, InvoiceIssuerName; revenue: channel
    service, product     FOCUS ServiceName; revenue table: product
    category, charge_class, currency   as written (cleaned and checked later, on few rows)
    billed, effective, list   DECIMAL(38,10); the revenue table's amount fills all three
    bad                  0 when the row can be used, else the code of its first unusable field
                         (BAD_CODES: 1 date, 2 BilledCost, 3 EffectiveCost, 4 ListCost, 5 amount)
    *_text               the raw text of the checked fields, for quarantine messages

Only amounts and dates are parsed per row; names are cleaned after aggregation (see engine.py),
where there are few of them. Literal ``NULL`` strings, timestamps without ``T``/``Z`` and values
with more than ten decimals are accepted; anything else unreadable is quarantined, never dropped.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from datetime import date
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import duckdb

from ..agreement.problems import Problem, TermsheetError
from . import accounting

MONEY = "DECIMAL(38,10)"
FOCUS_REQUIRED = ("BilledCost", "EffectiveCost", "ListCost", "ChargePeriodStart",
                  "BillingCurrency", "ChargeCategory")
REVENUE_COLUMNS = ("date", "seller", "channel", "product", "amount", "currency")


@dataclass(frozen=True)
class Source:
    """One input file. Its hash is computed when first asked for (the store records it)."""

    index: int
    path: str
    kind: str  # "focus" or "revenue"
    format: str  # "csv" or "parquet"
    focus_version: str | None = None
    lines: accounting.Lines | None = None  # CSV: how every physical line was accounted for

    @cached_property
    def sha256(self) -> str:
        return file_hash(Path(self.path))

    def to_dict(self) -> dict:
        return {"index": self.index, "path": self.path, "kind": self.kind, "format": self.format,
                "sha256": self.sha256, "focus_version": self.focus_version,
                "lines": self.lines.to_dict() if self.lines else None}


def connect(threads: int | None = None) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute("SET TimeZone = 'UTC'")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def load(con: duckdb.DuckDBPyConnection, paths: list[str | Path],
         costs: tuple[str, ...] = ("billed", "effective", "list"),
         groups: tuple[tuple[str, str], ...] = ()) -> list[Source]:
    """Register every file and create the view ``rows`` over all of them. ``costs``: the
    amounts the agreement uses (billed, effective, list); a row is unusable when one of them,
    or its charge date, cannot be read. ``groups``: (column, clause) for each input column a
    clause's tier bands apply per group of (``tiers.by``); every file must have it (E062)."""
    if not paths:
        raise TermsheetError([Problem("E050", "no input files", "<input>",
                                      hint="give FOCUS exports or revenue tables (CSV, Parquet)")])
    sources, selects = [], []
    for index, path in enumerate(paths):
        source, select = _register(con, index, Path(path), costs, groups)
        sources.append(source)
        selects.append(select)
    con.execute("CREATE OR REPLACE TEMP VIEW rows AS " + "\nUNION ALL BY NAME\n".join(selects))
    return sources


def _register(con, index: int, path: Path, costs: tuple[str, ...],
              groups: tuple[tuple[str, str], ...] = ()) -> tuple[Source, str]:
    _check_path(path)
    fmt = _format(path)
    table = f"src_{index}"
    literal = _literal(path)
    lines = None
    try:
        if fmt == "csv":
            lines = register_csv(con, table, path)
        else:
            names = [row[0] for row in con.execute(
                f"DESCRIBE SELECT * FROM read_parquet({literal})").fetchall()]
            # The reader's own columns (_row, _line, ...) win over a file's of the same name.
            drop = ", ".join(['file_row_number'] + ['"' + n.replace('"', '""') + '"'
                                                    for n in names
                                                    if n.lower() in accounting.RESERVED])
            con.execute(f"CREATE OR REPLACE TEMP VIEW {table}_n AS SELECT file_row_number + 1 "
                        f"AS _row, NULL::BIGINT AS _line, * EXCLUDE ({drop}) FROM "
                        f"read_parquet({literal}, file_row_number = true)")
        types = {name: kind for name, kind, *_ in con.execute(f"DESCRIBE {table}_n").fetchall()}
    except duckdb.Error as err:
        raise TermsheetError([Problem("E051", f"cannot read {path}: {str(err).splitlines()[0]}",
                                      str(path))]) from None
    columns = {name.lower(): name for name in types if name not in ("_row", "_line", "__bad")}
    kind = _kind(path, columns)
    source = Source(index, str(path), kind, fmt,
                    _focus_version(columns) if kind == "focus" else None, lines)
    build = _focus_select if kind == "focus" else _revenue_select
    extra = {group_column(name): _clean(_text(columns, types, real))
             for name, real in _group_columns(path, kind, columns, groups).items()}
    return source, build(index, f"{table}_n", columns, types, costs, extra)


def group_column(name: str) -> str:
    """The column of the ``rows`` view that holds an input column a clause's tiers apply per
    group of (``tiers.by``): one per name, whatever its case."""
    return "by_" + "".join(c if c.isalnum() else "_" for c in name.lower()) + \
        f"_{sum(map(ord, name.lower())) % 997}"


# Names a clause may give ``tiers.by`` for a FOCUS column (a column of that very name wins).
FOCUS_GROUP_ALIASES = {"customer": "BillingAccountId", "account": "BillingAccountId",
                       "sub-account": "SubAccountId", "subaccount": "SubAccountId",
                       "region": "RegionId", "sku": "SkuId", "resource": "ResourceId"}


def _group_columns(path: Path, kind: str, columns: dict[str, str],
                   groups: tuple[tuple[str, str], ...]) -> dict[str, str]:
    """For each ``tiers.by`` column: the file's column that holds it (matched in any case; in a
    FOCUS export, also by its alias), or a positioned problem (E062) naming what is missing."""
    found, problems = {}, []
    for name, clause in groups:
        real = name if name.lower() in columns else None
        if real is None and kind == "focus" and name.lower() in FOCUS_GROUP_ALIASES:
            alias = FOCUS_GROUP_ALIASES[name.lower()]
            real = alias if alias.lower() in columns else None
        if real is None:
            alias = FOCUS_GROUP_ALIASES.get(name.lower()) if kind == "focus" else None
            problems.append(Problem(
                "E062", f"{path.name} has no column '{name}'" +
                (f" (nor {alias})" if alias else "") + f": the tiers of {clause} apply per "
                f"{name}", str(path), 1,
                hint=f"add a '{name}' column to the {'FOCUS export' if kind == 'focus' else 'revenue table'}, "
                     f"or name a column it has in 'tiers.by'"))
        else:
            found[name] = real
    if problems:
        raise TermsheetError(problems)
    return found


def _literal(text: str | Path) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _check_path(path: Path) -> None:
    """A regular file, or a clear word on what it is instead."""
    if path.is_dir():
        raise TermsheetError([Problem("E004", f"{path} is a folder, not a file", str(path),
                                      hint="give the files inside it")])
    if path.exists() and not path.is_file():
        raise TermsheetError([Problem("E004", f"{path} is not a regular file (a device, a pipe "
                                      "or a socket)", str(path), hint="give a CSV or Parquet "
                                      "file")])
    if not path.is_file():
        raise TermsheetError([Problem("E004", f"no such file: {path}", str(path))])


def register_csv(con, table: str, path: Path) -> accounting.Lines:
    """A CSV file read with its dialect and columns given (nothing sniffed), its lines
    accounted for (accounting.py); the view ``{table}_n`` numbers each row and its line."""
    header, delimiter = accounting.first_record(path)
    accounting.check_header(path, header)
    if not accounting.RESERVED & {name.lower() for name in header}:
        first = '"' + header[0].replace('"', '""') + '"'
        try:
            _read_csv(con, table, path, header, delimiter)
            # A repeated header (exports concatenated) is a header line, not a row.
            rows, repeated = con.execute(
                f"SELECT count(*), count(*) FILTER (WHERE lower(trim({first})) = "
                f"{_literal(header[0].lower())}) FROM {table}").fetchone()
            rows = None if repeated else rows
        except duckdb.Error:
            rows = None
        lines = accounting.count_lines(path)
        if rows is not None and rows + 1 == lines:
            # A table keeps the file's order, so rowid + 1 is the data row number.
            con.execute(f"CREATE OR REPLACE TEMP VIEW {table}_n AS "
                        f"SELECT rowid + 1 AS _row, rowid + 2 AS _line, * FROM {table}")
            return accounting.Lines(lines, rows)
    with tempfile.TemporaryDirectory(prefix="termsheet-lines-") as folder:
        scratch = Path(folder) / "rows.csv"
        scan = accounting.rewrite(path, delimiter, scratch, HEADER_MARKERS,
                                  lambda line, columns: _kind(path, columns, line))
        _read_csv(con, table, scratch, [*scan.columns, "__row", "__line", "__bad"], ",")
    count = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    if count != scan.lines.rows:
        raise TermsheetError([Problem("E060", f"{path}: {scan.lines.rows} rows counted but "
                                      f"{count} read", str(path))])
    con.execute(f"CREATE OR REPLACE TEMP VIEW {table}_n AS SELECT CAST(__row AS BIGINT) AS _row, "
                f"CAST(__line AS BIGINT) AS _line, * EXCLUDE (__row, __line) FROM {table}")
    return scan.lines


def _read_csv(con, table: str, path: Path, header: list[str], delimiter: str) -> None:
    columns = ", ".join(f"{_literal(name)}: 'VARCHAR'" for name in header)
    con.execute(f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM read_csv("
                f"{_literal(path)}, header = true, auto_detect = false, columns = {{{columns}}}, "
                f"delim = {_literal(delimiter)}, quote = '\"', escape = '\"', "
                f"strict_mode = true, null_padding = false)")


def _format(path: Path) -> str:
    name = path.name.lower()
    if name.endswith((".parquet", ".pq", ".parq")):
        return "parquet"
    if name.endswith((".csv", ".csv.gz", ".tsv", ".txt")):
        return "csv"
    raise TermsheetError([Problem("E051", f"cannot tell the format of {path}", str(path),
                                  hint="name files *.csv or *.parquet")])


HEADER_MARKERS = (frozenset({"billedcost", "chargeperiodstart"}), frozenset(REVENUE_COLUMNS))


def _kind(path: Path, columns: dict[str, str], line: int = 1) -> str:
    if all(c.lower() in columns for c in FOCUS_REQUIRED):
        if "publishername" in columns or "serviceprovidername" in columns:
            return "focus"
    if all(c in columns for c in REVENUE_COLUMNS):
        return "revenue"
    if "billedcost" in columns:
        missing = [c for c in FOCUS_REQUIRED if c.lower() not in columns]
        if not ("publishername" in columns or "serviceprovidername" in columns):
            missing.append("PublisherName or ServiceProviderName")
        raise TermsheetError([Problem("E052", f"FOCUS export lacks {', '.join(missing)}",
                                      str(path), line)])
    raise TermsheetError([Problem(
        "E052", "neither a FOCUS export nor a revenue table", str(path), line,
        hint=f"a revenue table has the columns {', '.join(REVENUE_COLUMNS)}; a FOCUS export has "
             f"{', '.join(FOCUS_REQUIRED)} and PublisherName or ServiceProviderName")])


def _focus_version(columns: dict[str, str]) -> str:
    if "serviceprovidername" in columns or "hostprovidername" in columns:
        return "1.3"
    if "invoiceid" in columns or "pricingcurrency" in columns:
        return "1.2"
    if "capacityreservationid" in columns or "commitmentdiscountquantity" in columns:
        return "1.1"
    return "1.0"


def _col(columns: dict[str, str], name: str) -> str | None:
    real = columns.get(name.lower())
    return None if real is None else '"' + real.replace('"', '""') + '"'


def _text(columns, types, name: str) -> str:
    """A column as text ('NULL' and blanks kept: they are cleaned on few rows, later)."""
    col = _col(columns, name)
    if col is None:
        return "NULL::VARCHAR"
    return col if types[columns[name.lower()]] == "VARCHAR" else f"CAST({col} AS VARCHAR)"


def _clean(expr: str) -> str:
    return f"CASE WHEN upper(trim({expr})) IN ('', 'NULL') THEN NULL ELSE trim({expr}) END"


def _money(columns, types, name: str) -> str:
    col = _col(columns, name)
    if col is None:
        return f"NULL::{MONEY}"
    kind = types[columns[name.lower()]]
    if kind == "VARCHAR":  # DuckDB reads '1_000' as 1000: a digit separator is not a number
        return f"TRY_CAST(CASE WHEN strpos({col}, '_') = 0 THEN {_clean(col)} END AS {MONEY})"
    return col if kind == MONEY else f"TRY_CAST({col} AS {MONEY})"


# Charge days the settlement can compute with: every period (a year at most) of a day in this
# range ends on a representable date. 'epoch', 'infinity', 'today' and the like are not dates;
# a time with an offset may move a day out of the range (9999-12-31T23:00-05:00 is year 10000).
FIRST_DAY, LAST_DAY = "0001-01-01", "9998-12-31"
DATE_TEXT = (r"\s*[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}(:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?)?"
             r"\s*(Z|UTC|[+-][0-9]{2}(:?[0-9]{2})?)?\s*")


def _in_range(day: str) -> str:
    return f"CASE WHEN ({day}) BETWEEN DATE '{FIRST_DAY}' AND DATE '{LAST_DAY}' THEN ({day}) END"


def _day(columns, types, name: str) -> str:
    col = _col(columns, name)
    if col is None:
        return "NULL::DATE"
    kind = types[columns[name.lower()]]
    if kind == "DATE":
        return _in_range(col)
    if kind.startswith("TIMESTAMP"):
        return _in_range(f"CAST({col} AS DATE)")
    # Text: '2024-09-18 22:00:00', '2024-09-18T22:00:00Z', offsets, or a bare date; UTC.
    return _in_range(f"CAST(TRY_CAST(CASE WHEN regexp_full_match({col}, '{DATE_TEXT}') THEN "
                     f"{col} END AS TIMESTAMPTZ) AS DATE)")


def _focus_select(index: int, table: str, columns, types, costs, extra=None) -> str:
    text = lambda name: _text(columns, types, name)  # noqa: E731
    seller = text("PublisherName")
    if "serviceprovidername" in columns:
        seller = f"coalesce({_clean(text('ServiceProviderName'))}, {seller})"
    fields = {
        "day": _day(columns, types, "ChargePeriodStart"),
        "billing_month": _day(columns, types, "BillingPeriodStart"),
        "seller": seller, "host": text("HostProviderName"), "provider": text("ProviderName"),
        "issuer": text("InvoiceIssuerName"), "service": text("ServiceName"),
        "product": "NULL::VARCHAR", "category": text("ChargeCategory"),
        "charge_class": text("ChargeClass"), "currency": text("BillingCurrency"),
        "billed": _money(columns, types, "BilledCost"),
        "effective": _money(columns, types, "EffectiveCost"),
        "list": _money(columns, types, "ListCost"),
        "day_text": text("ChargePeriodStart"), "billed_text": text("BilledCost"),
        "effective_text": text("EffectiveCost"), "list_text": text("ListCost"),
        **(extra or {}),
    }
    checked = {"billed": ("billed", "billed_text"), "effective": ("effective", "effective_text"),
               "list": ("list", "list_text")}
    return _select(index, table, fields, {k: v for k, v in checked.items() if k in costs},
                   "__bad" in types)


def _revenue_select(index: int, table: str, columns, types, costs, extra=None) -> str:
    text = lambda name: _text(columns, types, name)  # noqa: E731
    amount = _money(columns, types, "amount")
    category = text("category") if "category" in columns else "'usage'"
    fields = {
        "day": _day(columns, types, "date"), "billing_month": "NULL::DATE",
        "seller": text("seller"), "host": text("channel"), "provider": "NULL::VARCHAR",
        "issuer": "NULL::VARCHAR", "service": "NULL::VARCHAR", "product": text("product"),
        "category": category, "charge_class": "NULL::VARCHAR", "currency": text("currency"),
        "billed": amount, "effective": amount, "list": amount,
        "day_text": text("date"), "billed_text": text("amount"),
        **(extra or {}),
    }
    return _select(index, table, fields, {"billed": ("amount", "billed_text")},
                   "__bad" in types)


def _select(index: int, table: str, fields: dict[str, str], amounts: dict[str, str],
            ragged: bool = False) -> str:
    """The file's rows in the common shape, with ``bad`` naming the first field that is unusable
    and ``bad_text`` its text as written. The texts are only cast for rows that are bad.
    ``ragged``: the table has ``__bad``, why a row's fields could not be read (accounting.py)."""
    texts = {name: fields.pop(name) for name in list(fields) if name.endswith("_text")}
    parts = [f"{index} AS source", "_row AS source_row", "_line AS source_line"]
    parts += [f"{expr} AS {name}" for name, expr in fields.items()]
    checks = [("day", "date", "day_text")] + [(a, code, text) for a, (code, text) in amounts.items()]
    # A small integer, not a string: it is a grouping key of every row.
    bad = " ".join(f"WHEN ({fields[f]}) IS NULL THEN {BAD_CODES.index(code)}"
                   for f, code, _ in checks)
    bad_text = " ".join(f"WHEN ({fields[f]}) IS NULL THEN {texts[t]}" for f, _, t in checks)
    if ragged:
        bad = f"WHEN __bad IS NOT NULL THEN {BAD_CODES.index('fields')} {bad}"
        bad_text = f"WHEN __bad IS NOT NULL THEN __bad {bad_text}"
    parts += [f"CAST(CASE {bad} ELSE 0 END AS TINYINT) AS bad", f"CASE {bad_text} END AS bad_text"]
    return f"SELECT {', '.join(parts)} FROM {table}"


BAD_CODES = ("", "date", "billed", "effective", "list", "amount", "fields")

# What each quarantine code means; ``{value}`` is the text as written ('' when missing).
QUARANTINE_REASONS = {
    "date": "charge date {value!r} is not a date",
    "billed": "BilledCost {value!r} is not a number",
    "effective": "EffectiveCost {value!r} is not a number",
    "list": "ListCost {value!r} is not a number",
    "amount": "amount {value!r} is not a number",
    "fields": "{value}",
    "currency-missing": "currency is missing",
    "currency-unknown": "unknown currency {value!r}",
    "currency-other": "currency {value} is not the agreement's ({expected}); no exchange rate",
}


NUMBER = re.compile(r"\s*[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?\s*")
DAY = re.compile(r"\s*([0-9]{4,})-[0-9]{2}-[0-9]{2}")


# Numbers as spreadsheets and other locales write them: digit grouping (1,250.00) and decimal
# commas (1.250,00 or 1250,5). Settlement reads a decimal point and no grouping, so these are
# quarantined, with the number they would be when it is not ambiguous (1,250 could be either).
GROUPED = re.compile(r"\s*([+-]?)([0-9]{1,3}(?:,[0-9]{3})+)(\.[0-9]+)?\s*")
DECIMAL_COMMA = re.compile(r"\s*([+-]?)([0-9]{1,3}(?:\.[0-9]{3})+|[0-9]+),([0-9]+)\s*")


def _as_written(value: str) -> str:
    """What a quarantined amount would be with a decimal point and no grouping, as a hint."""
    grouped, comma = GROUPED.fullmatch(value), DECIMAL_COMMA.fullmatch(value)
    if grouped and not (comma and not grouped.group(3)):
        sign, digits, decimals = grouped.groups()
        return f" (digit grouping: write {sign}{digits.replace(',', '')}{decimals or ''})"
    if comma and not (grouped or (len(comma.group(3)) == 3 and "." not in comma.group(2))):
        sign, whole, decimals = comma.groups()
        return f" (a decimal comma: write {sign}{whole.replace('.', '')}.{decimals})"
    if grouped or comma:
        return " (digit grouping or a decimal comma: write it with a decimal point and no grouping)"
    return ""


SLASHED = re.compile(r"\s*([0-9]{1,4})[/.]([0-9]{1,2})[/.]([0-9]{1,4})\s*")


def _date_as_written(value: str) -> str:
    """What a quarantined date would be as YYYY-MM-DD, as a hint, when it is certain: a year
    first (2026/01/15), or a day past 12 on either side of the month (15/01/2026, 01/15/2026)."""
    found = SLASHED.fullmatch(value)
    if not found:
        return ""
    a, b, c = found.groups()
    if len(a) == 4:
        year, month, day = int(a), int(b), int(c)
    elif len(c) == 4 and int(a) > 12 >= int(b):
        year, month, day = int(c), int(b), int(a)
    elif len(c) == 4 and int(b) > 12 >= int(a):
        year, month, day = int(c), int(a), int(b)
    elif len(c) == 4:
        return " (day/month or month/day? write YYYY-MM-DD)"
    else:
        return ""
    try:
        return f" (write {date(year, month, day).isoformat()})"
    except ValueError:
        return ""


def reason_text(code: str, value: str | None, expected: str = "") -> str:
    if value is None and code not in ("currency-missing",):
        return QUARANTINE_REASONS[code].split(" {value")[0] + " is missing"
    if code in ("billed", "effective", "list", "amount") and NUMBER.fullmatch(value):
        return QUARANTINE_REASONS[code].replace("is not a number", "exceeds the supported "
                                                "precision (28 digits before the decimal point)"
                                                ).format(value=value)
    if code in ("billed", "effective", "list", "amount"):
        return QUARANTINE_REASONS[code].format(value=value) + _as_written(value)
    if code == "date" and DAY.match(value) and _readable_day(value):
        return (f"charge date {value!r} is outside the supported dates ({FIRST_DAY} to "
                f"{LAST_DAY}, UTC)")
    if code == "date":
        return QUARANTINE_REASONS[code].format(value=value) + _date_as_written(value)
    return QUARANTINE_REASONS[code].format(value=value, expected=expected)


def _readable_day(text: str) -> bool:
    """Whether a date the range refused was a date: its year, month and day make one (a year
    past 9999 counts; its month and day are checked in a leap year)."""
    year, month, day = DAY.match(text).group(0).strip().rsplit("-", 2)
    try:
        date(2000, int(month), int(day))
    except ValueError:
        return False
    return int(year) >= 1
