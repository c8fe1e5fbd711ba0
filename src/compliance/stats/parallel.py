"""`compliance stats --jobs N`: the statistics of large `.jsonl` files over several processes.

The audit's segments (`compliance.parallel`) are reused: each worker reads, validates and
judges the records of one byte range into an accumulator of its own and returns it (a few
kilobytes of counts) with the (line, type, id) of each record. The main process merges the
accumulators in input order and checks ids: only it sees them all. A duplicate — rare — is
read and judged again and taken back from the counts (`add(..., weight=-1)`), so the result
is exactly the one-process result.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
import os
import tempfile
from collections import deque
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from compliance.audit import Audit
from compliance.lines import jsonl_lines
from compliance.parallel import Task, _lost_segments_stop_the_audit, _segments, _worker_start
from compliance.readers import EMPTY_FILE, Rejected, SeenIds, parse_record, read_json_file
from compliance.stats.accumulator import StatsAccumulator

# One record of a segment: (line, type, id), or its rejection.
Entry = tuple[int, str, str] | Rejected
SegmentStats = tuple[StatsAccumulator, list[Entry], int]

_worker: tuple[Audit, StatsAccumulator] | None = None  # set before forking; inherited


def _segment_stats(task: Task) -> SegmentStats:
    """A worker's task: the counts of the lines of one byte range."""
    path, start, end, first_line, _part = task
    assert _worker is not None
    run, template = _worker
    stats = template.empty()
    evaluate, as_of, flag_future, add = (
        run.engine.evaluate,
        run.as_of,
        run.flag_future,
        stats.add,
    )
    entries: list[Entry] = []
    lines = 0
    for number, line in jsonl_lines(Path(path), start, end, first_line):
        lines += 1
        record = parse_record(path, number, line)
        if isinstance(record, Rejected):
            entries.append(record)
            continue
        add(record, evaluate(record, as_of, flag_future).findings)
        entries.append((number, record.type, record.record_id))
    return stats, entries, lines


def _take_back(run: Audit, stats: StatsAccumulator, task: Task, line: int) -> None:
    """Uncount the record on `line` of a segment (a duplicate id, rejected)."""
    path, start, end, first_line, _part = task
    for number, raw in jsonl_lines(Path(path), start, end, first_line):
        if number == line:
            record = parse_record(path, number, raw)
            assert not isinstance(record, Rejected)  # it was counted, so it was valid
            stats.add(record, run.record(record), weight=-1)
            return


def parallel_stats(
    run: Audit, stats: StatsAccumulator, paths: Sequence[Path], jobs: int
) -> list[Rejected]:
    """Count every record of `paths` into `stats` over `jobs` processes; the rejected
    records (invalid, duplicate, empty files) are returned in input order."""
    global _worker  # noqa: PLW0603 (handed to the workers through fork)
    _worker = (run, stats)
    counting = _Counting(run, stats)
    gc.freeze()  # workers' collections then leave the inherited heap alone (no copy-on-write)
    pool = ProcessPoolExecutor(
        jobs,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_worker_start,
        initargs=(os.getpid(),),
    )
    with (
        tempfile.TemporaryDirectory(prefix="compliance-stats-") as part_dir,
        pool,
        _lost_segments_stop_the_audit(),
    ):
        numbers = itertools.count()
        for path in paths:
            if path.suffix.lower() == ".jsonl":
                counting.segments(pool, str(path), _segments(path, part_dir, numbers, jobs), jobs)
            else:  # a .json document: read whole, here
                counting.document(path)
    return counting.rejected


class _Counting:
    """The main process's side: ids checked in input order, part counts merged."""

    def __init__(self, run: Audit, stats: StatsAccumulator) -> None:
        self.run = run
        self.stats = stats
        self.seen = SeenIds()
        self.rejected: list[Rejected] = []

    def _first(self, source: str, line: int, record_type: str, record_id: str) -> bool:
        """Whether this is the first record with its id (otherwise it is rejected)."""
        duplicate = self.seen.check(source, line, record_type, record_id)
        if duplicate is not None:
            self.rejected.append(duplicate)
        return duplicate is None

    def document(self, path: Path) -> None:
        """A .json file, counted here."""
        for item in read_json_file(path):
            if isinstance(item, Rejected):
                self.rejected.append(item)
            elif self._first(str(path), item.line, item.record.type, item.record.record_id):
                self.stats.add(item.record, self.run.record(item.record))

    def segments(
        self, pool: ProcessPoolExecutor, source: str, tasks: Iterator[Task], jobs: int
    ) -> None:
        """A .jsonl file, counted by the workers segment by segment; two tasks a worker in
        flight, taken back in input order."""
        running = deque(
            (t, pool.submit(_segment_stats, t)) for t in itertools.islice(tasks, 2 * jobs)
        )
        lines = 0
        while running:
            task, future = running.popleft()
            part, entries, count = future.result()
            running.extend((t, pool.submit(_segment_stats, t)) for t in itertools.islice(tasks, 1))
            lines += count
            self.stats.merge(part)
            for entry in entries:
                if isinstance(entry, Rejected):
                    self.rejected.append(entry)
                elif not self._first(source, *entry):
                    _take_back(self.run, self.stats, task, entry[0])
        if lines == 0:
            self.rejected.append(Rejected(source, 1, None, (EMPTY_FILE,)))
