"""The fast validator (`RECORD_VALIDATOR`: the models' rules in pydantic-core) against the
reference (`RECORD_ADAPTER`, the models' own validators): the same records accepted, the same
objects built, and `parse_record` giving the very rejections the reference gives."""

from __future__ import annotations

import json
import sys
from types import FrameType
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from compliance.records import (
    CASE_EVENTS,
    COMPLAINT_EVENTS,
    RECORD_ADAPTER,
    RECORD_VALIDATOR,
    Record,
    readers,
)
from compliance.records.readers import Rejected, parse_record

from .conftest import FIXTURES

ABSENT = object()

# Each kind-specific member: a valid value, an invalid one, and null.
CASE_MEMBERS = {
    "measure": ["suspension", "fired"],
    "extends": ["CASE-1", ""],
    "days": [30, 0],
    "committee_finding": ["serious", "guilty"],
}
COMPLAINT_MEMBERS = {"identity_redacted": [True, "yes"]}


def member_values(values: list[Any]) -> st.SearchStrategy[Any]:
    return st.sampled_from([ABSENT, ABSENT, None, *values])


def events(kinds: list[str], members: dict[str, list[Any]]) -> st.SearchStrategy[list[Any]]:
    kind = st.one_of(st.sampled_from(kinds), st.sampled_from([ABSENT, "unknown_kind", 7]))
    event = st.fixed_dictionaries(
        {"kind": kind, "date": st.sampled_from(["2023-01-05", "5/1/2566", "2023-02-30"])},
        optional={name: member_values(values) for name, values in members.items()},
    )
    return st.lists(event, max_size=4)


def cases() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "type": st.just("disciplinary_case"),
            "case_id": st.just("BM-1"),
            "agency": st.just("สำนักงานเขตบางพลัด"),
            "respondent_category": st.sampled_from(
                ["civil_servant", "bma_personnel", "other_worker", "nobody"]
            ),
            "policy_clauses": st.just([1, 5]),
            "events": events(list(CASE_EVENTS), CASE_MEMBERS),
        },
        optional={"civil_service_track": member_values(["teacher", "ordinary", "judge"])},
    )


def complaints() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "type": st.just("complaint"),
            "complaint_id": st.just("CM-1"),
            "agency": st.just("สำนักงานเขตบางซื่อ"),
            "received_at": st.sampled_from(["2023-01-15T20:32:00+07:00", "15/1/2566", "x"]),
            "channel": st.just("letter"),
            "corruption": st.booleans(),
            "events": events(list(COMPLAINT_EVENTS), COMPLAINT_MEMBERS),
        },
        optional={"evidence": st.just({"clear_evidence": True})},
    )


def line(record: dict[str, Any]) -> bytes:
    def present(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: present(v) for k, v in value.items() if v is not ABSENT}
        if isinstance(value, list):
            return [present(v) for v in value]
        return value

    return json.dumps(present(record), ensure_ascii=False).encode()


def reference(number: int, raw: bytes) -> Record | Rejected:
    """`parse_record` as it was: the models' own validators, then the same key guard."""
    try:
        record = RECORD_ADAPTER.validate_json(raw)
    except ValidationError as exc:
        return readers._diagnose("x.jsonl", number, raw, exc)
    kept = readers.kept_keys(record)
    if readers._key_bound(raw, kept) != kept:
        problems = readers._hazards(readers._load(raw.decode()))
        if problems:
            return Rejected("x.jsonl", number, record.record_id, problems)
    return record


def fields_sets(record: Any) -> list[Any]:
    return [record.__pydantic_fields_set__, *(e.__pydantic_fields_set__ for e in record.events)]


@settings(max_examples=600, deadline=None)
@given(st.one_of(cases(), complaints()))
def test_fast_validator_accepts_what_the_reference_accepts(record: dict[str, Any]) -> None:
    raw = line(record)
    try:
        expected = RECORD_ADAPTER.validate_json(raw)
    except ValidationError:
        expected = None
    try:
        found = RECORD_VALIDATOR.validate_json(raw)
    except ValidationError:
        found = None
    assert found == expected
    if expected is not None:
        assert type(found) is type(expected)
        assert [type(e) for e in found.events] == [type(e) for e in expected.events]
        assert fields_sets(found) == fields_sets(expected)


@settings(max_examples=400, deadline=None)
@given(st.one_of(cases(), complaints()), st.booleans())
def test_parse_record_rejects_in_the_reference_words(record: dict[str, Any], twice: bool) -> None:
    raw = line(record)
    if twice:  # a key given twice: the guard's business, after the validator
        raw = raw.replace(b'"agency": ', b'"agency": "x", "agency": ', 1)
    assert parse_record("x.jsonl", 3, raw) == reference(3, raw)


def test_the_rules_reject_as_the_models_say() -> None:
    base = {
        "type": "disciplinary_case",
        "case_id": "BM-1",
        "agency": "a",
        "respondent_category": "bma_personnel",
        "policy_clauses": [1],
    }
    wrong = [
        {**base, "civil_service_track": "teacher"},
        {**base, "events": [{"kind": "interim_measure_ordered", "date": "2023-01-05"}]},
        {**base, "events": [{"kind": "case_closed", "date": "2023-01-05", "days": 3}]},
    ]
    for record in wrong:
        found = parse_record("x.jsonl", 1, line(record))
        assert isinstance(found, Rejected)
        assert found == reference(1, line(record))
        assert "only allowed" in found.errors[0] or "required" in found.errors[0]


def test_a_kind_given_twice_is_refused_as_the_reference_refuses() -> None:
    # The discriminator and the member may be read from different copies of a repeated key:
    # whichever the fast validator takes, the key guard refuses the line as the reference does.
    for first, second in [("forwarded", "accepted"), ("accepted", "forwarded")]:
        raw = (
            '{"type": "complaint", "complaint_id": "CM-1", "agency": "a", '
            '"received_at": "2023-01-15", "channel": "letter", "corruption": false, '
            f'"events": [{{"kind": "{first}", "kind": "{second}", "date": "2023-01-16", '
            '"identity_redacted": true}]}'
        ).encode()
        found = parse_record("x.jsonl", 1, raw)
        assert isinstance(found, Rejected)
        assert found == reference(1, raw)


WATCHED = {"_kind_specific_members", "_track_only_for_civil_servants"}


def test_valid_records_run_no_python_model_validator() -> None:
    # pydantic-core would reuse a complete model's own validator (with the per-event Python
    # check) for a nested model of its class; the fast validator must not.
    called: list[str] = []

    def watch(frame: FrameType, event: str, arg: object) -> None:
        if event == "call" and frame.f_code.co_name in WATCHED:
            called.append(frame.f_code.co_name)

    names = ("cases.jsonl", "cases-kk2565.jsonl", "complaints.jsonl")
    lines = [line for name in names for line in (FIXTURES / name).read_bytes().splitlines() if line]
    sys.setprofile(watch)
    try:
        records = [RECORD_VALIDATOR.validate_json(line) for line in lines]
    finally:
        sys.setprofile(None)
    assert {r.type for r in records} == {"complaint", "disciplinary_case"}
    assert called == []
