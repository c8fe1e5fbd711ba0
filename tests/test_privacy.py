"""Guideline ข้อ ๘ / SPEC §8: no complainant identity, respondent name or note in any output,
log or error message — including errors about those very fields."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from compliance.audit import audit
from compliance.records.readers import Accepted, read_records

from .personal import personal_batch


def _leaks(text: str, secrets: list[str]) -> list[str]:
    return [s for s in secrets if s in text]


@settings(
    max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None
)
@given(personal_batch())
def test_no_personal_data_in_errors_repr_reports_or_logs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, batch: tuple[list[dict[str, Any]], list[str]]
) -> None:
    records, secrets = batch
    path = tmp_path / "records.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    seen: list[str] = []
    with caplog.at_level(logging.DEBUG):
        for item in read_records([path]):
            seen.append(repr(item))
            if isinstance(item, Accepted):
                seen.append(str(item.record))
                seen.append(item.record.model_dump_json())
            else:
                seen.extend(item.errors)
        report = audit([path], as_of=date(2023, 9, 1))
        seen.append(report.model_dump_json())
        seen.append(audit(records, as_of=date(2023, 9, 1)).model_dump_json())
    seen.extend(r.getMessage() for r in caplog.records)
    assert not _leaks("\n".join(seen), secrets)
