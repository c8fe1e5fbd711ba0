"""Reading a .jsonl file line by line, or a byte range of it (a `--jobs` segment)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

BOM = b"\xef\xbb\xbf"


def jsonl_lines(
    path: Path, start: int = 0, end: int | None = None, first_line: int = 1
) -> Iterator[tuple[int, bytes]]:
    """The non-blank lines of a .jsonl file — or of its byte range [start, end), which begins
    at a line numbered `first_line` — with their 1-based numbers (a leading BOM removed)."""
    with path.open("rb") as handle:
        handle.seek(start)
        position, number = start, first_line
        for raw in handle:
            if end is not None and position >= end:
                return
            position += len(raw)
            line = raw.removeprefix(BOM) if number == 1 else raw
            if line.strip():
                yield number, line
            number += 1
