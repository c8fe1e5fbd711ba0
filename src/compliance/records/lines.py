"""Reading a .jsonl file line by line, or a byte range of it (a `--jobs` segment)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

BOM = b"\xef\xbb\xbf"


def jsonl_lines(
    path: Path, start: int = 0, end: int | None = None, first_line: int = 1
) -> Iterator[tuple[int, bytes]]:
    """The non-blank lines of a .jsonl file — or of its byte range [start, end), which begins
    at a line numbered `first_line` — with their 1-based numbers (a leading BOM removed)."""
    with path.open("rb") as handle:
        handle.seek(start)
        yield from numbered_lines(handle, first_line, None if end is None else end - start)


def numbered_lines(
    raw_lines: Iterable[bytes], first_line: int = 1, limit: int | None = None
) -> Iterator[tuple[int, bytes]]:
    """Non-blank lines with their 1-based numbers, the first line's BOM removed, up to
    `limit` bytes (a file's, or standard input's, which cannot seek)."""
    position, number = 0, first_line
    for raw in raw_lines:
        if limit is not None and position >= limit:
            return
        position += len(raw)
        line = raw.removeprefix(BOM) if number == 1 else raw
        if line and not line.isspace():  # (strip() would copy every line to learn this)
            yield number, line
        number += 1
