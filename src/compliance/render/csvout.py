"""CSV for spreadsheets: UTF-8 with a byte-order mark so that Excel shows Thai; B.E. dates."""

from __future__ import annotations

import csv
import io
from typing import Any

from compliance.messages import citation, messages, responsible
from compliance.render.base import SEVERITY_TH, STATUS_TH, SUBJECT_TH, CollectingRenderer, thai_day

HEADER = [
    "รหัสกฎ",
    "ประเภท",
    "เลขที่เรื่อง",
    "หน่วยงาน",
    "ครั้งที่",
    "สถานะ",
    "ระดับ",
    "วันที่เริ่มนับ",
    "วันครบกำหนด",
    "วันที่ดำเนินการ",
    "ช้า (วัน)",
    "ผู้รับผิดชอบ",
    "ข้อกำหนด",
    "รายละเอียด",
]


class CsvRenderer(CollectingRenderer):
    """One row per shown finding, then the rejected records, then the summary line."""

    def finish(self, summary: dict[str, Any]) -> None:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\r\n")
        writer.writerow(HEADER)
        for f in self.shown:
            writer.writerow(
                [
                    f.rule_id,
                    SUBJECT_TH[f.subject_type],
                    f.subject_id,
                    f.agency,
                    f.instance,
                    STATUS_TH[f.status],
                    SEVERITY_TH[f.severity],
                    thai_day(f.trigger_date),
                    thai_day(f.due_date),
                    thai_day(f.done_on),
                    "" if f.days_late is None else f.days_late,
                    responsible(f),
                    citation(f),
                    messages(f)[0],
                ]
            )
        for r in self.rejects:
            writer.writerow(
                [
                    "ปฏิเสธ",
                    "",
                    r.record_id or "",
                    "",
                    "",
                    "ข้อมูลไม่ถูกต้อง",
                    "",
                    "",
                    "",
                    "",
                    "",
                    "",
                    f"{r.source} บรรทัด {r.line}",
                    "; ".join(r.errors),
                ]
            )
        writer.writerow([])
        writer.writerow(["สรุป", self.summary_line(summary)])
        self.out.write(b"\xef\xbb\xbf" + text.getvalue().encode("utf-8"))
