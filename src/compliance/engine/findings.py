"""What the engine produces: one finding per evaluated obligation instance (SPEC §6–7).

Findings are small slotted objects holding facts (dates, status, the deadline's arithmetic) and
their rule; their words — messages, citation, explanation — are produced only when a report is
written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from compliance.calendar.periods import Deadline
from compliance.engine.rulebook import Rule

Status = Literal[
    "met", "late", "overdue", "due_soon", "pending", "open", "missing", "breached", "inconsistent"
]
Severity = Literal["violation", "advisory", "warning", "info"]

STATUSES: tuple[Status, ...] = (
    "met",
    "late",
    "overdue",
    "due_soon",
    "pending",
    "open",
    "missing",
    "breached",
    "inconsistent",
)
SEVERITIES: tuple[Severity, ...] = ("violation", "advisory", "warning", "info")
# Lowest to highest, for --fail-on: an advisory (an organisation target missed) ranks below a
# warning (a deadline about to pass, or records that contradict themselves).
SEVERITY_RANK: dict[Severity, int] = {"info": 0, "advisory": 1, "warning": 2, "violation": 3}
BREACHES = frozenset({"late", "overdue", "missing", "breached"})
NEEDS_ACTION = frozenset({"late", "overdue", "missing", "breached", "due_soon", "inconsistent"})


def severity_of(status: Status, rule: Rule | None) -> Severity:
    """SPEC §6: violation/advisory for breaches by the rule's severity, warning for due_soon
    and inconsistent, info otherwise."""
    if status in BREACHES:
        return rule.severity if rule is not None else "violation"
    if status in ("due_soon", "inconsistent"):
        return "warning"
    return "info"


@dataclass(frozen=True, slots=True)
class Extension:
    """One honoured extension of an instance's period (SPEC §10.5)."""

    dated: date
    days: int  # honoured (at most the rule's max_days)
    requested: int
    new_due: date


_LAPSED = frozenset({"late", "overdue"})  # done after the due date, or not at all
_ONE_DAY = timedelta(days=1)


# Not frozen: a frozen dataclass is several times slower to build.
@dataclass(slots=True)
class Finding:
    """One evaluated instance of one rule for one record."""

    rule_id: str
    rule: Rule | None  # None for the built-in data-consistency checks
    subject_type: str
    subject_id: str
    agency: str
    instance: int | None  # None: a DATA-EXTENSION, which belongs to no instance
    status: Status
    severity: Severity
    trigger_date: date | None = None
    due_date: date | None = None
    done_on: date | None = None
    days_late: int | None = None
    as_of: date | None = None
    deadline: Deadline | None = None
    event_kind: str | None = None  # data findings: the event at fault
    related_rule: str | None = None  # DATA-ORPHAN: the rules whose trigger is missing
    related_instance: int | None = None  # DATA-EXTENSION: the instance it went to, if any
    extended_days: int | None = None  # deadline findings: the days of extension honoured
    extensions: tuple[Extension, ...] = ()
    closed_on: date | None = None  # the record's closing date, where it decided the status
    note: str | None = None  # DATA-EXTENSION: why the extension was not (fully) honoured

    @property
    def lapsed_from(self) -> date | None:
        """The day after the due date, when the period ran out without the act (late,
        overdue, or missing at a closing after the due date, SPEC §15): from then on what the
        text says follows a lapse has happened (SPEC §10.4, `Rule.lapse_th`); None otherwise."""
        if self.due_date is None:
            return None
        if self.status in _LAPSED or (self.status == "missing" and self.days_late is not None):
            return self.due_date + _ONE_DAY
        return None

    @property
    def needs_action(self) -> bool:
        """Shown by default in the human formats."""
        return self.status in NEEDS_ACTION
