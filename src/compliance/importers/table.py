"""Spreadsheet registers (CSV or .xlsx) as records, one row each (SPEC §13).

Rows are read and written one at a time: a CSV of any length imports in constant memory (an
.xlsx sheet is held by the reader while it is read — the format has no streaming reader
here). Each row becomes a record the models accept, or one rejection per problem naming file,
line (sheet and row for .xlsx), column and reason — never the cell's content, which may be a
name. Personal fields (a complainant's name, address, position, contact; a respondent's name;
an event's note) are written as a mark that the register filled them in, not with their
content: the audit needs to know whether a complainant is named (guideline ๘.๓.๑), never who.
"""

from __future__ import annotations

import csv
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import partial
from pathlib import Path
from typing import IO, Any

from python_calamine import CalamineError, CalamineWorkbook

from compliance.calendar.thaidate import (
    BE_THRESHOLD,
    arabic_digits,
    parse_date,
    parse_moment,
    to_ce,
)
from compliance.errors import ConfigurationError
from compliance.importers.base import RecordError, RowRejected, Tally, check_record, record_line
from compliance.importers.mapping import Source, TableMapping
from compliance.records import PERSONAL_FIELDS

REDACTED = "[ปกปิด]"  # "withheld": a personal field the register filled in
SUFFIXES = (".csv", ".xlsx")
_TRUE = {"true", "yes", "y", "1", "ใช่", "มี", "จริง", "✓", "✔", "x"}
_FALSE = {"false", "no", "n", "0", "ไม่ใช่", "ไม่มี", "ไม่", "เท็จ", "-", "✗"}
_LIST_SPLIT = re.compile(r"[,\s/、]+|และ")

Cell = Any  # str, float, int, bool, date, datetime (xlsx) or str (CSV)


class CellError(ValueError):
    """A cell that cannot be read in its form; the message describes, never quotes."""


@dataclass(frozen=True, slots=True)
class SheetRow:
    """One data row and where it is."""

    row: int  # CSV: the line it starts on; xlsx: the sheet's row number
    cells: list[Cell]


def normalise(text: str) -> str:
    """A header or a choice as compared: spaces and line breaks collapsed, Thai digits Arabic."""
    return " ".join(arabic_digits(text).split()).casefold()


def blank(cell: Cell) -> bool:
    """An empty cell (calamine gives '' for one)."""
    return cell is None or (isinstance(cell, str) and not cell.strip())


# Reading cells in their forms --------------------------------------------------------------


def _text(cell: Cell) -> str:
    if isinstance(cell, bool):
        return "true" if cell else "false"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, date | datetime | time):
        return cell.isoformat()
    return str(cell).strip()


def _be_date(cell: date) -> date:
    """A spreadsheet date typed with a B.E. year in a C.E. calendar (24/04/2566 stored as the
    year 2566): SPEC §3.1 reads any year from 2400 as B.E."""
    if cell.year < BE_THRESHOLD:
        return cell
    try:
        return cell.replace(year=to_ce(cell.year))
    except ValueError:
        raise CellError("no such day in that B.E. year") from None


def _date(cell: Cell) -> str:
    if isinstance(cell, datetime):
        return _be_date(cell.date()).isoformat()
    if isinstance(cell, date):
        return _be_date(cell).isoformat()
    if not isinstance(cell, str):
        raise CellError("not a date (a number): write it as a date or as text such as 24/04/2566")
    return _parsed(parse_date, cell)


def _datetime(cell: Cell) -> str:
    if isinstance(cell, datetime):
        return cell.replace(year=_be_date(cell.date()).year).isoformat()
    if isinstance(cell, date) or not isinstance(cell, str):
        return _date(cell)
    return _parsed(parse_moment, cell)


def _parsed(parse: Callable[[str], date | datetime], text: str) -> str:
    """ISO text of a SPEC §3.1 date or date-time; the parser's message describes, not quotes."""
    try:
        return parse(text).isoformat()
    except ValueError as exc:
        raise CellError(str(exc)) from None


def _integer(cell: Cell) -> int:
    if isinstance(cell, bool):
        raise CellError("not a whole number")
    if isinstance(cell, int):
        return cell
    if isinstance(cell, float):
        if cell.is_integer():
            return int(cell)
        raise CellError("not a whole number")
    text = arabic_digits(_text(cell))
    if not text.isdigit():
        raise CellError("not a whole number (Arabic or Thai digits)")
    return int(text)


def _integers(cell: Cell) -> list[int]:
    if not isinstance(cell, str):
        return [_integer(cell)]
    parts = [p for p in _LIST_SPLIT.split(arabic_digits(cell)) if p]
    if not parts:
        raise CellError("no number")
    return [_integer(p) for p in parts]


def _boolean(cell: Cell) -> bool:
    if isinstance(cell, bool):
        return cell
    word = normalise(_text(cell))
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise CellError("not a yes/no value (ใช่/ไม่ใช่, มี/ไม่มี, yes/no, 1/0)")


def _digits(cell: Cell) -> str:
    return arabic_digits(_text(cell))


def _choice(lookup: dict[str, Any], cell: Cell) -> Any:
    key = normalise(_text(cell))
    if key not in lookup:
        raise CellError("not one of the values listed in the mapping's choices")
    return lookup[key]


_READERS: dict[str, Callable[[Cell], Any]] = {
    "text": _text,
    "digits": _digits,
    "integer": _integer,
    "integers": _integers,
    "boolean": _boolean,
    "date": _date,
    "datetime": _datetime,
}


def reader(source: Source) -> Callable[[Cell], Any]:
    """The function that reads a non-blank cell in the source's form (CellError if it can't)."""
    if source.form == "choice":
        lookup = {normalise(k): v for k, v in (source.choices or {}).items()}
        return partial(_choice, lookup)
    return _READERS[source.form]


# Reading rows -------------------------------------------------------------------------------


def _csv_rows(path: Path, mapping: TableMapping) -> Iterator[SheetRow]:
    try:
        handle = path.open(encoding=mapping.encoding, newline="")
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read ({exc.strerror})") from None
    with handle:
        reader = csv.reader(handle, delimiter=mapping.delimiter)
        ended = 0  # lines read so far: the next row starts on the line after
        try:
            for cells in reader:
                start, ended = ended + 1, reader.line_num
                yield SheetRow(start, cells)
        except UnicodeError:  # undecodable bytes, or a UTF-16 file without its BOM
            raise ConfigurationError(
                f"{path} line {reader.line_num + 1}: not {mapping.encoding} text "
                "(set encoding: in the mapping, e.g. cp874 for a Thai Excel CSV)"
            ) from None
        except csv.Error:
            raise ConfigurationError(
                f"{path} line {reader.line_num}: the CSV is malformed (an unclosed quote?)"
            ) from None


# What an .xlsx may unpack to. A workbook is a zip of XML read whole into memory (three times
# its unpacked size or so): a few hundred kilobytes can unpack to gigabytes. A register of a
# million rows is well under this.
MAX_UNPACKED_BYTES = 256 << 20


def _unpacked_size(path: Path) -> int:
    """The bytes a workbook's parts declare they unpack to (0 if it is no zip: calamine then
    says what is wrong with it)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(part.file_size for part in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return 0


def _xlsx_rows(path: Path, mapping: TableMapping) -> tuple[str, Iterator[SheetRow]]:
    if _unpacked_size(path) > MAX_UNPACKED_BYTES:
        raise ConfigurationError(
            f"{path}: the workbook unpacks to more than {MAX_UNPACKED_BYTES >> 20} MB; "
            "split the register or export it as CSV"
        )
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError) as exc:
        raise ConfigurationError(
            f"{path}: not a readable .xlsx workbook ({type(exc).__name__})"
        ) from None
    try:
        sheet = (
            book.get_sheet_by_name(mapping.sheet)
            if mapping.sheet is not None
            else book.get_sheet_by_index(0)
        )
    except CalamineError:
        raise ConfigurationError(
            f"{path}: no sheet {mapping.sheet}; the workbook has {', '.join(book.sheet_names)}"
        ) from None
    # calamine's rows start at the sheet's first row (but at its first used column).
    rows = (SheetRow(n, list(cells)) for n, cells in enumerate(sheet.iter_rows(), start=1))
    return sheet.name, rows


# The import ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Step:
    """One mapped value, bound to its column's position in this file."""

    head: str | None  # the nested member it goes in (complainant, evidence), if any
    name: str
    column: str | None
    index: int  # -1: a fixed value
    read: Callable[[Cell], Any] | None  # None: `value` is written (fixed, or the redaction mark)
    value: Any


@dataclass(frozen=True, slots=True)
class _EventStep:
    kind: str
    column: str
    index: int
    steps: tuple[_Step, ...]


class _Plan:
    """The mapping bound to one file's header: each value's column position and reader."""

    def __init__(self, mapping: TableMapping, header: list[Cell], where: str) -> None:
        # a BOM left by an encoding without -sig is no part of the first header
        names = [normalise(_text(h).lstrip("\ufeff")) if not blank(h) else "" for h in header]
        index: dict[str, int] = {}
        missing = []
        for column in mapping.columns():
            key = normalise(column)
            if key not in names:
                missing.append(column)
            elif names.count(key) > 1:
                raise ConfigurationError(f"{where}: the header {column} appears more than once")
            else:
                index[column] = names.index(key)
        if missing:
            raise ConfigurationError(
                f"{where}: the register has no column {', '.join(missing)} "
                f"(headers are read from row {mapping.header_row})"
            )
        self.type = mapping.type
        self.fields = tuple(_step(name, source, index) for name, source in mapping.fields.items())
        self.events = tuple(
            _EventStep(
                event.kind,
                event.column,
                index[event.column],
                tuple(_step(name, source, index) for name, source in event.fields.items()),
            )
            for event in mapping.events
        )


def _step(name: str, source: Source, index: dict[str, int]) -> _Step:
    head, _, tail = name.rpartition(".")
    personal = tail in PERSONAL_FIELDS
    if source.column is None:
        return _Step(head or None, tail, None, -1, None, REDACTED if personal else source.value)
    read = None if personal else reader(source)
    return _Step(head or None, tail, source.column, index[source.column], read, REDACTED)


def _apply(step: _Step, cells: list[Cell], target: dict[str, Any]) -> None:
    """Put a step's value for this row in `target` (nothing for a blank cell)."""
    if step.index < 0:
        value = step.value
    else:
        cell = cells[step.index] if step.index < len(cells) else ""
        if blank(cell):
            return
        value = step.value if step.read is None else step.read(cell)
    (target.setdefault(step.head, {}) if step.head else target)[step.name] = value


def row_record(
    plan: _Plan, cells: list[Cell]
) -> tuple[dict[str, Any], list[_EventStep], list[tuple[str, str]]]:
    """A row's record, the mapping entry behind each of its events, and the cells that could
    not be read (column, reason)."""
    record: dict[str, Any] = {"type": plan.type}
    problems: list[tuple[str, str]] = []
    for step in plan.fields:
        try:
            _apply(step, cells, record)
        except CellError as exc:
            problems.append((step.column or step.name, str(exc)))
    events: list[dict[str, Any]] = []
    sources: list[_EventStep] = []
    for event in plan.events:
        cell = cells[event.index] if event.index < len(cells) else ""
        if blank(cell):
            continue
        try:
            item: dict[str, Any] = {"kind": event.kind, "date": _date(cell)}
        except CellError as exc:
            problems.append((event.column, str(exc)))
            continue
        for step in event.steps:
            try:
                _apply(step, cells, item)
            except CellError as exc:
                problems.append((step.column or step.name, str(exc)))
        events.append(item)
        sources.append(event)
    record["events"] = events
    return record, sources, problems


_EVENT_LOC = re.compile(r"events\[(\d+)\](?:\.(\w+))?")


def _column_of(plan: _Plan, events: list[_EventStep], loc: str) -> str | None:
    """The column behind a field location the models name (`received_at`,
    `events[2].identity_redacted`; `events[2]` itself is its date column)."""
    if found := _EVENT_LOC.match(loc):
        event = events[int(found[1])]
        member = found[2]
        if member is None or member in ("kind", "date"):
            return event.column
        return next((s.column for s in event.steps if s.name == member), event.column)
    head, _, tail = loc.partition(".")
    for step in plan.fields:
        if (step.head, step.name) in ((None, head), (head, tail)) or (
            step.head == head and not tail
        ):
            return step.column
    return None


def import_table(path: Path, mapping: TableMapping, out: IO[bytes], tally: Tally) -> Tally:
    """Import one register into `out` (JSON Lines). ConfigurationError (nothing usable
    written) when the file cannot be read or lacks a column the mapping names."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise ConfigurationError(f"{path}: a register must be a .csv or .xlsx file")
    if not path.is_file():
        raise ConfigurationError(f"{path}: no such file")
    sheet: str | None = None
    if suffix == ".xlsx":
        sheet, rows = _xlsx_rows(path, mapping)
    else:
        rows = _csv_rows(path, mapping)
    source = str(path)
    where = f"{source} sheet {sheet}" if sheet is not None else source
    plan: _Plan | None = None
    for row in rows:
        if row.row < mapping.header_row:
            continue
        if plan is None:
            plan = _Plan(mapping, row.cells, where)
            continue
        if all(blank(cell) for cell in row.cells):
            continue  # an empty row is no row (spreadsheets end with many)
        record, events, problems = row_record(plan, row.cells)
        if not problems:
            try:
                check_record(record)
            except RecordError as exc:
                problems = [
                    (_column_of(plan, events, loc) or "", f"{loc}: {msg}")
                    for loc, msg in exc.problems
                ]
        if problems:
            tally.reject_row(
                RowRejected(source, row.row, column or None, reason, sheet)
                for column, reason in problems
            )
            continue
        out.write(record_line(record))
        tally.records += 1
    if plan is None:
        raise ConfigurationError(f"{where}: no header row (row {mapping.header_row} is missing)")
    return tally
