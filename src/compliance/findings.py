"""What the engine produces: one finding per evaluated obligation instance (SPEC §6–7).

Findings are small slotted objects holding facts (dates, status, the deadline's arithmetic) and a
view of their rule; their words — messages, citation, explanation — are produced only when a
report is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from compliance.periods import Deadline, Period
from compliance.rulebook import Rule

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


class RuleView:
    """A rule as the engine and the report read it, record after record and finding after
    finding: built once per rule. A compiled class's fields are read directly; a pydantic
    model's attributes go through Python's generic lookup and pydantic's `__getattr__` hook,
    some 400 instructions each, dozens of times a record (callgrind)."""

    __slots__ = (
        "citation_th",
        "closed_by",
        "condition",
        "condition_en",
        "condition_th",
        "dated",
        "id",
        "kind",
        "period",
        "responsible_th",
        "rule",
        "satisfied_by",
        "severity",
        "title_en",
        "title_th",
        "trigger_event",
        "trigger_field",
        "until",
    )

    def __init__(self, rule: Rule) -> None:
        self.rule = rule
        self.id = rule.id
        self.kind = rule.kind
        self.trigger_event = rule.trigger.event
        self.trigger_field = rule.trigger.field
        self.satisfied_by = rule.satisfied_by
        self.until = rule.until
        self.closed_by = rule.closed_by
        self.condition = rule.condition
        self.dated = rule.dated
        self.period: Period | None = rule.period.to_period() if rule.period else None
        self.severity: dict[str, Severity] = {s: severity_of(s, rule) for s in STATUSES}
        self.title_th = rule.title_th
        self.title_en = rule.title_en
        self.condition_th = rule.condition_th
        self.condition_en = rule.condition_en
        self.responsible_th = rule.responsible_th
        self.citation_th = rule.citation_th

    def __repr__(self) -> str:
        return f"RuleView({self.id})"


# Not frozen: a frozen dataclass is several times slower to build. Its own __init__: compiled
# (setup.py), that one is native, where the one dataclasses generates is interpreted.
@dataclass(slots=True, init=False)
class Finding:
    """One evaluated instance of one rule for one record."""

    rule_id: str
    rule: Rule | None  # None for the built-in data-consistency checks
    subject_type: str
    subject_id: str
    agency: str
    instance: int
    status: Status
    severity: Severity
    trigger_date: date | None
    due_date: date | None
    done_on: date | None
    days_late: int | None
    as_of: date | None
    deadline: Deadline | None
    event_kind: str | None  # data findings: the event at fault
    related_rule: str | None  # DATA-ORPHAN: the rule whose trigger is missing
    view: RuleView | None = field(compare=False, repr=False)  # `rule`, as the words read it

    def __init__(
        self,
        rule_id: str,
        rule: Rule | None,
        subject_type: str,
        subject_id: str,
        agency: str,
        instance: int,
        status: Status,
        severity: Severity,
        trigger_date: date | None = None,
        due_date: date | None = None,
        done_on: date | None = None,
        days_late: int | None = None,
        as_of: date | None = None,
        deadline: Deadline | None = None,
        event_kind: str | None = None,
        related_rule: str | None = None,
        view: RuleView | None = None,
    ) -> None:
        self.rule_id = rule_id
        self.rule = rule
        self.subject_type = subject_type
        self.subject_id = subject_id
        self.agency = agency
        self.instance = instance
        self.status = status
        self.severity = severity
        self.trigger_date = trigger_date
        self.due_date = due_date
        self.done_on = done_on
        self.days_late = days_late
        self.as_of = as_of
        self.deadline = deadline
        self.event_kind = event_kind
        self.related_rule = related_rule
        self.view = view if view is not None or rule is None else RuleView(rule)

    @property
    def needs_action(self) -> bool:
        """Shown by default in the human formats."""
        return self.status in NEEDS_ACTION
