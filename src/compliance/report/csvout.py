"""CSV for spreadsheets: UTF-8 with a byte-order mark so that Excel shows Thai; B.E. dates with
the ISO date beside each (for sorting and formulas); most urgent first; data only (no summary
row: a filter or a pivot table would count it)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from compliance.engine.findings import Finding
from compliance.records.readers import Rejected
from compliance.report.base import (
    SEVERITY_TH,
    STATUS_TH,
    SUBJECT_TH,
    CollectingRenderer,
    thai_day,
    visible,
)
from compliance.report.messages import citation, messages, responsible
from compliance.report.words import GROUP_SHORT_TH, data_message_th, reason_th, urgency_group


@dataclass(frozen=True, slots=True)
class Column:
    """A column of the findings' table (CSV and the spreadsheet): a cell is found by `key`,
    never by its position, so a column added or moved changes one line here."""

    key: str
    title: str  # the Thai heading
    width: int  # in the spreadsheet, in characters
    date_of: str | None = None  # a Thai date column: the finding's date (a date cell in xlsx)


COLUMNS = (
    Column("rule_id", "รหัสกฎ", 16),
    Column("subject_type", "ประเภท", 14),
    Column("subject_id", "เลขที่เรื่อง", 18),
    Column("agency", "หน่วยงาน", 30),
    Column("instance", "ครั้งที่", 7),
    Column("status", "สถานะ", 14),
    Column("severity", "ระดับ", 10),
    Column("trigger_th", "วันที่เริ่มนับ", 13, "trigger_date"),
    Column("trigger_iso", "วันที่เริ่มนับ (ISO)", 12),
    Column("due_th", "วันครบกำหนด", 13, "due_date"),
    Column("due_iso", "วันครบกำหนด (ISO)", 12),
    Column("done_th", "วันที่ดำเนินการ", 13, "done_on"),
    Column("done_iso", "วันที่ดำเนินการ (ISO)", 12),
    Column("days_late", "ช้า (วัน)", 8),
    Column("group", "กลุ่ม", 12),
    Column("responsible", "ผู้รับผิดชอบ", 30),
    Column("citation", "ข้อกำหนด", 40),
    Column("detail", "รายละเอียด", 60),
)
HEADER = [c.title for c in COLUMNS]
# A cell a spreadsheet would read as a formula (OWASP "CSV injection"): =, +, -, @, tab, CR.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """Text a spreadsheet shows as text: a leading ' before anything that starts a formula
    (the writer quotes every cell)."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def csv_bytes(rows: Iterable[Sequence[object]], quote_all: bool = False) -> bytes:
    """The one way this package writes CSV: UTF-8 with a BOM (Excel then reads Thai), CRLF,
    control and bidi-override characters as escapes (`visible`: a NUL, ESC or U+202E would
    reach whatever reads the file), a cell a spreadsheet would run as a formula neutralised,
    None empty; cells quoted where needed, or every one (`quote_all`, the audit report's CSV)."""
    text = io.StringIO()
    if quote_all:
        writer = csv.writer(text, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    else:
        writer = csv.writer(text, lineterminator="\r\n")
    for row in rows:
        writer.writerow(
            ["" if c is None else neutralise(visible(c)) if isinstance(c, str) else c for c in row]
        )
    return b"\xef\xbb\xbf" + text.getvalue().encode("utf-8")


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def _row(cells: dict[str, str | int]) -> list[str | int]:
    return [cells.get(c.key, "") for c in COLUMNS]


def finding_row(f: Finding) -> list[str | int]:
    """One finding as a row of COLUMNS (also the spreadsheet's)."""
    return _row(
        {
            "rule_id": f.rule_id,
            "subject_type": SUBJECT_TH[f.subject_type],
            "subject_id": f.subject_id,
            "agency": f.agency,
            "instance": "" if f.instance is None else f.instance,
            "status": STATUS_TH[f.status],
            "severity": SEVERITY_TH[f.severity],
            "trigger_th": thai_day(f.trigger_date),
            "trigger_iso": _iso(f.trigger_date),
            "due_th": thai_day(f.due_date),
            "due_iso": _iso(f.due_date),
            "done_th": thai_day(f.done_on),
            "done_iso": _iso(f.done_on),
            "days_late": "" if f.days_late is None else f.days_late,
            "group": GROUP_SHORT_TH[urgency_group(f)],
            "responsible": responsible(f),
            "citation": citation(f),
            "detail": data_message_th(f) if f.rule is None else messages(f)[0],
        }
    )


def rejected_row(r: Rejected) -> list[str | int]:
    """A rejected record as a row: its place in the input and the reasons in Thai."""
    return _row(
        {
            "rule_id": "ปฏิเสธ",
            "subject_id": r.record_id or "",
            "status": "ข้อมูลไม่ถูกต้อง",
            "group": "ปฏิเสธ",
            "citation": f"{r.source} บรรทัด {r.line}",
            "detail": "; ".join(reason_th(e) for e in r.errors),
        }
    )


class CsvRenderer(CollectingRenderer):
    """Rejected records first (they were not audited), then one row per shown finding, most
    urgent first."""

    def finish(self, summary: dict[str, Any]) -> None:
        rows = [rejected_row(r) for r in self.rejects] + [finding_row(f) for f in self.ordered()]
        self.out.write(csv_bytes([HEADER, *rows], quote_all=True))
