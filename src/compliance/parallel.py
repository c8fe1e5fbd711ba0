"""Spreading a JSON audit over processes (`--jobs N`) while keeping SPEC §7's order.

The main process reads `.jsonl` files in chunks of lines and hands them to worker processes,
which validate, evaluate and serialise each record's findings; the main process takes the
results back in submission order, rejects duplicate ids (only it sees every id), keeps the
summary and writes. At most a few chunks per worker are in flight, so memory stays flat.
Workers inherit the loaded rules and calendar by forking.
"""

from __future__ import annotations

import gc
import multiprocessing
import signal
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.pool import AsyncResult
from pathlib import Path

from compliance.audit import Audit
from compliance.readers import (
    EMPTY_FILE,
    Item,
    Rejected,
    SeenIds,
    jsonl_lines,
    parse_line,
    read_json_file,
)
from compliance.report import finding_bytes

CHUNK_LINES = 1000
IN_FLIGHT_PER_JOB = 4


@dataclass(slots=True)
class Evaluated:
    """One valid record's findings, already serialised, with what the summary needs."""

    source: str
    line: int
    record_type: str
    record_id: str
    findings: bytes  # the record's findings as JSON objects joined by ",\n" (b"" if none)
    outcomes: list[tuple[str, str]]  # (status, severity) per finding
    events_after_as_of: int


_worker_audit: Audit | None = None  # set before forking; each worker inherits it


def evaluate_item(audit: Audit, item: Item) -> Evaluated | Rejected:
    """Evaluate one read item (no summary update: the caller counts)."""
    if isinstance(item, Rejected):
        return item
    record = item.record
    result = audit.engine.evaluate(record, audit.as_of, audit.flag_future)
    return Evaluated(
        item.source,
        item.line,
        record.type,
        record.record_id,
        b",\n".join([finding_bytes(f) for f in result.findings]),
        [(f.status, f.severity) for f in result.findings],
        result.events_after_as_of,
    )


def _evaluate_chunk(source: str, lines: list[tuple[int, bytes]]) -> list[Evaluated | Rejected]:
    assert _worker_audit is not None
    return [evaluate_item(_worker_audit, parse_line(source, n, raw)) for n, raw in lines]


def run_parallel(audit: Audit, paths: Sequence[Path], jobs: int) -> Iterator[Evaluated | Rejected]:
    """Every record's outcome in input order, duplicates rejected; `audit.summary` is kept."""
    global _worker_audit  # noqa: PLW0603 (handed to the workers through fork)
    _worker_audit = audit
    seen = SeenIds()
    context = multiprocessing.get_context("fork")
    gc.freeze()  # workers' collections then leave the inherited heap alone (no copy-on-write)
    with context.Pool(jobs, initializer=_worker_start) as pool:
        pending: deque[AsyncResult[list[Evaluated | Rejected]]] = deque()
        for path in paths:
            if path.suffix.lower() != ".jsonl":
                while pending:
                    yield from _settle(audit, seen, pending.popleft().get())
                items = [evaluate_item(audit, item) for item in read_json_file(path)]
                yield from _settle(audit, seen, items)
                continue
            empty = True
            for chunk in _chunks(path):
                empty = False
                pending.append(pool.apply_async(_evaluate_chunk, (str(path), chunk)))
                if len(pending) >= jobs * IN_FLIGHT_PER_JOB:
                    yield from _settle(audit, seen, pending.popleft().get())
            if empty:
                while pending:
                    yield from _settle(audit, seen, pending.popleft().get())
                yield from _settle(audit, seen, [Rejected(str(path), 1, None, (EMPTY_FILE,))])
        while pending:
            yield from _settle(audit, seen, pending.popleft().get())
        pool.close()
        pool.join()


def _worker_start() -> None:
    """Workers take the default signal handling: the pool stops them with SIGTERM, and the
    command's own handler (which unwinds to remove a partial report) is not for them."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _chunks(path: Path) -> Iterator[list[tuple[int, bytes]]]:
    chunk: list[tuple[int, bytes]] = []
    for numbered in jsonl_lines(path):
        chunk.append(numbered)
        if len(chunk) >= CHUNK_LINES:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _settle(
    audit: Audit, seen: SeenIds, results: list[Evaluated | Rejected]
) -> Iterator[Evaluated | Rejected]:
    summary = audit.summary
    for result in results:
        if isinstance(result, Evaluated):
            duplicate = seen.check(result.source, result.line, result.record_type, result.record_id)
            if duplicate is None:
                summary.records += 1
                summary.events_after_as_of += result.events_after_as_of
                for status, severity in result.outcomes:
                    summary.add_outcome(status, severity)
                yield result
                continue
            result = duplicate  # noqa: PLW2901
        summary.add_rejected(result)
        yield result
