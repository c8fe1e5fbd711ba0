"""Excel workbook (XlsxWriter): a findings sheet with real date cells shown in B.E., the ISO
date beside each, an autofilter and a frozen header; a summary sheet; rejected records on a
sheet of their own when there are any.

Dates are Excel serial dates with the number format `[$-107041E]d mmm yyyy`: LCID 041E (Thai),
calendar 07 (Thai Buddhist), so Excel shows `8 ก.ย. 2566` while the cell stays a date that sorts,
filters and subtracts; LibreOffice reads the same code. Text is always written as text
(`write_string`): a value starting with "=" is never a formula.
"""

from __future__ import annotations

import io
from collections import Counter
from datetime import date
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

from compliance.engine.findings import STATUSES
from compliance.report.base import STATUS_TH, CollectingRenderer
from compliance.report.csvout import COLUMNS, HEADER, finding_row
from compliance.report.words import GROUP_SHORT_TH, GROUPS, generated_th, reason_th

BE_DATE_FORMAT = "[$-107041E]d mmm yyyy"


class XlsxRenderer(CollectingRenderer):
    """`--format xlsx`: binary, so written to a file (or a pipe), never to a terminal."""

    def finish(self, summary: dict[str, Any]) -> None:
        buffer = io.BytesIO()
        book = xlsxwriter.Workbook(buffer, {"in_memory": True})
        bold = book.add_format({"bold": True, "bg_color": "#E8E8E8", "border": 1})
        day = book.add_format({"num_format": BE_DATE_FORMAT, "align": "left"})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        sheet = book.add_worksheet("ผลการตรวจ")
        self._findings(sheet, bold, day)
        self._summary(book.add_worksheet("สรุป"), bold, summary)
        if self.rejects:
            rejected = book.add_worksheet("ปฏิเสธ")
            rejected.write_row(0, 0, ["ไฟล์", "บรรทัด", "เลขที่เรื่อง", "เหตุผล"], bold)
            for i, r in enumerate(self.rejects, start=1):
                rejected.write_string(i, 0, r.source)
                rejected.write_number(i, 1, r.line)
                rejected.write_string(i, 2, r.record_id or "")
                rejected.write_string(i, 3, "; ".join(reason_th(e) for e in r.errors), wrap)
            rejected.set_column(0, 0, 30)
            rejected.set_column(3, 3, 80)
            rejected.freeze_panes(1, 0)
        book.close()
        self.out.write(buffer.getvalue())

    def _findings(self, sheet: Worksheet, bold: Any, day: Any) -> None:
        sheet.write_row(0, 0, HEADER, bold)
        findings = self.ordered()
        for i, f in enumerate(findings, start=1):
            for col, (column, value) in enumerate(zip(COLUMNS, finding_row(f), strict=True)):
                if column.date_of:
                    when: date | None = getattr(f, column.date_of)
                    if when is not None:
                        sheet.write_datetime(i, col, when, day)
                elif isinstance(value, int):
                    sheet.write_number(i, col, value)
                elif value:
                    sheet.write_string(i, col, value)
        for col, column in enumerate(COLUMNS):
            sheet.set_column(col, col, column.width)
        sheet.autofilter(0, 0, max(len(findings), 1), len(HEADER) - 1)
        sheet.freeze_panes(1, 0)

    def _summary(self, sheet: Worksheet, bold: Any, summary: dict[str, Any]) -> None:
        sheet.set_column(0, 0, 40)
        sheet.set_column(1, 8, 14)
        sheet.write_string(0, 0, self.summary_line(summary))
        sheet.write_string(1, 0, f"สร้างเมื่อ {generated_th(self.header['generated_at'])}")
        sheet.write_string(2, 0, f"ชุดกฎ {self.header['rules']['digest']}")
        row = 4
        sheet.write_row(row, 0, ["สถานะ", "จำนวน"], bold)
        for status in STATUSES:
            count = summary["by_status"].get(status, 0)
            if count:
                row += 1
                sheet.write_string(row, 0, STATUS_TH[status])
                sheet.write_number(row, 1, count)
        row += 2
        sheet.write_row(row, 0, ["หน่วยงาน", *(GROUP_SHORT_TH[g] for g in GROUPS)], bold)
        for agency in self.agencies():
            row += 1
            counts: Counter[str] = self.groups_by_agency[agency]
            sheet.write_string(row, 0, agency)
            for col, group in enumerate(GROUPS, start=1):
                sheet.write_number(row, col, counts[group])
