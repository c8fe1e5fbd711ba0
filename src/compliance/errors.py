"""Errors the library raises, and the one way validation errors are worded.

Messages are built from the field's location and pydantic's description of the problem, never
from the rejected value (SPEC §8: no echo of personal data, even about the very field at fault).
"""

from __future__ import annotations

from pydantic import ValidationError

from compliance.thaidate import ANY_DATE, FAST_DATE


class ComplianceError(Exception):
    """Base of the library's own errors."""


class ConfigurationError(ComplianceError):
    """A rules directory, holidays file or option that cannot be used: nothing is audited."""


class WorkerDiedError(ComplianceError):
    """A `--jobs` worker process stopped before finishing its segment (killed, out of memory):
    the report would miss records, so none is written."""


def location(loc: tuple[int | str, ...]) -> str:
    """`('events', 2, 'date')` → `events[2].date`."""
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text or "(record)"


def format_validation_error(exc: ValidationError) -> list[str]:
    """One message per bad field, `field: problem`, without the input value. A date field
    has two readings (thaidate.InputDate): only the full parser's message is kept."""
    messages = []
    for err in exc.errors(include_input=False, include_url=False, include_context=False):
        loc = err["loc"]
        if loc and loc[-1] == FAST_DATE:
            continue
        if loc and loc[-1] == ANY_DATE:
            err["loc"] = loc[:-1]
        msg = err["msg"]
        for prefix in ("Value error, ", "Assertion failed, "):
            msg = msg.removeprefix(prefix)
        messages.append(f"{location(err['loc'])}: {msg}")
    return messages
