"""SPEC §15 as properties: a closed record's clock stops, whatever its events and packs."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.calendar.workcalendar import GovernmentCalendar
from compliance.engine.judge import Engine
from compliance.engine.rulebook import load_rulebook
from compliance.records import CASE_EVENTS, COMPLAINT_EVENTS, RECORD_ADAPTER

ENGINE = Engine(load_rulebook(packs=["all"]), GovernmentCalendar())
days = st.dates(min_value=date(2023, 1, 1), max_value=date(2024, 6, 30))
EXTRAS: dict[str, dict[str, Any]] = {
    "interim_measure_ordered": {"measure": "suspension"},
    "deadline_extended": {"extends": "KK-61", "days": 30},
    "forwarded": {"identity_redacted": True},
}
OPEN = {"overdue", "due_soon", "pending"}


def _events(draw: st.DrawFn, kinds: list[str]) -> list[dict[str, Any]]:
    return [
        {"kind": kind, "date": draw(days).isoformat(), **EXTRAS.get(kind, {})}
        for kind in draw(st.lists(st.sampled_from(kinds), max_size=14))
    ]


@st.composite
def closed_records(draw: st.DrawFn) -> tuple[dict[str, Any], date]:
    """A case or complaint with a closing event, and an audit date on or after it."""
    closing = draw(days)
    as_of = closing + timedelta(days=draw(st.integers(0, 400)))
    if draw(st.booleans()):
        record: dict[str, Any] = {
            "type": "disciplinary_case",
            "case_id": "C",
            "agency": "เขต",
            "respondent_category": "civil_servant",
            "civil_service_track": draw(st.sampled_from(["ordinary", "teacher"])),
            "policy_clauses": [1],
            "events": [
                *_events(draw, list(CASE_EVENTS)),
                {"kind": "case_closed", "date": str(closing)},
            ],
        }
    else:
        record = {
            "type": "complaint",
            "complaint_id": "Q",
            "agency": "เขต",
            "received_at": str(closing - timedelta(days=draw(st.integers(0, 90)))),
            "channel": "letter",
            "corruption": False,
            "complainant": {"name": "ก", "address": "ข"},
            "events": [
                *_events(draw, list(COMPLAINT_EVENTS)),
                {"kind": "closed", "date": str(closing)},
            ],
        }
    return record, as_of


@settings(max_examples=300, deadline=None)
@given(closed_records())
def test_a_closed_record_owes_nothing_new(data: tuple[dict[str, Any], date]) -> None:
    """No overdue, due-soon or pending duty once the record is closed; an undone duty is
    missing, late by at most closing − due; a done one is met or late as usual."""
    raw, as_of = data
    record = RECORD_ADAPTER.validate_python(raw)
    closed = min(e.date for e in record.events if e.kind in ("case_closed", "closed"))
    for finding in ENGINE.evaluate(record, as_of).findings:
        assert finding.status not in OPEN
        if finding.status == "missing" and finding.due_date is not None:
            if closed > finding.due_date:
                assert finding.days_late == (closed - finding.due_date).days
            else:
                assert finding.days_late is None


@settings(max_examples=200, deadline=None)
@given(closed_records(), st.integers(1, 800))
def test_lateness_stops_growing_after_closing(data: tuple[dict[str, Any], date], more: int) -> None:
    """Auditing a closed record later changes nothing: the report of a closed case is final."""
    raw, as_of = data
    record = RECORD_ADAPTER.validate_python(raw)
    later = as_of + timedelta(days=more)
    if any(as_of < e.date <= later for e in record.events):
        return  # an act recorded in between may still count (done wins over closed)

    def key(day: date) -> list[tuple[Any, ...]]:
        return [
            (f.rule_id, f.instance, f.status, f.due_date, f.days_late)
            for f in ENGINE.evaluate(record, day).findings
        ]

    assert key(as_of) == key(later)
