"""Running an audit: records in, findings and rejections out, as a stream (SPEC §6–7).

`Audit` is what the command line and services drive: it evaluates records one at a time, in
input order, and keeps the summary. `audit()` and `obligations()` are the one-call Python API.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from compliance.engine import DEFAULT_WARN_DAYS, Engine
from compliance.findings import Finding
from compliance.readers import Accepted, Item, Rejected, check_inputs, read_records, read_values
from compliance.records import RECORD_ADAPTER, Record
from compliance.report import FindingModel, Report, Summary
from compliance.rulebook import RuleBook, load_rulebook
from compliance.serialise import finding_json
from compliance.thaidate import today_bangkok
from compliance.workcalendar import GovernmentCalendar

OPEN_STATUSES = frozenset({"pending", "due_soon", "overdue", "open"})


class Audit:
    """One audit as of one date with one rule set and calendar."""

    def __init__(
        self,
        as_of: date | None = None,
        rulebook: RuleBook | None = None,
        calendar: GovernmentCalendar | None = None,
        warn_days: int = DEFAULT_WARN_DAYS,
        today: date | None = None,
    ) -> None:
        today = today or today_bangkok()
        self.as_of = as_of or today
        self.flag_future = self.as_of == today
        self.rulebook = rulebook or load_rulebook()
        self.calendar = calendar or GovernmentCalendar()
        self.engine = Engine(self.rulebook, self.calendar, warn_days)
        self.summary = Summary()
        self.generated_at = datetime.now(tz=UTC).isoformat(timespec="seconds")

    def header(self) -> dict[str, Any]:
        """The report members known before any record is read."""
        return {
            "as_of": self.as_of.isoformat(),
            "generated_at": self.generated_at,
            "rules": self.rulebook.describe(),
            "calendar": self.calendar.describe(),
        }

    def record(self, record: Record) -> list[Finding]:
        """Evaluate one valid record and count it."""
        result = self.engine.evaluate(record, self.as_of, self.flag_future)
        self.summary.records += 1
        self.summary.events_after_as_of += result.events_after_as_of
        for finding in result.findings:
            self.summary.add_outcome(finding.status, finding.severity)
        return result.findings

    def run(self, items: Iterable[Item]) -> Iterator[Finding | Rejected]:
        """Findings record by record in input order, rejections where they occur."""
        for item in items:
            if isinstance(item, Accepted):
                yield from self.record(item.record)
            else:
                self.summary.add_rejected(item)
                yield item


def audit(
    records: Iterable[Record | Mapping[str, Any]] | Sequence[Path],
    as_of: date | None = None,
    rulebook: RuleBook | None = None,
    calendar: GovernmentCalendar | None = None,
    warn_days: int = DEFAULT_WARN_DAYS,
) -> Report:
    """Audit records (models, dicts, or paths of .json/.jsonl files) as of a date; returns the
    SPEC §7 report. `as_of` defaults to today in Asia/Bangkok."""
    run = Audit(as_of, rulebook, calendar, warn_days)
    given = list(records) if not isinstance(records, list) else records
    if given and all(isinstance(r, Path) for r in given):
        items: Iterable[Item] = read_records(check_inputs(given))  # type: ignore[arg-type]
    else:
        items = read_values(given)
    findings, rejected = [], []
    for out in run.run(items):
        if isinstance(out, Rejected):
            rejected.append(out.to_json())
        else:
            findings.append(finding_json(out))
    return Report.model_validate(
        {
            **run.header(),
            "summary": run.summary.to_json(),
            "findings": findings,
            "rejected": rejected,
        }
    )


def obligations(
    record: Record | Mapping[str, Any],
    as_of: date | None = None,
    rulebook: RuleBook | None = None,
    calendar: GovernmentCalendar | None = None,
) -> list[FindingModel]:
    """What one record still owes as of a date — pending, due soon, overdue or open — soonest
    due first (open-ended ones last)."""
    valid = record if isinstance(record, Record) else RECORD_ADAPTER.validate_python(record)
    run = Audit(as_of, rulebook, calendar)
    owed = [f for f in run.record(valid) if f.status in OPEN_STATUSES]
    owed.sort(key=lambda f: (f.due_date or date.max, f.rule_id, f.instance))
    return [FindingModel.model_validate(finding_json(f)) for f in owed]
