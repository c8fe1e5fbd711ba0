"""CSV for spreadsheets: UTF-8 with a byte-order mark so that Excel shows Thai; B.E. dates with
the ISO date beside each (for sorting and formulas); most urgent first; data only (no summary
row: a filter or a pivot table would count it)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from compliance.engine.findings import Finding
from compliance.engine.messages import citation, messages, responsible
from compliance.records.readers import Rejected
from compliance.report.base import SEVERITY_TH, STATUS_TH, SUBJECT_TH, CollectingRenderer, thai_day
from compliance.report.words import GROUP_SHORT_TH, data_message_th, reason_th, urgency_group

HEADER = [
    "รหัสกฎ",
    "ประเภท",
    "เลขที่เรื่อง",
    "หน่วยงาน",
    "ครั้งที่",
    "สถานะ",
    "ระดับ",
    "วันที่เริ่มนับ",
    "วันที่เริ่มนับ (ISO)",
    "วันครบกำหนด",
    "วันครบกำหนด (ISO)",
    "วันที่ดำเนินการ",
    "วันที่ดำเนินการ (ISO)",
    "ช้า (วัน)",
    "กลุ่ม",
    "ผู้รับผิดชอบ",
    "ข้อกำหนด",
    "รายละเอียด",
]
# A cell a spreadsheet would read as a formula (OWASP "CSV injection"): =, +, -, @, tab, CR.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(cell: str) -> str:
    """Text a spreadsheet shows as text: a leading ' before anything that starts a formula
    (the writer quotes every cell)."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def csv_bytes(rows: Iterable[Sequence[object]], quote_all: bool = False) -> bytes:
    """The one way this package writes CSV: UTF-8 with a BOM (Excel then reads Thai), CRLF,
    a cell a spreadsheet would run as a formula neutralised, None empty; cells quoted where
    needed, or every one (`quote_all`, the audit report's CSV)."""
    text = io.StringIO()
    if quote_all:
        writer = csv.writer(text, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    else:
        writer = csv.writer(text, lineterminator="\r\n")
    for row in rows:
        writer.writerow(
            ["" if c is None else neutralise(c) if isinstance(c, str) else c for c in row]
        )
    return b"\xef\xbb\xbf" + text.getvalue().encode("utf-8")


def _iso(day: date | None) -> str:
    return day.isoformat() if day else ""


def finding_row(f: Finding) -> list[str | int]:
    """One finding as a row of HEADER's columns (also the spreadsheet's)."""
    detail = data_message_th(f) if f.rule is None else messages(f)[0]
    return [
        f.rule_id,
        SUBJECT_TH[f.subject_type],
        f.subject_id,
        f.agency,
        "" if f.instance is None else f.instance,
        STATUS_TH[f.status],
        SEVERITY_TH[f.severity],
        thai_day(f.trigger_date),
        _iso(f.trigger_date),
        thai_day(f.due_date),
        _iso(f.due_date),
        thai_day(f.done_on),
        _iso(f.done_on),
        "" if f.days_late is None else f.days_late,
        GROUP_SHORT_TH[urgency_group(f)],
        responsible(f),
        citation(f),
        detail,
    ]


def rejected_row(r: Rejected) -> list[str | int]:
    """A rejected record as a row: its place in the input and the reasons in Thai."""
    row: list[str | int] = [""] * len(HEADER)
    row[0], row[2], row[5] = "ปฏิเสธ", r.record_id or "", "ข้อมูลไม่ถูกต้อง"
    row[14] = "ปฏิเสธ"
    row[16] = f"{r.source} บรรทัด {r.line}"
    row[17] = "; ".join(reason_th(e) for e in r.errors)
    return row


class CsvRenderer(CollectingRenderer):
    """Rejected records first (they were not audited), then one row per shown finding, most
    urgent first."""

    def finish(self, summary: dict[str, Any]) -> None:
        rows = [rejected_row(r) for r in self.rejects] + [finding_row(f) for f in self.ordered()]
        self.out.write(csv_bytes([HEADER, *rows], quote_all=True))
