"""Spreading a JSON audit over processes (`--jobs N`) while keeping SPEC §7's order.

Each `.jsonl` file is cut into segments at line boundaries. A worker process audits a whole
segment — reads, validates, evaluates and serialises its records — writing the findings to a
part file of its own and returning only small facts per record (line, id, where its findings
lie in the part file, its outcome codes). The main process takes the segments back in input
order, rejects duplicate ids (only it sees every id), keeps the summary, and copies each part
file into the report with the kernel (`sendfile`), skipping any duplicate's findings. So the
main process neither parses nor serialises, and the workers never wait on it. Workers inherit
the loaded rules and calendar by forking. With one process (`--jobs 1`) the same segments run
through the same loop in the main process (`_InlinePool`): one code path, the same bytes; only
a segment's findings stay in memory instead of going through a part file.

A worker that dies (killed, out of memory) stops the audit with `WorkerDiedError` rather than
leaving it waiting forever for the lost segment; workers in turn die with the command, even
when it is killed outright.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import io
import itertools
import multiprocessing
import os
import signal
import tempfile
from collections import Counter, deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import date
from pathlib import Path
from typing import IO, TYPE_CHECKING

from compliance.engine.findings import SEVERITIES, STATUSES, Finding
from compliance.errors import AuditFailedError, WorkerDiedError
from compliance.pipeline.ledger import Ledger
from compliance.pipeline.runner import run_items
from compliance.pipeline.sinks import RecordSink, Sink, Spooler
from compliance.records.lines import jsonl_lines
from compliance.records.readers import EMPTY_FILE, Rejected, parse_record, read_json_file
from compliance.report.output import remove_dead_runs
from compliance.report.serialise import Words, findings_bytes

if TYPE_CHECKING:
    from compliance.audit import Audit

SEGMENT_BYTES = 2 << 20  # input bytes per task: small enough to balance, large to amortise
MIN_SEGMENT_BYTES = 256 << 10  # the last tasks of a file shrink down to this
# One process keeps a segment's findings in memory (some five times its input) until settled.
INLINE_SEGMENT_BYTES = 1 << 20
_PR_SET_PDEATHSIG = 1  # Linux prctl(2): a signal for this process when its parent dies

# A finding's facts as a worker returns them, when sinks other than the JSON report need them:
# (rule id, instance, status, severity, trigger, due, done, days late, extended days).
Facts = tuple[
    str, int | None, str, str, date | None, date | None, date | None, int | None, int | None
]
# One valid record of a segment: (line, type, id, agency, length of its findings in the part
# file, outcome codes (status index * 4 + severity index, a byte per finding), events after
# as_of, its findings' facts or None).
Kept = tuple[int, str, str, str, int, bytes, int, list[Facts] | None]
# A task: input file, byte range [start, end), number of its first line, part file to write
# ("" with one process: the findings stay in memory), whether to return the findings' facts.
Task = tuple[str, int, int, int, str, bool]
# A segment's result: its part file (or, with one process, its findings' bytes), its records in
# input order, outcome counts, non-blank lines, the parts of the record sinks (statistics) it
# filled.
SegmentResult = tuple[str | memoryview, list[Kept | Rejected], Counter[int], int, list[RecordSink]]

_CODES = {(s, v): i * 4 + j for i, s in enumerate(STATUSES) for j, v in enumerate(SEVERITIES)}

_worker_audit: Audit | None = None  # set before forking; each worker inherits it
_worker_readers: list[RecordSink] = []  # likewise: the record sinks, whose parts workers fill
_worker_words: Words = "all"  # likewise: which findings the JSON report gives words


def _audit_segment(task: Task) -> SegmentResult:
    """A worker's task: audit the lines of `path` in [start, end) into `part`."""
    path, start, end, first_line, part, want_facts = task
    audit = _worker_audit
    assert audit is not None
    records: list[Kept | Rejected] = []
    parts = [reader.part() for reader in _worker_readers]
    outcomes = bytearray()  # every finding's code, counted once at the end
    lines = 0
    evaluate, as_of, flag_future = audit.engine.evaluate, audit.as_of, audit.flag_future
    memory = io.BytesIO()  # one process: no part file, the report takes the bytes from here
    out: IO[bytes]
    with open(part, "wb", buffering=1 << 20) if part else contextlib.nullcontext(memory) as out:
        for number, line in jsonl_lines(Path(path), start, end, first_line):
            lines += 1
            record = parse_record(path, number, line)
            if isinstance(record, Rejected):
                records.append(record)
                continue
            result = evaluate(record, as_of, flag_future)
            findings = result.findings
            for part_sink in parts:
                part_sink.record(record, findings)
            length = out.write(findings_bytes(findings, _worker_words))
            codes = bytes([_CODES[f.status, f.severity] for f in findings])
            outcomes += codes
            facts = [_facts(f) for f in findings] if want_facts else None
            records.append(
                (
                    number,
                    record.type,
                    record.record_id,
                    record.agency,
                    length,
                    codes,
                    result.events_after_as_of,
                    facts,
                )
            )
    return part or memory.getbuffer(), records, Counter(outcomes), lines, parts


def _facts(f: Finding) -> Facts:
    return (
        f.rule_id,
        f.instance,
        f.status,
        f.severity,
        f.trigger_date,
        f.due_date,
        f.done_on,
        f.days_late,
        f.extended_days,
    )


def _segments(
    path: Path, part_dir: str, numbers: Iterator[int], jobs: int, want_facts: bool
) -> Iterator[Task]:
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
            most = SEGMENT_BYTES if jobs > 1 else INLINE_SEGMENT_BYTES
            length = max(MIN_SEGMENT_BYTES, min(most, share))
            handle.seek(min(start + length, size))
            handle.readline()  # to the end of the line the cut falls in
            end = min(handle.tell(), size) if start + length < size else size
            part = os.path.join(part_dir, f"{index}.part") if jobs > 1 else ""
            yield str(path), start, end, line, part, want_facts
            handle.seek(start)
            line += handle.read(end - start).count(b"\n")
            start = end


PART_PREFIX = "compliance-parts-"


def run_parallel(
    audit: Audit, paths: Sequence[Path], jobs: int, sinks: Sequence[Sink]
) -> Iterator[None]:
    """Audit `paths` over `jobs` processes into `sinks`, in input order, with the ledger
    rejecting duplicates and keeping the summary. The JSON report takes the workers' bytes as
    they are; any other sink gets findings rebuilt from their facts. Yields after each segment
    (for a progress display)."""
    global _worker_audit, _worker_readers, _worker_words  # noqa: PLW0603 (inherited by fork)
    _worker_audit = audit
    _worker_readers = [s for s in sinks if isinstance(s, RecordSink)]
    spoolers = [s for s in sinks if isinstance(s, Spooler)]
    _worker_words = next((s.words for s in spoolers), "all")
    # the sinks that take findings one by one (a record sink gets its workers' parts instead)
    others = [s for s in sinks if not isinstance(s, Spooler | RecordSink)]
    context = multiprocessing.get_context("fork") if jobs > 1 else None
    remove_dead_runs(tempfile.gettempdir(), PART_PREFIX)  # parts of runs killed outright
    if jobs > 1:
        gc.freeze()  # workers' collections leave the inherited heap alone (no copy-on-write)
    pool: ProcessPoolExecutor | _InlinePool = (
        ProcessPoolExecutor(
            jobs, mp_context=context, initializer=_worker_start, initargs=(os.getpid(),)
        )
        if jobs > 1
        else _InlinePool()
    )
    try:
        with (
            tempfile.TemporaryDirectory(prefix=f"{PART_PREFIX}{os.getpid()}-") as part_dir,
            _lost_segments_stop_the_audit(),
        ):
            numbers = itertools.count()
            for path in paths:
                source = str(path)
                if path.suffix.lower() != ".jsonl":  # a .json document: read whole, here
                    run_items(audit, read_json_file(path), sinks)
                    yield None
                    continue
                lines = 0
                tasks = _segments(path, part_dir, numbers, jobs, bool(others))
                # Two tasks a worker in flight, taken back in input order.
                running = deque(
                    pool.submit(_audit_segment, t) for t in itertools.islice(tasks, 2 * jobs)
                )
                while running:
                    result = running.popleft().result()
                    running.extend(
                        pool.submit(_audit_segment, t) for t in itertools.islice(tasks, 1)
                    )
                    lines += _settle(audit, spoolers, others, source, result)
                    for reader, part_sink in zip(_worker_readers, result[4], strict=True):
                        reader.merge(part_sink)
                    del result  # before the next is made: one segment's findings at a time
                    yield None
                if lines == 0:
                    _reject(audit.ledger, sinks, Rejected(source, 1, None, (EMPTY_FILE,)))
        pool.shutdown()
    finally:  # stopped (a signal, an error): the workers' work is lost, end them now
        _end_workers(pool)


class _InlinePool:
    """One process: each segment is audited right here, by the same flat loop the workers
    run — so `--jobs 1` writes the same bytes as `--jobs N` without passing each record
    through the ledger and the sinks one by one."""

    def submit(self, fn: Callable[[Task], SegmentResult], task: Task) -> _Deferred:
        return _Deferred(fn, task)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        """Nothing runs elsewhere: nothing to wait for."""


class _Deferred:
    """A segment audited when its result is asked for, so that one process holds one
    segment's findings at a time (they stay in memory until settled)."""

    def __init__(self, fn: Callable[[Task], SegmentResult], task: Task) -> None:
        self._fn, self._task = fn, task

    def result(self) -> SegmentResult:
        return self._fn(self._task)


def _end_workers(pool: ProcessPoolExecutor | _InlinePool) -> None:
    processes = list((getattr(pool, "_processes", None) or {}).values())
    for process in processes:
        with contextlib.suppress(OSError, ValueError):
            process.kill()
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        with contextlib.suppress(OSError, ValueError, AssertionError):
            process.join(5)


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


def _reject(ledger: Ledger, sinks: Sequence[Sink], rejected: Rejected) -> None:
    ledger.reject(rejected)
    for sink in sinks:
        sink.rejected(rejected)


def _settle(
    audit: Audit,
    spoolers: list[Spooler],
    others: list[Sink],
    source: str,
    result: SegmentResult,
) -> int:
    """Count a finished segment, reject duplicates, copy its findings (minus any duplicate's)
    into the report and hand them to the other sinks; returns its number of non-blank lines."""
    part, records, counts, lines, _ = result
    ledger = audit.ledger
    summary = ledger.summary
    sinks: list[Sink] = [*spoolers, *others, *_worker_readers]
    admit = ledger.admit
    admitted = events = 0  # added to the summary once, not once a record
    with _findings_of(part, records, spoolers) as spool:
        offset = start = 0
        for entry in records:
            if isinstance(entry, Rejected):
                _reject(ledger, sinks, entry)
                continue
            line, record_type, record_id, agency, length, codes, events_after, facts = entry
            duplicate = admit(source, line, record_type, record_id)
            if duplicate is not None:
                spool(start, offset - start)
                counts.subtract(codes)
                _reject(ledger, sinks, duplicate)
                _take_back(audit, Path(source), line)
                start = offset + length
            else:
                admitted += 1
                events += events_after
                if others and facts:
                    _hand_over(audit, others, record_type, record_id, agency, facts)
            offset += length
        spool(start, offset - start)
    summary.records += admitted
    summary.events_after_as_of += events
    for code, count in counts.items():
        if count:
            summary.add_outcome(STATUSES[code // 4], SEVERITIES[code % 4], count)
    return lines


def _take_back(audit: Audit, path: Path, line: int) -> None:
    """A record the workers counted into the record sinks' parts and the ledger has just found
    to be a duplicate: read and judged again (rare), and taken back from those sinks."""
    if not _worker_readers:
        return
    for number, raw in jsonl_lines(path, first_line=1):
        if number == line:
            record = parse_record(str(path), number, raw)
            if not isinstance(record, Rejected):
                findings = audit.engine.evaluate(record, audit.as_of, audit.flag_future).findings
                for reader in _worker_readers:
                    reader.record(record, findings, weight=-1)
            return


_LOST_PART = (
    "a part of the audit written by a worker process is missing or cut short (removed from "
    "the temporary folder, or the disk is full?); no report was written"
)


@contextlib.contextmanager
def _findings_of(
    part: str | memoryview, records: list[Kept | Rejected], spoolers: list[Spooler]
) -> Iterator[Callable[[int, int], None]]:
    """A segment's findings, as a function handing `length` bytes of them from `offset` to
    the spoolers: from its part file (which is removed afterwards), or from memory."""
    if isinstance(part, memoryview):

        def from_memory(offset: int, length: int) -> None:
            for sink in spoolers:
                sink.spooled_bytes(part[offset : offset + length])

        yield from_memory
        return
    try:
        findings = open(part, "rb")  # noqa: SIM115 (closed below, also when it vanished)
    except FileNotFoundError:
        raise AuditFailedError(_LOST_PART) from None
    with findings:
        fd = findings.fileno()
        if os.fstat(fd).st_size < sum(e[4] for e in records if not isinstance(e, Rejected)):
            raise AuditFailedError(_LOST_PART)

        def from_file(offset: int, length: int) -> None:
            for sink in spoolers:
                sink.spooled(fd, offset, length)

        yield from_file
    os.unlink(part)


def _hand_over(
    audit: Audit,
    sinks: list[Sink],
    record_type: str,
    record_id: str,
    agency: str,
    facts: list[Facts],
) -> None:
    """Findings rebuilt from a worker's facts, for the sinks other than the JSON report."""
    rules = audit.rulebook.by_id
    for rule_id, instance, status, severity, trigger, due, done, late, extended in facts:
        finding = Finding(
            rule_id,
            rules.get(rule_id),
            record_type,
            record_id,
            agency,
            instance,
            status,  # type: ignore[arg-type]
            severity,  # type: ignore[arg-type]
            trigger,
            due,
            done,
            late,
            audit.as_of,
            extended_days=extended,
        )
        for sink in sinks:
            sink.finding(finding)
