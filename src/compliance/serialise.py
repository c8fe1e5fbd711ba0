"""A finding as the report's JSON object (SPEC §7): the members in the report's order, words
included. Kept apart from the report's pydantic models because it runs once per finding; the
models validate the same shape."""

from __future__ import annotations

from typing import Any

import orjson

from compliance.findings import Finding
from compliance.messages import citation, explanation, messages, responsible


def finding_json(f: Finding) -> dict[str, Any]:
    """A finding as the report's JSON object (SPEC §7), words included (dates as `date`: orjson
    and the models both take them)."""
    message_th, message_en = messages(f)
    explanation_th, explanation_en = explanation(f)
    return {
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
        "responsible": responsible(f),
        "citation": citation(f),
        "message_th": message_th,
        "message_en": message_en,
        "explanation": explanation_th,
        "explanation_en": explanation_en,
    }


def finding_bytes(f: Finding) -> bytes:
    """The finding's JSON object, serialised (orjson writes the dates as ISO)."""
    return orjson.dumps(finding_json(f))
