"""The disciplinary case (SPEC §3.2, §10.3) and its descriptor."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

from pydantic import Field, model_validator

from compliance.records.common import (
    EventBase,
    Identifier,
    RecordBase,
    RecordType,
    compiled_as,
    personal,
)

# Every event kind of a case with its Thai name: the one list (SPEC §3.2 and §10.3).
CASE_EVENTS: dict[str, str] = {
    "fact_finding_ordered": "คำสั่งแต่งตั้งคณะกรรมการสืบสวนข้อเท็จจริง",
    "fact_finding_order_reported": "รายงานการแต่งตั้งคณะกรรมการสืบสวนข้อเท็จจริงให้สำนักงาน ก.ก.",
    "fact_finding_concluded": "พิจารณาผลการสืบสวนข้อเท็จจริงแล้วเสร็จ",
    "fact_finding_result_reported": "รายงานผลการสืบสวนข้อเท็จจริงให้สำนักงาน ก.ก.",
    "investigation_ordered": "คำสั่งแต่งตั้งคณะกรรมการสอบสวนความผิดทางวินัยอย่างร้ายแรง",
    "progress_reported": "รายงานความคืบหน้าผลการสอบสวนให้สำนักงาน ก.ก.",
    "interim_measure_ordered": "คำสั่งพักราชการ / ให้ออกจากราชการไว้ก่อน / พักการปฏิบัติงาน",
    "interim_measure_reported": "รายงานคำสั่งพักราชการหรือให้ออกไว้ก่อนให้สำนักงาน ก.ก.",
    "investigation_report_received": "ได้รับสำนวนรายงานการสอบสวน",
    "report_considered": "พิจารณาสำนวนแล้วเสร็จ / มีคำสั่ง",
    "case_file_reported": "รายงานสำนวนการดำเนินการทางวินัยอย่างร้ายแรงให้สำนักงาน ก.ก.",
    "forwarded_to_permanent_secretary": "ส่งผู้บังคับบัญชาตามลำดับจนถึงปลัดกรุงเทพมหานคร",
    "order_copy_sent": "ส่งสำเนาคำสั่งให้สำนักงาน ก.ก.",
    "result_notified": "แจ้งผลการพิจารณาให้สำนักงาน ก.ก.",
    "review_received": "หน่วยงานผู้พิจารณาได้รับสำนวน",
    "review_completed": "พิจารณาสำนวนตามข้อ ๖.๕ แล้วเสร็จ",
    "case_closed": "ยุติเรื่อง / สิ้นสุดการดำเนินการ",
    # กฎ ก.ก. ว่าด้วยการดำเนินการทางวินัย พ.ศ. ๒๕๖๕ (SPEC §10.3)
    "allegation_received": "ความปรากฏต่อผู้มีอำนาจสั่งบรรจุ / ได้รับรายงานการกล่าวหา",
    "minor_proceeding_started": "ดำเนินการทางวินัยอย่างไม่ร้ายแรงโดยไม่ตั้งคณะกรรมการสอบสวน",
    "minor_investigation_ordered": "คำสั่งแต่งตั้งคณะกรรมการสอบสวนวินัยอย่างไม่ร้ายแรง",
    "minor_order_acknowledged": "ประธานกรรมการทราบคำสั่งแต่งตั้ง",
    "minor_investigation_report_received": "ได้รับรายงานและสำนวนการสอบสวนวินัยอย่างไม่ร้ายแรง",
    "further_investigation_ordered": "สั่งให้สอบสวนเพิ่มเติม / แก้ไขให้ถูกต้อง",
    "objection_received": "ได้รับหนังสือคัดค้านกรรมการสอบสวน",
    "objection_decided": "สั่งการเรื่องคัดค้าน",
    "chair_received_case": "ประธานกรรมการรับเรื่อง",
    "first_meeting_held": "ประชุมคณะกรรมการสอบสวนครั้งแรก",
    "further_offence_reported": "ได้รับรายงานว่ามีพยานหลักฐานว่ากระทำผิดวินัยเรื่องอื่น",
    "further_offence_decided": "พิจารณาดำเนินการเรื่องอื่นนั้นแล้ว",
    "commission_followup_reported": "รายงาน ก.ก. เพื่อติดตามเร่งรัด",
    "deadline_extended": "ขยายเวลา",
}

if TYPE_CHECKING:
    CaseEventKind = str
else:  # the schema's enum, from the one list above
    CaseEventKind = Literal[tuple(CASE_EVENTS)]
RespondentCategory = Literal["civil_servant", "bma_personnel", "other_worker"]
CivilServiceTrack = Literal["ordinary", "teacher"]
Measure = Literal["suspension", "removal_pending", "work_suspension"]
CommitteeFinding = Literal["no_offence", "non_serious", "serious", "insufficient"]
GUIDELINE_CLAUSES = frozenset({1, 2, 3})
_CIVIL_SERVANT = frozenset({"civil_servant"})  # the categories a civil-service track is for


class CaseEvent(EventBase):
    """An event of a disciplinary case (SPEC §3.2, §10.3)."""

    KIND_FIELDS: ClassVar[Mapping[str, frozenset[str]]] = {
        "measure": frozenset({"interim_measure_ordered"}),
        "extends": frozenset({"deadline_extended"}),
        "days": frozenset({"deadline_extended"}),
    }
    OPTIONAL_FIELDS: ClassVar[Mapping[str, frozenset[str]]] = {
        "committee_finding": frozenset({"investigation_report_received"})
    }

    kind: CaseEventKind
    measure: Measure | None = Field(
        default=None, description="Required for interim_measure_ordered, refused otherwise."
    )
    extends: Identifier | None = Field(
        default=None, description="deadline_extended: the id of the rule whose period it extends."
    )
    days: Annotated[int, Field(ge=1, le=3650)] | None = Field(
        default=None, description="deadline_extended: how many days it grants."
    )
    committee_finding: CommitteeFinding | None = Field(
        default=None, description="investigation_report_received: the committee's view."
    )


class DisciplinaryCase(RecordBase):
    """A disciplinary case (SPEC §3.2)."""

    type: Literal["disciplinary_case"]
    case_id: Identifier
    respondent_category: RespondentCategory
    civil_service_track: CivilServiceTrack | None = Field(
        default=None, description="civil_servant only: ordinary (the default) or teacher."
    )
    policy_clauses: list[Annotated[int, Field(ge=1, le=6)]] = Field(
        min_length=1, description="Clauses ๑–๖ of the Anti-Bribery Policy the allegation concerns."
    )
    respondent_name: str | None = personal("Respondent's name (personal data).")
    events: list[CaseEvent] = Field(default_factory=list)

    @property
    def record_id(self) -> str:
        """The record's id, whatever its type."""
        return self.case_id

    @model_validator(mode="after")
    @compiled_as(lambda cls: ("respondent_category", {}, {"civil_service_track": _CIVIL_SERVANT}))
    def _track_only_for_civil_servants(self) -> DisciplinaryCase:
        if self.civil_service_track is not None and self.respondent_category not in _CIVIL_SERVANT:
            raise ValueError("civil_service_track is only allowed for civil_servant")
        return self

    @property
    def track(self) -> str | None:
        """The civil-service track (ordinary by default), or None for other categories."""
        if self.respondent_category != "civil_servant":
            return None
        return self.civil_service_track or "ordinary"

    @property
    def guideline_applies(self) -> bool:
        """The guideline's deadlines apply to allegations under policy clauses ๑–๓."""
        return not GUIDELINE_CLAUSES.isdisjoint(self.policy_clauses)


def _clauses_any(record: DisciplinaryCase, wanted: Any) -> bool:
    return not set(wanted).isdisjoint(record.policy_clauses)


CASE = RecordType(
    name="disciplinary_case",
    model=DisciplinaryCase,
    event_model=CaseEvent,
    id_field="case_id",
    label_th="เรื่องวินัย",
    label_en="disciplinary case",
    event_kinds=CASE_EVENTS,
    scope={
        "policy_clauses_any": _clauses_any,
        "respondent_categories": lambda record, wanted: record.respondent_category in wanted,
        "civil_service_tracks": lambda record, wanted: record.track in wanted,
    },
    scope_key=lambda r: (r.respondent_category, r.civil_service_track, frozenset(r.policy_clauses)),
    closing_events=("case_closed",),
)
