"""The records stage. Record types (SPEC §3, §10.3): one module per type — its model and its
descriptor — and one registry line here; beside them, reading records (`readers`, `lines`) and
the ids one audit has seen (`idindex`). Everything else (engine, rule book, readers,
renderers, command line) reads a type through `RECORD_TYPES_BY_NAME`; adding a record type
touches its module, this registry, its rules file and its tests."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, TypeAdapter

from compliance.records.case import (
    CASE,
    CASE_EVENTS,
    GUIDELINE_CLAUSES,
    CaseEvent,
    CaseEventKind,
    CivilServiceTrack,
    DisciplinaryCase,
    Measure,
    RespondentCategory,
)
from compliance.records.common import PERSONAL_FIELDS, RecordType, fast_validator
from compliance.records.complaint import (
    COMPLAINT,
    COMPLAINT_EVENTS,
    Channel,
    Complainant,
    Complaint,
    ComplaintEvent,
    ComplaintEventKind,
    Evidence,
)

REGISTRY: tuple[RecordType, ...] = (CASE, COMPLAINT)

RECORD_TYPES_BY_NAME: dict[str, RecordType] = {t.name: t for t in REGISTRY}
RECORD_TYPES = tuple(RECORD_TYPES_BY_NAME)
ID_FIELDS = {t.name: t.id_field for t in REGISTRY}
Record = DisciplinaryCase | Complaint  # one member per registered type
Event = CaseEvent | ComplaintEvent
RECORD_ADAPTER: TypeAdapter[Record] = TypeAdapter(
    Annotated[Record, Field(discriminator="type")], config=ConfigDict(hide_input_in_errors=True)
)
# Accepts what RECORD_ADAPTER accepts, the same records, with no Python call per event; when
# it refuses, RECORD_ADAPTER says why (`common.fast_validator`).
RECORD_VALIDATOR = fast_validator(RECORD_ADAPTER.core_schema)


def event_name_th(kind: str | None, record_type: str) -> str:
    """An event kind in an officer's words, as its record type describes it (two types may
    name the same kind differently: a complaint's `result_notified` goes to the complainant,
    a case's to สำนักงาน ก.ก.); "" for none, an unknown kind as it is, and a trigger field
    (a complaint's `received_at`) as the receipt."""
    if not kind:
        return ""
    described = RECORD_TYPES_BY_NAME[record_type]
    if kind in described.trigger_fields:
        return "วันที่รับเรื่อง"
    return described.event_kinds.get(kind, kind)


__all__ = [
    "CASE_EVENTS",
    "COMPLAINT_EVENTS",
    "GUIDELINE_CLAUSES",
    "ID_FIELDS",
    "PERSONAL_FIELDS",
    "RECORD_ADAPTER",
    "RECORD_TYPES",
    "RECORD_TYPES_BY_NAME",
    "RECORD_VALIDATOR",
    "REGISTRY",
    "CaseEvent",
    "CaseEventKind",
    "Channel",
    "CivilServiceTrack",
    "Complainant",
    "Complaint",
    "ComplaintEvent",
    "ComplaintEventKind",
    "DisciplinaryCase",
    "Event",
    "Evidence",
    "Measure",
    "Record",
    "RecordType",
    "RespondentCategory",
    "event_name_th",
]
