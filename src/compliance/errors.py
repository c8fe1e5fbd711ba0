"""Errors the library raises, and the one way validation errors are worded.

Messages are built from the field's location and pydantic's description of the problem, never
from the rejected value (SPEC §8: no echo of personal data, even about the very field at fault).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import ValidationError

from compliance.thaidate import ANY_DATE, FAST_DATE


class ComplianceError(Exception):
    """Base of the library's own errors."""


class ConfigurationError(ComplianceError):
    """A rules directory, holidays file or option that cannot be used: nothing is audited."""


class AuditFailedError(ComplianceError):
    """The audit could not finish (exit 4): the report would miss records, so none is
    written."""


class WorkerDiedError(AuditFailedError):
    """A `--jobs` worker process stopped before finishing its segment (killed, out of
    memory)."""


class AuditStoppedError(ComplianceError):
    """The run was stopped by a signal (SIGTERM, SIGINT): sinks were aborted, nothing written."""

    def __init__(self, signum: int) -> None:
        super().__init__(f"stopped by signal {signum}")
        self.signum = signum


class RecordError(ComplianceError, ValueError):
    """A record given to the Python API is not valid. Its message names each bad field and
    the problem, never the value (SPEC §8); `errors` lists them."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("invalid record: " + "; ".join(errors))
        self.errors = tuple(errors)


class ArgumentError(ComplianceError, TypeError):
    """A Python API called with an argument of the wrong type (e.g. a string where a list of
    paths or a date is expected): refused rather than silently mis-audited."""


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
