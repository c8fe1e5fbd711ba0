"""Record models of SPEC §3: the disciplinary case, the complaint and their events.

Strict pydantic v2 models: unknown fields are refused, types are not coerced, every date goes
through the SPEC §3.1 parser. Personal data (guideline ข้อ ๘, SPEC §8) — a complainant's name,
address, position and contact, a respondent's name, and any event's free-text note — is kept
for the rules that need it (anonymity) but is hidden from `repr`, never echoed in validation
errors, and left out of serialisation unless asked for with `include_personal=True`.
"""

from __future__ import annotations

from datetime import date, datetime
from operator import attrgetter
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    model_validator,
)

from compliance.thaidate import InputDate, bangkok_date, parse_moment

InputMoment = Annotated[date | datetime, BeforeValidator(parse_moment)]
Identifier = Annotated[str, Field(min_length=1, max_length=200)]

CaseEventKind = Literal[
    "fact_finding_ordered",
    "fact_finding_order_reported",
    "fact_finding_concluded",
    "fact_finding_result_reported",
    "investigation_ordered",
    "progress_reported",
    "interim_measure_ordered",
    "interim_measure_reported",
    "investigation_report_received",
    "report_considered",
    "case_file_reported",
    "forwarded_to_permanent_secretary",
    "order_copy_sent",
    "result_notified",
    "review_received",
    "review_completed",
    "case_closed",
]
ComplaintEventKind = Literal[
    "accepted",
    "rejected",
    "forwarded",
    "delay_explained",
    "progress_notified",
    "resolved",
    "result_notified",
    "closed",
]
RespondentCategory = Literal["civil_servant", "bma_personnel", "other_worker"]
Measure = Literal["suspension", "removal_pending", "work_suspension"]
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

GUIDELINE_CLAUSES = frozenset({1, 2, 3})
PERSONAL_FIELDS = ("name", "address", "position", "contact", "respondent_name", "note")


def _personal(description: str) -> Any:
    """A field holding personal data: kept, but hidden from repr and serialisation."""
    return Field(default=None, repr=False, exclude=True, description=description)


_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, hide_input_in_errors=True)


class _Event(BaseModel):
    model_config = _STRICT

    date: InputDate
    id: Identifier | None = None
    refers_to: Identifier | None = None
    note: str | None = _personal("Free text; may name people, so never output.")


class CaseEvent(_Event):
    """An event of a disciplinary case (SPEC §3.2)."""

    kind: CaseEventKind
    measure: Measure | None = Field(
        default=None, description="Required for interim_measure_ordered, refused otherwise."
    )

    @model_validator(mode="after")
    def _measure_goes_with_interim_measures(self) -> CaseEvent:
        if self.kind == "interim_measure_ordered" and self.measure is None:
            raise ValueError("measure is required for interim_measure_ordered")
        if self.kind != "interim_measure_ordered" and self.measure is not None:
            raise ValueError("measure is only allowed on interim_measure_ordered")
        return self


class ComplaintEvent(_Event):
    """An event of a complaint (SPEC §3.3)."""

    kind: ComplaintEventKind
    identity_redacted: bool | None = Field(
        default=None, description="Required for forwarded, refused otherwise."
    )

    @model_validator(mode="after")
    def _redaction_goes_with_forwarding(self) -> ComplaintEvent:
        if self.kind == "forwarded" and self.identity_redacted is None:
            raise ValueError("identity_redacted is required for forwarded")
        if self.kind != "forwarded" and self.identity_redacted is not None:
            raise ValueError("identity_redacted is only allowed on forwarded")
        return self


class Complainant(BaseModel):
    """Who complained. Anonymous when name or address is missing or blank (guideline ๘.๓.๑)."""

    model_config = _STRICT

    name: str | None = _personal("Complainant's name (personal data).")
    address: str | None = _personal("Complainant's address (personal data).")
    position: str | None = _personal("Complainant's position (personal data).")
    contact: str | None = _personal("Complainant's contact (personal data).")

    @property
    def anonymous(self) -> bool:
        """Guideline ๘.๓.๑: no name or no address given."""
        return not (self.name and self.name.strip() and self.address and self.address.strip())


class Evidence(BaseModel):
    """What an anonymous complaint must show to be accepted (guideline ๘.๑.๑, ๘.๓.๑)."""

    model_config = _STRICT

    clear_evidence: bool = False
    witnesses_identified: bool = False


class _Record(BaseModel):
    model_config = _STRICT

    agency: str = Field(min_length=1)

    @property
    def record_id(self) -> str:
        """The record's id, whatever its type."""
        raise NotImplementedError

    def to_record(self, include_personal: bool = False) -> dict[str, Any]:
        """The record as SPEC §3 JSON; personal data only when asked for explicitly."""
        data = self.model_dump(mode="json", exclude_none=True)
        if include_personal:
            _restore_personal(self, data)
        return data


def _restore_personal(model: BaseModel, data: dict[str, Any]) -> None:
    for name in type(model).model_fields:
        value = getattr(model, name)
        if name in PERSONAL_FIELDS and value is not None:
            data[name] = value
        elif isinstance(value, BaseModel) and name in data:
            _restore_personal(value, data[name])
        elif isinstance(value, list) and name in data:
            for item, item_data in zip(value, data[name], strict=True):
                if isinstance(item, BaseModel):
                    _restore_personal(item, item_data)


class DisciplinaryCase(_Record):
    """A disciplinary case (SPEC §3.2)."""

    type: Literal["disciplinary_case"]
    case_id: Identifier
    respondent_category: RespondentCategory
    policy_clauses: list[Annotated[int, Field(ge=1, le=6)]] = Field(
        min_length=1, description="Clauses ๑–๖ of the Anti-Bribery Policy the allegation concerns."
    )
    respondent_name: str | None = _personal("Respondent's name (personal data).")
    events: list[CaseEvent] = Field(default_factory=list)

    if TYPE_CHECKING:

        @property
        def record_id(self) -> str: ...

    else:  # read for every record: attrgetter is C, a property's function a Python call
        record_id = property(attrgetter("case_id"), doc="The record's id, whatever its type.")

    @property
    def guideline_applies(self) -> bool:
        """The guideline's deadlines apply to allegations under policy clauses ๑–๓."""
        return not GUIDELINE_CLAUSES.isdisjoint(self.policy_clauses)


class Complaint(_Record):
    """A complaint (SPEC §3.3)."""

    type: Literal["complaint"]
    complaint_id: Identifier
    received_at: InputMoment
    channel: Channel
    corruption: bool
    complainant: Complainant = Field(default_factory=Complainant)
    evidence: Evidence = Field(default_factory=Evidence)
    events: list[ComplaintEvent] = Field(default_factory=list)

    if TYPE_CHECKING:

        @property
        def record_id(self) -> str: ...

        @property
        def anonymous(self) -> bool: ...

    else:  # as DisciplinaryCase.record_id
        record_id = property(attrgetter("complaint_id"), doc="The record's id, whatever its type.")
        anonymous = property(
            attrgetter("complainant.anonymous"),
            doc="Guideline ๘.๓.๑: the complainant gave no name or no address.",
        )

    @property
    def received_on(self) -> date:
        """The Bangkok date the complaint was received."""
        moment = self.received_at
        return bangkok_date(moment) if isinstance(moment, datetime) else moment


Record = DisciplinaryCase | Complaint
Event = CaseEvent | ComplaintEvent
RECORD_ADAPTER: TypeAdapter[Record] = TypeAdapter(Annotated[Record, Field(discriminator="type")])
RECORD_TYPES = ("disciplinary_case", "complaint")
ID_FIELDS = {"disciplinary_case": "case_id", "complaint": "complaint_id"}
