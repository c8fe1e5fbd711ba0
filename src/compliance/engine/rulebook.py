"""The rule catalogue as data (SPEC §5): the schema of a rule, loading, overriding, digest.

Rules live in YAML files (`rules/*.yaml`, shipped inside the wheel as `compliance.rules`);
each file holds a list of rules. An organisation may add a directory of its own: a rule with a
new id is added, a rule with an existing id replaces the built-in one. The loaded set has a
digest over its canonical JSON, so every report names the exact rules that produced it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import date
from functools import cache, cached_property
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from compliance.calendar.periods import Period
from compliance.calendar.thaidate import InputDate
from compliance.errors import ConfigurationError, format_validation_error
from compliance.records import (
    RECORD_TYPES,
    RECORD_TYPES_BY_NAME,
    CivilServiceTrack,
    RespondentCategory,
)
from compliance.yamlfile import load_mapping_with_list

RuleKind = Literal["deadline", "recurring", "open_ended", "condition", "overrun"]
Severity = Literal["violation", "advisory"]
if TYPE_CHECKING:
    RecordTypeName = str
else:  # the registered record types
    RecordTypeName = Literal[RECORD_TYPES]
DEFAULT_PACKS = ("abp",)

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)
Text = Annotated[str, Field(min_length=1)]


class Gazette(BaseModel):
    """Where a document was published (ราชกิจจานุเบกษา)."""

    model_config = _STRICT
    volume: Annotated[int, Field(ge=1)]
    part: Text = Field(description="ตอนที่, as printed (e.g. `66 ก`).")
    page: Annotated[int, Field(ge=1)] | None = None
    published_on: InputDate


class Document(BaseModel):
    """A legal text rules cite, defined once per rule file (`documents:`)."""

    model_config = _STRICT
    title_th: Text
    title_en: Text
    short_th: Text = Field(description="Short name of the document for tables.")
    reference: Text = Field(description="File under shared/reference/ that holds the text.")
    gazette: Gazette | None = None


class SourceRef(BaseModel):
    """A rule's source as written in a rule file: a document of the file and a clause."""

    model_config = _STRICT
    document: Text
    clause: Text
    clause_en: Text


class Source(BaseModel):
    """Where the rule's text comes from (the document resolved, as rules carry it)."""

    model_config = _STRICT
    document_th: Text
    document_en: Text
    short_th: Text = Field(description="Short name of the document for tables.")
    clause: Text = Field(description="Clause as printed, Thai digits (e.g. ๕.๒, ๖.๔ วรรคสอง).")
    clause_en: Text
    reference: Text = Field(description="File under shared/reference/ that holds the text.")
    gazette: Gazette | None = None


class Scope(BaseModel):
    """Which records a rule applies to."""

    model_config = _STRICT
    record: RecordTypeName
    policy_clauses_any: list[Annotated[int, Field(ge=1, le=6)]] | None = None
    respondent_categories: list[RespondentCategory] | None = None
    civil_service_tracks: list[CivilServiceTrack] | None = None
    anonymous: bool | None = None

    def tests(self) -> dict[str, Any]:
        """The members set, other than `record`: what a record must match."""
        return {
            name: value
            for name in type(self).model_fields
            if name != "record" and (value := getattr(self, name)) is not None
        }

    @model_validator(mode="after")
    def _fits_the_record_type(self) -> Scope:
        known = RECORD_TYPES_BY_NAME[self.record].scope
        for name in self.tests():
            if name not in known:
                raise ValueError(f"{name}: not a scope of a {self.record} rule")
        return self


class Trigger(BaseModel):
    """What creates an obligation: an event kind, or a record field (e.g. received_at)."""

    model_config = _STRICT
    event: Text | None = None
    field: Text | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> Trigger:
        if (self.event is None) == (self.field is None):
            raise ValueError("give exactly one of event or field")
        return self


class PeriodSpec(BaseModel):
    """How long the responsible party has (SPEC §4)."""

    model_config = _STRICT
    days: Annotated[int, Field(ge=1, le=3650)]
    unit: Literal["days", "working_days"] = "days"
    actor: Literal["authority", "other"] = "authority"

    def to_period(self) -> Period:
        """The period calculator's value."""
        return Period(self.days, self.unit, self.actor)


class Extension(BaseModel):
    """How a rule's period may be extended (SPEC §10.5): `{}` without limit
    ("ขยายเวลาได้ตามความจำเป็น"), or by at most `max_days` each time."""

    model_config = _STRICT
    max_days: Annotated[int, Field(ge=1, le=3650)] | None = None


class Rule(BaseModel):
    """One obligation of the guideline or the plan, with its legal source."""

    model_config = _STRICT
    id: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9.]+)+$")]
    title_th: Text
    title_en: Text
    source: Source
    text_th: Text = Field(description="The exact Thai text the rule enforces.")
    kind: RuleKind
    scope: Scope
    trigger: Trigger
    satisfied_by: list[Text] = Field(default_factory=list)
    until: list[Text] = Field(default_factory=list, description="Events ending a recurrence.")
    closed_by: list[Text] = Field(
        default_factory=list, description="Events after which an open obligation is missing."
    )
    condition: list[Text] = Field(default_factory=list, description="Facts that must be true.")
    condition_th: str | None = None
    condition_en: str | None = None
    period: PeriodSpec | None = None
    responsible_th: Text
    responsible_en: Text
    severity: Severity
    extension: Extension | None = None
    overrun_days: Annotated[int, Field(ge=1, le=3650)] | None = Field(
        default=None, description="overrun rules: days after the trigger the duty arises."
    )
    effective_from: InputDate | None = None
    effective_to: InputDate | None = None
    interpretation_th: str | None = None
    interpretation_en: str | None = None
    lapse_th: str | None = Field(
        default=None,
        description="What the text says follows once the period lapses without the act (SPEC "
        "§10.4: said in the finding's message, the status unchanged); {day} is the day after "
        "the due date.",
    )
    lapse_en: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        record = self.scope.record
        described = RECORD_TYPES_BY_NAME[record]
        kinds = described.event_kinds
        names = {
            "trigger.event": [self.trigger.event] if self.trigger.event else [],
            "satisfied_by": self.satisfied_by,
            "until": self.until,
            "closed_by": self.closed_by,
        }
        for where, values in names.items():
            for value in values:
                if value not in kinds:
                    raise ValueError(f"{where}: {value!r} is not a {record} event kind")
        if self.trigger.field and self.trigger.field not in described.trigger_fields:
            raise ValueError(f"trigger.field: {record} has no trigger field {self.trigger.field!r}")
        for fact in self.condition:
            if fact not in described.condition_facts:
                raise ValueError(f"condition: {fact!r} is not a fact of a {record}")
        needs = {
            "deadline": ("period", "satisfied_by"),
            "recurring": ("period", "satisfied_by"),
            "open_ended": ("satisfied_by",),
            "condition": ("condition",),
            "overrun": ("overrun_days", "satisfied_by"),
        }[self.kind]
        for field in needs:
            if not getattr(self, field):
                raise ValueError(f"{field}: required for a {self.kind} rule")
        if self.kind in ("open_ended", "condition", "overrun") and self.period is not None:
            raise ValueError(f"period: a {self.kind} rule has no period")
        if self.kind in ("recurring", "overrun") and not self.trigger.event:
            raise ValueError(f"trigger.event: a {self.kind} rule starts from an event")
        if self.overrun_days is not None and self.kind != "overrun":
            raise ValueError("overrun_days: only for an overrun rule")
        if self.extension is not None and self.kind != "deadline":
            raise ValueError("extension: only a deadline rule's period can be extended")
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValueError("effective_to: before effective_from")
        if (self.lapse_th is None) != (self.lapse_en is None):
            raise ValueError("lapse_th, lapse_en: both or neither")
        if self.lapse_th is not None and self.kind != "deadline":
            raise ValueError("lapse_th: only a deadline rule's period lapses")
        return self

    @cached_property
    def citation_th(self) -> str:
        """`แนวทาง… ข้อ ๕.๒`."""
        return f"{self.source.document_th} ข้อ {self.source.clause}"

    @cached_property
    def citation_short(self) -> str:
        """`แนวทางฯ กทม. ข้อ ๕.๒`, for tables."""
        return f"{self.source.short_th} ข้อ {self.source.clause}"

    @cached_property
    def citation_en(self) -> str:
        """`BMA Anti-Bribery guideline, clause 5.2`."""
        return f"{self.source.document_en}, {self.source.clause_en}"

    @cached_property
    def calc_period(self) -> Period | None:
        """The period as the calculator takes it."""
        return self.period.to_period() if self.period else None

    @cached_property
    def dated(self) -> bool:
        """Whether effective dates limit the rule (if not, `in_effect` is always true)."""
        return bool(self.effective_from or self.effective_to)

    def in_effect(self, day: date) -> bool:
        """Whether an obligation triggered on `day` falls under this rule."""
        if self.effective_from and day < self.effective_from:
            return False
        return not (self.effective_to and day > self.effective_to)


# Members added after v1: left out of the digest while unset, so that a v1 rule set keeps the
# digest it had (a report names the exact rules; the same rules must keep the same name).
_LATER_MEMBERS = ("extension", "overrun_days", "lapse_th", "lapse_en")


def _canonical(rule: Rule) -> dict[str, Any]:
    data = rule.model_dump(mode="json")
    for name in _LATER_MEMBERS:
        if data[name] is None:
            del data[name]
    if data["scope"]["civil_service_tracks"] is None:
        del data["scope"]["civil_service_tracks"]
    if data["source"]["gazette"] is None:
        del data["source"]["gazette"]
    return data


class RuleBook:
    """The loaded, validated rule set, indexed by record type."""

    def __init__(
        self,
        rules: Iterable[Rule],
        source: str,
        packs: Sequence[str] = (),
        builtin_ids: Iterable[str] = (),
    ) -> None:
        self.rules: tuple[Rule, ...] = tuple(sorted(rules, key=lambda r: r.id))
        self.source = source
        self.packs = tuple(packs)
        # every built-in rule id, loaded or not: an extension naming one of a pack not loaded
        # is ignored rather than reported (SPEC §10.5)
        self.builtin_ids = frozenset(builtin_ids)
        self.by_id = {r.id: r for r in self.rules}
        self.by_record: dict[str, tuple[Rule, ...]] = {
            t: tuple(r for r in self.rules if r.scope.record == t) for t in RECORD_TYPES
        }
        canonical = orjson.dumps([_canonical(r) for r in self.rules], option=orjson.OPT_SORT_KEYS)
        self.digest = "sha256:" + hashlib.sha256(canonical).hexdigest()

    def describe(self) -> dict[str, object]:
        """The report's `rules` member (SPEC §7)."""
        return {"source": self.source, "count": len(self.rules), "digest": self.digest}

    def texts(self) -> dict[str, dict[str, str]]:
        """Each rule's constant words, for a report that writes them once rather than on
        every finding (SPEC §14)."""
        return {
            r.id: {
                "title_th": r.title_th,
                "title_en": r.title_en,
                "citation": r.citation_th,
                "citation_en": r.citation_en,
                "responsible": r.responsible_th,
                "responsible_en": r.responsible_en,
            }
            for r in self.rules
        }


def builtin_rules_dir() -> Path:
    """The directory of the rules shipped with the package: one folder per pack."""
    return Path(str(files("compliance.rules")))


def builtin_packs() -> tuple[str, ...]:
    """The names of the built-in packs (`abp`, `kk2565`, …)."""
    root = builtin_rules_dir()
    return tuple(sorted(p.name for p in root.iterdir() if p.is_dir() and any(p.glob("*.yaml"))))


def resolve_packs(names: Iterable[str]) -> tuple[str, ...]:
    """`--pack` values as pack names, in the built-in order; `all` is every pack."""
    known = builtin_packs()
    wanted: set[str] = set()
    for name in names:
        if name == "all":
            wanted.update(known)
        elif name in known:
            wanted.add(name)
        else:
            raise ConfigurationError(
                f"unknown rule pack {name!r}; known packs: {', '.join(known)}, all"
            )
    if not wanted:
        raise ConfigurationError("at least one rule pack is needed")
    return tuple(p for p in known if p in wanted)


def load_rule_dir(directory: Path) -> list[Rule]:
    """Every rule of every `*.yaml` file of a directory, validated; ids unique in it."""
    if not directory.is_dir():
        raise ConfigurationError(f"{directory}: not a rules directory")
    rules: dict[str, tuple[Rule, Path]] = {}
    paths = sorted(directory.glob("*.yaml")) + sorted(directory.glob("*.yml"))
    if not paths:
        raise ConfigurationError(f"{directory}: no .yaml rule files")
    for path in paths:
        for rule in _load_rule_file(path):
            if rule.id in rules:
                raise ConfigurationError(
                    f"{path}: rule {rule.id}: id already defined in {rules[rule.id][1].name}"
                )
            rules[rule.id] = (rule, path)
    return [rule for rule, _ in rules.values()]


def _load_rule_file(path: Path) -> list[Rule]:
    data = load_mapping_with_list(path, "rule file", "rules", frozenset({"rules", "documents"}))
    documents = _documents(path, data.get("documents"))
    rules = []
    for index, raw in enumerate(data["rules"]):
        rule_id = raw.get("id") if isinstance(raw, dict) else None
        label = f"rule {rule_id}" if isinstance(rule_id, str) else f"rules[{index}]"
        try:
            resolved = _with_document(raw, documents)
        except ValidationError as exc:
            details = "; ".join(f"source.{m}" for m in format_validation_error(exc))
            raise ConfigurationError(f"{path}: {label}: {details}") from None
        except _UnknownDocumentError as exc:
            raise ConfigurationError(
                f"{path}: {label}: source.document: no document {exc.args[0]!r} in `documents:`"
            ) from None
        try:
            rules.append(Rule.model_validate(resolved))
        except ValidationError as exc:
            details = "; ".join(format_validation_error(exc))
            raise ConfigurationError(f"{path}: {label}: {details}") from None
    return rules


class _UnknownDocumentError(Exception):
    pass


def _documents(path: Path, raw: object) -> dict[str, Document]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{path}: `documents:` is a mapping of id to document")
    documents = {}
    for key, value in raw.items():
        try:
            documents[str(key)] = Document.model_validate(value)
        except ValidationError as exc:
            details = "; ".join(format_validation_error(exc))
            raise ConfigurationError(f"{path}: documents.{key}: {details}") from None
    return documents


def _with_document(raw: Any, documents: dict[str, Document]) -> Any:
    """A rule whose `source` names a document of the file, with that document filled in (v1
    files that spell the source out in full are read as they are)."""
    source = raw.get("source") if isinstance(raw, dict) else None
    if not isinstance(source, dict) or "document" not in source:
        return raw
    ref = SourceRef.model_validate(source)
    document = documents.get(ref.document)
    if document is None:
        raise _UnknownDocumentError(ref.document)
    resolved: dict[str, Any] = {
        "document_th": document.title_th,
        "document_en": document.title_en,
        "short_th": document.short_th,
        "clause": ref.clause,
        "clause_en": ref.clause_en,
        "reference": document.reference,
    }
    if document.gazette is not None:
        resolved["gazette"] = document.gazette
    return {**raw, "source": resolved}


def load_rulebook(
    extra_dirs: Sequence[Path] = (), packs: Sequence[str] = DEFAULT_PACKS
) -> RuleBook:
    """The built-in packs chosen (default `abp`), with each organisation directory adding or
    overriding by id."""
    chosen = resolve_packs(packs)
    rules: dict[str, Rule] = {}
    for pack in chosen:
        for rule in pack_rules(pack):
            rules[rule.id] = rule
    for directory in extra_dirs:
        for rule in load_rule_dir(directory):
            rules[rule.id] = rule
    source = "+".join([f"builtin:{'+'.join(chosen)}", *(str(d) for d in extra_dirs)])
    every = {r.id for pack in builtin_packs() for r in pack_rules(pack)}
    return RuleBook(rules.values(), source, chosen, every)


@cache
def pack_rules(pack: str) -> tuple[Rule, ...]:
    """A built-in pack's rules, read once per process (they ship with the package)."""
    return tuple(load_rule_dir(builtin_rules_dir() / pack))
