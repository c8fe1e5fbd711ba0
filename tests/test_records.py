"""Record models of SPEC §3: validation, derived facts, round-trips, JSON Schema."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from typing import Any, get_args

import pytest
from pydantic import ValidationError

from compliance.calendar.thaidate import DateParseError, parse_date
from compliance.engine.rulebook import load_rulebook
from compliance.errors import format_validation_error
from compliance.records import (
    RECORD_ADAPTER,
    CaseEventKind,
    Channel,
    Complaint,
    ComplaintEventKind,
)
from compliance.records.readers import Rejected, read_values

from .conftest import FIXTURES


def _lines(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (FIXTURES / name).read_text("utf-8").splitlines()]


def complaint(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": "complaint",
        "complaint_id": "C-1",
        "agency": "สำนักงานเขตบางพลัด",
        "received_at": "2023-05-11T20:30:00+00:00",
        "channel": "hotline_1555",
        "corruption": True,
        "complainant": {"name": "มานี มีนา", "address": "1 ถนนจรัญฯ"},
        "events": [],
    }
    base.update(changes)
    return base


def case(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "type": "disciplinary_case",
        "case_id": "K-1",
        "agency": "สำนักงานเขตบางพลัด",
        "respondent_category": "civil_servant",
        "policy_clauses": [1],
        "events": [],
    }
    base.update(changes)
    return base


def errors_of(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as info:
        RECORD_ADAPTER.validate_python(data)
    return [
        m.split(".", 1)[1] if m.startswith(("complaint.", "disciplinary_case.")) else m
        for m in format_validation_error(info.value)
    ]


@pytest.mark.parametrize("name", ["cases.jsonl", "complaints.jsonl"])
def test_every_fixture_round_trips(name: str) -> None:
    for raw in _lines(name):
        record = RECORD_ADAPTER.validate_python(raw)
        again = RECORD_ADAPTER.validate_python(record.to_record(include_personal=True))
        assert again == record
        assert again.to_record(include_personal=True) == record.to_record(include_personal=True)


def test_fixtures_are_large_and_varied() -> None:
    cases, complaints = _lines("cases.jsonl"), _lines("complaints.jsonl")
    assert len(cases) >= 30 and len(complaints) >= 60
    case_kinds = {e["kind"] for c in cases for e in c["events"]}
    named = {
        kind
        for rule in load_rulebook().by_record["disciplinary_case"]
        for kind in [rule.trigger.event, *rule.satisfied_by, *rule.until, *rule.closed_by]
        if kind
    }
    assert named <= case_kinds <= set(get_args(CaseEventKind))  # every kind the guideline reads
    complaint_kinds = {e["kind"] for c in complaints for e in c["events"]}
    assert complaint_kinds == set(get_args(ComplaintEventKind))
    assert {c["respondent_category"] for c in cases} == {
        "civil_servant",
        "bma_personnel",
        "other_worker",
    }
    assert {c["channel"] for c in complaints} == set(get_args(Channel))
    measures = {e.get("measure") for c in cases for e in c["events"]} - {None}
    assert measures == {"suspension", "removal_pending", "work_suspension"}


def test_received_at_gives_the_bangkok_date() -> None:
    record = RECORD_ADAPTER.validate_python(complaint())
    assert isinstance(record, Complaint)
    assert record.received_on == date(2023, 5, 12)
    naive = RECORD_ADAPTER.validate_python(complaint(received_at="2023-05-11T23:30:00"))
    assert isinstance(naive, Complaint) and naive.received_on == date(2023, 5, 11)
    be = RECORD_ADAPTER.validate_python(complaint(received_at="11 พ.ค. 2566"))
    assert isinstance(be, Complaint) and be.received_on == date(2023, 5, 11)


@pytest.mark.parametrize(
    ("complainant", "anonymous"),
    [
        ({"name": "มานี", "address": "1 ถนน"}, False),
        ({"name": "มานี"}, True),
        ({"address": "1 ถนน"}, True),
        ({"name": " ", "address": "1 ถนน"}, True),
        ({"name": "มานี", "address": "", "contact": "0812345678"}, True),
        ({}, True),
    ],
)
def test_anonymous_per_guideline_8_3_1(complainant: dict[str, str], anonymous: bool) -> None:
    record = RECORD_ADAPTER.validate_python(complaint(complainant=complainant))
    assert isinstance(record, Complaint) and record.anonymous is anonymous


def test_record_id_is_the_id_of_either_type_and_not_a_field() -> None:
    records = [RECORD_ADAPTER.validate_python(d) for d in (case(), complaint())]
    assert [r.record_id for r in records] == ["K-1", "C-1"]
    for record in records:
        assert "record_id" not in type(record).model_fields
        assert "record_id" not in record.to_record() and "anonymous" not in record.to_record()


def test_guideline_applies_only_to_policy_clauses_1_to_3() -> None:
    assert RECORD_ADAPTER.validate_python(case(policy_clauses=[3, 5])).guideline_applies  # type: ignore[union-attr]
    assert not RECORD_ADAPTER.validate_python(case(policy_clauses=[4, 5, 6])).guideline_applies  # type: ignore[union-attr]


def test_personal_data_is_kept_but_not_shown() -> None:
    record = RECORD_ADAPTER.validate_python(
        complaint(events=[{"kind": "accepted", "date": "2023-05-12", "note": "คุยกับนายสมชาย"}])
    )
    assert isinstance(record, Complaint)
    assert record.complainant.name == "มานี มีนา"  # the rules can read it
    shown = (
        repr(record) + str(record) + json.dumps(record.model_dump(mode="json"), ensure_ascii=False)
    )
    shown += record.model_dump_json() + json.dumps(record.to_record(), ensure_ascii=False)
    for secret in ("มานี", "ถนนจรัญ", "สมชาย"):
        assert secret not in shown
    explicit = record.to_record(include_personal=True)
    assert explicit["complainant"]["name"] == "มานี มีนา"
    assert explicit["events"][0]["note"] == "คุยกับนายสมชาย"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            case(events=[{"kind": "investigation_started", "date": "2023-01-01"}]),
            "events[0].kind: Input should be",
        ),
        (case(respondent_category="contractor"), "respondent_category: Input should be"),
        (
            case(events=[{"kind": "investigation_ordered", "date": "2566-02-29"}]),
            "events[0].date: day 29 does not exist",
        ),
        (
            case(events=[{"kind": "investigation_ordered", "date": "01/03/66"}]),
            "events[0].date: two-digit year",
        ),
        (case(policy_clauses=[7]), "policy_clauses[0]: Input should be less than or equal to 6"),
        (case(policy_clauses=["1"]), "policy_clauses[0]: Input should be a valid integer"),
        (
            case(events=[{"kind": "interim_measure_ordered", "date": "2023-01-01"}]),
            "events[0]: measure is required",
        ),
        (
            case(events=[{"kind": "case_closed", "date": "2023-01-01", "measure": "suspension"}]),
            "events[0]: measure is only allowed",
        ),
        (case(case_ref="x"), "case_ref: Extra inputs are not permitted"),
        (complaint(channel="fax"), "channel: Input should be"),
        (complaint(corruption="yes"), "corruption: Input should be a valid boolean"),
        (
            complaint(events=[{"kind": "forwarded", "date": "2023-05-12"}]),
            "events[0]: identity_redacted is required",
        ),
        (complaint(received_at="tomorrow"), "received_at: not a recognised date"),
    ],
)
def test_invalid_fields_are_named(data: dict[str, Any], expected: str) -> None:
    assert any(message.startswith(expected) for message in errors_of(data)), errors_of(data)


@pytest.mark.parametrize("name", ["case", "complaint", "record", "report", "rule", "holidays"])
def test_schema_command(name: str) -> None:
    done = subprocess.run(["compliance", "schema", name], capture_output=True, check=True)
    schema = json.loads(done.stdout)
    assert "properties" in schema or "oneOf" in schema or "$defs" in schema
    if name == "case":
        assert schema["properties"]["respondent_category"]["enum"] == [
            "civil_servant",
            "bma_personnel",
            "other_worker",
        ]
        assert schema["additionalProperties"] is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2023-01-02", date(2023, 1, 2)),
        ("2566-01-02", date(2023, 1, 2)),  # B.E. in the ISO shape: never read as C.E.
        ("2399-12-31", date(2399, 12, 31)),
        ("2023-01-02T20:00:00+00:00", date(2023, 1, 3)),  # a moment: its Bangkok date
        ("2023-01-02T00:00:00+14:00", date(2023, 1, 1)),
        ("1672617600", None),  # a Unix time is not a SPEC date form
        ("20230102", None),
        ("2023-W01-1", None),  # an ISO week date: not a SPEC form (Python's parser takes it)
        ("2023-02-30", None),
    ],
)
def test_every_date_form_reads_as_the_parser_says(text: str, expected: date | None) -> None:
    """Records read C.E. ISO dates with pydantic's own parser (fast) and everything else with
    ours; the two must agree with `parse_date` on every form, and reject what it rejects."""
    record = {
        "type": "disciplinary_case",
        "case_id": "X-1",
        "agency": "สำนักงานเขตบางพลัด",
        "respondent_category": "civil_servant",
        "policy_clauses": [1],
        "events": [{"kind": "fact_finding_ordered", "date": text}],
    }
    line = json.dumps(record)
    if expected is None:
        with pytest.raises(ValidationError):
            RECORD_ADAPTER.validate_json(line)
        (rejected,) = read_values([record])
        assert isinstance(rejected, Rejected)
        assert rejected.errors == (f"events[0].date: {_parser_message(text)}",)
    else:
        assert RECORD_ADAPTER.validate_json(line).events[0].date == expected == parse_date(text)


def _parser_message(text: str) -> str:
    with pytest.raises(DateParseError) as caught:
        parse_date(text)
    return str(caught.value)
