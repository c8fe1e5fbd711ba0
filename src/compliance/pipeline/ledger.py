"""The audit's ledger: what one run has seen, kept the same way whichever path reads the
records (one process or `--jobs N`) — ids already seen (a second record with one is
rejected, SPEC §3), and the summary (SPEC §7)."""

from __future__ import annotations

from compliance.engine.findings import Finding
from compliance.records.readers import Rejected, SeenIds
from compliance.report.model import Summary


class Ledger:
    """Duplicate ids and the summary of one audit."""

    def __init__(self) -> None:
        self.summary = Summary()
        self._seen = SeenIds()

    def admit(self, source: str, line: int, record_type: str, record_id: str) -> Rejected | None:
        """None for a record whose id is new for its type; its rejection otherwise."""
        return self._seen.check(source, line, record_type, record_id)

    def reject(self, rejected: Rejected) -> None:
        """Count a rejected record."""
        self.summary.add_rejected(rejected)

    def audited(self, findings: list[Finding], events_after_as_of: int) -> None:
        """Count an audited record and its findings."""
        summary = self.summary
        summary.records += 1
        summary.events_after_as_of += events_after_as_of
        for finding in findings:
            summary.add_outcome(finding.status, finding.severity)
