"""Traffy Fondue exports (the official dump CSV and the API CSV) as complaint records (SPEC §13).

Traffy publishes observations, not tickets: the same ticket appears in many exports, each time
with its state then. The ticket's record is its last observation — the file given last on the
command line, and within a file the last row — placed where the ticket was first seen. So the
importer reads in two passes: the first validates every row and keeps, per ticket id, only where
its winning row is (file number and byte offset, one integer); the second reads each winning row
again and writes its record. Memory grows with the number of distinct tickets (about 120 bytes
each), never with the rows or their text; no free text is ever held.

Only facts the platform states become record fields: id, receipt time (UTC, kept with its
offset), the first organisation named, and one `resolved` event at `last_activity` when the
ticket is finished (`เสร็จสิ้น`). Comments, descriptions, addresses, notes, photos and
coordinates are never read into a record.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import IO, Any, BinaryIO

from compliance.errors import ConfigurationError
from compliance.importers.base import RecordError, RowRejected, Tally, check_record, record_line
from compliance.records.lines import BOM

DEFAULT_AGENCY = "กรุงเทพมหานคร"
FINISHED = "เสร็จสิ้น"
REQUIRED = ("ticket_id", "timestamp", "state", "last_activity")
ORGANISATION = ("organization", "org")  # the dump's name, the API's name
_FILES_BITS = 16  # a winner is `offset << 16 | file number`: up to 65,536 files

_MOMENT = re.compile(
    r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)\s*(Z|[+-]\d{2}(?::?\d{2})?)?"
)


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the needed columns are in one export (the dump and the API order them differently)."""

    path: Path
    header: tuple[str, ...]
    ticket: int
    timestamp: int
    state: int
    last_activity: int
    organisation: int | None


def read_layout(path: Path) -> Layout:
    """The file's header, checked: a usage error (nothing imported) if it is no Traffy export."""
    try:
        with path.open("rb") as handle:
            first = handle.readline().removeprefix(BOM).decode("utf-8")
    except OSError as exc:
        raise ConfigurationError(f"{path}: cannot read ({exc.strerror})") from None
    except UnicodeDecodeError:
        raise ConfigurationError(f"{path}: the header is not UTF-8 text") from None
    header = tuple(name.strip() for name in next(csv.reader([first]), []))
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        raise ConfigurationError(
            f"{path}: not a Traffy Fondue export: no column {', '.join(missing)} "
            "(expected the dump CSV or the API CSV)"
        )
    organisation = next((header.index(n) for n in ORGANISATION if n in header), None)
    return Layout(
        path,
        header,
        header.index("ticket_id"),
        header.index("timestamp"),
        header.index("state"),
        header.index("last_activity"),
        organisation,
    )


def utc_moment(text: str) -> str:
    """A Traffy timestamp (`2023-05-12 13:27:54.482138+00`) as ISO 8601 with its offset, the
    digits kept; one without an offset is UTC, as the platform stores every time. ValueError
    (describing, not quoting) if it is no date-time."""
    found = _MOMENT.fullmatch(text.strip())
    if found is None:
        raise ValueError("not a date-time such as 2023-05-12 13:27:54+00")
    day, time, offset = found.groups()
    if offset is None or offset == "Z":
        offset = "+00:00"
    elif len(offset) == 3:
        offset += ":00"
    elif ":" not in offset:
        offset = f"{offset[:3]}:{offset[3:]}"
    moment = f"{day}T{time}{offset}"
    try:
        datetime.fromisoformat(moment)
    except ValueError:
        raise ValueError("not a valid date-time (no such day or time)") from None
    return moment


def first_organisation(text: str) -> str | None:
    """The first organisation of a Traffy list (`เขตประเวศ,ฝ่ายโยธา เขตประเวศ`, `{…}`)."""
    for part in text.strip().strip("{}").split(","):
        name = part.strip().strip('"').strip()
        if name:
            return name
    return None


def ticket_record(layout: Layout, row: Sequence[str], agency: str | None) -> dict[str, Any]:
    """The complaint record of one row; `RowError` names the column at fault."""
    received = _cell(layout, row, layout.timestamp, utc_moment)
    events: list[dict[str, Any]] = []
    if row[layout.state].strip() == FINISHED:
        events.append(
            {"kind": "resolved", "date": _cell(layout, row, layout.last_activity, utc_moment)}
        )
    if agency is None:
        named = None if layout.organisation is None else row[layout.organisation]
        agency = (named and first_organisation(named)) or DEFAULT_AGENCY
    return {
        "type": "complaint",
        "complaint_id": row[layout.ticket].strip(),
        "agency": agency,
        "received_at": received,
        "channel": "traffy_fondue",
        "corruption": False,
        "complainant": {},
        "events": events,
    }


class RowError(ValueError):
    """A row that cannot be a record, and the column at fault (None: the whole row)."""

    def __init__(self, column: str | None, reason: str) -> None:
        super().__init__(reason)
        self.column = column
        self.reason = reason


def _cell(layout: Layout, row: Sequence[str], index: int, convert: Callable[[str], str]) -> str:
    try:
        return convert(row[index])
    except ValueError as exc:
        raise RowError(layout.header[index], str(exc)) from None


# Reading rows with where they start --------------------------------------------------------


class _Lines:
    """The file's lines as text for `csv.reader`, counting bytes and lines as they are taken
    (the reader takes exactly the lines of one row at a time, so `offset` before a row is
    where the row starts)."""

    def __init__(self, handle: BinaryIO, source: str, line: int) -> None:
        self.handle = handle
        self.source = source
        self.offset = handle.tell()
        self.line = line - 1

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        raw = self.handle.readline()
        if not raw:
            raise StopIteration
        self.offset += len(raw)
        self.line += 1
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ConfigurationError(
                f"{self.source} line {self.line}: not UTF-8 text (Traffy exports are UTF-8)"
            ) from None


def _rows(layout: Layout) -> Iterator[tuple[int, int, list[str]]]:
    """(line the row starts on, byte offset, cells) of every data row."""
    with layout.path.open("rb") as handle:
        handle.readline()  # the header, read already
        lines = _Lines(handle, str(layout.path), 2)
        reader = csv.reader(lines)
        while True:
            offset, line = lines.offset, lines.line + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error:
                raise ConfigurationError(
                    f"{layout.path} line {line}: the CSV is malformed (an unclosed quote?)"
                ) from None
            if row:  # a blank line is no row
                yield line, offset, row


def _row_at(layout: Layout, handle: BinaryIO, offset: int) -> list[str]:
    handle.seek(offset)
    return next(csv.reader(_Lines(handle, str(layout.path), 2)))


# The import ---------------------------------------------------------------------------------


def import_traffy(
    paths: Sequence[Path], out: IO[bytes], tally: Tally, agency: str | None = None
) -> Tally:
    """Import Traffy exports into `out` (JSON Lines); `agency`, when given, replaces the
    organisation named in each row. Raises ConfigurationError before writing anything if a
    file is no Traffy export."""
    layouts = [read_layout(path) for path in paths]
    if len(layouts) > _FILES_MASK:
        raise ConfigurationError(f"at most {_FILES_MASK} files at a time")
    winners: dict[str, int] = {}  # ticket id -> offset << _FILES_BITS | file number
    for number, layout in enumerate(layouts):
        for line, offset, row in _rows(layout):
            problem = _row_problem(layout, row, agency)
            if problem is None:
                winners[row[layout.ticket].strip()] = offset << _FILES_BITS | number
            elif problem is _SKIP:
                tally.skipped += 1
            else:
                column, reason = problem
                tally.reject(RowRejected(str(layout.path), line, column, reason))
    handles = [layout.path.open("rb") for layout in layouts]
    try:
        for where in winners.values():
            number = where & _FILES_MASK
            row = _row_at(layouts[number], handles[number], where >> _FILES_BITS)
            out.write(record_line(ticket_record(layouts[number], row, agency)))
            tally.records += 1
    finally:
        for handle in handles:
            handle.close()
    return tally


_SKIP = (None, "")  # a row without ticket id: skipped and counted, not rejected
_FILES_MASK = (1 << _FILES_BITS) - 1


def _row_problem(
    layout: Layout, row: list[str], agency: str | None
) -> tuple[str | None, str] | None:
    """None for a row that makes a valid record; `_SKIP` for one without ticket id; else the
    column at fault and why."""
    if len(row) != len(layout.header):
        return None, f"the row has {len(row)} cells, the header {len(layout.header)}"
    if not row[layout.ticket].strip():
        return _SKIP
    try:
        check_record(ticket_record(layout, row, agency))
    except RowError as exc:
        return exc.column, exc.reason
    except RecordError as exc:
        columns = {"complaint_id": layout.ticket, "received_at": layout.timestamp}
        loc = exc.problems[0][0]
        index = columns.get(loc, layout.last_activity if loc.startswith("events") else None)
        column = layout.header[index] if index is not None else None
        return column, "; ".join(f"{field}: {message}" for field, message in exc.problems)
    return None
