"""Every physical line of a CSV input accounted for, counted outside the engine's CSV sniffer.

A CSV file is read by DuckDB with the dialect and the columns given explicitly (taken from the
file's first line), never sniffed: a sniffer may take a later header and skip every line above
it. Each file is first counted here, in plain Python: its physical lines, which must equal the
header line plus the data rows DuckDB read. When they differ, or DuckDB cannot read the file as
declared, the file is scanned record by record with Python's ``csv`` module:

- a line that repeats a header (concatenated exports, a later one with more columns) starts a
  new segment with its own columns; it is a header line, not a row;
- a blank line is a blank line;
- a record whose number of fields is not its header's is a row, quarantined with its line;
- every other record is a row.

and rewritten to one scratch file with the union of the segments' columns and each row's line
number, which DuckDB then reads, again with nothing sniffed. ``Lines`` is the account: physical
lines = header lines + blank lines + rows + continuation lines of quoted multi-line values;
the run checks that its reconciliation counts exactly ``rows`` rows in (run.py).
"""

from __future__ import annotations

import csv
import gzip
import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from ..agreement.problems import Problem, TermsheetError

# Names the reader gives its own columns; a file's columns of these names are dropped.
RESERVED = frozenset({"rowid", "_row", "_line", "__row", "__line", "__bad"})
DELIMITERS = (",", "\t", ";", "|")
FIELD_LIMIT = 1 << 24  # characters in one field: a runaway quote reads to the end of the file


@dataclass(frozen=True)
class Lines:
    """How the physical lines of one CSV file were accounted for."""

    lines: int
    rows: int
    header_lines: tuple[int, ...] = (1,)
    blank_lines: int = 0
    continued: int = 0  # lines inside quoted multi-line values, after their record's first
    ragged: int = 0  # rows (counted in ``rows``) quarantined for their number of fields

    @property
    def balanced(self) -> bool:
        return self.lines == len(self.header_lines) + self.blank_lines + self.rows + self.continued

    def to_dict(self) -> dict:
        return {"lines": self.lines, "rows": self.rows, "header_lines": list(self.header_lines),
                "blank_lines": self.blank_lines, "continued": self.continued,
                "ragged": self.ragged}


@dataclass
class Scan:
    """The slow path's result: the account, the segments' headers, and the scratch file."""

    lines: Lines
    columns: list[str] = field(default_factory=list)


def _open_text(path: Path):
    raw = gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")
    return io.TextIOWrapper(raw, encoding="utf-8-sig", errors="replace", newline="")


def count_lines(path: Path) -> int:
    """Physical lines: line feeds, plus a last line without one. Bytes, not the CSV dialect."""
    opener = gzip.open if path.name.lower().endswith(".gz") else open
    count, last = 0, b"\n"
    with opener(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def first_record(path: Path) -> tuple[list[str], str]:
    """The header (the first record) and the delimiter, the one that splits it the most."""
    with _open_text(path) as handle:
        line = handle.readline(1 << 20)
    if not line.strip():
        raise TermsheetError([Problem("E052", f"{path} is empty or its first line is blank",
                                      str(path), hint="the first line names the columns")])
    delimiter = max(DELIMITERS, key=line.count)
    header = next(csv.reader([line], delimiter=delimiter))
    return names_of(header), delimiter


def names_of(fields: list[str]) -> list[str]:
    """Column names as the reader uses them: trimmed; a blank one named by its position."""
    return [name.strip() or f"column{i}" for i, name in enumerate(fields, 1)]


def check_header(path: Path, header: list[str], line: int = 1) -> None:
    seen: dict[str, int] = {}
    for position, name in enumerate(header, 1):
        key = name.lower()
        if key in seen and key not in RESERVED:
            raise TermsheetError([Problem(
                "E051", f"the header names the column '{name}' twice (columns {seen[key]} and "
                f"{position})", str(path), line, position,
                hint="rename or remove one of them")])
        seen[key] = position


def _records(handle, delimiter: str) -> Iterator[tuple[int, int, list[str]]]:
    """(first line, lines spanned, fields) of each record."""
    csv.field_size_limit(FIELD_LIMIT)
    reader = csv.reader(handle, delimiter=delimiter, strict=False)
    previous = 0
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise TermsheetError([Problem("E051", f"cannot read line {reader.line_num}: {err}",
                                          handle.name if hasattr(handle, "name") else "",
                                          reader.line_num)]) from None
        yield previous + 1, reader.line_num - previous, fields
        previous = reader.line_num


def _is_header(fields: list[str], first: list[str], markers: tuple[frozenset, ...]) -> bool:
    names = [f.strip().lower() for f in fields]
    if names == [f.lower() for f in first]:
        return True
    return any(marker <= set(names) for marker in markers)


def _walk(path: Path, delimiter: str, markers: tuple[frozenset, ...], kind_of):
    """("header", line, names), ("blank", lines) and ("row", line, fields, header line, header)
    for each record, and ("continued", lines) for the extra lines of multi-line records."""
    header: list[str] = []
    header_line, kind = 0, None
    with _open_text(path) as handle:
        for line, spanned, fields in _records(handle, delimiter):
            if spanned > 1:
                yield ("continued", spanned - 1)
            if not header or _is_header(fields, header, markers):
                if not any(name.strip() for name in fields):
                    yield ("blank", 1)
                    continue
                names = names_of(fields)
                check_header(path, names, line)
                segment_kind = kind_of(line, {n.lower(): n for n in names})
                if kind is not None and segment_kind != kind:
                    raise TermsheetError([Problem(
                        "E052", f"line {line} starts a {segment_kind} table inside a {kind} "
                        f"file", str(path), line, hint="give the two tables as two files")])
                kind, header, header_line = segment_kind, names, line
                yield ("header", line, names)
            elif not fields or (len(fields) == 1 and not fields[0].strip()):
                yield ("blank", 1)
            else:
                yield ("row", line, fields, header_line, header)


def rewrite(path: Path, delimiter: str, target: Path, markers: tuple[frozenset, ...],
            kind_of) -> Scan:
    """Scan ``path`` record by record and write its rows to ``target`` (a plain CSV: the union
    of the segments' columns, then ``__row``, ``__line`` and ``__bad``). ``kind_of(line,
    columns)`` answers a segment's kind and raises when it is neither."""
    columns: list[str] = []
    index: dict[str, int] = {}
    for event in _walk(path, delimiter, markers, kind_of):  # first pass: the columns
        if event[0] == "header":
            for name in event[2]:
                if name.lower() not in index and name.lower() not in RESERVED:
                    index[name.lower()] = len(columns)
                    columns.append(name)
    headers: list[int] = []
    rows = blank = continued = ragged = 0
    with open(target, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(columns + ["__row", "__line", "__bad"])
        for event in _walk(path, delimiter, markers, kind_of):
            if event[0] == "header":
                headers.append(event[1])
            elif event[0] == "blank":
                blank += event[1]
            elif event[0] == "continued":
                continued += event[1]
            else:
                _, line, fields, header_line, header = event
                rows += 1
                record = [""] * len(columns)
                bad = ""
                if len(fields) != len(header):
                    ragged += 1
                    bad = (f"line {line} has {len(fields)} field(s) where the header on line "
                           f"{header_line} has {len(header)}")
                else:
                    for name, value in zip(header, fields):
                        slot = index.get(name.lower())
                        if slot is not None:
                            record[slot] = value
                writer.writerow(record + [str(rows), str(line), bad])
    if not headers:
        raise TermsheetError([Problem("E052", f"{path} is empty", str(path))])
    lines = Lines(count_lines(path), rows, tuple(headers), blank, continued, ragged)
    if not lines.balanced:  # a stray carriage return, or a last quote never closed
        raise TermsheetError([Problem(
            "E051", f"{path} has {lines.lines} lines but {lines.rows} rows, {len(headers)} "
            f"header line(s) and {blank} blank line(s) were found in it", str(path),
            hint="look for an unclosed quote or a lone carriage return")])
    return Scan(lines, columns)
