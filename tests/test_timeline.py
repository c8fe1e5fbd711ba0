"""A record's process as a timeline (`report/timeline.py`): stages in order, each period with
its due date, its extensions step by step (a refused one marked and why), in `explain`, the
HTML report and Markdown; never a respondent's name or an event's note."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from compliance import Audit
from compliance.cli import app
from compliance.engine.rulebook import load_rulebook
from compliance.records import RECORD_ADAPTER
from compliance.report.timeline import IGNORED, build

from .conftest import FIXTURES

NAME = "นายลับเฉพาะ ห้ามปรากฏ"
NOTE = "บันทึกภายในห้ามปรากฏ"
AS_OF = "2023-11-01"
FIXTURE = str(FIXTURES / "cases-kk2565.jsonl")
FIXTURE_ARGS = ["explain", "BPL-2566-204", FIXTURE, "--pack", "all", "--as-of", AS_OF]
CASE = {
    "type": "disciplinary_case",
    "case_id": "TL-1",
    "agency": "สำนักงานเขตบางพลัด",
    "respondent_category": "civil_servant",
    "respondent_name": NAME,
    "policy_clauses": [4],
    "events": [
        {"kind": "allegation_received", "date": "2023-01-09", "note": NOTE},
        {"kind": "fact_finding_concluded", "date": "2023-02-20"},
        {"kind": "investigation_ordered", "date": "2023-03-01", "id": "ORDER-9"},
        {"kind": "chair_received_case", "date": "2023-03-10"},
        {"kind": "first_meeting_held", "date": "2023-03-16", "id": "M-1"},
        # honoured: dated before the due date (14 Jul), moves it 60 days to 12 Sep
        {"kind": "deadline_extended", "date": "2023-07-10", "extends": "KK-61", "days": 60},
        # refused: dated after the due date then in force (12 Sep)
        {"kind": "deadline_extended", "date": "2023-09-20", "extends": "KK-61", "days": 30},
        {"kind": "investigation_report_received", "date": "2023-09-25"},
        {"kind": "report_considered", "date": "2023-10-20", "note": NOTE},
    ],
}


def explain(tmp_path: Path, width: int, *extra: str) -> str:
    path = tmp_path / "case.jsonl"
    path.write_text(json.dumps(CASE, ensure_ascii=False) + "\n", encoding="utf-8")
    args = ["explain", "TL-1", str(path), "--pack", "all", "--as-of", AS_OF, *extra]
    result = CliRunner().invoke(app, args, env={"COLUMNS": str(width)})
    assert result.exit_code == 0, result.output
    return result.stdout


def timeline_section(text: str) -> str:
    start = text.index("ลำดับขั้นตอนของเรื่อง")
    return text[start : text.index("\n\n", start)]  # the findings follow after a blank line


def plain_lines(section: str) -> list[str]:
    """Lines with runs of spaces as one (the date column is padded by display width)."""
    return [" ".join(line.split()) for line in section.splitlines()]


def test_stages_in_order_with_due_dates_and_each_extension() -> None:
    record = RECORD_ADAPTER.validate_python(CASE)
    findings = Audit(date(2023, 11, 1), load_rulebook(packs=["all"])).record(record)
    timeline = build(record, findings)
    assert [s.key for s in timeline.stages] == ["allegation", "serious", "report", "decision"]
    days = [step.day for step in timeline.steps]
    assert days == sorted(days)
    periods = {p.finding.rule_id: p for step in timeline.steps for p in step.periods}
    kk61 = periods["KK-61"]
    assert kk61.first_due == date(2023, 7, 14) and kk61.finding.due_date == date(2023, 9, 12)
    honoured, refused = kk61.extensions
    assert (honoured.dated, honoured.honoured, honoured.new_due) == (
        date(2023, 7, 10),
        60,
        date(2023, 9, 12),
    )
    assert (refused.dated, refused.honoured, refused.new_due, refused.problem) == (
        date(2023, 9, 20),
        0,
        None,
        "too_late",
    )
    assert kk61.finding.status == "late" and kk61.done_kind == "investigation_report_received"
    assert periods["KK-7"].first_due == date(2023, 2, 23)


def test_explain_shows_the_process_step_by_step(tmp_path: Path) -> None:
    text = explain(tmp_path, 120)
    section = timeline_section(text)
    stages = ["การกล่าวหาและการสืบสวนข้อเท็จจริง", "คณะกรรมการสอบสวนวินัยอย่างร้ายแรง"]
    stages += ["รายงานการสอบสวน", "การพิจารณาและสั่งการ"]
    positions = [section.index(f"▌ {stage}") for stage in stages]
    assert positions == sorted(positions)
    lines = plain_lines(section)
    start = lines.index("▸ KK-61 #1 ครบกำหนด 14 ก.ค. 2566")
    assert lines[start + 1 : start + 4] == [
        "· ขยาย 60 วัน (ลงวันที่ 10 ก.ค. 2566) → ครบกำหนด 12 ก.ย. 2566",
        "· ขยาย 30 วัน (ลงวันที่ 20 ก.ย. 2566) ✗ ไม่มีผล: ขยายเวลาหลังวันครบกำหนดที่ใช้อยู่ จึงไม่มีผล",
        "· ได้รับสำนวนรายงานการสอบสวน 25 ก.ย. 2566 · ล่าช้า 13 วัน",
    ]
    assert "16 มี.ค. 2566 ประชุมคณะกรรมการสอบสวนครั้งแรก [M-1]" in lines
    # the explanation of each finding still follows, with the extension in its arithmetic
    assert "ขยายเวลา 60 วัน ตามคำสั่งลงวันที่" in text[text.index("\nKK-61 #1") :]


@pytest.mark.parametrize("width", [80, 120])
def test_explain_timeline_fits_the_terminal_and_keeps_dates_whole(
    tmp_path: Path, width: int
) -> None:
    section = timeline_section(explain(tmp_path, width))
    assert all(cell_len(line) <= width for line in section.splitlines())
    for line in section.splitlines():  # a B.E. date is never split across two lines
        assert not line.rstrip().endswith(("ก.ค.", "ก.ย.", "มี.ค.", "ต.ค."))


def test_explain_in_english_keeps_the_event_list() -> None:
    result = CliRunner().invoke(
        app,
        [*FIXTURE_ARGS, "--lang", "en"],
    )
    assert result.exit_code == 0
    assert "2023-07-10  deadline_extended" in result.stdout
    assert "ลำดับขั้นตอน" not in result.stdout


def test_explain_pack_all_on_the_fixture_shows_kk61_extensions() -> None:
    result = CliRunner().invoke(
        app,
        FIXTURE_ARGS,
        env={"COLUMNS": "120"},
    )
    assert result.exit_code == 0
    lines = plain_lines(timeline_section(result.stdout))
    start = lines.index("▸ KK-61 #1 ครบกำหนด 14 ก.ค. 2566")
    assert lines[start + 1 : start + 4] == [
        "· ขยาย 60 วัน (ลงวันที่ 10 ก.ค. 2566) → ครบกำหนด 12 ก.ย. 2566",
        "· ขยาย 60 วัน (ลงวันที่ 8 ก.ย. 2566) → ครบกำหนด 11 พ.ย. 2566",
        "· ยังไม่ถึงกำหนด (อีก 10 วัน)",
    ]
    # the 180-day mark of KK-61-REPORT is a step of its own, on its day
    assert any(line.startswith("13 ก.ย. 2566 ครบ 180 วัน") for line in lines)


def test_an_extension_of_a_pack_not_loaded_is_shown_as_not_checked() -> None:
    record = RECORD_ADAPTER.validate_python(CASE)
    findings = Audit(date(2023, 11, 1)).record(record)  # abp only: KK-61 is not loaded
    steps = [s for s in build(record, findings).steps if s.extension is not None]
    assert [s.extension.problem for s in steps if s.extension] == [IGNORED, IGNORED]


def test_a_complaint_has_the_simpler_process() -> None:
    complaint = {
        "type": "complaint",
        "complaint_id": "C-1",
        "agency": "สำนักงานเขตบางพลัด",
        "received_at": "2023-05-11",
        "channel": "letter",
        "corruption": True,
        "complainant": {"name": NAME, "address": NOTE},
        "events": [
            {"kind": "accepted", "date": "2023-05-12"},
            {"kind": "resolved", "date": "2023-05-20"},
            {"kind": "result_notified", "date": "2023-05-22"},
            {"kind": "closed", "date": "2023-05-25"},
        ],
    }
    record = RECORD_ADAPTER.validate_python(complaint)
    timeline = build(record, Audit(date(2023, 6, 1)).record(record))
    assert [s.key for s in timeline.stages] == [
        "received",
        "screening",
        "handling",
        "notified",
        "closed",
    ]
    received = next(iter(timeline.steps))
    assert received.day == date(2023, 5, 11) and received.periods  # the 15-day reply etc.
    # a kind both types have is named as the complaint's type names it, not the case's
    names = [step.name_th for step in timeline.steps]
    assert "แจ้งผลให้ผู้ร้องทราบ" in names and "แจ้งผลการพิจารณาให้สำนักงาน ก.ก." not in names


@pytest.mark.parametrize("fmt", ["html", "markdown"])
def test_reports_carry_the_timeline_and_no_personal_data(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "case.jsonl"
    path.write_text(json.dumps(CASE, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / f"report.{fmt}"
    args = ["audit", str(path), "--pack", "all", "--as-of", AS_OF, "--format", fmt]
    result = CliRunner().invoke(app, [*args, "--output", str(out)])
    assert result.exit_code == 1, result.output  # KK-61 was late
    text = out.read_text(encoding="utf-8").replace("\u00a0", " ")  # HTML: dates never wrap
    assert "ลำดับขั้นตอนของเรื่อง" in text
    assert "ขยาย 60 วัน (ลงวันที่ 10 ก.ค. 2566) → ครบกำหนด 12 ก.ย. 2566" in text
    assert "ขยาย 30 วัน (ลงวันที่ 20 ก.ย. 2566) ✗ ไม่มีผล" in text
    if fmt == "html":
        assert text.count('<details class="tl">') == 1  # once per record, on its first row
    assert NAME not in text and NOTE not in text


def test_explain_shows_no_personal_data(tmp_path: Path) -> None:
    text = explain(tmp_path, 80)
    assert NAME not in text and NOTE not in text
    assert "ห้ามปรากฏ" not in text


def test_rounds_of_a_recurring_duty_done_in_time_are_one_line() -> None:
    result = CliRunner().invoke(
        app,
        ["explain", "BPL-2566-006", str(FIXTURES / "cases.jsonl"), "--as-of", "2566-09-15"],
        env={"COLUMNS": "120"},
    )
    lines = plain_lines(timeline_section(result.stdout))
    assert "▸ ABP-6.2 #1–#2, #4–#5 ทันกำหนด (4 ครั้ง ครั้งสุดท้ายครบกำหนด 29 ก.ค. 2566)" in lines
    late = next(line for line in lines if line.startswith("▸ ABP-6.2 #3 "))
    assert "ครบกำหนด 30 พ.ค. 2566" in late
