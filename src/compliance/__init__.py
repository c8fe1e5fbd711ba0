"""compliance: BMA disciplinary cases and complaints checked against the deadlines of the BMA
Anti-Bribery guideline, every finding with its clause and the arithmetic behind it.

The one-call API for services::

    from compliance import audit, obligations
    report = audit([Path("cases.jsonl")], as_of=date(2023, 9, 15))
    owed = obligations(record_dict, as_of=date(2023, 9, 15))

A service that answers many calls keeps one `Audit` and calls its `check()` or
`obligations()` (docs/performance.md). The names below are loaded on first use (PEP 562), so
`import compliance` costs next to nothing and each name brings only the modules it needs.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from compliance.audit import Audit, audit, obligations
    from compliance.errors import ComplianceError, ConfigurationError
    from compliance.periods import Period, PeriodCalculator
    from compliance.records import Complaint, DisciplinaryCase
    from compliance.report import FindingModel, Report
    from compliance.rulebook import RuleBook, load_rulebook
    from compliance.thaidate import format_thai, parse_date
    from compliance.workcalendar import GovernmentCalendar

_WHERE = {
    "Audit": "audit",
    "audit": "audit",
    "obligations": "audit",
    "ComplianceError": "errors",
    "ConfigurationError": "errors",
    "Period": "periods",
    "PeriodCalculator": "periods",
    "Complaint": "records",
    "DisciplinaryCase": "records",
    "FindingModel": "report",
    "Report": "report",
    "RuleBook": "rulebook",
    "load_rulebook": "rulebook",
    "format_thai": "thaidate",
    "parse_date": "thaidate",
    "GovernmentCalendar": "workcalendar",
}


def __getattr__(name: str) -> Any:
    """The public name `name`, imported from its module on first use."""
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'compliance' has no attribute {name!r}")
    value = getattr(import_module(f"compliance.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_WHERE])


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
