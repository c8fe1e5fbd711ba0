"""A finding as the report's JSON object (SPEC §7, §14): its facts always, its words where
the report's `--words` choice asks for them. Kept apart from the report's pydantic models
because it runs once per finding; the models validate the same shape.

The report's hot loop writes findings straight as bytes (`findings_bytes`), byte for byte
what `orjson.dumps(finding_json(f, words))` gives: a dict per finding and orjson's encoding of
its Thai text cost more than the rest of the finding. What is constant is encoded once — a
rule's id and constant words per process, a record's subject and agency once per record, each
date once — and every string not made here goes through orjson, so escaping stays orjson's."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

import orjson

from compliance.calendar.periods import Deadline
from compliance.engine.findings import SEVERITIES, STATUSES, Finding
from compliance.engine.rulebook import Rule
from compliance.report.messages import citation, explanation, explanation_own, messages, responsible

Words = Literal["actionable", "all", "none"]
WORDS: tuple[Words, ...] = ("actionable", "all", "none")
DEFAULT_WORDS: Words = "actionable"
# Severities whose findings someone must act on: they carry their words under `actionable`.
ACTIONABLE = frozenset({"violation", "advisory", "warning"})


def finding_json(f: Finding, words: Words = "all") -> dict[str, Any]:
    """A finding as the report's JSON object (dates as `date`: orjson and the models both
    take them). Words — responsible, citation, messages, explanations — under `all`, under
    `actionable` only for violations, advisories and warnings, never under `none`."""
    facts: dict[str, Any] = {
        "rule_id": f.rule_id,
        "subject_type": f.subject_type,
        "subject_id": f.subject_id,
        "agency": f.agency,
        "instance": f.instance,
        "status": f.status,
        "severity": f.severity,
        "trigger_date": f.trigger_date,
        "due_date": f.due_date,
        "done_on": f.done_on,
        "days_late": f.days_late,
        "extended_days": f.extended_days,
    }
    if words == "none" or (words == "actionable" and f.severity not in ACTIONABLE):
        return facts
    message_th, message_en = messages(f)
    explanation_th, explanation_en = explanation(f)
    facts["responsible"] = responsible(f)
    facts["citation"] = citation(f)
    facts["message_th"] = message_th
    facts["message_en"] = message_en
    facts["explanation"] = explanation_th
    facts["explanation_en"] = explanation_en
    return facts


def finding_bytes(f: Finding, words: Words = "all") -> bytes:
    """The finding's JSON object, serialised: `orjson.dumps(finding_json(f, words))`."""
    pieces: list[bytes] = []
    _write([f], words, pieces)
    pieces[0] = pieces[0][2:]  # `,\n{"rule_id":…`: no separator
    return b"".join(pieces)


# Which severities carry words under each `--words` choice.
_WORDED: dict[str, frozenset[str]] = {
    "all": frozenset(SEVERITIES),
    "actionable": ACTIONABLE,
    "none": frozenset(),
}
# `,"status":…,"severity":…,"trigger_date":` by status, then severity.
_STATUS_SEVERITY: dict[str, dict[str, bytes]] = {status: {} for status in STATUSES}
# The members of ints and dates, each as orjson writes it (None: null) after its member's name
# where no other piece ends with it; and `,\n{"rule_id":"…"` per rule id. Bounded: a long
# run sees few dates, ints and rule ids. (Never bools, which would share the ints' keys.)
_MEMBERS = (
    ("instance", b""),
    ("trigger_date", b""),
    ("due_date", b',"due_date":'),
    ("done_on", b',"done_on":'),
    ("days_late", b',"days_late":'),
    ("extended_days", b',"extended_days":'),
)
_VALUES: dict[str, dict[int | date | None, bytes]] = {name: {} for name, _ in _MEMBERS}
_RULE_IDS: dict[str, bytes] = {}
_MAX_CACHED = 1 << 12
# Per rule id: the rule (its words are its own: a rule book read later may word the same id
# differently) and `,"responsible":"…","citation":"…",`.
_RULES: dict[str, tuple[Rule | None, bytes]] = {}
# Per deadline (by id, the deadline held so that its id is not reused): its explanation's
# lines in Thai and English, encoded without the brackets.
_DEADLINES: dict[int, tuple[Deadline, bytes, bytes]] = {}
WordsPieces = tuple[bytes, ...]
# A rule's finding's words by what they are made of (`_words`), the rule and the deadline
# held so that their ids are not reused. Bounded: ~1 kB an entry.
_KEPT_WORDS: dict[tuple[Any, ...], tuple[Rule, Deadline | None, WordsPieces]] = {}
_MAX_KEPT_WORDS = 1 << 13


def _learn(f: Finding) -> None:
    """Put the finding's ints, dates and rule id in their caches: the first time they are
    seen, or after a full cache was emptied."""
    for name, before in _MEMBERS:
        values = _VALUES[name]
        if len(values) > _MAX_CACHED:
            values.clear()
        value = getattr(f, name)
        if value not in values:
            values[value] = before + orjson.dumps(value)
    if len(_RULE_IDS) > _MAX_CACHED:
        _RULE_IDS.clear()
    if f.rule_id not in _RULE_IDS:
        _RULE_IDS[f.rule_id] = b',\n{"rule_id":' + orjson.dumps(f.rule_id)
    if f.severity not in _STATUS_SEVERITY.get(f.status, {}):  # none the types allow
        _STATUS_SEVERITY.setdefault(f.status, {})[f.severity] = _status_severity(f)


def _status_severity(f: Finding) -> bytes:
    return b',"status":%s,"severity":%s,"trigger_date":' % (
        orjson.dumps(f.status),
        orjson.dumps(f.severity),
    )


def _rule_words(f: Finding) -> bytes:
    """`,"responsible":"…","citation":"…",`: constant per rule, made the first time its id is
    seen (or its id comes with another rule)."""
    words = (
        b',"responsible":'
        + orjson.dumps(responsible(f))
        + b',"citation":'
        + orjson.dumps(citation(f))
        + b","
    )
    _RULES[f.rule_id] = (f.rule, words)
    return words


def _words_pieces(f: Finding) -> WordsPieces:
    """Words to keep, in five pieces: `"message_th":…,"message_en":…,"explanation":[`, its
    deadline's Thai lines, its own Thai lines (after a comma where both are there) and
    `],"explanation_en":[`, the deadline's English lines, its own English lines and `]}`. The
    deadline's lines — most of the text — are kept once for all the findings of the deadline."""
    message_th, message_en = messages(f)
    own_th, own_en = explanation_own(f)
    deadline = f.deadline
    if deadline is None:
        lines_th = lines_en = b""
    else:
        found = _DEADLINES.get(id(deadline))
        if found is None or found[0] is not deadline:
            if len(_DEADLINES) >= _MAX_CACHED:
                _DEADLINES.clear()
            found = _DEADLINES[id(deadline)] = (
                deadline,
                orjson.dumps(deadline.explanation_th)[1:-1],
                orjson.dumps(deadline.explanation_en)[1:-1],
            )
        lines_th, lines_en = found[1], found[2]
    return (
        b'"message_th":'
        + orjson.dumps(message_th)
        + b',"message_en":'
        + orjson.dumps(message_en)
        + b',"explanation":[',
        lines_th,
        (b"," if lines_th and own_th else b"")
        + orjson.dumps(own_th)[1:-1]
        + b'],"explanation_en":[',
        lines_en,
        (b"," if lines_en and own_en else b"") + orjson.dumps(own_en)[1:-1] + b"]}",
    )


def _words(f: Finding) -> WordsPieces:
    """The finding's words after `"citation":…,`, in pieces. Those of a rule's finding are
    made of its rule, deadline, status, instance, dates and days (`messages`, `explanation`),
    so findings alike in all of these share them: kept. The data checks' findings (no rule)
    are worded from more, and not kept; nor are those of duties done (met, late), whose words
    name the day it was done and so seldom repeat: one orjson call for those."""
    rule, deadline = f.rule, f.deadline
    if rule is None or f.done_on is not None:
        message_th, message_en = messages(f)
        explanation_th, explanation_en = explanation(f)
        words = {
            "message_th": message_th,
            "message_en": message_en,
            "explanation": explanation_th,
            "explanation_en": explanation_en,
        }
        return (orjson.dumps(words)[1:],)
    key = (  # done_on is None: not in it
        id(rule),
        id(deadline),
        f.status,
        f.instance,
        f.trigger_date,
        f.due_date,
        f.days_late,
        f.closed_on,
        f.as_of,
        f.extensions,
    )
    found = _KEPT_WORDS.get(key)
    if found is None or found[0] is not rule or found[1] is not deadline:
        if len(_KEPT_WORDS) >= _MAX_KEPT_WORDS:
            _KEPT_WORDS.clear()
        found = _KEPT_WORDS[key] = (rule, deadline, _words_pieces(f))
    return found[2]


def findings_bytes(findings: list[Finding], words: Words) -> bytes:
    """Each finding's JSON object preceded by `,\\n`: `b"".join(b",\\n" + finding_bytes(f,
    words) for f in findings)`, what a record adds to the report."""
    pieces: list[bytes] = []
    _write(findings, words, pieces)
    return b"".join(pieces)


def _write(findings: list[Finding], words: Words, pieces: list[bytes]) -> None:
    """The findings' JSON objects, each after `,\\n`, in pieces appended to `pieces`."""
    worded = _WORDED.get(words, _WORDED["all"])  # as `finding_json`: words unless told not
    rule_ids, status_severity = _RULE_IDS, _STATUS_SEVERITY
    instances, triggers, due, done, days_late, extended = _VALUES.values()
    subject: tuple[str, str, str] | None = None
    head = b""
    for f in findings:
        if subject is None or (
            f.subject_id is not subject[1]
            or f.agency is not subject[2]
            or f.subject_type is not subject[0]
        ):  # a record's findings share them: encoded once
            subject = (f.subject_type, f.subject_id, f.agency)
            members = {"subject_type": subject[0], "subject_id": subject[1], "agency": subject[2]}
            head = b"," + orjson.dumps(members)[1:-1] + b',"instance":'
        while True:
            try:
                pieces += (
                    rule_ids[f.rule_id],
                    head,
                    instances[f.instance],
                    status_severity[f.status][f.severity],
                    triggers[f.trigger_date],
                    due[f.due_date],
                    done[f.done_on],
                    days_late[f.days_late],
                    extended[f.extended_days],
                )
                break
            except KeyError:  # a value not seen yet (or no more cached)
                _learn(f)
        if f.severity in worded:
            rule = _RULES.get(f.rule_id)
            pieces += (
                rule[1] if rule is not None and rule[0] is f.rule else _rule_words(f),
                *_words(f),
            )
        else:
            pieces.append(b"}")
