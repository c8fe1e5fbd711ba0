"""Errors the library raises, and the one way validation errors are worded.

Messages are built from the field's location and pydantic's description of the problem, never
from the rejected value (SPEC §8: no echo of personal data, even about the very field at fault).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

from pydantic import ValidationError

# Location labels of the two ways thaidate.InputDate reads a date; validation errors name only
# the second (the parser's own message is the precise one). Defined here, not in thaidate,
# so that thaidate can raise a ComplianceError without an import cycle.
FAST_DATE = "iso-date"
ANY_DATE = "date-form"


class ComplianceError(Exception):
    """Base of the library's own errors."""


class ConfigurationError(ComplianceError):
    """A rules directory, holidays file or option that cannot be used: nothing is audited."""


class StoreError(ConfigurationError):
    """The history store cannot be opened or used (a bad URL, no store, locked by another
    run): nothing is audited, exit 2."""


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


def format_validation_error(
    exc: ValidationError, tags: Collection[str] = (), echo_unknown_depth: int | None = None
) -> list[str]:
    """One message per bad field, `field: problem`, without the input value. A date field
    has two readings (thaidate.InputDate): only the full parser's message is kept.

    `tags`: a discriminated union's tags, dropped from the front of locations. An unknown key
    is named only if it is a plain name (letters, digits, `_`) and sits at most
    `echo_unknown_depth` objects deep (None: any depth); otherwise only its place is given:
    in records the key itself may be personal data (a name typed as a key), and it is text
    from outside either way."""
    messages = []
    for err in exc.errors(include_url=False, include_input=False, include_context=True):
        loc = err["loc"]
        if loc and loc[-1] == FAST_DATE:
            continue
        if loc and loc[-1] == ANY_DATE:
            loc = loc[:-1]
        if loc and loc[0] in tags:
            loc = loc[1:]
        if err["type"] == "extra_forbidden":
            messages.append(_unknown_key(loc, echo_unknown_depth))
            continue
        msg = err["msg"]
        if err["type"] == "union_tag_invalid":  # pydantic's message repeats the input
            ctx = err.get("ctx", {})
            msg = f"unknown {ctx.get('discriminator', 'tag')}; expected {ctx.get('expected_tags')}"
        for prefix in ("Value error, ", "Assertion failed, "):
            msg = msg.removeprefix(prefix)
        messages.append(f"{location(loc)}: {msg}")
    return messages


class StoreCommitError(AuditFailedError):
    """The run could not be recorded in the store at its end (exit 4): rolled back, and the
    report, which would then describe an unrecorded run, is not written either."""


_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")


def _unknown_key(loc: tuple[int | str, ...], echo_depth: int | None) -> str:
    *where, key = loc or ("",)
    shallow = echo_depth is None or sum(isinstance(p, str) for p in where) <= echo_depth
    if shallow and isinstance(key, str) and _PLAIN_KEY.fullmatch(key):
        return f"{location(loc)}: {_EXTRA}"
    return f"{location(tuple(where))}: an unknown field (its name is not shown): {_EXTRA}"


_EXTRA = "Extra inputs are not permitted"  # pydantic's words, kept for those who know them
