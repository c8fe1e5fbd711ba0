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
from functools import cached_property
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Literal, get_args

import orjson
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from compliance.errors import ConfigurationError, format_validation_error
from compliance.periods import Period
from compliance.records import (
    CaseEventKind,
    ComplaintEventKind,
    RespondentCategory,
)
from compliance.thaidate import InputDate
from compliance.yamlfile import load_yaml_file

RuleKind = Literal["deadline", "recurring", "open_ended", "condition"]
Severity = Literal["violation", "advisory"]
RecordType = Literal["disciplinary_case", "complaint"]

EVENT_KINDS: dict[str, frozenset[str]] = {
    "disciplinary_case": frozenset(get_args(CaseEventKind)),
    "complaint": frozenset(get_args(ComplaintEventKind)),
}
# Facts a condition rule may test: on the trigger event, or on the record.
CONDITION_FACTS: dict[str, frozenset[str]] = {
    "disciplinary_case": frozenset(),
    "complaint": frozenset(
        {
            "event.identity_redacted",
            "record.evidence.clear_evidence",
            "record.evidence.witnesses_identified",
        }
    ),
}
# Record fields that may trigger a rule instead of an event.
TRIGGER_FIELDS: dict[str, frozenset[str]] = {
    "disciplinary_case": frozenset(),
    "complaint": frozenset({"received_at"}),
}

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)
Text = Annotated[str, Field(min_length=1)]


class Source(BaseModel):
    """Where the rule's text comes from."""

    model_config = _STRICT
    document_th: Text
    document_en: Text
    short_th: Text = Field(description="Short name of the document for tables.")
    clause: Text = Field(description="Clause as printed, Thai digits (e.g. ๕.๒, ๖.๔ วรรคสอง).")
    clause_en: Text
    reference: Text = Field(description="File under shared/reference/ that holds the text.")


class Scope(BaseModel):
    """Which records a rule applies to."""

    model_config = _STRICT
    record: RecordType
    policy_clauses_any: list[Annotated[int, Field(ge=1, le=6)]] | None = None
    respondent_categories: list[RespondentCategory] | None = None
    anonymous: bool | None = None


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
    effective_from: InputDate | None = None
    effective_to: InputDate | None = None
    interpretation_th: str | None = None
    interpretation_en: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Rule:
        record = self.scope.record
        kinds = EVENT_KINDS[record]
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
        if self.trigger.field and self.trigger.field not in TRIGGER_FIELDS[record]:
            raise ValueError(f"trigger.field: {record} has no trigger field {self.trigger.field!r}")
        for fact in self.condition:
            if fact not in CONDITION_FACTS[record]:
                raise ValueError(f"condition: {fact!r} is not a fact of a {record}")
        needs = {
            "deadline": ("period", "satisfied_by"),
            "recurring": ("period", "satisfied_by"),
            "open_ended": ("satisfied_by",),
            "condition": ("condition",),
        }[self.kind]
        for field in needs:
            if not getattr(self, field):
                raise ValueError(f"{field}: required for a {self.kind} rule")
        if self.kind in ("open_ended", "condition") and self.period is not None:
            raise ValueError(f"period: a {self.kind} rule has no period")
        if self.kind == "recurring" and not self.trigger.event:
            raise ValueError("trigger.event: a recurring rule starts from an event")
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            raise ValueError("effective_to: before effective_from")
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
    def dated(self) -> bool:
        """Whether effective dates limit the rule (if not, `in_effect` is always true)."""
        return bool(self.effective_from or self.effective_to)

    def in_effect(self, day: date) -> bool:
        """Whether an obligation triggered on `day` falls under this rule."""
        if self.effective_from and day < self.effective_from:
            return False
        return not (self.effective_to and day > self.effective_to)


class RuleBook:
    """The loaded, validated rule set, indexed by record type."""

    def __init__(self, rules: Iterable[Rule], source: str) -> None:
        self.rules: tuple[Rule, ...] = tuple(sorted(rules, key=lambda r: r.id))
        self.source = source
        self.by_id = {r.id: r for r in self.rules}
        self.by_record: dict[str, tuple[Rule, ...]] = {
            t: tuple(r for r in self.rules if r.scope.record == t) for t in EVENT_KINDS
        }
        canonical = orjson.dumps(
            [r.model_dump(mode="json") for r in self.rules], option=orjson.OPT_SORT_KEYS
        )
        self.digest = "sha256:" + hashlib.sha256(canonical).hexdigest()

    def describe(self) -> dict[str, object]:
        """The report's `rules` member (SPEC §7)."""
        return {"source": self.source, "count": len(self.rules), "digest": self.digest}


def builtin_rules_dir() -> Path:
    """The directory of the rules shipped with the package."""
    return Path(str(files("compliance.rules")))


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
    data, _ = load_yaml_file(path, "rule file")
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ConfigurationError(f"{path}: a rule file is a mapping with a list `rules:`")
    rules = []
    for index, raw in enumerate(data["rules"]):
        rule_id = raw.get("id") if isinstance(raw, dict) else None
        label = f"rule {rule_id}" if isinstance(rule_id, str) else f"rules[{index}]"
        try:
            rules.append(Rule.model_validate(raw))
        except ValidationError as exc:
            details = "; ".join(format_validation_error(exc))
            raise ConfigurationError(f"{path}: {label}: {details}") from None
    extra = set(data) - {"rules"}
    if extra:
        raise ConfigurationError(f"{path}: unknown top-level keys {sorted(extra)}")
    return rules


def load_rulebook(extra_dirs: Sequence[Path] = ()) -> RuleBook:
    """The built-in catalogue, with each organisation directory adding or overriding by id."""
    rules = {r.id: r for r in load_rule_dir(builtin_rules_dir())}
    for directory in extra_dirs:
        for rule in load_rule_dir(directory):
            rules[rule.id] = rule
    source = "+".join(["builtin", *(str(d) for d in extra_dirs)])
    return RuleBook(rules.values(), source)
