"""The audit pipeline: inputs → ledger → engine → sinks, in one process or spread over `--jobs`
workers, and the process lifecycle around it (signals, workers).

Every sink is driven the same way (see `compliance.pipeline.sinks`): started with the report's
header, handed findings and rejections in SPEC §7 order, then finished with the summary — or
aborted when the run ends early, so that a store rolls back and a report file is not left half
written. Nothing here judges a record: the engine does.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, cast

from compliance.errors import AuditStoppedError
from compliance.pipeline.sinks import RecordSink, Sink
from compliance.records.readers import STDIN, Accepted, Item, read_files

if TYPE_CHECKING:
    from compliance.audit import Audit

Progress = Callable[[int], None]  # called now and then with the number of records audited
PROGRESS_EVERY = 1000
# The most worker processes a run starts: far above any machine's CPUs, and a bound so that a
# typo (`--jobs 99999999999999999999`) is a usage error, not an overflow deep in the pool.
MAX_JOBS = 1024


def run_audit(
    audit: Audit,
    inputs: Sequence[Path] | Iterable[Item],
    sinks: Sequence[Sink],
    jobs: int = 1,
    progress: Progress | None = None,
) -> None:
    """Audit files (or items already read) into `sinks`. Files are cut into segments, each
    judged by one flat loop — in `jobs` worker processes, or here with one — unless a sink
    needs each finding's words (a human format): those get findings one by one, here."""
    try:
        for sink in sinks:
            sink.start(audit.header())
        paths = _paths(inputs)
        parallel = paths is not None and STDIN not in paths  # a pipe cannot be cut in segments
        if parallel and not any(s.needs_words for s in sinks):
            assert paths is not None
            # processes, ctypes: loaded by an audit of files, not by a service's import
            from compliance.pipeline.parallel import run_parallel  # noqa: PLC0415 (import time)

            for _ in run_parallel(audit, paths, jobs, sinks):
                raise_if_stopped()
                if progress is not None:
                    progress(audit.summary.records)
        else:
            items = read_files(paths) if paths is not None else cast(Iterable[Item], inputs)
            run_items(audit, items, sinks, progress)
        raise_if_stopped()  # the signal's own exception may have been swallowed (at a fork)
        summary = audit.summary.to_json()
        for sink in sinks:
            sink.finish(summary)
    except BaseException:
        for sink in sinks:
            with contextlib.suppress(Exception):
                sink.abort()
        raise


def _paths(inputs: Sequence[Path] | Iterable[Item]) -> list[Path] | None:
    if isinstance(inputs, Sequence) and inputs and all(isinstance(p, Path) for p in inputs):
        return [Path(p) for p in inputs]
    return None


def run_items(
    audit: Audit, items: Iterable[Item], sinks: Sequence[Sink], progress: Progress | None = None
) -> None:
    """Records already read, one by one, into the sinks: the ledger admits each (or rejects a
    duplicate), the engine judges it. The path of standard input, `.json` documents and the
    human formats."""
    ledger = audit.ledger
    readers = [s for s in sinks if isinstance(s, RecordSink)]
    plain = [s for s in sinks if not isinstance(s, RecordSink)]  # readers get record()
    for item in items:
        if isinstance(item, Accepted):
            record = item.record
            rejected = ledger.admit(item.source, item.line, record.type, record.record_id)
            if rejected is None:
                findings = audit.record(record)
                for reader in readers:
                    reader.record(record, findings)
                for finding in findings:
                    for sink in plain:
                        sink.finding(finding)
                if progress is not None and ledger.summary.records % PROGRESS_EVERY == 0:
                    progress(ledger.summary.records)
                continue
        else:
            rejected = item
        ledger.reject(rejected)
        for sink in sinks:
            sink.rejected(rejected)


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """SIGTERM and SIGINT (a scheduler or a person stopping the job) raise
    `AuditStoppedError` in the main thread, wherever it is: the runner then aborts every sink
    (a partial report is removed, a store rolls back) and ends the workers, instead of the
    process dying with files half written. Outside the main thread: nothing to install."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        _stopped.append(signum)
        raise AuditStoppedError(signum)

    previous = {s: signal.signal(s, stop) for s in (signal.SIGTERM, signal.SIGINT)}
    _stopped.clear()
    try:
        yield
        raise_if_stopped()
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


_stopped: list[int] = []  # signals received under stop_on_signals


def raise_if_stopped() -> None:
    """Raise `AuditStoppedError` if a signal came: an exception raised in a signal handler is
    lost when it lands in code that ignores exceptions (an at-fork hook of the standard
    library), so the runner looks again before anything is finished."""
    if _stopped:
        raise AuditStoppedError(_stopped[0])


__all__ = ["Accepted", "run_audit", "stop_on_signals"]
