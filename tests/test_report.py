"""The serialised finding (cached words) is exactly the finding's JSON, hit or miss."""

from __future__ import annotations

from datetime import date

import orjson

from compliance.audit import Audit
from compliance.readers import Accepted, read_records
from compliance.report import finding_bytes, finding_json

from .conftest import FIXTURES


def test_cached_serialisation_equals_the_plain_one() -> None:
    for as_of in (date(2023, 9, 15), date(2023, 12, 1)):
        run = Audit(as_of)
        findings = [
            f
            for item in read_records([FIXTURES / "cases.jsonl", FIXTURES / "complaints.jsonl"])
            if isinstance(item, Accepted)
            for f in run.record(item.record)
        ]
        for _ in range(2):  # the second pass hits the cache
            for f in findings:
                assert finding_bytes(f) == orjson.dumps(finding_json(f))
