"""What consumes an audit: sinks. The report renderers are sinks; so are the history store and
the statistics accumulator. The runner drives every sink the same way, whichever path read the
records (one process or `--jobs N`):

    start(header) → finding(f)… and rejected(r)… in SPEC §7 order → finish(summary)

or, when the run ends early (an error, SIGTERM, Ctrl-C, a dead worker), `abort()` instead of
`finish()`, so that a sink can roll back or remove what it wrote. A sink sees each finding as a
`Finding` object; `finding_facts(f)` gives its documented record form (the SPEC §14 facts, JSON
types). In a `--jobs` run the workers judge the records, and the findings a sink receives are
rebuilt from those facts: their rule is attached, but not the arithmetic behind their due date
(`deadline` is None), so a sink that needs the words of a finding sets `needs_words` and the
runner then reads the records in one process.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from compliance.engine.findings import Finding
from compliance.records import Record
from compliance.records.readers import Rejected
from compliance.report.serialise import Words

FACT_MEMBERS = (
    "rule_id",
    "subject_type",
    "subject_id",
    "agency",
    "instance",
    "status",
    "severity",
    "trigger_date",
    "due_date",
    "done_on",
    "days_late",
    "extended_days",
)


class Sink:
    """Base of everything that consumes an audit; every hook does nothing by default."""

    needs_words = False  # True: needs each finding's arithmetic (human formats)

    def start(self, header: dict[str, Any]) -> None:
        """Before the first record: as_of, generated_at, rules, calendar."""

    def finding(self, finding: Finding) -> None:
        """One finding, in SPEC §7 order."""

    def rejected(self, rejected: Rejected) -> None:
        """One rejected record, where it occurs in the input."""

    def finish(self, summary: dict[str, Any]) -> None:
        """After the last record: write, flush, commit."""

    def abort(self) -> None:
        """The run ended early: release what was held, keep nothing half-done."""


def finding_facts(f: Finding) -> dict[str, Any]:
    """A finding's facts (SPEC §14) as a dict, dates as ISO strings: the record form of a
    finding for sinks that store or count rather than read."""
    facts: dict[str, Any] = {name: getattr(f, name) for name in FACT_MEMBERS}
    for name in ("trigger_date", "due_date", "done_on"):
        day = facts[name]
        if isinstance(day, date):
            facts[name] = day.isoformat()
    return facts


class RecordSink(Sink):
    """A sink that reads each audited record as well as its findings (the statistics: a
    complaint's channel and receipt date are not findings). In a `--jobs` run every worker
    fills a part of its own (`part()`), which the main process merges in input order
    (`merge()`); a record the main process then finds to be a duplicate is taken back with
    `record(..., weight=-1)`. So a record sink must count, not collect. It gets its findings
    through `record()` only (never `finding()`), in one process or many."""

    def record(self, record: Record, findings: list[Finding], weight: int = 1) -> None:
        """One audited record with its findings (weight -1: take it back)."""

    def part(self) -> RecordSink:
        """An empty sink of the same kind, for one worker's segment."""
        raise NotImplementedError

    def merge(self, part: RecordSink) -> None:
        """Add a worker's part."""
        raise NotImplementedError


class Spooler(Sink):
    """A sink that can take findings as the bytes the `--jobs` workers wrote (the JSON
    report): no finding is rebuilt or serialised again for it. The workers write the words
    its `words` asks for (SPEC §14)."""

    words: Words = "all"

    def spooled(self, source: int, offset: int, length: int) -> None:
        """`length` bytes at `offset` of the open file `source`, each finding preceded by
        ",\n"."""
        raise NotImplementedError

    def spooled_bytes(self, data: memoryview) -> None:
        """The same, already in memory (an audit in one process)."""
        raise NotImplementedError
