"""compliance: BMA disciplinary cases and complaints checked against the deadlines of the BMA
Anti-Bribery guideline, every finding with its clause and the arithmetic behind it.

The one-call API for services::

    from compliance import audit, obligations
    report = audit([Path("cases.jsonl")], as_of=date(2023, 9, 15))
    owed = obligations(record_dict, as_of=date(2023, 9, 15))

A service answering many requests keeps one `Audit` and calls its `check()` or
`obligations()` per record (docs/performance.md). Importing the package loads what the audit
needs and nothing of the command line (rich, typer, pythainlp) or the store (SQLAlchemy).
"""

from __future__ import annotations

from compliance.audit import Audit, audit, obligations
from compliance.calendar.periods import Period, PeriodCalculator
from compliance.calendar.thaidate import format_thai, parse_date
from compliance.calendar.workcalendar import GovernmentCalendar
from compliance.engine.rulebook import RuleBook, load_rulebook
from compliance.errors import ComplianceError, ConfigurationError
from compliance.records import Complaint, DisciplinaryCase
from compliance.report.model import FindingModel, Report

__all__ = [
    "Audit",
    "Complaint",
    "ComplianceError",
    "ConfigurationError",
    "DisciplinaryCase",
    "FindingModel",
    "GovernmentCalendar",
    "Period",
    "PeriodCalculator",
    "Report",
    "RuleBook",
    "audit",
    "format_thai",
    "load_rulebook",
    "obligations",
    "parse_date",
]
