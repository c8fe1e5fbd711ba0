"""What every record type shares: strict models, events, personal data, and the descriptor a
record type registers (`RecordType`) — the one place the engine, rule book, readers, renderers
and command line learn what a type is.

Personal data (guideline ข้อ ๘, SPEC §8) — a complainant's name, address, position and contact,
a respondent's name, and any event's free-text note — is kept for the rules that need it
(anonymity) but is hidden from `repr`, never echoed in validation errors, and left out of
serialisation unless asked for with `include_personal=True`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import CoreSchema, SchemaValidator
from pydantic_core import core_schema as cs

from compliance.calendar.thaidate import InputDate

Identifier = Annotated[str, Field(min_length=1, max_length=200)]
PERSONAL_FIELDS = ("name", "address", "position", "contact", "respondent_name", "note")
STRICT = ConfigDict(extra="forbid", strict=True, frozen=True, hide_input_in_errors=True)


# A model validator's rules as data: (the member they depend on, {member: the values that
# require it, refused on any other}, {member: the values that allow it, refused on any other}).
MemberRules = tuple[str, Mapping[str, frozenset[str]], Mapping[str, frozenset[str]]]
_CompiledCheck = TypeVar("_CompiledCheck", bound=Callable[..., Any])
_COMPILED: dict[Callable[..., Any], Callable[[Any], MemberRules]] = {}


def compiled_as(rules: Callable[[Any], MemberRules]) -> Callable[[_CompiledCheck], _CompiledCheck]:
    """Marks a model validator (under `@model_validator(mode="after")`) that checks no more
    than `rules(the model's class)` say: `fast_validator` checks them in pydantic-core."""

    def mark(check: _CompiledCheck) -> _CompiledCheck:
        _COMPILED[check] = rules
        return check

    return mark


def personal(description: str) -> Any:
    """A field holding personal data: kept, but hidden from repr and serialisation."""
    return Field(default=None, repr=False, exclude=True, description=description)


class EventBase(BaseModel):
    """Members every event has. A subclass names its kinds and, in `KIND_FIELDS`, the
    kind-specific members: each is required on its kinds and refused on every other kind
    (`OPTIONAL_FIELDS`: allowed on its kinds, refused elsewhere)."""

    model_config = STRICT
    KIND_FIELDS: ClassVar[Mapping[str, frozenset[str]]] = {}  # member -> kinds requiring it
    OPTIONAL_FIELDS: ClassVar[Mapping[str, frozenset[str]]] = {}  # member -> kinds allowing it

    date: InputDate
    id: Identifier | None = None
    refers_to: Identifier | None = None
    note: str | None = personal("Free text; may name people, so never output.")

    @model_validator(mode="after")
    @compiled_as(lambda cls: ("kind", cls.KIND_FIELDS, cls.OPTIONAL_FIELDS))
    def _kind_specific_members(self) -> EventBase:
        kind = getattr(self, "kind", None)
        cls = type(self)
        plan = _PLANS.get(cls)
        if plan is None:
            plan = _PLANS[cls] = _plan(cls)
        specific, requiring = plan
        # Most events: a kind that requires no member, and none of the kind-specific members
        # given (so all are None): nothing to refuse, without the loops below (~1 µs an event).
        if kind not in requiring and self.__pydantic_fields_set__.isdisjoint(specific):
            return self
        for name, kinds in self.KIND_FIELDS.items():
            present = getattr(self, name) is not None
            if kind in kinds and not present:
                raise ValueError(f"{name} is required for {kind}")
            if kind not in kinds and present:
                raise ValueError(f"{name} is only allowed on {' and '.join(sorted(kinds))}")
        for name, kinds in self.OPTIONAL_FIELDS.items():
            if kind not in kinds and getattr(self, name) is not None:
                raise ValueError(f"{name} is only allowed on {' and '.join(sorted(kinds))}")
        return self


_PLANS: dict[type[EventBase], tuple[frozenset[str], frozenset[str]]] = {}


def _plan(cls: type[EventBase]) -> tuple[frozenset[str], frozenset[str]]:
    """An event class's kind-specific members, and the kinds that require one of them."""
    specific = frozenset({*cls.KIND_FIELDS, *cls.OPTIONAL_FIELDS})
    requiring = frozenset(kind for kinds in cls.KIND_FIELDS.values() for kind in kinds)
    return specific, requiring


class RecordBase(BaseModel):
    """Members every record has."""

    model_config = STRICT

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


ScopeTest = Callable[[Any, Any], bool]  # (record, the rule's scope value) -> in scope


@dataclass(frozen=True)
class RecordType:
    """Everything the rest of the package needs to know about one record type.

    `scope` maps each scope member a rule of this type may use to how it matches a record;
    `scope_key` gives the facts of a record those tests read (the engine caches the rules in
    scope by it). `trigger_fields` are record members that may start an obligation instead of
    an event, with how to read their date; `condition_facts` are the facts a condition rule
    may test (`event.…` on the trigger event, `record.…` on the record). `closing_events`
    close the record (SPEC §15)."""

    name: str
    model: type[RecordBase]
    event_model: type[EventBase]
    id_field: str
    label_th: str
    label_en: str
    event_kinds: Mapping[str, str]  # kind -> Thai name
    scope: Mapping[str, ScopeTest]
    scope_key: Callable[[Any], tuple[object, ...]]
    closing_events: tuple[str, ...]
    trigger_fields: Mapping[str, Callable[[Any], date]] = field(default_factory=dict)
    condition_facts: frozenset[str] = frozenset()

    def in_scope(self, scope: Mapping[str, Any], record: Any) -> bool:
        """Whether a record falls under a rule's scope (unset members match everything)."""
        return all(self.scope[name](record, value) for name, value in scope.items())


def fast_validator(schema: CoreSchema) -> SchemaValidator:
    """A validator that accepts what `schema` accepts, with the same result, and checks the
    rules of the model validators marked `compiled_as` in pydantic-core instead of a Python
    call per model (one per event: some 1 µs a record). Each such model becomes a tagged
    union on the member its rules depend on, a variant per value, whose rule-bound members
    are required or null only, as the value says. Its errors are not the model validators':
    a caller that is refused validates again with `schema` to say why.

    pydantic-core builds a `model` schema of a complete class from the class's own validator
    when it has one without an after-validator (as `Complaint`), which would bring the
    per-event Python calls back; the classes are marked incomplete while it builds."""
    compiled = _compiled(schema)
    classes = _model_classes(compiled, set())
    complete = {cls: cls.__dict__.get("__pydantic_complete__") for cls in classes}
    try:
        for cls in classes:
            type.__setattr__(cls, "__pydantic_complete__", False)
        return SchemaValidator(compiled)
    finally:
        for cls, value in complete.items():
            type.__setattr__(cls, "__pydantic_complete__", value)


def _model_classes(node: Any, found: set[type]) -> set[type]:
    """The classes of every `model` schema in a core schema."""
    if isinstance(node, dict):
        if node.get("type") == "model":
            found.add(node["cls"])
        for value in node.values():
            _model_classes(value, found)
    elif isinstance(node, list | tuple):
        for value in node:
            _model_classes(value, found)
    return found


def _compiled(node: Any) -> Any:
    if isinstance(node, dict):
        if node.get("type") == "function-after" and node["function"]["function"] in _COMPILED:
            model = _compiled(node["schema"])
            return _variants(model, _COMPILED[node["function"]["function"]](model["cls"]))
        # No schema is named twice (the variants repeat models): a reference would be unknown.
        return {key: _compiled(value) for key, value in node.items() if key != "ref"}
    if isinstance(node, list | tuple):
        return type(node)(_compiled(value) for value in node)
    return node


def _variants(model: dict[str, Any], rules: MemberRules) -> CoreSchema:
    """`model` as a tagged union on `rules`' member, one variant per distinct set of rules."""
    on, required, allowed = rules
    fields = model["schema"]["fields"]
    choices: dict[str, CoreSchema] = {}
    made: dict[tuple[bool, ...], CoreSchema] = {}
    for value in fields[on]["schema"]["expected"]:
        key = tuple(value in values for values in (*required.values(), *allowed.values()))
        if key not in made:
            variant = dict(fields)
            for name in required:  # default None -> nullable -> the member's own schema
                variant[name] = {
                    **fields[name],
                    "schema": fields[name]["schema"]["schema"]["schema"],
                }
            for name, values in (*required.items(), *allowed.items()):
                if value not in values:
                    variant[name] = {**fields[name], "schema": _NULL_ONLY}
            made[key] = {**model, "schema": {**model["schema"], "fields": variant}}
        choices[value] = made[key]
    return cs.tagged_union_schema(choices, discriminator=on)


_NULL_ONLY = cs.with_default_schema(cs.none_schema(), default=None)
