"""A finding as the report's JSON object (SPEC §7, §14): its facts always, its words where
the report's `--words` choice asks for them. Kept apart from the report's pydantic models
because it runs once per finding; the models validate the same shape."""

from __future__ import annotations

from typing import Any, Literal

import orjson

from compliance.findings import Finding
from compliance.messages import citation, explanation, messages, responsible

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
    """The finding's JSON object, serialised (orjson writes the dates as ISO)."""
    return orjson.dumps(finding_json(f, words))
