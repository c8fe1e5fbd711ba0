"""Urgency first: every human format lists what needs action as an office acts on it —
overdue (most days late first), due soon (fewest days left first), done late / missing /
breached (for the record), data problems — while JSON keeps SPEC §7's order."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from compliance.cli import app
from compliance.engine.findings import Finding
from compliance.report.words import urgency_order

from .conftest import FIXTURES

AS_OF = ["--as-of", "2566-09-15"]
INPUTS = [str(FIXTURES / "cases.jsonl"), str(FIXTURES / "complaints.jsonl")]
GROUP_ORDER = ["เลยกำหนด", "ใกล้ครบกำหนด", "บันทึกไว้", "ปัญหาข้อมูล"]


def run(*args: str) -> bytes:
    result = CliRunner().invoke(app, ["audit", *args])
    assert result.exit_code in (0, 1, 3), result.output
    return result.stdout_bytes


def finding(
    status: str,
    subject: str,
    days_late: int | None = None,
    due: date | None = None,
    rule_id: str = "ABP-6.3",
) -> Finding:
    return Finding(
        rule_id,
        None,
        "complaint",
        subject,
        "เขต",
        1,
        status,
        "violation",  # type: ignore[arg-type]
        due_date=due,
        days_late=days_late,
        as_of=date(2023, 9, 15),
    )


def test_urgency_order_of_statuses_and_days() -> None:
    as_of = date(2023, 9, 15)
    shuffled = [
        finding("inconsistent", "D1", rule_id="DATA-ORPHAN"),
        finding("late", "L5", 5),
        finding("due_soon", "S2", due=date(2023, 9, 17)),
        finding("overdue", "O3", 3),
        finding("missing", "M", None),
        finding("overdue", "O40", 40),
        finding("due_soon", "S0", due=date(2023, 9, 15)),
        finding("breached", "B"),
        finding("late", "L9", 9),
    ]
    order = [f.subject_id for f in urgency_order(shuffled, as_of)]
    assert order == ["O40", "O3", "S0", "S2", "L9", "L5", "B", "M", "D1"]


def test_csv_rows_follow_the_urgency_groups_and_days() -> None:
    text = run(*INPUTS, *AS_OF, "--format", "csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    groups = [r["กลุ่ม"] for r in rows]
    assert groups == sorted(groups, key=GROUP_ORDER.index)  # groups in order, never mixed
    overdue = [int(r["ช้า (วัน)"]) for r in rows if r["กลุ่ม"] == "เลยกำหนด"]
    assert overdue == sorted(overdue, reverse=True) and len(overdue) > 3
    soon = [r["วันครบกำหนด (ISO)"] for r in rows if r["กลุ่ม"] == "ใกล้ครบกำหนด"]
    assert soon == sorted(soon) and len(soon) > 1


def test_markdown_and_table_put_overdue_before_due_soon_before_the_record() -> None:
    markdown = run(*INPUTS, *AS_OF, "--format", "markdown").decode("utf-8")
    first = markdown.index("## สำนักงาน")  # the agency with the most overdue comes first
    assert "เลยกำหนด 7" in markdown[first : markdown.index("\n", first)]
    assert markdown.index("## ครบกำหนดภายใน 7 วันข้างหน้า") < first
    section = markdown[first : markdown.index("\n## ", first)]
    assert section.index("### เลยกำหนด") < section.index("### ดำเนินการช้า")
    table = run(*INPUTS, *AS_OF, "--format", "table").decode("utf-8")
    assert table.index("— เลยกำหนด") < table.index("— ใกล้ครบกำหนด") < table.index("— ดำเนินการช้า")
    assert table.index("115") < table.index("93")  # most days late first


def test_html_orders_agencies_and_findings_by_urgency() -> None:
    page = run(*INPUTS, *AS_OF, "--format", "html").decode("utf-8")
    groups = [chunk.split('"', 1)[0] for chunk in page.split('data-g="')[1:]]
    first_agency = page[page.index('<section class="agency"') :]
    first_agency = first_agency[: first_agency.index("</section>")]
    in_first = [c.split('"', 1)[0] for c in first_agency.split('data-g="')[1:]]
    rank = ["overdue", "due_soon", "record", "data"]
    assert in_first == sorted(in_first, key=rank.index) and len(groups) > 20
    assert page.index('id="upcoming"') < page.index('id="summary"') < page.index('class="agency"')


def test_json_keeps_spec_order(tmp_path: Path) -> None:
    report = json.loads(run(*INPUTS, *AS_OF))
    ids = [(f["subject_id"], f["rule_id"], f["instance"]) for f in report["findings"]]
    first_record = [i for i in ids if i[0] == ids[0][0]]
    assert first_record == sorted(first_record, key=lambda i: (i[1], i[2]))
