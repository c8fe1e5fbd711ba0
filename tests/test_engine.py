"""The engine (SPEC §6): every status of every rule, matching, data checks, properties."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any, get_args

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.audit import audit
from compliance.calendar.thaidate import FORMATTED_DAYS, format_english, format_thai
from compliance.calendar.workcalendar import GovernmentCalendar
from compliance.engine.findings import STATUSES, Finding
from compliance.engine.judge import Engine
from compliance.engine.rulebook import load_rulebook
from compliance.records import RECORD_ADAPTER, CaseEventKind
from compliance.report import messages as messages_module
from compliance.report.messages import citation, explanation, messages, responsible

from .conftest import FIXTURES

ENGINE = Engine(load_rulebook(), GovernmentCalendar())
AS_OF = date(2023, 9, 15)


def case(
    events: list[tuple[Any, ...]], category: str = "civil_servant", clauses: list[int] | None = None
) -> dict[str, Any]:
    return {
        "type": "disciplinary_case",
        "case_id": "K",
        "agency": "เขต",
        "respondent_category": category,
        "policy_clauses": clauses or [1],
        "events": [_event(*e) for e in events],
    }


def complaint(
    received: str,
    events: list[tuple[Any, ...]],
    named: bool = True,
    evidence: tuple[bool, bool] = (False, False),
) -> dict[str, Any]:
    return {
        "type": "complaint",
        "complaint_id": "Q",
        "agency": "เขต",
        "received_at": received,
        "channel": "letter",
        "corruption": False,
        "complainant": {"name": "ก", "address": "ข"} if named else {},
        "evidence": {"clear_evidence": evidence[0], "witnesses_identified": evidence[1]},
        "events": [_event(*e) for e in events],
    }


def _event(kind: str, day: str, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"kind": kind, "date": day, **(extra or {})}


def run(data: dict[str, Any], as_of: date = AS_OF, flag_future: bool = False) -> list[Finding]:
    return ENGINE.evaluate(RECORD_ADAPTER.validate_python(data), as_of, flag_future).findings


D = date.fromisoformat


def test_severities() -> None:
    found = {
        (f.rule_id, f.status): f.severity
        for f in run(
            complaint(
                "2023-08-01", [("resolved", "2023-08-10"), ("accepted", "2023-08-02")], named=False
            )
        )
    }
    assert found[("CMP-3.2", "met")] == "info"
    advisory = run(complaint("2023-08-01", [("resolved", "2023-08-10")]))
    assert {f.severity for f in advisory if f.rule_id == "CMP-3.2-NOTIFY"} == {"advisory"}
    assert {f.severity for f in run(case([("review_received", "2023-08-01")]))} == {"warning"}
    assert {f.severity for f in run(case([("review_received", "2023-07-01")]))} == {"violation"}


def test_future_events_are_flagged_only_when_as_of_is_today() -> None:
    data = case(
        [("fact_finding_ordered", "2023-09-01"), ("fact_finding_order_reported", "2023-09-20")]
    )
    assert [f.rule_id for f in run(data)] == ["ABP-5.2-ORDER"]
    flagged = run(data, flag_future=True)
    assert [(f.rule_id, f.status, f.done_on) for f in flagged] == [
        ("ABP-5.2-ORDER", "overdue", None),
        ("DATA-FUTURE", "inconsistent", D("2023-09-20")),
    ]
    result = ENGINE.evaluate(RECORD_ADAPTER.validate_python(data), AS_OF)
    assert result.events_after_as_of == 1


def test_complaint_received_after_as_of_is_left_out() -> None:
    data = complaint("2023-09-20", [("accepted", "2023-09-21")])
    result = ENGINE.evaluate(RECORD_ADAPTER.validate_python(data), AS_OF)
    assert (result.findings, result.events_after_as_of) == ([], 2)
    flagged = run(data, flag_future=True)
    assert [(f.rule_id, f.event_kind) for f in flagged] == [("DATA-FUTURE", "received_at")] * 2


def test_findings_are_ordered_by_rule_then_instance() -> None:
    findings = run(
        case(
            [
                ("interim_measure_ordered", "2023-06-02", {"measure": "suspension"}),
                ("investigation_ordered", "2023-06-01"),
                ("fact_finding_ordered", "2023-05-01"),
            ]
        )
    )
    keys = [(f.rule_id, f.instance) for f in findings]
    assert keys == sorted(keys)


# --- properties ------------------------------------------------------------------------------

CASE_KINDS = list(get_args(CaseEventKind))
_KIND_EXTRAS: dict[str, dict[str, Any]] = {
    "interim_measure_ordered": {"measure": "suspension"},
    "deadline_extended": {"extends": "KK-61", "days": 30},
}
days = st.dates(min_value=date(2023, 1, 1), max_value=date(2023, 12, 31))


@st.composite
def random_case(draw: st.DrawFn) -> dict[str, Any]:
    events = []
    for _ in range(draw(st.integers(0, 12))):
        kind = draw(st.sampled_from(CASE_KINDS))
        events.append((kind, draw(days).isoformat(), _KIND_EXTRAS.get(kind, {})))
    category = draw(st.sampled_from(["civil_servant", "bma_personnel", "other_worker"]))
    return case(events, category, draw(st.sampled_from([[1], [2, 5], [3]])))


def _key(findings: list[Finding]) -> list[tuple[Any, ...]]:
    return [
        (f.rule_id, f.instance, f.status, f.due_date, f.done_on, f.days_late, f.related_rule)
        for f in findings
    ]


@settings(max_examples=150)
@given(random_case(), days, st.lists(st.sampled_from(CASE_KINDS), max_size=5), st.integers(1, 200))
def test_events_after_as_of_change_nothing(
    data: dict[str, Any], as_of: date, kinds: list[str], gap: int
) -> None:
    later = [
        _event(
            k,
            (as_of + timedelta(days=gap)).isoformat(),
            _KIND_EXTRAS.get(k),
        )
        for k in kinds
    ]
    assert _key(run(data, as_of)) == _key(run({**data, "events": data["events"] + later}, as_of))


@settings(max_examples=150)
@given(random_case(), days, st.randoms())
def test_shuffling_events_changes_nothing(
    data: dict[str, Any], as_of: date, rnd: random.Random
) -> None:
    # Shuffle among events of distinct (kind, date): SPEC's order ties break by input order.
    shuffled = list(data["events"])
    rnd.shuffle(shuffled)
    unique = {(e["kind"], e["date"]) for e in data["events"]}
    if len(unique) == len(data["events"]):
        assert _key(run(data, as_of)) == _key(run({**data, "events": shuffled}, as_of))


@settings(max_examples=200)
@given(random_case(), days)
def test_status_invariants(data: dict[str, Any], as_of: date) -> None:
    for f in run(data, as_of):
        if f.done_on and f.due_date and f.done_on > f.due_date:
            assert f.status != "met"
        if f.status in ("late", "overdue"):
            assert f.days_late is not None and f.days_late >= 1
        elif f.status == "missing":  # SPEC §15: frozen at closing, or none if closed in time
            assert f.days_late is None or f.days_late >= 1
        else:
            assert f.days_late is None
        if f.status == "met" and f.due_date:
            assert f.done_on is not None and f.done_on <= f.due_date


@settings(max_examples=200)
@given(days, st.lists(days, max_size=8), st.one_of(st.none(), days), days)
def test_recurring_instances_follow_the_schedule(
    order: date, reports: list[date], end: date | None, as_of: date
) -> None:
    events = [("investigation_ordered", order.isoformat())]
    events += [("progress_reported", r.isoformat()) for r in reports]
    if end:
        events.append(("investigation_report_received", end.isoformat()))
    found = [f for f in run(case(events), as_of) if f.rule_id == "ABP-6.2"]
    if order > as_of:
        assert found == []
        return
    dues = [order + timedelta(days=30 * k) for k in range(1, 200)]
    if end and order <= end <= as_of:
        expected = [d for d in dues if d < end]
    else:
        expected = [d for d in dues if d < as_of] + [next(d for d in dues if d >= as_of)]
    assert [f.due_date for f in found] == expected
    assert [f.instance for f in found] == list(range(1, len(expected) + 1))
    known = sorted(r for r in reports if order <= r <= as_of)
    for f in found:
        start = f.due_date - timedelta(days=30) if f.instance > 1 else order - timedelta(days=1)
        in_window = [r for r in known if start < r <= f.due_date]  # type: ignore[operator]
        assert (f.status == "met") == bool(in_window)


# --- every status of every timed rule, built from the catalogue itself -------------------------

TIMED_STATUSES = {
    # status: (days from trigger to as_of beyond the period, days from trigger to the act)
    "met": (10, 0),  # done on the last day: on time
    "late": (10, 1),  # one day after the last day
    "overdue": (1, None),
    "due_soon": (-2, None),
    "pending": (-4, None),  # one day before the warning window (warn_days 3)
}


def _record_for(rule_id: str, trigger_day: date, done_day: date | None) -> dict[str, Any]:
    rule = ENGINE.rulebook.by_id[rule_id]
    kinds = [(rule.trigger.event, trigger_day)] if rule.trigger.event else []
    if done_day is not None:
        kinds.append((rule.satisfied_by[0], done_day))
    events = [
        (k, d.isoformat(), {"measure": "suspension"} if k == "interim_measure_ordered" else None)
        for k, d in kinds
        if k
    ]
    if rule.scope.record == "complaint":
        named = rule.scope.anonymous is not True
        return complaint(
            trigger_day.isoformat() if rule.trigger.field else "2023-01-02", events, named
        )
    category = (rule.scope.respondent_categories or ["civil_servant"])[0]
    return case(events, category)


@pytest.mark.parametrize("status", sorted(TIMED_STATUSES))
@pytest.mark.parametrize("rule_id", [r.id for r in ENGINE.rulebook.rules if r.kind == "deadline"])
def test_every_status_of_every_deadline_rule(rule_id: str, status: str) -> None:
    rule = ENGINE.rulebook.by_id[rule_id]
    assert rule.period is not None
    trigger_day = date(2023, 3, 1)
    due = trigger_day + timedelta(days=rule.period.days)  # authority, calendar days
    after_due, act = TIMED_STATUSES[status]
    as_of = due + timedelta(days=after_due)
    done = None if act is None else due + timedelta(days=act)
    found = [f for f in run(_record_for(rule_id, trigger_day, done), as_of) if f.rule_id == rule_id]
    assert [(f.status, f.due_date, f.done_on) for f in found] == [(status, due, done)]
    expected_late = {"late": 1, "overdue": 1}.get(status)
    assert found[0].days_late == expected_late


def test_fixtures_reach_every_status() -> None:
    report = audit(
        [FIXTURES / "cases.jsonl", FIXTURES / "complaints.jsonl"], as_of=date(2023, 9, 15)
    )
    assert {f.status for f in report.findings} == set(STATUSES)
    assert {f.rule_id for f in report.findings} == {r.id for r in ENGINE.rulebook.rules} | {
        "DATA-ORPHAN"
    }


@settings(max_examples=150)
@given(random_case(), days, st.booleans())
def test_findings_come_in_spec_order(data: dict[str, Any], as_of: date, flag: bool) -> None:
    keys = [(f.rule_id, f.instance) for f in run(data, as_of, flag_future=flag)]
    assert keys == sorted(keys)
    assert len(set(keys)) == len(keys)


def test_data_future_sorts_before_data_orphan() -> None:
    data = case([("progress_reported", "2023-02-01"), ("case_closed", "2023-10-01")])
    assert [f.rule_id for f in run(data, flag_future=True)] == ["DATA-FUTURE", "DATA-ORPHAN"]


def test_findings_read_their_words_from_the_rule_they_name() -> None:
    """A finding's words come from its rule; equal findings stay equal whichever engine made
    them, and a finding built by a caller speaks as the engine's does."""
    records = [
        case(
            [("fact_finding_ordered", "2023-03-01"), ("fact_finding_order_reported", "2023-03-20")]
        ),
        complaint("2023-03-01", [("forwarded", "2023-03-02", {"identity_redacted": False})]),
    ]
    made = [f for data in records for f in run(data) if f.rule is not None]
    assert {f.rule.kind for f in made if f.rule} >= {"deadline", "condition"}
    other = Engine(load_rulebook(), GovernmentCalendar())
    again = [
        f
        for data in records
        for f in other.evaluate(RECORD_ADAPTER.validate_python(data), AS_OF).findings
        if f.rule is not None
    ]
    assert again == made
    for f in made:
        bare = Finding(
            f.rule_id, f.rule, f.subject_type, f.subject_id, f.agency, f.instance, f.status,
            f.severity, f.trigger_date, f.due_date, f.done_on, f.days_late, f.as_of, f.deadline,
        )  # fmt: skip
        for words in (messages, explanation, citation, responsible):
            assert words(bare) == words(f)
        assert f.rule is not None
        assert responsible(f) == f.rule.responsible_th and citation(f) == f.rule.citation_th


def test_day_words_are_the_formatters_and_stay_bounded() -> None:
    """The report's dates in words come from a memo in front of format_thai/format_english:
    the same words, and no more entries than its bound however many dates an audit meets."""
    first = date(2000, 1, 1)
    for n in range(FORMATTED_DAYS + 50):
        day = first + timedelta(days=n)
        assert messages_module._day_words(day) == (format_thai(day), format_english(day))
    assert 0 < len(messages_module._DAY_WORDS) <= FORMATTED_DAYS
