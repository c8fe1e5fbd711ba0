"""The mapping file of `compliance import table` (SPEC §13): which column of a register feeds
which record field or event, and in what form the cell is written.

```yaml
type: complaint                       # one row = one record of this type
sheet: ทะเบียนเรื่องร้องเรียน            # .xlsx: the sheet (default: the first)
header_row: 1                         # the row holding the Thai headers
fields:
  complaint_id: {column: เลขที่เรื่อง}
  agency: {value: สำนักงานเขตบางพลัด}   # a fixed value
  received_at: {column: วันที่รับเรื่อง, form: date}
  corruption: {column: เรื่องทุจริต, form: boolean}
events:                               # each date column with a date makes one event
  - {kind: accepted, column: วันที่รับไว้พิจารณา}
  - kind: forwarded
    column: วันที่ส่งต่อ
    fields: {identity_redacted: {column: ปกปิดชื่อผู้ร้อง, form: boolean}}
```

Field names and event kinds are checked against the record models themselves, so a mapping
that could only produce refused records is refused when it is loaded (exit 2), not row by row.
"""

from __future__ import annotations

import codecs
import typing
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from compliance.engine.rulebook import RecordTypeName
from compliance.errors import ConfigurationError, format_validation_error
from compliance.records import RECORD_TYPES_BY_NAME
from compliance.yamlfile import load_yaml_file

Form = Literal["text", "digits", "integer", "integers", "boolean", "choice", "date", "datetime"]

_CONFIG = ConfigDict(extra="forbid", strict=True, frozen=True, hide_input_in_errors=True)
# each record type's model and event model, from its descriptor
MODELS: dict[str, tuple[type[BaseModel], type[BaseModel]]] = {
    name: (described.model, described.event_model)
    for name, described in RECORD_TYPES_BY_NAME.items()
}
_SET_ELSEWHERE = {"type", "events"}  # the mapping's `type` and `events`
_EVENT_SET_ELSEWHERE = {"kind", "date"}  # the event entry's `kind` and `column`


class Source(BaseModel):
    """Where one value comes from: a column (by its header) read in a form, or a fixed value."""

    model_config = _CONFIG

    column: str | None = Field(
        default=None, min_length=1, description="The column's header, as printed in the register."
    )
    value: str | int | bool | list[int] | None = Field(
        default=None, description="A fixed value for every row instead of a column."
    )
    form: Form = Field(
        default="text",
        description="text (as written), digits (text, Thai digits made Arabic), integer, "
        "integers (a list such as '๑, ๓'), boolean (ใช่/ไม่ใช่, มี/ไม่มี, yes/no, 1/0, ✓), "
        "choice (through `choices`), date (any SPEC §3.1 form: B.E., Thai months, Thai digits), "
        "datetime (ISO date-time, or a date).",
    )
    choices: dict[str, str | int | bool] | None = Field(
        default=None, description="For form choice: the register's wording -> the record's value."
    )

    @model_validator(mode="after")
    def _one_origin(self) -> Source:
        if (self.column is None) == (self.value is None):
            raise ValueError("give either column or value")
        if (self.form == "choice") != (self.choices is not None):
            raise ValueError("choices go with form choice, and form choice needs choices")
        if self.value is not None and self.form != "text":
            raise ValueError("a fixed value is used as written: no form")
        return self


class EventSource(BaseModel):
    """One event kind fed by one date column: a row with a date there has the event."""

    model_config = _CONFIG

    kind: str = Field(min_length=1)
    column: str = Field(min_length=1, description="The date column's header.")
    fields: dict[str, Source] = Field(
        default_factory=dict, description="The event's other members (id, measure, …)."
    )


class TableMapping(BaseModel):
    """How a register's rows become records of one type (the mapping file)."""

    model_config = _CONFIG

    type: RecordTypeName
    sheet: str | None = Field(default=None, min_length=1, description=".xlsx: the sheet's name.")
    header_row: int = Field(default=1, ge=1, description="The row of the headers (1-based).")
    encoding: str = Field(default="utf-8-sig", description="CSV: the text encoding (e.g. cp874).")
    delimiter: str = Field(default=",", min_length=1, max_length=1, description="CSV delimiter.")
    fields: dict[str, Source] = Field(
        description="Record field (nested with a dot: complainant.name) -> its source."
    )
    events: list[EventSource] = Field(default_factory=list)

    @model_validator(mode="after")
    def _fits_the_records(self) -> TableMapping:
        record_model, event_model = MODELS[self.type]
        known = record_fields(record_model)
        for name in self.fields:
            if name not in known:
                raise ValueError(f"fields: {self.type} has no field {name}")
        missing = [n for n, required in known.items() if required and n not in self.fields]
        if missing:
            raise ValueError(f"fields: {self.type} needs {', '.join(missing)}")
        kinds = typing.get_args(event_model.model_fields["kind"].annotation)
        members = set(event_model.model_fields) - _EVENT_SET_ELSEWHERE
        for n, event in enumerate(self.events):
            if event.kind not in kinds:
                raise ValueError(f"events[{n}].kind: {self.type} has no event kind {event.kind}")
            for name in event.fields:
                if name not in members:
                    raise ValueError(f"events[{n}].fields: an event has no member {name}")
        try:
            codec = codecs.lookup(self.encoding)
        except LookupError:
            raise ValueError(f"encoding: unknown encoding {self.encoding}") from None
        # rot13, hex, uu_codec… are codecs, not text encodings: no text file is read in them
        if not getattr(codec, "_is_text_encoding", True):
            raise ValueError(f"encoding: {self.encoding} is not a text encoding")
        return self

    def columns(self) -> list[str]:
        """Every column the mapping reads, in mapping order, once each."""
        found = [s.column for s in self.fields.values() if s.column]
        for event in self.events:
            found.append(event.column)
            found.extend(s.column for s in event.fields.values() if s.column)
        return list(dict.fromkeys(found))


def record_fields(model: type[BaseModel]) -> dict[str, bool]:
    """A record model's mappable fields (nested ones dotted) and whether each is required."""
    found: dict[str, bool] = {}
    for name, info in model.model_fields.items():
        if name in _SET_ELSEWHERE:
            continue
        nested = info.annotation
        if isinstance(nested, type) and issubclass(nested, BaseModel):
            for sub, sub_info in nested.model_fields.items():
                found[f"{name}.{sub}"] = sub_info.is_required()
        else:
            found[name] = info.is_required()
    return found


def load_mapping(path: Path) -> TableMapping:
    """Read and validate a mapping file; ConfigurationError (exit 2) naming what is wrong."""
    data, _digest = load_yaml_file(path, "mapping")
    try:
        return TableMapping.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(format_validation_error(exc))
        raise ConfigurationError(f"{path}: invalid mapping: {problems}") from None
