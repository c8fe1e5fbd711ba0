"""The statistics as a sink of the audit pipeline: every audited record and its findings are
counted into a `StatsAccumulator`; in a `--jobs` run each worker counts its segments into a
part, merged here in input order."""

from __future__ import annotations

from compliance.engine.findings import Finding
from compliance.pipeline.sinks import RecordSink
from compliance.records import Record
from compliance.records.readers import Rejected
from compliance.stats.accumulator import StatsAccumulator


class StatsSink(RecordSink):
    """Counts records into an accumulator; keeps the rejected records to report them."""

    def __init__(self, stats: StatsAccumulator) -> None:
        self.stats = stats
        self.rejects: list[Rejected] = []

    def record(self, record: Record, findings: list[Finding], weight: int = 1) -> None:
        self.stats.add(record, findings, weight)

    def rejected(self, rejected: Rejected) -> None:
        self.rejects.append(rejected)

    def part(self) -> StatsSink:
        return StatsSink(self.stats.empty())

    def merge(self, part: RecordSink) -> None:
        assert isinstance(part, StatsSink)
        self.stats.merge(part.stats)
