"""A service keeps one `Audit` and asks it about one record per request (docs/performance.md):
the answers are the audit's own, nothing accumulates between calls, and a bad request is a
`RecordError` that names the field, never the value."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from typing import Any

import pytest

from compliance import Audit
from compliance.errors import RecordError

AS_OF = date(2023, 9, 30)
SECRET = "สมชาย ลับมาก"
OPEN = {"pending", "due_soon", "overdue", "open"}


def _complaint(record_id: str, **changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "type": "complaint",
        "complaint_id": record_id,
        "agency": "สำนักงานเขตบางพลัด",
        "received_at": "2023-09-01T09:30:00+07:00",
        "channel": "letter",
        "corruption": False,
        "complainant": {"name": SECRET, "address": "99 ถนนสุขุมวิท"},
        "events": [{"kind": "accepted", "date": "2023-09-01"}],
    }
    return record | changes


def test_check_answers_as_the_audit_does_without_counting() -> None:
    service = Audit(AS_OF)
    first = service.check(_complaint("C-1"))
    again = service.check(_complaint("C-1"))  # the same id twice: a service is no audit run
    counted = Audit(AS_OF).record(_complaint("C-1"))
    assert first == again == counted
    assert [f.rule_id for f in first][:1] == ["CMP-3.2"]
    assert next(f for f in first if f.rule_id == "CMP-3.2").status == "overdue"
    assert service.summary.records == 0


def test_obligations_are_the_open_part_of_check_soonest_first() -> None:
    service = Audit(AS_OF)
    record = _complaint("C-2", received_at="2023-09-20")
    owed = service.obligations(record)
    open_ones = [f for f in service.check(record) if f.status in OPEN]
    assert owed
    assert owed == sorted(
        open_ones, key=lambda f: (f.due_date or date.max, f.rule_id, f.instance or 0)
    )


def test_a_bad_request_names_the_field_not_the_value() -> None:
    service = Audit(AS_OF)
    with pytest.raises(RecordError) as caught:
        service.check(_complaint("C-3", channel=SECRET))
    assert "channel" in str(caught.value)
    assert SECRET not in str(caught.value)
    assert service.check(_complaint("C-4"))  # the Audit is still good for the next request


def test_importing_the_package_loads_nothing_of_the_cli_or_the_store() -> None:
    heavy = ("rich", "typer", "pythainlp", "sqlalchemy", "xlsxwriter", "multiprocessing")
    code = f"import sys, compliance; print([m for m in {heavy!r} if m in sys.modules])"
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
