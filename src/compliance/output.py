"""Writing a report file atomically: a failed or interrupted run never leaves half a file."""

from __future__ import annotations

import contextlib
import io
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

_PARTIAL: set[str] = set()  # temporary files being written now


def discard_partial_files() -> None:
    """Remove every report file still being written (called when the run is stopped)."""
    for name in list(_PARTIAL):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(name)
        _PARTIAL.discard(name)


def start_writeback(handle: IO[bytes]) -> None:
    """Ask the kernel to start writing a report file's data to disk now, without waiting.

    A big report (hundreds of MB) written to the page cache would otherwise all be flushed by
    the final fsync, in series with nothing else to do; started as it is produced, the
    flushing overlaps the audit. Written pages also leave the cache. Not a file (a pipe, a
    terminal): nothing to do."""
    try:
        fd = handle.fileno()
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        pass


@contextlib.contextmanager
def report_output(path: Path | None) -> Iterator[IO[bytes]]:
    """Standard output for None; otherwise a temporary file beside `path`, renamed over it
    only when the block completes."""
    if path is None:
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    directory = path.resolve().parent
    fd, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    _PARTIAL.add(temp_name)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp_name, 0o666 & ~umask)  # as an ordinary new file, not mkstemp's 0600
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
    finally:
        _PARTIAL.discard(temp_name)
