"""The audit report of SPEC §7: its models (for JSON Schema and the Python API) and the running
summary. A finding's JSON form is in `compliance.report.serialise`."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from compliance.engine.findings import Severity, Status
from compliance.records.readers import Rejected

_MODEL = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class FindingModel(BaseModel):
    """One evaluated obligation instance (SPEC §7)."""

    model_config = _MODEL
    rule_id: str
    subject_type: str
    subject_id: str
    agency: str
    instance: int | None = Field(description="null for DATA-EXTENSION (no instance).")
    status: Status
    severity: Severity
    trigger_date: date | None
    due_date: date | None
    done_on: date | None
    days_late: int | None
    extended_days: int | None = Field(
        default=None, description="Deadline findings: days of extension honoured (SPEC §10.5)."
    )
    responsible: str | None = None
    citation: str | None = None
    message_th: str | None = None
    message_en: str | None = None
    explanation: list[str] | None = Field(default=None, description="The arithmetic, in Thai.")
    explanation_en: list[str] | None = Field(default=None, description="The same, in English.")


class RejectedModel(BaseModel):
    """A record that could not be audited."""

    model_config = _MODEL
    source: str
    line: int
    record_id: str | None
    errors: list[str]


class RulesInfo(BaseModel):
    """Which rule set made the findings."""

    model_config = _MODEL
    source: str
    count: int
    digest: str
    words: Literal["actionable", "all", "none"] | None = Field(
        default=None, description="Which findings carry their words (SPEC §14)."
    )
    texts: dict[str, dict[str, str]] | None = Field(
        default=None, description="Each rule's constant words, once (title, citation, party)."
    )


class CalendarInfo(BaseModel):
    """Which calendar counted the days."""

    model_config = _MODEL
    holidays_version: str
    extra_file_digest: str | None
    confirmed_through: int


class SummaryModel(BaseModel):
    """Counts over the whole audit."""

    model_config = _MODEL
    records: int
    rejected: int
    events_after_as_of: int
    by_status: dict[str, int]
    by_severity: dict[str, int]


class Report(BaseModel):
    """The audit report (SPEC §7)."""

    model_config = _MODEL
    as_of: date
    generated_at: str
    rules: RulesInfo
    calendar: CalendarInfo
    summary: SummaryModel
    findings: list[FindingModel]
    rejected: list[RejectedModel]


class Summary:
    """Counts kept while findings stream past."""

    def __init__(self) -> None:
        self.records = 0
        self.rejected = 0
        self.events_after_as_of = 0
        self.by_status: Counter[str] = Counter()
        self.by_severity: Counter[str] = Counter()

    def add_outcome(self, status: str, severity: str, count: int = 1) -> None:
        """Count findings by their status and severity."""
        self.by_status[status] += count
        self.by_severity[severity] += count

    def add_rejected(self, rejected: Rejected) -> None:
        """Count one rejected record."""
        self.rejected += 1

    def to_json(self) -> dict[str, Any]:
        """The report's `summary` member; counts in a stable order."""
        return {
            "records": self.records,
            "rejected": self.rejected,
            "events_after_as_of": self.events_after_as_of,
            "by_status": dict(sorted(self.by_status.items())),
            "by_severity": dict(sorted(self.by_severity.items())),
        }
