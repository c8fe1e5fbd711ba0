"""The กฎ ก.ก. ๒๕๖๕ rule pack as data (SPEC §10): its rules, quotes, legal test cases, fixtures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, get_args

import pytest

from compliance import audit, load_rulebook, parse_date
from compliance.records import RECORD_ADAPTER, CaseEventKind
from compliance.report.messages import extension_problem
from compliance.yamlfile import load_yaml_file

from .conftest import FIXTURES, ROOT
from .sources import REFERENCE_DIR, misquoted

PACK = ROOT / "rules" / "kk2565"
REFERENCE = REFERENCE_DIR / "kk-discipline-2565-periods.md"
ORDINARY, TEACHER, ANY = ["ordinary"], ["teacher"], None
NO_EXTENSION, UNLIMITED, UP_TO_60 = None, {}, {"max_days": 60}


MINOR_FILE, DECIDED = ["minor_investigation_report_received"], ["report_considered"]
DECIDED_OR_FURTHER = ["report_considered", "further_investigation_ordered"]
MEETING = "first_meeting_held"
SERIOUS_DECIDED = ["report_considered", "case_file_reported", "further_investigation_ordered"]

# SPEC §10.4: id -> (clause, tracks, trigger, satisfied by, days, extension)
SPEC_TABLE: dict[str, tuple[str, Any, str, list[str], int | None, Any]] = {
    "KK-7": ("7", ORDINARY, "allegation_received", ["fact_finding_concluded"], 45, NO_EXTENSION),
    "KK-17": ("17", TEACHER, "allegation_received", ["fact_finding_concluded"], 45, NO_EXTENSION),
    "KK-10": ("10", ORDINARY, "minor_proceeding_started", DECIDED, 45, UNLIMITED),
    "KK-14": ("14", ORDINARY, "minor_order_acknowledged", MINOR_FILE, 60, UNLIMITED),
    "KK-21": ("21", TEACHER, "minor_order_acknowledged", MINOR_FILE, 60, UNLIMITED),
    "KK-15": ("15 (ประกอบข้อ 12)", ORDINARY, MINOR_FILE[0], DECIDED_OR_FURTHER, 45, UNLIMITED),
    "KK-22": ("22, 23", TEACHER, MINOR_FILE[0], DECIDED_OR_FURTHER, 45, UNLIMITED),
    "KK-32": ("32", ANY, "objection_received", ["objection_decided"], 15, NO_EXTENSION),
    "KK-35": ("35", ANY, "chair_received_case", ["first_meeting_held"], 7, NO_EXTENSION),
    "KK-56": ("56", ANY, "further_offence_reported", ["further_offence_decided"], 45, NO_EXTENSION),
    "KK-61": ("61 วรรคหนึ่ง–สอง", ANY, MEETING, ["investigation_report_received"], 120, UP_TO_60),
    "KK-61-REPORT": ("61 วรรคสาม", ANY, MEETING, ["commission_followup_reported"], None, None),
    "KK-63": ("62, 63", ANY, "investigation_report_received", SERIOUS_DECIDED, 45, UNLIMITED),
}
DEADLINE_STATUSES = {"met", "late", "overdue", "due_soon", "pending", "missing"}
NO_PERIOD_STATUSES = {"met", "missing", "open"}
CASE_KEYS = {"name", "source", "as_of", "warn_days", "record", "expect", "exact"}
SOURCE_KEYS = {"document", "clause", "clause_en"}
RECORD_KEYS = {
    "type",
    "case_id",
    "agency",
    "respondent_category",
    "civil_service_track",
    "policy_clauses",
    "events",
}
EVENT_KEYS = {"kind", "date", "id", "refers_to", "measure", "extends", "days", "committee_finding"}
EXPECT_KEYS = {"rule", "status", "instance", "trigger", "due", "done", "days_late", "extended_days"}


def _pack() -> dict[str, Any]:
    data, _ = load_yaml_file(PACK / "kk2565.yaml", "rule file")
    assert isinstance(data, dict)
    return data


def _rules() -> dict[str, dict[str, Any]]:
    return {rule["id"]: rule for rule in _pack()["rules"]}


def _case_files() -> list[Path]:
    return sorted((PACK / "tests").glob("*.yaml"))


def test_the_pack_has_exactly_the_thirteen_rules_of_spec_10_4() -> None:
    rules = _rules()
    assert len(_pack()["rules"]) == len(rules) == 13
    assert {i: r["source"]["clause"] for i, r in rules.items()} == {
        i: row[0] for i, row in SPEC_TABLE.items()
    }


def test_the_document_is_defined_once_with_its_gazette_reference() -> None:
    document = _pack()["documents"]["kk2565"]
    assert document["reference"] == REFERENCE.name
    assert document["gazette"] == {
        "volume": 139,
        "part": "66 ก",
        "page": 82,
        "published_on": "2022-10-25",
    }
    assert {r["source"]["document"] for r in _pack()["rules"]} == {"kk2565"}


@pytest.mark.parametrize("rule_id", SPEC_TABLE)
def test_each_rule_matches_the_spec_table(rule_id: str) -> None:
    clause, tracks, trigger, satisfied_by, days, extension = SPEC_TABLE[rule_id]
    rule = _rules()[rule_id]
    source = rule["source"]
    assert (set(source), source["document"], source["clause"]) == (SOURCE_KEYS, "kk2565", clause)
    assert source["clause_en"].startswith("clause")
    assert rule["scope"].get("civil_service_tracks") == tracks
    assert rule["scope"]["record"] == "disciplinary_case"
    assert rule["scope"]["respondent_categories"] == ["civil_servant"]
    assert "policy_clauses_any" not in rule["scope"]  # any policy clause (SPEC §10.4)
    assert rule["trigger"] == {"event": trigger}
    assert rule["satisfied_by"] == satisfied_by
    assert rule.get("extension") == extension
    assert rule["severity"] == "violation"
    assert rule["effective_from"] == "2022-12-25"  # SPEC §10.2: day 60 after 25 Oct 2022 + 1
    if days is None:
        assert "period" not in rule
    else:
        assert rule["kind"] == "deadline"
        assert rule["period"] == {"days": days, "unit": "days", "actor": "authority"}
    for member in ("title_th", "title_en", "responsible_th", "responsible_en"):
        assert rule[member].strip(), member
    assert rule["interpretation_th"].strip() and rule["interpretation_en"].strip()


def test_kk_61_report_runs_past_180_days_until_the_file_or_closing() -> None:
    rule = _rules()["KK-61-REPORT"]
    assert (rule["kind"], rule["overrun_days"]) == ("overrun", 180)
    assert rule["until"] == ["investigation_report_received"]
    assert rule["closed_by"] == ["case_closed"]


def test_the_readings_spec_10_chose_are_written_down() -> None:
    rules = _rules()
    assert "L + 1" in rules["KK-61-REPORT"]["interpretation_en"]
    assert "180" in rules["KK-61-REPORT"]["interpretation_th"]
    assert "clause 12" in rules["KK-15"]["interpretation_en"]
    assert "ข้อ 62" in rules["KK-63"]["interpretation_th"]
    assert "day after the due date" in rules["KK-32"]["interpretation_en"]
    assert all("25 Dec 2022" in rule["interpretation_en"] for rule in rules.values())


@pytest.mark.skipif(not REFERENCE.exists(), reason="shared/reference is not beside this checkout")
def test_every_quote_is_verbatim_in_the_transcription() -> None:
    quotes = [(rule["id"], rule["text_th"]) for rule in _pack()["rules"]]
    assert misquoted(quotes, REFERENCE, exact=True) == []
    for rule_id, quote in quotes:  # the transcription's spelling, not the editor's marks
        assert "[sic]" not in quote and "[page break" not in quote, rule_id
        assert "ำ" not in quote, rule_id


def test_legal_cases_cover_every_status_of_every_rule() -> None:
    seen: set[tuple[str, str]] = set()
    for path in _case_files():
        data, _ = load_yaml_file(path, "legal test cases")
        for case in data["cases"]:
            seen |= {(e["rule"], e["status"]) for e in case["expect"]}
    for rule_id, row in SPEC_TABLE.items():
        wanted = DEADLINE_STATUSES if row[4] else NO_PERIOD_STATUSES
        assert {status for rule, status in seen if rule == rule_id} >= wanted, rule_id
    assert ("DATA-EXTENSION", "inconsistent") in seen
    assert ("DATA-ORPHAN", "inconsistent") in seen


def test_legal_case_files_are_well_formed() -> None:
    names: list[str] = []
    for path in _case_files():
        data, _ = load_yaml_file(path, "legal test cases")
        assert set(data) <= {"packs", "cases"}, path.name
        assert set(data.get("packs", ["abp"])) <= {"abp", "kk2565", "all"}, path.name
        for case in data["cases"]:
            assert set(case) <= CASE_KEYS, case["name"]
            record = case["record"]
            assert record["type"] == "disciplinary_case"
            assert set(record) <= RECORD_KEYS, case["name"]
            assert all(set(e) <= EVENT_KEYS for e in record["events"]), case["name"]
            assert all(set(e) <= EXPECT_KEYS for e in case["expect"]), case["name"]
            names.append(case["name"])
    assert len(names) == len(set(names)), "case names are unique"


NEW_KINDS = "allegation_received" in get_args(CaseEventKind)


@pytest.mark.skipif(not NEW_KINDS, reason="the records model does not know SPEC §10.3 yet")
def test_the_kk2565_fixture_cases_are_valid_records() -> None:
    lines = (FIXTURES / "cases-kk2565.jsonl").read_text("utf-8").splitlines()
    records = [RECORD_ADAPTER.validate_python(json.loads(line)) for line in lines]
    assert len({r.record_id for r in records}) == len(records) >= 4


def _kk32(events: list[dict[str, Any]], as_of: str) -> dict[str, Any]:
    record = {
        "type": "disciplinary_case",
        "case_id": "K32",
        "agency": "สำนักงานเขตบางพลัด",
        "respondent_category": "civil_servant",
        "policy_clauses": [4],
        "events": [{"kind": "objection_received", "date": "2023-08-02"}, *events],
    }
    report = audit([record], parse_date(as_of), load_rulebook(packs=["kk2565"]))
    (finding,) = [f for f in report.findings if f.rule_id == "KK-32"]
    return finding.model_dump()


LAPSE_TH = "ผู้ถูกคัดค้านพ้นจากการเป็นกรรมการสอบสวนตั้งแต่ 18 สิงหาคม 2566"
LAPSE_EN = "ceased to be on the investigation committee from Fri 18 Aug 2023"


@pytest.mark.parametrize(
    ("events", "as_of", "status", "lapsed"),
    [
        ([{"kind": "objection_decided", "date": "2023-08-21"}], "2023-11-01", "late", True),
        ([], "2023-11-01", "overdue", True),
        ([{"kind": "case_closed", "date": "2023-09-01"}], "2023-11-01", "missing", True),
        ([{"kind": "objection_decided", "date": "2023-08-17"}], "2023-11-01", "met", False),
        ([], "2023-08-15", "due_soon", False),
        ([], "2023-08-05", "pending", False),
        ([{"kind": "case_closed", "date": "2023-08-10"}], "2023-11-01", "missing", False),
    ],
)
def test_kk_32_findings_say_the_objected_member_left_once_the_period_lapsed(
    events: list[dict[str, Any]], as_of: str, status: str, lapsed: bool
) -> None:
    # SPEC §10.4 / ข้อ 32 วรรคสอง: undecided by the 15th day (17 Aug), the objected member is
    # off the committee from the next day; the message says so, the status stays the same.
    finding = _kk32(events, as_of)
    assert finding["status"] == status
    assert finding["due_date"].isoformat() == "2023-08-17"
    assert (LAPSE_TH in finding["message_th"]) is lapsed
    assert (LAPSE_EN in finding["message_en"]) is lapsed


def test_an_extension_past_the_last_supported_date_is_out_of_range() -> None:
    """A due date no record could hold (after 31 Dec 2399) is not honoured: the extension is a
    DATA-EXTENSION `out_of_range`, worded Thai first, and the due date stays in range."""
    record = {
        "type": "disciplinary_case",
        "case_id": "K10-RANGE",
        "agency": "สำนักงานเขตบางพลัด",
        "respondent_category": "civil_servant",
        "civil_service_track": "ordinary",
        "policy_clauses": [1],
        "events": [
            {"kind": "minor_proceeding_started", "date": "2399-10-10"},
            {"kind": "deadline_extended", "date": "2399-10-11", "extends": "KK-10", "days": 37},
            {"kind": "deadline_extended", "date": "2399-10-12", "extends": "KK-10", "days": 3650},
        ],
    }
    report = audit([record], parse_date("2399-12-31"), load_rulebook(packs=["kk2565"]))
    (kk10,) = [f for f in report.findings if f.rule_id == "KK-10"]
    assert (kk10.due_date, kk10.extended_days) == (parse_date("2399-12-31"), 37)
    (data,) = [f for f in report.findings if f.rule_id == "DATA-EXTENSION"]
    assert data.done_on == parse_date("2399-10-12")
    assert "เกินช่วงวันที่ที่ระบบรองรับ" in data.message_th
    assert "beyond the dates this tool supports (to 2399)" in data.message_en


def test_the_out_of_range_problem_is_worded_like_the_others() -> None:
    th, en = extension_problem("out_of_range")
    assert "เกินช่วงวันที่ที่ระบบรองรับ" in th and "2942" in th and "2399" in th
    assert en.startswith("the new due date would be beyond") and "2399" in en
