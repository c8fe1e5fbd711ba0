"""Running an audit from Python: `Audit` (what the command line and services drive), and the
one-call API `audit()` and `obligations()` (SPEC §6–7).

These are the library's error boundary: whatever goes wrong with what a caller passes in comes
out as a `ComplianceError` whose message names the field and the problem and never holds an
input value (SPEC §8) — `RecordError` for an invalid record, `ArgumentError` (also a
TypeError) for an argument of the wrong type, `ConfigurationError` for rules, holidays and
files. A service that logs exceptions logs no names.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from compliance.calendar.thaidate import today_bangkok
from compliance.calendar.workcalendar import GovernmentCalendar
from compliance.engine.findings import Finding
from compliance.engine.judge import DEFAULT_WARN_DAYS, Engine
from compliance.engine.rulebook import RuleBook, load_rulebook
from compliance.errors import ArgumentError, RecordError, format_validation_error
from compliance.pipeline.ledger import Ledger
from compliance.pipeline.runner import MAX_JOBS, Progress, run_audit
from compliance.pipeline.sinks import Sink
from compliance.records import RECORD_ADAPTER, Record
from compliance.records.readers import Item, Rejected, check_inputs, read_values
from compliance.report.model import FindingModel, Report, Summary
from compliance.report.serialise import finding_json

OPEN_STATUSES = frozenset({"pending", "due_soon", "overdue", "open"})


@lru_cache(maxsize=1)
def default_rulebook() -> RuleBook:
    """The built-in `abp` rules, built once per process: a rule book is immutable."""
    return load_rulebook()


@lru_cache(maxsize=1)
def default_calendar() -> GovernmentCalendar:
    """The government calendar without an organisation's file, built once per process."""
    return GovernmentCalendar()


class Audit:
    """One audit as of one date with one rule set and calendar. Keep one in a service and
    call `record()` (or `obligations()`) for each record: the rules, the calendar and the
    engine's caches are built once."""

    def __init__(
        self,
        as_of: date | None = None,
        rulebook: RuleBook | None = None,
        calendar: GovernmentCalendar | None = None,
        warn_days: int = DEFAULT_WARN_DAYS,
        today: date | None = None,
    ) -> None:
        _check_setup(as_of, rulebook, calendar, warn_days)
        today = today or today_bangkok()
        self.as_of = as_of or today
        self.flag_future = self.as_of == today
        self.rulebook = rulebook or default_rulebook()
        self.calendar = calendar or default_calendar()
        self.engine = Engine(self.rulebook, self.calendar, warn_days)
        self.ledger = Ledger()
        self.generated_at = datetime.now(tz=UTC).isoformat(timespec="seconds")

    @property
    def summary(self) -> Summary:
        """The counts so far (the ledger's)."""
        return self.ledger.summary

    def header(self) -> dict[str, Any]:
        """The report members known before any record is read."""
        return {
            "as_of": self.as_of.isoformat(),
            "generated_at": self.generated_at,
            "rules": self.rulebook.describe(),
            "calendar": self.calendar.describe(),
        }

    def record(self, record: Record | Mapping[str, Any]) -> list[Finding]:
        """Every finding of one record (a model, or a dict validated here), counted."""
        valid = _valid(record)
        result = self.engine.evaluate(valid, self.as_of, self.flag_future)
        self.ledger.audited(result.findings, result.events_after_as_of)
        return result.findings

    def check(self, record: Record | Mapping[str, Any]) -> list[Finding]:
        """Every finding of one record, in SPEC §7 order, without counting it in this audit's
        summary: the call a service makes per request (no state grows from call to call)."""
        return self.engine.evaluate(_valid(record), self.as_of, self.flag_future).findings

    def obligations(self, record: Record | Mapping[str, Any]) -> list[Finding]:
        """What one record still owes — pending, due soon, overdue or open — soonest due
        first (open-ended ones last)."""
        owed = [f for f in self.check(record) if f.status in OPEN_STATUSES]
        owed.sort(key=lambda f: (f.due_date or date.max, f.rule_id, f.instance or 0))
        return owed

    def run(
        self,
        inputs: Sequence[Path] | Iterable[Item],
        sinks: Sequence[Sink] = (),
        jobs: int = 1,
        progress: Progress | None = None,
    ) -> Summary:
        """Audit files (paths of .json/.jsonl) or items already read into `sinks` — report
        renderers, a history store, a statistics accumulator — over `jobs` processes; returns
        the summary."""
        if isinstance(inputs, str | bytes | Path):
            raise ArgumentError("inputs: a list of paths, not a single path or string")
        if not isinstance(jobs, int) or isinstance(jobs, bool) or not 1 <= jobs <= MAX_JOBS:
            raise ArgumentError(f"jobs: a whole number of processes, 1 to {MAX_JOBS}")
        run_audit(self, inputs, sinks, jobs, progress)
        return self.summary


class _Collector(Sink):
    """Keeps the report's findings and rejections as JSON objects (for `audit()`)."""

    def __init__(self) -> None:
        self.findings: list[dict[str, Any]] = []
        self.rejected_items: list[dict[str, Any]] = []

    needs_words = True

    def finding(self, finding: Finding) -> None:
        self.findings.append(finding_json(finding))

    def rejected(self, rejected: Rejected) -> None:
        self.rejected_items.append(rejected.to_json())


def audit(
    records: Iterable[Record | Mapping[str, Any]] | Sequence[Path],
    as_of: date | None = None,
    rulebook: RuleBook | None = None,
    calendar: GovernmentCalendar | None = None,
    warn_days: int = DEFAULT_WARN_DAYS,
) -> Report:
    """Audit records (models, dicts, or paths of .json/.jsonl files) as of a date; returns the
    SPEC §7 report. `as_of` defaults to today in Asia/Bangkok."""
    if isinstance(records, str | bytes | Path | Mapping) or not isinstance(records, Iterable):
        raise ArgumentError(
            "records: a list of records (dicts or models) or of file paths, not "
            f"a single {type(records).__name__}"
        )
    run = Audit(as_of, rulebook, calendar, warn_days)
    given = list(records)
    items: Iterable[Item] | list[Path]
    if given and all(isinstance(r, Path) for r in given):
        items = check_inputs(given)  # type: ignore[arg-type]
    elif any(isinstance(r, Path) for r in given):
        raise ArgumentError("records: either all file paths or all records, not a mix")
    else:
        items = read_values(given)
    collector = _Collector()
    run.run(items, [collector])
    return Report.model_validate(
        {
            **run.header(),
            "summary": run.summary.to_json(),
            "findings": collector.findings,
            "rejected": collector.rejected_items,
        }
    )


def obligations(
    record: Record | Mapping[str, Any],
    as_of: date | None = None,
    rulebook: RuleBook | None = None,
    calendar: GovernmentCalendar | None = None,
) -> list[FindingModel]:
    """What one record still owes as of a date — pending, due soon, overdue or open — soonest
    due first (open-ended ones last). A service calling this often should keep an `Audit`
    and call its `obligations()`: same answer, without building anything per call."""
    owed = Audit(as_of, rulebook, calendar).obligations(record)
    return [FindingModel.model_validate(finding_json(f)) for f in owed]


def _valid(record: Record | Mapping[str, Any]) -> Record:
    """A record model, validated from a dict if need be; `RecordError` without values."""
    if isinstance(record, Record):
        return record
    if not isinstance(record, Mapping):
        raise ArgumentError(f"record: a dict or a record model, not {type(record).__name__}")
    try:
        return RECORD_ADAPTER.validate_python(dict(record))
    except ValidationError as exc:
        raise RecordError(format_validation_error(exc)) from None


def _check_setup(as_of: object, rulebook: object, calendar: object, warn_days: object) -> None:
    """Arguments of the wrong type are refused here, not discovered as a wrong audit."""
    if as_of is not None and (not isinstance(as_of, date) or isinstance(as_of, datetime)):
        raise ArgumentError(
            f"as_of: a datetime.date (parse text with compliance.parse_date), not "
            f"{type(as_of).__name__}"
        )
    if rulebook is not None and not isinstance(rulebook, RuleBook):
        raise ArgumentError(f"rulebook: a RuleBook, not {type(rulebook).__name__}")
    if calendar is not None and not isinstance(calendar, GovernmentCalendar):
        raise ArgumentError(f"calendar: a GovernmentCalendar, not {type(calendar).__name__}")
    if not isinstance(warn_days, int) or isinstance(warn_days, bool) or warn_days < 0:
        raise ArgumentError("warn_days: a whole number of days, 0 or more")
