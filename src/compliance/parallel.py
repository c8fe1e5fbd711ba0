"""Spreading a JSON audit over processes (`--jobs N`) while keeping SPEC §7's order.

Each `.jsonl` file is cut into segments at line boundaries. A worker process audits a whole
segment — reads, validates, evaluates and serialises its records — writing the findings to a
part file of its own and returning only small facts per record (line, id, where its findings
lie in the part file, its outcome codes). The main process takes the segments back in input
order, rejects duplicate ids (only it sees every id), keeps the summary, and copies each part
file into the report with the kernel (`sendfile`), skipping any duplicate's findings. So the
main process neither parses nor serialises, and the workers never wait on it. Workers inherit
the loaded rules and calendar by forking.

A worker that dies (killed, out of memory) stops the audit with `WorkerDiedError` rather than
leaving it waiting forever for the lost segment; workers in turn die with the command, even
when it is killed outright.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import itertools
import multiprocessing
import os
import signal
import tempfile
from collections import Counter, deque
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from compliance.audit import Audit
from compliance.errors import WorkerDiedError
from compliance.findings import SEVERITIES, STATUSES
from compliance.lines import jsonl_lines
from compliance.readers import (
    EMPTY_FILE,
    Rejected,
    SeenIds,
    parse_record,
    read_json_file,
)
from compliance.render.jsonout import JsonRenderer
from compliance.serialise import finding_bytes

SEGMENT_BYTES = 2 << 20  # input bytes per task: small enough to balance, large to amortise
MIN_SEGMENT_BYTES = 256 << 10  # the last tasks of a file shrink down to this
_SEPARATOR = b",\n"
_PR_SET_PDEATHSIG = 1  # Linux prctl(2): a signal for this process when its parent dies

# One valid record of a segment: (line, type, id, length of its findings in the part file,
# outcome codes (status index * 4 + severity index, a byte per finding), events after as_of).
Kept = tuple[int, str, str, int, bytes, int]
# A task: input file, byte range [start, end), number of its first line, part file to write.
Task = tuple[str, int, int, int, str]
# A segment's result: part file, its records in input order, outcome counts, non-blank lines.
SegmentResult = tuple[str, list[Kept | Rejected], Counter[int], int]

_CODES = {(s, v): i * 4 + j for i, s in enumerate(STATUSES) for j, v in enumerate(SEVERITIES)}

_worker_audit: Audit | None = None  # set before forking; each worker inherits it


def _audit_segment(task: Task) -> SegmentResult:
    """A worker's task: audit the lines of `path` in [start, end) into `part`."""
    path, start, end, first_line, part = task
    audit = _worker_audit
    assert audit is not None
    records: list[Kept | Rejected] = []
    outcomes = bytearray()  # every finding's code, counted once at the end
    lines = 0
    evaluate, as_of, flag_future = audit.engine.evaluate, audit.as_of, audit.flag_future
    with open(part, "wb", buffering=1 << 20) as out:
        for number, line in jsonl_lines(Path(path), start, end, first_line):
            lines += 1
            record = parse_record(path, number, line)
            if isinstance(record, Rejected):
                records.append(record)
                continue
            result = evaluate(record, as_of, flag_future)
            findings = result.findings
            length = out.write(b"".join([_SEPARATOR + finding_bytes(f) for f in findings]))
            codes = bytes([_CODES[f.status, f.severity] for f in findings])
            outcomes += codes
            records.append(
                (number, record.type, record.record_id, length, codes, result.events_after_as_of)
            )
    return part, records, Counter(outcomes), lines


def _segments(path: Path, part_dir: str, numbers: Iterator[int], jobs: int) -> Iterator[Task]:
    """Tasks covering a file: byte ranges that start and end at line boundaries, with the
    number of their first line (part files are named from `numbers`). Near the end of the
    file the ranges shrink (to a share of what is left), so that the workers finish together
    rather than one finishing a large last task alone. Made one at a time as they are handed
    out: the first task starts before the rest of the file has been read for its line numbers."""
    size = path.stat().st_size
    with open(path, "rb") as handle:
        start, line = 0, 1
        for index in numbers:
            if start >= size:
                return
            share = (size - start) // (2 * jobs)
            length = max(MIN_SEGMENT_BYTES, min(SEGMENT_BYTES, share))
            handle.seek(min(start + length, size))
            handle.readline()  # to the end of the line the cut falls in
            end = min(handle.tell(), size) if start + length < size else size
            yield str(path), start, end, line, os.path.join(part_dir, f"{index}.part")
            handle.seek(start)
            line += handle.read(end - start).count(b"\n")
            start = end


def run_parallel(
    audit: Audit, paths: Sequence[Path], jobs: int, renderer: JsonRenderer
) -> Iterator[None]:
    """Audit `paths` over `jobs` processes into `renderer`, in input order, duplicates
    rejected, `audit.summary` kept. Yields after each segment (for a progress display)."""
    global _worker_audit  # noqa: PLW0603 (handed to the workers through fork)
    _worker_audit = audit
    seen = SeenIds()
    context = multiprocessing.get_context("fork")
    gc.freeze()  # workers' collections then leave the inherited heap alone (no copy-on-write)
    with (
        tempfile.TemporaryDirectory(prefix="compliance-parts-") as part_dir,
        ProcessPoolExecutor(
            jobs, mp_context=context, initializer=_worker_start, initargs=(os.getpid(),)
        ) as pool,
        _lost_segments_stop_the_audit(),
    ):
        numbers = itertools.count()
        for path in paths:
            source = str(path)
            if path.suffix.lower() != ".jsonl":  # a .json document: read whole, here
                for item in read_json_file(path):
                    if isinstance(item, Rejected):
                        _reject(audit, renderer, item)
                        continue
                    duplicate = seen.check(
                        source, item.line, item.record.type, item.record.record_id
                    )
                    if duplicate is not None:
                        _reject(audit, renderer, duplicate)
                        continue
                    for finding in audit.record(item.record):
                        renderer.finding(finding)
                yield None
                continue
            lines = 0
            tasks = _segments(path, part_dir, numbers, jobs)
            # Two tasks a worker in flight, taken back in input order.
            running = deque(
                pool.submit(_audit_segment, t) for t in itertools.islice(tasks, 2 * jobs)
            )
            while running:
                result = running.popleft().result()
                running.extend(pool.submit(_audit_segment, t) for t in itertools.islice(tasks, 1))
                lines += _settle(audit, seen, renderer, source, result)
                yield None
            if lines == 0:
                _reject(audit, renderer, Rejected(source, 1, None, (EMPTY_FILE,)))


@contextlib.contextmanager
def _lost_segments_stop_the_audit() -> Iterator[None]:
    """A worker's death breaks the pool: the next submission or result raises
    BrokenProcessPool, and the dead worker's segment will never come back."""
    try:
        yield
    except BrokenProcessPool as exc:
        raise WorkerDiedError(
            "a worker process stopped before finishing its part of the audit (killed, or out "
            "of memory?); no report was written"
        ) from exc


def _worker_start(parent: int) -> None:
    """Workers take the default signal handling: the command stops them with SIGTERM, and its
    own handler (which removes a partial report and exits) is not for them. And they die with
    the command: killed outright (SIGKILL, which no handler sees), it cannot stop them, and they
    would wait for work forever."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with contextlib.suppress(OSError, AttributeError):  # not Linux: no such call
        ctypes.CDLL(None).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the command died before the request took effect
        os._exit(1)


def _reject(audit: Audit, renderer: JsonRenderer, rejected: Rejected) -> None:
    audit.summary.add_rejected(rejected)
    renderer.rejected(rejected)


def _settle(
    audit: Audit, seen: SeenIds, renderer: JsonRenderer, source: str, result: SegmentResult
) -> int:
    """Count a finished segment, reject duplicates, copy its findings (minus any duplicate's)
    into the report; returns its number of non-blank lines."""
    part, records, counts, lines = result
    summary = audit.summary
    with open(part, "rb") as findings:
        fd = findings.fileno()
        offset = start = 0
        for entry in records:
            if isinstance(entry, Rejected):
                _reject(audit, renderer, entry)
                continue
            line, record_type, record_id, length, codes, events_after = entry
            duplicate = seen.check(source, line, record_type, record_id)
            if duplicate is not None:
                renderer.spooled(fd, start, offset - start)
                counts.subtract(codes)
                _reject(audit, renderer, duplicate)
                start = offset + length
            else:
                summary.records += 1
                summary.events_after_as_of += events_after
            offset += length
        renderer.spooled(fd, start, offset - start)
    os.unlink(part)
    for code, count in counts.items():
        if count:
            summary.add_outcome(STATUSES[code // 4], SEVERITIES[code % 4], count)
    return lines
