"""The rule catalogue as data (SPEC §5): contents, quotes, validation, overrides, digest."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pytest
import yaml

from compliance.audit import audit
from compliance.engine.rulebook import load_rule_dir, load_rulebook
from compliance.errors import ConfigurationError

from .conftest import ROOT
from .sources import REFERENCE_DIR, misquoted

SPEC_RULES = {
    "ABP-5.2-ORDER": ("fact_finding_ordered", 7, "๕.๒"),
    "ABP-5.2-RESULT": ("fact_finding_concluded", 7, "๕.๒"),
    "ABP-6.2": ("investigation_ordered", 30, "๖.๒"),
    "ABP-6.3": ("interim_measure_ordered", 7, "๖.๓"),
    "ABP-6.4-CONSIDER": ("investigation_report_received", 45, "๖.๔ วรรคหนึ่งและวรรคสอง"),
    "ABP-6.4-FILE": ("report_considered", 15, "๖.๔ วรรคหนึ่ง"),
    "ABP-6.4-FORWARD": ("report_considered", 15, "๖.๔ วรรคสอง"),
    "ABP-6.4-COPY": ("report_considered", 15, "๖.๔ วรรคสอง"),
    "ABP-6.4-NOTIFY": ("report_considered", None, "๖.๔ วรรคสาม"),
    "ABP-6.5": ("review_received", 45, "๖.๕"),
    "CMP-3.2": (None, 15, "๓.๒ วิธีดำเนินการ ๓.๑)"),
    "CMP-3.2-NOTIFY": ("resolved", 15, "๓.๒"),
    "CMP-8.1.1": ("accepted", None, "๘.๑.๑ และ ๘.๓.๑"),
    "CMP-8.1.2": ("forwarded", None, "๘.๑.๒ และ ๘.๒.๑"),
}
REFERENCE = REFERENCE_DIR / "000_0374cb4427b19ca2.txt"


def test_the_fourteen_rules_of_spec_5() -> None:
    book = load_rulebook()
    assert {
        r.id: (r.trigger.event, r.period.days if r.period else None, r.source.clause)
        for r in book.rules
    } == SPEC_RULES
    for rule in book.rules:
        if rule.period:
            assert (rule.period.unit, rule.period.actor) == ("days", "authority")
    assert book.by_id["CMP-3.2-NOTIFY"].severity == "advisory"
    assert {r.id for r in book.rules if r.interpretation_th} >= {"ABP-6.4-COPY", "CMP-3.2-NOTIFY"}


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared/reference is not beside this checkout")
def test_every_quote_is_in_the_source_text() -> None:
    quotes = [(rule.id, rule.text_th) for rule in load_rulebook().rules]
    assert misquoted(quotes, REFERENCE, exact=False) == []


def _write_rules(directory: Path, rules: list[dict[str, object]]) -> Path:
    directory.mkdir(exist_ok=True)
    (directory / "org.yaml").write_text(
        yaml.safe_dump({"rules": rules}, allow_unicode=True), "utf-8"
    )
    return directory


def _builtin(rule_id: str) -> dict[str, object]:
    """A built-in rule as an organisation would copy it: its source spelled out in full."""
    rule = load_rulebook(packs=["all"]).by_id[rule_id]
    return dict(json.loads(rule.model_dump_json(exclude_none=True)))


def test_organisation_rules_override_by_id_and_add(tmp_path: Path) -> None:
    notify = _builtin("CMP-3.2-NOTIFY") | {"period": {"days": 10}}
    extra = _builtin("ABP-6.5") | {"id": "ORG-7", "title_th": "กฎของหน่วยงาน"}
    book = load_rulebook([_write_rules(tmp_path / "org", [notify, extra])])
    assert len(book.rules) == 15
    rule = book.by_id["CMP-3.2-NOTIFY"].period
    assert rule is not None and rule.days == 10
    assert book.digest != load_rulebook().digest
    assert book.source.startswith("builtin:abp+")


def test_a_scope_must_fit_its_record_type(tmp_path: Path) -> None:
    """A complaint rule cannot select by respondent category: `rules validate` refuses it
    rather than letting it fire on every complaint."""
    wrong = _builtin("CMP-3.2") | {
        "id": "ORG-1",
        "scope": {"record": "complaint", "respondent_categories": ["civil_servant"]},
    }
    directory = _write_rules(tmp_path / "org", [wrong])
    done = subprocess.run(
        ["compliance", "rules", "validate", str(directory)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "scope: respondent_categories: not a scope of a complaint rule" in done.stderr


def test_packs_are_chosen_and_named() -> None:
    assert load_rulebook().describe()["source"] == "builtin:abp"
    assert {r.id.split("-")[0] for r in load_rulebook().rules} == {"ABP", "CMP"}
    with pytest.raises(ConfigurationError, match="unknown rule pack 'nope'"):
        load_rulebook(packs=["nope"])


def test_digest_is_stable() -> None:
    assert load_rulebook().digest == load_rulebook().digest
    assert load_rulebook().digest.startswith("sha256:")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"period": None}, r"rule ABP-6\.5: .*period: required for a deadline rule"),
        (
            {"satisfied_by": ["reviewed"]},
            r"rule ABP-6\.5: .*'reviewed' is not a disciplinary_case event kind",
        ),
        (
            {"severity": "fatal"},
            r"rule ABP-6\.5: severity: Input should be 'violation' or 'advisory'",
        ),
        (
            {"period": {"days": 0}},
            r"rule ABP-6\.5: period\.days: Input should be greater than or equal to 1",
        ),
        ({"effective_from": "2566-02-30"}, r"rule ABP-6\.5: effective_from: day 30 does not exist"),
        ({"colour": "red"}, r"rule ABP-6\.5: colour: Extra inputs are not permitted"),
        ({"lapse_th": "พ้นจาก {day}"}, r"rule ABP-6\.5: .*lapse_th, lapse_en: both or neither"),
        (
            {"kind": "open_ended", "period": None, "lapse_th": "x {day}", "lapse_en": "x {day}"},
            r"rule ABP-6\.5: .*lapse_th: only a deadline rule's period lapses",
        ),
    ],
)
def test_invalid_rule_names_file_rule_and_field(
    tmp_path: Path, change: dict[str, object], expected: str
) -> None:
    rule = {k: v for k, v in (_builtin("ABP-6.5") | change).items() if v is not None}
    directory = _write_rules(tmp_path / "bad", [rule])
    with pytest.raises(ConfigurationError, match=expected) as info:
        load_rule_dir(directory)
    assert "org.yaml" in str(info.value)


def test_duplicate_ids_in_one_directory_are_refused(tmp_path: Path) -> None:
    rule = _builtin("ABP-6.5")
    with pytest.raises(ConfigurationError, match="id already defined"):
        load_rule_dir(_write_rules(tmp_path / "dup", [rule, rule]))


def test_effective_dates_bound_the_triggers(tmp_path: Path) -> None:
    later = _builtin("ABP-6.5") | {"effective_from": "2023-08-01"}
    book = load_rulebook([_write_rules(tmp_path / "eff", [later])])
    record = {
        "type": "disciplinary_case",
        "case_id": "K",
        "agency": "x",
        "respondent_category": "civil_servant",
        "policy_clauses": [1],
        "events": [{"kind": "review_received", "date": "2023-07-03"}],
    }
    assert audit([record], as_of=date(2023, 9, 1), rulebook=book).findings == []
    assert len(audit([record], as_of=date(2023, 9, 1)).findings) == 1


def test_rules_commands(tmp_path: Path) -> None:
    listed = subprocess.run(
        ["compliance", "rules", "list"], capture_output=True, text=True, check=True
    )
    assert "ABP-6.4-COPY" in listed.stdout
    shown = subprocess.run(
        ["compliance", "rules", "show", "ABP-6.2"], capture_output=True, text=True, check=True
    )
    assert "ทราบทุก ๓๐ วัน" in shown.stdout and "๖.๒" in shown.stdout
    bad = _write_rules(tmp_path / "bad", [_builtin("ABP-6.5") | {"severity": "fatal"}])
    done = subprocess.run(
        ["compliance", "rules", "validate", str(bad)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 2 and "severity" in done.stderr
    good = _write_rules(tmp_path / "good", [_builtin("ABP-6.5")])
    done = subprocess.run(
        ["compliance", "rules", "validate", str(good)], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0 and "1 rules valid" in done.stdout


def test_rules_ship_inside_the_wheel(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
    )
    wheel = next(tmp_path.glob("compliance-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "compliance/rules/abp/guideline.yaml" in names
    assert "compliance/rules/abp/complaints.yaml" in names
    assert "compliance/rules/kk2565/kk2565.yaml" in names
    assert any(n.startswith("compliance/rules/abp/tests/") for n in names)
    assert any(n.startswith("compliance/rules/kk2565/tests/") for n in names)
    # Every package of the source tree ships (pyproject lists them by hand): a stage package
    # left off that list would pass the editable-install suite and break the installed tool.
    packages = {
        str(init.parent.relative_to(ROOT / "src")) + "/__init__.py"
        for init in (ROOT / "src" / "compliance").rglob("__init__.py")
    }
    assert packages <= set(names), sorted(packages - set(names))
