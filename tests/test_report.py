"""A finding's serialised form is the SPEC §7 object: ISO dates, every member, valid model."""

from __future__ import annotations

import json
from datetime import date

from compliance.audit import Audit
from compliance.records.readers import Accepted, read_records
from compliance.report.model import FindingModel
from compliance.report.serialise import finding_bytes, finding_json

from .conftest import FIXTURES


def test_serialised_finding_is_the_model_in_json() -> None:
    run = Audit(date(2023, 9, 15))
    for item in read_records([FIXTURES / "cases.jsonl", FIXTURES / "complaints.jsonl"]):
        assert isinstance(item, Accepted)
        for f in run.record(item.record):
            written = json.loads(finding_bytes(f))
            assert written == FindingModel.model_validate(finding_json(f)).model_dump(mode="json")
            assert list(written) == list(FindingModel.model_fields)
            if f.due_date:
                assert written["due_date"] == f.due_date.isoformat()
