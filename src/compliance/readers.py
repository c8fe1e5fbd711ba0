"""Readers that lose nothing: every record ends validated or rejected with file, line, id, field.

`.jsonl` files are streamed line by line (memory does not grow with the file); `.json` files
hold one record or an array of records. Invalid JSON, a missing or unknown `type`, invalid
fields, a duplicate id (the second is rejected), invalid UTF-8 and an empty file are all
reported as `Rejected` items in the stream; one bad record never stops the others.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from compliance.errors import ConfigurationError, format_validation_error
from compliance.lines import BOM, jsonl_lines
from compliance.records import ID_FIELDS, RECORD_ADAPTER, RECORD_TYPES, Record

_TYPES_TEXT = " or ".join(repr(t) for t in RECORD_TYPES)


@dataclass(frozen=True, slots=True)
class Accepted:
    """A validated record and where it came from."""

    source: str
    line: int
    record: Record


@dataclass(frozen=True, slots=True)
class Rejected:
    """A record that could not be audited: where it is, its id if readable, what is wrong."""

    source: str
    line: int
    record_id: str | None
    errors: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """The report's `rejected` item (SPEC §7)."""
        return {
            "source": self.source,
            "line": self.line,
            "record_id": self.record_id,
            "errors": list(self.errors),
        }


Item = Accepted | Rejected


def check_inputs(paths: Iterable[Path]) -> list[Path]:
    """Usage check before anything is read: each input exists and is .json or .jsonl."""
    checked = []
    for path in paths:
        if path.suffix.lower() not in (".json", ".jsonl"):
            raise ConfigurationError(f"{path}: input must be a .json or .jsonl file")
        if not path.is_file():
            raise ConfigurationError(f"{path}: no such file")
        checked.append(path)
    return checked


def read_records(paths: Iterable[Path]) -> Iterator[Item]:
    """Every record of every file, in order; ids are unique per type across all files."""
    return _unique(read_files(paths))


def read_files(paths: Iterable[Path]) -> Iterator[Item]:
    """Every record of every file, in order, not yet checked for duplicate ids (the audit's
    ledger does that, whichever way the records are read)."""
    for path in paths:
        yield from (_read_jsonl(path) if path.suffix.lower() == ".jsonl" else read_json_file(path))


def read_values(values: Iterable[Record | Any], source: str = "<input>") -> Iterator[Item]:
    """Records given as Python values (models or dicts, e.g. from a service), validated and
    checked exactly like file input; `line` is the 1-based position."""
    return _unique(
        Accepted(source, n, value)
        if isinstance(value, Record)
        else _validate_value(source, n, value)
        for n, value in enumerate(values, start=1)
    )


class SeenIds:
    """Ids seen so far in one audit, per record type: a second record with one is rejected."""

    def __init__(self) -> None:
        self._seen: dict[str, set[str]] = {t: set() for t in RECORD_TYPES}

    def check(self, source: str, line: int, record_type: str, record_id: str) -> Rejected | None:
        """None the first time an id is seen; the rejection of the record otherwise."""
        ids = self._seen[record_type]
        if record_id in ids:
            problem = f"{ID_FIELDS[record_type]}: duplicate id: an earlier record has it"
            return Rejected(source, line, record_id, (problem,))
        ids.add(record_id)
        return None


def _unique(items: Iterable[Item]) -> Iterator[Item]:
    """Reject the second record with an id already seen for its type."""
    seen = SeenIds()
    for item in items:
        if isinstance(item, Accepted):
            duplicate = seen.check(item.source, item.line, item.record.type, item.record.record_id)
            if duplicate is not None:
                yield duplicate
                continue
        yield item


EMPTY_FILE = "file is empty: no records"


def parse_line(source: str, number: int, line: bytes) -> Item:
    """Validate one JSON line into a record, or say precisely why not."""
    found = parse_record(source, number, line)
    return found if isinstance(found, Rejected) else Accepted(source, number, found)


def parse_record(source: str, number: int, line: bytes) -> Record | Rejected:
    """`parse_line` without the `Accepted` wrapper, for loops that know where they are."""
    try:
        return RECORD_ADAPTER.validate_json(line)
    except ValidationError as exc:
        return _diagnose(source, number, line, exc)


def _read_jsonl(path: Path) -> Iterator[Item]:
    source = str(path)
    empty = True
    for number, line in jsonl_lines(path):
        empty = False
        yield parse_line(source, number, line)
    if empty:
        yield Rejected(source, 1, None, (EMPTY_FILE,))


def read_json_file(path: Path) -> Iterator[Item]:
    """The records of a .json file (one record or an array), unchecked for duplicates."""
    source = str(path)
    raw = path.read_bytes().removeprefix(BOM)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        yield Rejected(source, line, None, (f"not valid UTF-8 (byte {exc.start + 1})",))
        return
    if not text.strip():
        yield Rejected(source, 1, None, (EMPTY_FILE,))
        return
    decoder = json.JSONDecoder()
    start = _skip_space(text, 0)
    if text[start] != "[":
        yield from _json_values(source, text, decoder, start, single=True)
        return
    yield from _json_values(source, text, decoder, start + 1, single=False)


def _json_values(
    source: str, text: str, decoder: json.JSONDecoder, pos: int, single: bool
) -> Iterator[Item]:
    """Decode one value, or the elements of an array from `pos`, tracking line numbers."""
    line, counted_to = 1, 0
    while True:
        pos = _skip_space(text, pos)
        if not single and pos < len(text) and text[pos] == "]":
            return
        line += text.count("\n", counted_to, pos)
        counted_to = pos
        try:
            value, end = decoder.raw_decode(text, pos)
        except json.JSONDecodeError as exc:
            yield Rejected(source, exc.lineno, None, (f"invalid JSON: {exc.msg}",))
            return
        yield _validate_value(source, line, value)
        if single:
            return
        pos = _skip_space(text, end)
        if pos < len(text) and text[pos] == ",":
            pos += 1
        elif pos >= len(text) or text[pos] != "]":
            bad_line = text.count("\n", 0, pos) + 1
            yield Rejected(source, bad_line, None, ("invalid JSON: expected ',' or ']'",))
            return


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _validate_value(source: str, line: int, value: Any) -> Item:
    problem = _type_problem(value)
    if problem:
        return Rejected(source, line, _record_id(value), (problem,))
    try:
        return Accepted(source, line, RECORD_ADAPTER.validate_python(value))
    except ValidationError as exc:
        return Rejected(source, line, _record_id(value), _field_errors(exc))


def _diagnose(source: str, line: int, raw: bytes, exc: ValidationError) -> Rejected:
    """Turn a failed JSON-line validation into a precise rejection."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return Rejected(source, line, None, (f"not valid UTF-8 (byte {err.start + 1})",))
    try:
        value = json.loads(text.strip())
    except json.JSONDecodeError as err:
        return Rejected(source, line, None, (f"invalid JSON: {err.msg} at column {err.colno}",))
    problem = _type_problem(value)
    if problem:
        return Rejected(source, line, _record_id(value), (problem,))
    return Rejected(source, line, _record_id(value), _field_errors(exc))


def _type_problem(value: Any) -> str | None:
    if not isinstance(value, dict):
        return "a record must be a JSON object"
    if "type" not in value:
        return f"type: missing; expected {_TYPES_TEXT}"
    if value["type"] not in RECORD_TYPES:
        return f"type: unknown record type; expected {_TYPES_TEXT}"
    return None


def _record_id(value: Any) -> str | None:
    if not isinstance(value, dict):
        return None
    kind = value.get("type")
    field = ID_FIELDS.get(kind) if isinstance(kind, str) else None
    candidate = value.get(field) if field else value.get("case_id", value.get("complaint_id"))
    return candidate if isinstance(candidate, str) and 0 < len(candidate) <= 200 else None


def _field_errors(exc: ValidationError) -> tuple[str, ...]:
    # The discriminated union puts the record type first in each location; drop it.
    messages = []
    for message in format_validation_error(exc):
        text = message
        for tag in RECORD_TYPES:
            text = text.removeprefix(f"{tag}.")
        messages.append(text)
    return tuple(messages)
