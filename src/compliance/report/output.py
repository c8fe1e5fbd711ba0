"""Writing a report file atomically: a failed or interrupted run never leaves half a file, and
`--output` never destroys what it points at.

Where the report goes is settled before the audit starts (`report_output` opens its file
first), so a wrong `--output` costs nothing:
- an input of the audit (the same file by any name: path, symlink, hard link): refused;
- a file the same run writes besides (the history store's SQLite file, a `--rejects` file),
  by the same names and by its path even before it exists (the run makes it, then the report
  would replace it): refused;
- a regular file, or a new name: the report is written to a temporary file in the directory of
  the *real* file (a symlink is followed, so the rename stays on one filesystem) and renamed
  over it at the end; an existing file keeps its permissions (and owner, where allowed);
- standard output (`-`, `/dev/stdout`, `/dev/fd/N`), a character device (`/dev/null`, a
  terminal) or a FIFO: written into, never replaced;
- a socket, a block device (a disk), a directory: refused.
Every failure — a missing directory, no permission, a read-only or full filesystem, a name
too long — is a `ReportWriteError` of one line, and no partial file is left behind.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import re
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from compliance.errors import ComplianceError

# Errors that writing the report itself raises (other OSErrors belong to whoever raised them).
_WRITE_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EPIPE, errno.EROFS, errno.EBADF}
)
# what the temporary name adds to the kept name: dots, a process id, mkstemp's 8, ".part"
_TEMP_EXTRA = len("..") + 8 + len("-") + 8 + len(".part")
_OPEN_FD = re.compile(
    r"/dev/(?:std(?P<std>in|out|err)|fd/(?P<fd>[0-9]+))|/proc/self/fd/(?P<p>[0-9]+)"
)


class ReportWriteError(ComplianceError):
    """The report cannot be written where `--output` says (nothing was, or is left, there)."""


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


@dataclass(frozen=True, slots=True)
class _Target:
    """Where a report goes: an open descriptor to write into, or a file to replace."""

    shown: str  # the name as the user gave it, for messages
    fd: int | None = None  # write into this descriptor (standard output, a device, a FIFO)
    real: str | None = None  # replace this regular file (the real path, symlinks followed)
    existing: os.stat_result | None = None  # the file being replaced, if it exists


@contextlib.contextmanager
def report_output(
    path: Path | None,
    inputs: Iterable[Path] = (),
    others: Iterable[tuple[str, Path]] = (),
    option: str = "--output",
) -> Iterator[IO[bytes]]:
    """A binary handle for the report: standard output for None or `-`; otherwise what
    `path` is (module docstring). Raises ReportWriteError before yielding if the report could
    not be written there, and if writing it fails; `inputs` (records, rules, holidays) and
    `others` (what the run writes besides, as ("the history store", path); existing or not)
    are never written over; a refusal names the file by `option`."""
    if path is None or str(path) == "-":
        with _writing_errors("standard output"):
            yield sys.stdout.buffer
            sys.stdout.buffer.flush()
        return
    target = _target(path)
    _refuse_inputs(target, inputs, option)
    for what, other_path in others:
        _refuse_other(target, what, other_path, option)
    if target.real is not None:
        yield from _replacing(target)
        return
    assert target.fd is not None
    handle = os.fdopen(target.fd, "wb")
    with _writing_errors(target.shown), handle:
        yield handle


def _target(path: Path) -> _Target:
    shown = str(path)
    if m := _OPEN_FD.fullmatch(os.path.abspath(shown)):
        std = {"in": 0, "out": 1, "err": 2}
        return _descriptor(shown, std[m["std"]] if m["std"] else int(m["fd"] or m["p"]))
    try:
        found = os.stat(path)
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise _error(shown, exc) from None
    if found is not None and not stat.S_ISREG(found.st_mode):
        return _special(shown, path, found.st_mode)
    real = os.path.realpath(path)
    directory, name = os.path.split(real)
    if not os.path.isdir(directory):
        raise ReportWriteError(f"cannot write the report to {shown}: no such directory")
    if len(os.fsencode(name)) > _name_max(directory):
        raise ReportWriteError(f"cannot write the report to {shown}: the file name is too long")
    return _Target(shown, real=real, existing=found)


def _descriptor(shown: str, fd: int) -> _Target:
    """An open descriptor named as a file (/dev/stdout): written into, at its own offset
    and mode (a shell's `>>` appends), never reopened or replaced."""
    if fd == 1:
        sys.stdout.flush()  # what was printed before comes first
    try:
        return _Target(shown, fd=os.dup(fd))
    except OSError as exc:
        raise _error(shown, exc) from None


def _special(shown: str, path: Path, mode: int) -> _Target:
    if stat.S_ISDIR(mode):
        raise ReportWriteError(f"cannot write the report to {shown}: it is a directory")
    if stat.S_ISSOCK(mode):
        raise ReportWriteError(f"cannot write the report to {shown}: it is a socket")
    if stat.S_ISBLK(mode):
        raise ReportWriteError(
            f"cannot write the report to {shown}: it is a block device (a disk), not a file"
        )
    try:  # a character device or a FIFO: written into (a FIFO waits for its reader)
        return _Target(shown, fd=os.open(path, os.O_WRONLY | os.O_CLOEXEC))
    except OSError as exc:
        raise _error(shown, exc) from None


def _name_max(directory: str) -> int:
    try:
        return os.pathconf(directory, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _refuse_inputs(target: _Target, inputs: Iterable[Path], option: str) -> None:
    """ReportWriteError if the report would be written over one of `inputs` (a directory
    stands for the files in it): the same file, whatever name reaches it."""
    if target.fd is not None:
        try:
            found: os.stat_result | None = os.fstat(target.fd)
        except OSError:
            found = None
    else:
        found = target.existing
    if found is None or not stat.S_ISREG(found.st_mode):
        return
    for given in inputs:
        for candidate in _files(given):
            try:
                other = os.fstat(0) if str(candidate) == "-" else os.stat(candidate)
            except OSError:
                continue
            if (other.st_dev, other.st_ino) == (found.st_dev, found.st_ino):
                if target.fd is not None:
                    os.close(target.fd)
                raise ReportWriteError(
                    f"{option} {target.shown} is the input file {candidate}: "
                    "writing there would destroy it; choose another name"
                )


def _refuse_other(target: _Target, what: str, other_path: Path, option: str) -> None:
    """ReportWriteError if the report would replace another file the run writes (`what`, at
    `other_path`): by real path, which works before either exists, or by inode (a hard link)."""
    found = target.existing
    if target.fd is not None:
        with contextlib.suppress(OSError):
            found = os.fstat(target.fd)
    if _same_file(target.real, found, other_path):
        if target.fd is not None:
            os.close(target.fd)
        raise ReportWriteError(
            f"{option} {target.shown} is {what} {other_path}: "
            "writing there would destroy it; choose another name"
        )


def refuse_others(path: Path, others: Iterable[tuple[str, Path]], option: str) -> None:
    """`report_output`'s refusal of `others`, for a run that writes several files and must
    refuse before it writes the first (a digest): ReportWriteError, nothing opened."""
    found: os.stat_result | None = None
    with contextlib.suppress(OSError):
        found = os.stat(path)
    for what, other_path in others:
        if _same_file(os.path.realpath(path), found, other_path):
            raise ReportWriteError(
                f"{option} {path} is {what} {other_path}: "
                "writing there would destroy it; choose another name"
            )


def _same_file(real: str | None, found: os.stat_result | None, other_path: Path) -> bool:
    """Whether a file at real path `real` (stat `found`, if it exists) is `other_path`."""
    if real is not None and real == os.path.realpath(other_path):
        return True
    try:
        other = os.stat(other_path)
    except OSError:
        return False
    return found is not None and (found.st_dev, found.st_ino) == (other.st_dev, other.st_ino)


def _files(given: Path) -> list[Path]:
    if str(given) != "-" and given.is_dir():
        with contextlib.suppress(OSError):
            return [p for p in given.iterdir() if p.is_file()]
        return []
    return [given]


def _replacing(target: _Target) -> Iterator[IO[bytes]]:
    """The temporary file beside the real target, renamed over it when the block completes.

    It is hidden (`.NAME.PID-XXXX.part`) and removed whenever the run stops; a run killed
    outright (SIGKILL, power loss) cannot remove it, so each run first removes the ones of
    runs whose process is gone: they never pile up, and never pass for a report."""
    assert target.real is not None
    directory, name = os.path.split(target.real)
    kept = os.fsdecode(os.fsencode(name)[: max(1, _name_max(directory) - _TEMP_EXTRA)])
    remove_dead_runs(directory, f".{kept}.", ".part")
    try:
        fd, temp_name = tempfile.mkstemp(
            prefix=f".{kept}.{os.getpid()}-", suffix=".part", dir=directory
        )
    except OSError as exc:  # named as the user named it, not by the temporary name
        raise _error(target.shown, OSError(exc.errno, exc.strerror)) from None
    try:
        with _writing_errors(target.shown):
            with os.fdopen(fd, "wb") as handle:
                yield handle
                handle.flush()
                _keep_owner_and_mode(handle.fileno(), target.existing)
                os.fsync(handle.fileno())
            os.replace(temp_name, target.real)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise


def remove_dead_runs(directory: str, prefix: str, suffix: str = "") -> None:
    """Leftovers of runs killed outright (SIGKILL, power loss: no handler ran): entries named
    `PREFIX<pid>-…SUFFIX` whose process is gone — a temporary report, a folder of part
    files. Never those of a run still going."""
    with contextlib.suppress(OSError):
        for entry in os.scandir(directory):
            name = entry.name
            if not (name.startswith(prefix) and name.endswith(suffix)):
                continue
            pid = name[len(prefix) :].split("-", 1)[0]
            if pid.isdigit() and not process_alive(int(pid)):
                with contextlib.suppress(OSError):
                    if entry.is_dir(follow_symlinks=False):
                        shutil.rmtree(entry.path)
                    else:
                        os.unlink(entry.path)


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists (another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


def _keep_owner_and_mode(fd: int, existing: os.stat_result | None) -> None:
    """A replaced report keeps its mode and (where allowed) owner; a new one gets the mode
    of any new file (umask applied), not mkstemp's 0600."""
    if existing is None:
        umask = os.umask(0)
        os.umask(umask)
        os.fchmod(fd, 0o666 & ~umask)
        return
    if (existing.st_uid, existing.st_gid) != (os.getuid(), os.getgid()):
        with contextlib.suppress(OSError):  # only root may give a file away
            os.fchown(fd, existing.st_uid, existing.st_gid)
    os.fchmod(fd, stat.S_IMODE(existing.st_mode))


@contextlib.contextmanager
def _writing_errors(shown: str) -> Iterator[None]:
    """Errors of writing the report (disk full, closed pipe, read-only) as ReportWriteError."""
    try:
        yield
    except OSError as exc:
        if exc.errno in _WRITE_ERRNOS:
            raise _error(shown, exc) from None
        raise


def _error(shown: str, exc: OSError) -> ReportWriteError:
    reason = exc.strerror or type(exc).__name__
    if exc.filename and os.fsdecode(exc.filename) != shown:  # e.g. a --jobs part file
        reason += f" ({os.fsdecode(exc.filename)})"
    return ReportWriteError(f"cannot write the report to {shown}: {reason}")
