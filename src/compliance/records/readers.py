"""Readers that lose nothing: every record ends validated or rejected with file, line, id, field.

`.jsonl` files (and `-`, standard input) are streamed line by line (memory does not grow
with the file); `.json` files hold one or more values, each a record or an array of records.
Invalid JSON, a missing or unknown `type`, invalid fields, a duplicate id (the second is
rejected), invalid UTF-8 and an empty file are all reported as `Rejected` items in the stream;
so is whatever a hostile line holds — nesting too deep for any parser, numbers of thousands of
digits, NaN, lone surrogates, a key given twice (docs/robustness.md). One bad record never
stops the others, and nothing raised while reading a record escapes as a crash.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Generator, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from compliance.errors import ConfigurationError, format_validation_error, location
from compliance.records import (
    ID_FIELDS,
    RECORD_ADAPTER,
    RECORD_TYPES,
    RECORD_VALIDATOR,
    Complaint,
    DisciplinaryCase,
    Record,
)
from compliance.records.idindex import IdIndex
from compliance.records.lines import BOM, jsonl_lines, numbered_lines

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

    def __post_init__(self) -> None:
        # Whoever builds one (a --jobs worker too), every report must be able to print it:
        # a file name that is not UTF-8, an id with a lone surrogate would make it fail.
        if not _is_unicode(self.source):
            object.__setattr__(self, "source", _printable(self.source))
        if self.record_id is not None and not _is_unicode(self.record_id):
            object.__setattr__(self, "record_id", None)

    def to_json(self) -> dict[str, Any]:
        """The report's `rejected` item (SPEC §7)."""
        return {
            "source": self.source,
            "line": self.line,
            "record_id": self.record_id,
            "errors": list(self.errors),
        }


Item = Accepted | Rejected


STDIN = Path("-")  # the input argument that means standard input (JSON Lines)
STDIN_NAME = "<stdin>"  # its source name in rejections


def display_name(path: Path) -> str:
    """A file name as reports show it: valid UTF-8 whatever bytes the name holds (a name
    that is not UTF-8 would otherwise make the JSON report impossible to write)."""
    return STDIN_NAME if path == STDIN else _printable(str(path))


def _printable(text: str) -> str:
    """`text` as valid Unicode: undecodable bytes of a file name (kept by Python as lone
    surrogates) become U+FFFD."""
    if _is_unicode(text):
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "replace").decode("utf-8")


def check_inputs(paths: Iterable[Path]) -> list[Path]:
    """Usage check before anything is read: each input is a readable .json or .jsonl file,
    or `-` (standard input, JSON Lines) given once."""
    checked = []
    for path in paths:
        if path == STDIN:
            if STDIN in checked:
                raise ConfigurationError("- (standard input) may be given only once")
            checked.append(path)
            continue
        name = display_name(path)
        if path.suffix.lower() not in (".json", ".jsonl"):
            raise ConfigurationError(f"{name}: input must be a .json or .jsonl file")
        if path.is_dir():
            raise ConfigurationError(f"{name}: is a directory, not a records file")
        if not path.is_file():
            raise ConfigurationError(f"{name}: no such file")
        try:
            with path.open("rb"):
                pass
        except OSError as exc:
            raise ConfigurationError(f"{name}: cannot read ({exc.strerror})") from None
        checked.append(path)
    return checked


def read_records(paths: Iterable[Path]) -> Iterator[Item]:
    """Every record of every file, in order; ids are unique per type across all files."""
    return _unique(read_files(paths))


def read_files(paths: Iterable[Path]) -> Iterator[Item]:
    """Every record of every file, in order, not yet checked for duplicate ids (the audit's
    ledger does that, whichever way the records are read)."""
    for path in paths:
        yield from _read_file(path)


def _read_file(path: Path) -> Iterator[Item]:
    if path == STDIN:
        return _read_lines(STDIN_NAME, numbered_lines(sys.stdin.buffer))
    if path.suffix.lower() == ".jsonl":
        return _read_lines(display_name(path), jsonl_lines(path))
    return read_json_file(path)


def read_values(values: Iterable[Record | Any], source: str = "<input>") -> Iterator[Item]:
    """Records given as Python values (models or dicts, e.g. from a service), validated
    exactly like file input; `line` is the 1-based position. Like `read_files`, they are not
    checked for duplicate ids here: the audit's ledger does that."""
    for n, value in enumerate(values, start=1):
        yield (
            Accepted(source, n, value)
            if isinstance(value, Record)
            else _validate_value(source, n, value)
        )


class SeenIds:
    """Ids seen so far in one audit, per record type: a second record with one is rejected.
    Kept as digests (`compliance.records.idindex`), a few dozen bytes an id, so that memory
    stays flat however many records the input holds."""

    def __init__(self) -> None:
        self._seen = {t: IdIndex() for t in RECORD_TYPES}

    def check(self, source: str, line: int, record_type: str, record_id: str) -> Rejected | None:
        """None the first time an id is seen; the rejection of the record otherwise."""
        if self._seen[record_type].add(record_id):
            return None
        problem = f"{ID_FIELDS[record_type]}: duplicate id: an earlier record has it"
        return Rejected(source, line, record_id, (problem,))


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
    """`parse_line` without the `Accepted` wrapper, for loops that know where they are.

    Fast path: pydantic's JSON parser validates the line, with the models' rules checked in
    pydantic-core (`RECORD_VALIDATOR`); a line it refuses is validated again by
    `RECORD_ADAPTER`, whose errors say why. The parser keeps the last of two equal keys, so a
    record passes only if no key can have been dropped: `_key_bound` (bytes counted in C) is
    at least the number of keys in the line and is compared with the keys the record kept;
    only when they differ (a `\":` inside a value, say) is the line read again by Python's
    parser, which sees every key."""
    try:
        record: Record = RECORD_VALIDATOR.validate_json(line)
    except ValidationError:
        try:
            record = RECORD_ADAPTER.validate_json(line)
        except ValidationError as exc:
            return _diagnose(source, number, line, exc)
    kept = kept_keys(record)
    if _key_bound(line, kept) != kept:
        try:
            problems = _hazards(_load(line.decode("utf-8")))
        except _InvalidJsonError as exc:  # not expected: pydantic's parser read it
            problems = (exc.message,)
        if problems:
            return Rejected(source, number, _safe_id(record.record_id), problems)
    return record


def _key_bound(line: bytes, kept: int) -> int:
    """At least the number of keys in a valid JSON object on one line: each key's closing
    quote is followed by a colon, maybe after white space; a value's closing quote never is.
    Cheapest test first: the colons (more than the keys when a value holds one, as a time of
    day does); then the quotes right before a colon, which are all the keys unless white space
    comes before a colon (a space, or a raw tab or CR: strings cannot hold those raw, and a
    line ends with `}`, maybe CR LF)."""
    count = line.count
    colons = count(b":")
    if colons == kept:
        return colons
    quoted = count(b'":')
    if _SPACE_COLON(line) is None and b"\t" not in line and line.find(b"\r", 0, len(line) - 2) < 0:
        return quoted
    return quoted + count(b'" ') + count(b'"\t') + count(b'"\r') + count(b'"\n')


_SPACE_COLON = re.compile(rb" :").search  # twice as fast as `in` (no byte-pair search in C)
# The slot itself: a model's attributes go through pydantic's `__getattr__` hook.
_FIELDS_SET = BaseModel.__dict__["__pydantic_fields_set__"].__get__
_NESTED: dict[type[BaseModel], tuple[tuple[str, bool], ...]] = {}


def kept_keys(model: BaseModel) -> int:
    """How many keys of its input a validated model (and the models in it) kept."""
    count = len(_FIELDS_SET(model))
    nested = _NESTED.get(type(model))
    if nested is None:
        nested = _NESTED[type(model)] = _nested_fields(type(model))
    for name, leaf in nested:
        value = getattr(model, name)
        if isinstance(value, list):
            count += sum(map(len, map(_FIELDS_SET, value))) if leaf else sum(map(kept_keys, value))
        elif isinstance(value, BaseModel):
            count += len(_FIELDS_SET(value)) if leaf else kept_keys(value)
    return count


def _nested_fields(cls: type[BaseModel]) -> tuple[tuple[str, bool], ...]:
    """The fields of `cls` that can hold models (directly or in a list), each with whether
    those models hold none themselves (their keys are then counted without a call)."""
    found = []
    for name, info in cls.model_fields.items():
        models = _models_in(info.annotation)
        if models:
            found.append((name, not any(_nested_fields(m) for m in models)))
    return tuple(found)


def _read_lines(source: str, lines: Iterable[tuple[int, bytes]]) -> Iterator[Item]:
    empty = True
    for number, line in lines:
        empty = False
        yield parse_line(source, number, line)
    if empty:
        yield Rejected(source, 1, None, (EMPTY_FILE,))


@dataclass(frozen=True, slots=True)
class _NotJson:
    """What Python's parser would take but JSON does not allow (NaN, Infinity) or no
    record can use (a number too long to convert): kept in place, reported by `_hazards`."""

    problem: str


class _Pairs(dict[str, Any]):
    """A JSON object whose text repeated a key: the keys that appeared more than once."""

    repeated: tuple[str, ...] = ()


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) == len(pairs):
        return value
    seen: set[str] = set()
    repeated = _Pairs(value)
    repeated.repeated = tuple(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
    return repeated


def _constant(name: str) -> _NotJson:
    return _NotJson(f"{name} is not a JSON number")


def _integer(text: str) -> int | _NotJson:
    if len(text) > MAX_DIGITS:
        return _NotJson(f"a number with {len(text)} digits (at most {MAX_DIGITS} are read)")
    return int(text)


MAX_DIGITS = 4000  # below Python's own limit on converting digits to int (4300)
_DECODER = json.JSONDecoder(object_pairs_hook=_object, parse_constant=_constant, parse_int=_integer)


class _InvalidJsonError(Exception):
    """The text is not a readable JSON value: why, as a rejection message, and the line."""

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.message, self.line = message, line


def _load(text: str) -> Any:
    """The one JSON value of a line, read by Python's parser (which sees repeated keys)."""
    value, end = _decode(text, _skip_space(text, 0))
    if _skip_space(text, end) < len(text):
        raise _InvalidJsonError(f"invalid JSON: extra data at column {_skip_space(text, end) + 1}")
    return value


def _decode(text: str, pos: int) -> tuple[Any, int]:
    """`raw_decode` with every failure (syntax, depth, long numbers) as an `_InvalidJsonError`."""
    try:
        return _DECODER.raw_decode(text, pos)
    except json.JSONDecodeError as exc:
        raise _InvalidJsonError(
            f"invalid JSON: {exc.msg} at column {exc.colno}", exc.lineno
        ) from None
    except RecursionError:
        raise _InvalidJsonError(
            "invalid JSON: nested too deeply", text.count("\n", 0, pos) + 1
        ) from None


def _hazards(value: Any) -> tuple[str, ...]:
    """What makes a decoded value unusable even if its fields are valid: a key given twice
    in one object (one of them would be dropped silently), text that is not Unicode (a lone
    surrogate escape: no report could be written with it), NaN. Walked without recursion: the
    value may be nested as deeply as the parser allows."""
    problems: list[str] = []
    stack: list[tuple[tuple[int | str, ...], Any]] = [((), value)]
    while stack:
        path, item = stack.pop()
        if isinstance(item, str):
            if not _is_unicode(item):
                problems.append(f"{safe_location(path)}: {_SURROGATE}")
        elif isinstance(item, _NotJson):
            problems.append(f"{safe_location(path)}: {item.problem}")
        elif isinstance(item, dict):
            if isinstance(item, _Pairs):
                for key in dict.fromkeys(item.repeated):
                    problems.append(f"{safe_location(path)}: {_repeated(key)}")
            for key, member in item.items():
                if not _is_unicode(key):
                    problems.append(f"{safe_location(path)}: a key {_SURROGATE}")
                else:
                    stack.append(((*path, key), member))
        elif isinstance(item, list):
            stack.extend(((*path, i), member) for i, member in enumerate(item))
    return tuple(sorted(problems))


_SURROGATE = "text holds a lone surrogate (an escape \\ud800-\\udfff without its pair)"


def _repeated(key: str) -> str:
    named = f"the key {key!r}" if key in field_names() else "a key"
    return f"{named} appears twice in one object (one value would be lost)"


def _is_unicode(text: str) -> bool:
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _safe_id(candidate: str) -> str | None:
    return candidate if _is_unicode(candidate) else None


def read_json_file(path: Path) -> Iterator[Item]:
    """The records of a .json file, unchecked for duplicates. The file holds one or more JSON
    values, each a record or an array of records: a file of several records one after the
    other (JSON Lines named .json) is read whole, never just its first value. Text that is
    not JSON stops the file there, with a rejection that says the rest was not read."""
    source = display_name(path)
    raw = path.read_bytes().removeprefix(BOM)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        yield Rejected(source, line, None, (f"not valid UTF-8 (byte {exc.start + 1})",))
        return
    pos = _skip_space(text, 0)
    if pos == len(text):
        yield Rejected(source, 1, None, (EMPTY_FILE,))
        return
    lines = _LineCounter(text)
    try:
        while pos < len(text):
            if text[pos] == "[":
                pos = yield from _array(source, text, pos + 1, lines)
            else:
                value, end = _decode(text, pos)
                yield _validate_value(source, lines.at(pos), value)
                pos = end
            pos = _skip_space(text, pos)
    except _InvalidJsonError as exc:
        yield Rejected(source, exc.line, None, (f"{exc.message}; {_NOT_READ}",))


_NOT_READ = "the rest of the file is not read"


class _LineCounter:
    """Line numbers of positions met in increasing order, counted from the last one asked
    (counting from the start each time made reading a large .json file quadratic)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.line = 1
        self.counted_to = 0

    def at(self, pos: int) -> int:
        """The 1-based line of `pos` (not before the last position asked)."""
        self.line += self.text.count("\n", self.counted_to, pos)
        self.counted_to = pos
        return self.line


def _array(source: str, text: str, pos: int, lines: _LineCounter) -> Generator[Item, None, int]:
    """The records of the array whose `[` is just before `pos`, each with its line; returns
    the position after the `]`."""
    pos = _skip_space(text, pos)
    if pos < len(text) and text[pos] == "]":
        return pos + 1
    while True:
        value, end = _decode(text, pos)
        yield _validate_value(source, lines.at(pos), value)
        pos = _skip_space(text, end)
        if pos < len(text) and text[pos] == "]":
            return pos + 1
        if pos >= len(text) or text[pos] != ",":
            raise _InvalidJsonError("invalid JSON: expected ',' or ']'", lines.at(pos))
        pos = _skip_space(text, pos + 1)


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in " \t\r\n":
        pos += 1
    return pos


def _validate_value(source: str, line: int, value: Any) -> Item:
    problem = _type_problem(value)
    if problem:
        return Rejected(source, line, _record_id(value), (problem,))
    hazards = _hazards(value)
    if hazards:
        return Rejected(source, line, _record_id(value), hazards)
    try:
        return Accepted(source, line, RECORD_ADAPTER.validate_python(value))
    except ValidationError as exc:
        return Rejected(source, line, _record_id(value), _field_errors(exc))


def _diagnose(source: str, line: int, raw: bytes, exc: ValidationError) -> Rejected:
    """Turn a failed JSON-line validation into a precise rejection. pydantic's parser has
    already refused the line; Python's reads it again to say why, whatever the bytes hold."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        return Rejected(source, line, None, (f"not valid UTF-8 (byte {err.start + 1})",))
    if text.startswith("\ufeff"):
        return Rejected(source, line, None, (_BOM_INSIDE,))
    try:
        value = _load(text)
    except _InvalidJsonError as err:
        return Rejected(source, line, None, (err.message,))
    found = _validate_value(source, line, value)
    if isinstance(found, Rejected):
        return found
    # Python's parser took what pydantic's refused (a depth pydantic does not read): the
    # line is still not valid JSON for the audit.
    return Rejected(source, line, _record_id(value), _field_errors(exc))


_BOM_INSIDE = (
    "invalid JSON: the line starts with a byte-order mark, which only a file's first line may "
    "have (files joined together?)"
)


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
    if isinstance(candidate, str) and 0 < len(candidate) <= 200:
        return _safe_id(candidate)
    return None


def _field_errors(exc: ValidationError) -> tuple[str, ...]:
    # The discriminated union puts the record type first in each location: dropped. Unknown
    # keys are named only at the top level (they could be a person's name elsewhere).
    return tuple(format_validation_error(exc, tags=RECORD_TYPES, echo_unknown_depth=0))


@cache
def field_names() -> frozenset[str]:
    """Every field name of every record model: the keys an error may name."""
    names: set[str] = set()
    todo: list[type[BaseModel]] = [DisciplinaryCase, Complaint]
    done: set[type[BaseModel]] = set()
    while todo:
        cls = todo.pop()
        if cls in done:
            continue
        done.add(cls)
        for name, info in cls.model_fields.items():
            names.add(name)
            todo.extend(_models_in(info.annotation))
    return frozenset(names)


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return [m for arg in get_args(annotation) for m in _models_in(arg)]


def safe_location(path: tuple[int | str, ...]) -> str:
    """A location in a record, with any key that is not a field name left unnamed."""
    known = field_names()
    return location(
        tuple(p if isinstance(p, int) or p in known else "<unknown field>" for p in path)
    )
