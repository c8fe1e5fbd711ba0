"""The engine's quick paths decide exactly what its general paths decide: one trigger matched
without the heap, and the orphan check skipped when every satisfying event is explained."""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from compliance.calendar.workcalendar import GovernmentCalendar
from compliance.engine.judge import Engine, _Context, _match, _match_heap
from compliance.engine.rulebook import load_rulebook
from compliance.records import RECORD_ADAPTER, RECORD_TYPES_BY_NAME, CaseEvent

ENGINE = Engine(load_rulebook(packs=["all"]), GovernmentCalendar())
days = st.dates(min_value=date(2023, 1, 1), max_value=date(2023, 3, 31))
ids = st.one_of(st.none(), st.sampled_from(["a", "b", "c"]))


@given(
    st.lists(st.tuples(days, ids), min_size=1, max_size=3),
    st.lists(st.tuples(days, ids), max_size=6),
)
def test_matching_one_trigger_quickly_agrees_with_the_heap(
    triggers: list[tuple[date, str | None]], answers: list[tuple[date, str | None]]
) -> None:
    triggers.sort(key=lambda t: t[0])
    satisfiers = sorted(
        (CaseEvent(kind="progress_reported", date=day, refers_to=named) for day, named in answers),
        key=lambda e: e.date,
    )
    assert _match(triggers, satisfiers) == _match_heap(triggers, satisfiers)
    for trigger in triggers:
        assert _match([trigger], satisfiers) == _match_heap([trigger], satisfiers)


KINDS = [
    "investigation_ordered",
    "progress_reported",
    "investigation_report_received",
    "report_considered",
    "allegation_received",
    "fact_finding_ordered",
    "fact_finding_concluded",
    "case_file_reported",
]


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    events = [
        {
            "kind": draw(st.sampled_from(KINDS)),
            "date": draw(days).isoformat(),
            **({"id": i} if (i := draw(ids)) else {}),
            **({"refers_to": r} if (r := draw(ids)) else {}),
        }
        for _ in range(draw(st.integers(0, 8)))
    ]
    return {
        "type": "disciplinary_case",
        "case_id": "K",
        "agency": "เขต",
        "respondent_category": draw(st.sampled_from(["civil_servant", "bma_personnel"])),
        "policy_clauses": [1],
        "events": events,
    }


@given(cases())
def test_the_quick_orphan_test_agrees_with_the_orphan_check(data: dict[str, Any]) -> None:
    record = RECORD_ADAPTER.validate_python(data)
    ctx = _Context(record, date(2023, 6, 30))
    for event in sorted(record.events, key=lambda e: e.date):
        ctx.by_kind.setdefault(event.kind, []).append(event)
    plan = ENGINE._plan_for(record, RECORD_TYPES_BY_NAME[record.type])
    assert ENGINE._all_answered(ctx, plan) == (ENGINE._orphans(ctx, plan.rules) == [])
