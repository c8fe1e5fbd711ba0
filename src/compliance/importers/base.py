"""What every importer shares: a rejected row and where it is, the running tally, and the one
way a record is checked and written.

A rejected row names its file, its line (CSV) or sheet and row (xlsx), the column and the
reason — never the cell's value, which may be a complainant's name (SPEC §8)."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
from pydantic import ValidationError

from compliance.errors import format_validation_error
from compliance.records import RECORD_ADAPTER, RECORD_TYPES

# Python's csv module refuses a cell over 131,072 characters as an error of the whole file,
# and its limit is one per process (no reader takes its own). A register's free text (a Traffy
# comment, a long note) can be longer; SPEC §13 wants every row a record or a rejected row,
# never a dead import. A cell is bounded by its file anyway; a field the records limit (an id)
# is refused row by row by the models. Set here, where every importer starts.
csv.field_size_limit(2**31 - 1)  # the largest a C long holds on every platform


@dataclass(frozen=True, slots=True)
class RowRejected:
    """An input row that did not become a record."""

    source: str
    row: int  # CSV: the file line the row starts on (header = 1); xlsx: the sheet's row number
    column: str | None  # the header of the column at fault; None when it is the whole row
    reason: str
    sheet: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The rejection as one JSON object (for `--rejects`)."""
        where: dict[str, Any] = {"source": self.source}
        if self.sheet is not None:
            where["sheet"] = self.sheet
            where["row"] = self.row
        else:
            where["line"] = self.row
        return {**where, "column": self.column, "reason": self.reason}

    def describe(self) -> str:
        """One line for standard error."""
        place = (
            f"{self.source} sheet {self.sheet} row {self.row}"
            if self.sheet is not None
            else f"{self.source} line {self.row}"
        )
        column = f", column {self.column}" if self.column else ""
        return f"{place}{column}: {self.reason}"


class Tally:
    """Counts of one import run. Rejections go to `sink` as they occur (standard error, a
    file): holding them would make memory grow with the bad rows of a large file."""

    def __init__(self, sink: Callable[[RowRejected], None] | None = None) -> None:
        self.records = 0
        self.skipped = 0  # rows without an id (Traffy): counted, not records
        self.rejected = 0
        self._sink = sink

    def reject(self, rejected: RowRejected) -> None:
        """Count a rejected row and pass it on."""
        self.reject_row((rejected,))

    def reject_row(self, problems: Iterable[RowRejected]) -> None:
        """Count one rejected row and pass on each of its problems (one per column)."""
        self.rejected += 1
        if self._sink is not None:
            for rejected in problems:
                self._sink(rejected)

    @property
    def complete(self) -> bool:
        """Every row became a record (SPEC §13: exit 0)."""
        return not self.rejected and not self.skipped


class RecordError(ValueError):
    """A record the models refuse: one `(field location, message)` per problem, without values."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        super().__init__("; ".join(f"{loc}: {msg}" for loc, msg in problems))
        self.problems = problems


def check_record(record: Mapping[str, Any]) -> None:
    """Validate a record dict with the audit's own models; raise RecordError if refused."""
    try:
        RECORD_ADAPTER.validate_python(record)
    except ValidationError as exc:
        problems = []
        for message in format_validation_error(exc):
            loc, _, msg = message.partition(": ")
            for tag in RECORD_TYPES:  # the discriminated union prefixes the record type
                loc = loc.removeprefix(f"{tag}.")
            problems.append((loc, msg))
        raise RecordError(problems) from None


def record_line(record: Mapping[str, Any]) -> bytes:
    """A record as one JSON line (UTF-8, Thai kept as is)."""
    return orjson.dumps(record) + b"\n"
