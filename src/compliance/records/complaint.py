"""The complaint (SPEC §3.3) and its descriptor."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, Field

from compliance.calendar.thaidate import bangkok_date, parse_moment
from compliance.records.common import (
    STRICT,
    EventBase,
    Identifier,
    RecordBase,
    RecordType,
    personal,
)

# Every event kind of a complaint with its Thai name: the one list (SPEC §3.3).
COMPLAINT_EVENTS: dict[str, str] = {
    "accepted": "รับไว้พิจารณา",
    "rejected": "ไม่รับไว้พิจารณา",
    "forwarded": "ส่งสำเนาให้ผู้บังคับบัญชาของผู้ถูกกล่าวหา",
    "delay_explained": "ชี้แจงผู้ร้องว่าไม่อาจดำเนินการได้ทันภายใน ๑๕ วัน",
    "progress_notified": "แจ้งความคืบหน้าให้ผู้ร้องทราบ",
    "resolved": "แก้ไขข้อร้องเรียนแล้ว",
    "result_notified": "แจ้งผลให้ผู้ร้องทราบ",
    "closed": "ยุติเรื่อง",
}

if TYPE_CHECKING:
    ComplaintEventKind = str
else:  # the schema's enum, from the one list above
    ComplaintEventKind = Literal[tuple(COMPLAINT_EVENTS)]
Channel = Literal[
    "hotline_1555",
    "phone",
    "letter",
    "in_person",
    "email",
    "website",
    "social_media",
    "traffy_fondue",
    "other",
]
InputMoment = Annotated[date | datetime, BeforeValidator(parse_moment)]


class ComplaintEvent(EventBase):
    """An event of a complaint (SPEC §3.3)."""

    KIND_FIELDS: ClassVar[Mapping[str, frozenset[str]]] = {
        "identity_redacted": frozenset({"forwarded"})
    }

    kind: ComplaintEventKind
    identity_redacted: bool | None = Field(
        default=None, description="Required for forwarded, refused otherwise."
    )


class Complainant(BaseModel):
    """Who complained. Anonymous when name or address is missing or blank (guideline ๘.๓.๑)."""

    model_config = STRICT

    name: str | None = personal("Complainant's name (personal data).")
    address: str | None = personal("Complainant's address (personal data).")
    position: str | None = personal("Complainant's position (personal data).")
    contact: str | None = personal("Complainant's contact (personal data).")

    @property
    def anonymous(self) -> bool:
        """Guideline ๘.๓.๑: no name or no address given."""
        return not (self.name and self.name.strip() and self.address and self.address.strip())


class Evidence(BaseModel):
    """What an anonymous complaint must show to be accepted (guideline ๘.๑.๑, ๘.๓.๑)."""

    model_config = STRICT

    clear_evidence: bool = False
    witnesses_identified: bool = False


class Complaint(RecordBase):
    """A complaint (SPEC §3.3)."""

    type: Literal["complaint"]
    complaint_id: Identifier
    received_at: InputMoment
    channel: Channel
    corruption: bool
    complainant: Complainant = Field(default_factory=Complainant)
    evidence: Evidence = Field(default_factory=Evidence)
    events: list[ComplaintEvent] = Field(default_factory=list)

    @property
    def record_id(self) -> str:
        """The record's id, whatever its type."""
        return self.complaint_id

    @property
    def anonymous(self) -> bool:
        """Guideline ๘.๓.๑: the complainant gave no name or no address."""
        return self.complainant.anonymous

    @property
    def received_on(self) -> date:
        """The Bangkok date the complaint was received."""
        moment = self.received_at
        return bangkok_date(moment) if isinstance(moment, datetime) else moment


COMPLAINT = RecordType(
    name="complaint",
    model=Complaint,
    event_model=ComplaintEvent,
    id_field="complaint_id",
    label_th="เรื่องร้องเรียน",
    label_en="complaint",
    event_kinds=COMPLAINT_EVENTS,
    scope={"anonymous": lambda record, wanted: record.anonymous == wanted},
    scope_key=lambda r: (r.anonymous,),
    closing_events=("closed",),
    trigger_fields={"received_at": lambda r: r.received_on},
    condition_facts=frozenset(
        {
            "event.identity_redacted",
            "record.evidence.clear_evidence",
            "record.evidence.witnesses_identified",
        }
    ),
)
