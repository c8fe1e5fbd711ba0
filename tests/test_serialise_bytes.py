"""The report's findings written straight as bytes (`findings_bytes`) are byte for byte what
orjson makes of `finding_json`: for any facts, hostile text in the record's members, every
status, severity and `--words` choice, and whatever the caches hold or forget."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.calendar.periods import Period, PeriodCalculator
from compliance.calendar.workcalendar import GovernmentCalendar
from compliance.engine.findings import SEVERITIES, STATUSES, Extension, Finding
from compliance.engine.judge import Engine
from compliance.engine.rulebook import load_rulebook
from compliance.records import RECORD_TYPES_BY_NAME
from compliance.records.readers import Accepted, read_files
from compliance.report import serialise
from compliance.report.serialise import WORDS, Words, finding_bytes, finding_json, findings_bytes

from .conftest import FIXTURES

RULEBOOK = load_rulebook(packs=("abp", "kk2565"))
CALCULATOR = PeriodCalculator(GovernmentCalendar())
DATA_RULES = ("DATA-FUTURE", "DATA-EXTENSION", "DATA-ORPHAN")
DAYS = st.dates(date(1990, 1, 1), date(2100, 12, 31))
COUNTS = st.none() | st.integers(-(2**63), 2**63 - 1) | st.integers(0, 1200)


def expected(findings: list[Finding], words: Words) -> bytes:
    return b"".join(b",\n" + orjson.dumps(finding_json(f, words)) for f in findings)


@st.composite
def findings(draw: st.DrawFn) -> list[Finding]:
    """Findings of a few records: most share their record's subject (the same objects, as the
    engine makes them), some come with equal text in other objects or another record's."""
    made: list[Finding] = []
    subject = ("disciplinary_case", "BM-1", "เขต")
    for _ in range(draw(st.integers(0, 6))):
        if not made or draw(st.booleans()):
            subject = (
                draw(st.sampled_from(["disciplinary_case", "complaint"]) | st.text()),
                draw(st.text()),
                draw(st.text()),
            )
        rule = draw(st.none() | st.sampled_from(RULEBOOK.rules))
        start = draw(DAYS)
        deadline = (
            CALCULATOR.deadline(start, rule.calc_period or Period(30), draw(st.integers(1, 3)))
            if rule is not None and draw(st.booleans())
            else None
        )
        extensions = draw(
            st.lists(
                st.builds(Extension, DAYS, st.integers(1, 90), st.integers(1, 120), DAYS),
                max_size=2,
            )
        )
        made.append(
            Finding(
                rule.id if rule else draw(st.sampled_from(DATA_RULES)),
                rule,
                subject[0] if rule else draw(st.sampled_from(["disciplinary_case", "complaint"])),
                subject[1],
                subject[2],
                draw(COUNTS),
                draw(st.sampled_from(STATUSES)),
                draw(st.sampled_from(SEVERITIES)),
                trigger_date=draw(st.none() | DAYS),
                due_date=draw(st.none() | DAYS),
                done_on=draw(st.none() | DAYS),
                days_late=draw(COUNTS),
                as_of=draw(st.none() | DAYS),
                deadline=deadline,
                event_kind=draw(st.none() | st.sampled_from(["order", "received_at", 'x"\\'])),
                related_rule=draw(st.none() | st.text()),
                extended_days=draw(COUNTS),
                extensions=tuple(extensions),
                closed_on=draw(st.none() | DAYS),
                note=draw(st.none() | st.sampled_from(["capped", "too_late", "other"])),
            )
        )
    return made


@settings(max_examples=300, deadline=None)
@given(findings(), st.sampled_from(WORDS))
def test_findings_bytes_are_orjsons_bytes(made: list[Finding], words: Words) -> None:
    assert findings_bytes(made, words) == expected(made, words)
    assert findings_bytes(made, words) == expected(made, words)  # from the caches, now
    for f in made:
        assert finding_bytes(f, words) == orjson.dumps(finding_json(f, words))


# Every member a finding's words are made of (`messages`, `explanation`).
WORDED_FROM = (
    "rule", "status", "instance", "trigger_date", "due_date", "done_on", "days_late", "as_of",
    "deadline", "extensions", "closed_on", "subject_type", "event_kind", "related_rule", "note",
)  # fmt: skip


@settings(max_examples=200, deadline=None)
@given(findings(), findings(), st.booleans())
def test_findings_alike_but_for_one_member_get_their_own_words(
    some: list[Finding], others: list[Finding], undone: bool
) -> None:
    """Words kept for one finding are never those of another that differs in one member."""
    for f, other in zip(some, others, strict=False):
        first = replace(f, done_on=None) if undone else f
        for member in WORDED_FROM:
            if member == "rule" and other.rule is None and f.rule is not None:
                continue  # a data check's rule id goes with no rule
            if member == "subject_type" and other.subject_type not in RECORD_TYPES_BY_NAME:
                continue  # a data check's words name an event of its record's type
            second = replace(first, **{member: getattr(other, member)})
            assert findings_bytes([first, second], "all") == expected([first, second], "all")


def audited() -> list[list[Finding]]:
    """The fixtures' findings, record by record, as of two dates (other statuses)."""
    accepted = [
        r.record
        for r in read_files([FIXTURES / "cases.jsonl", FIXTURES / "complaints.jsonl"])
        if isinstance(r, Accepted)
    ]
    engine = Engine(RULEBOOK, GovernmentCalendar())
    return [
        engine.evaluate(record, as_of).findings
        for as_of in (date(2023, 9, 15), date(2022, 6, 1))
        for record in accepted
    ]


@pytest.mark.parametrize("words", WORDS)
def test_caches_that_forget_write_the_same(monkeypatch: pytest.MonkeyPatch, words: Words) -> None:
    """Caches bounded to a few entries empty themselves all the time: still the same bytes."""
    monkeypatch.setattr(serialise, "_MAX_CACHED", 3)
    monkeypatch.setattr(serialise, "_MAX_KEPT_WORDS", 2)
    for _ in range(2):
        for record in audited():
            assert findings_bytes(record, words) == expected(record, words)


def test_a_rule_worded_anew_is_written_with_its_own_words(tmp_path: Path) -> None:
    """Two rule books may word the same rule id differently (an organisation's override):
    each finding carries its own rule's words, not those of the last rule of that id."""
    rule = RULEBOOK.by_id["ABP-6.2"]
    other = rule.model_copy(update={"responsible_th": 'ผู้อื่น "x"', "title_th": "อื่น\\"})
    made = [
        Finding(r.id, r, "disciplinary_case", "BM-1", "เขต", 1, "overdue", "violation",
                date(2023, 1, 1), date(2023, 2, 1), None, 30, date(2023, 3, 3))
        for r in (rule, other, rule, other)
    ]  # fmt: skip
    written = findings_bytes(made, "all")
    assert written == expected(made, "all")
    assert orjson.dumps(other.responsible_th) in written


def test_a_status_the_types_do_not_know_is_written_as_it_is() -> None:
    made = [
        Finding("DATA-X", None, "complaint", "C-1", "เขต", 1, status, severity)  # type: ignore[arg-type]
        for status, severity in (('odd"', "info"), ("met", "\\odd"), ('odd"', "info"))
    ]
    assert findings_bytes(made, "none") == expected(made, "none")
