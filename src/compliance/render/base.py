"""What every renderer shares: the interface the audit drives, and the Thai words of the human
formats. Renderers only present findings; they never judge them."""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import IO, Any

from compliance.findings import SEVERITIES, Finding
from compliance.readers import Rejected
from compliance.sinks import Sink
from compliance.thaidate import format_thai

STATUS_TH = {
    "met": "ทันกำหนด",
    "late": "ล่าช้า",
    "overdue": "เลยกำหนด",
    "due_soon": "ใกล้ครบกำหนด",
    "pending": "ยังไม่ถึงกำหนด",
    "open": "รอดำเนินการ (โดยเร็ว)",
    "missing": "ไม่ได้ดำเนินการ",
    "breached": "ไม่เป็นไปตามเงื่อนไข",
    "inconsistent": "ข้อมูลไม่สอดคล้อง",
}
SEVERITY_TH = {"violation": "ฝ่าฝืน", "advisory": "ข้อสังเกต", "warning": "เตือน", "info": "ข้อมูล"}
SUBJECT_TH = {"disciplinary_case": "เรื่องวินัย", "complaint": "เรื่องร้องเรียน"}


def thai_day(day: date | None) -> str:
    """B.E. date for tables (`24 เม.ย. 2566`), or a dash."""
    return format_thai(day, "medium") if day else "–"


class Renderer(Sink):
    """A sink that writes a report format to `out` (bytes). The human formats need each
    finding's words (its arithmetic), so they read records in one process."""

    needs_words = True

    def __init__(self, out: IO[bytes], show_all: bool = False) -> None:
        self.out = out
        self.show_all = show_all


class CollectingRenderer(Renderer):
    """Base of the human formats: counts everything, keeps what it will show."""

    def __init__(self, out: IO[bytes], show_all: bool = False) -> None:
        super().__init__(out, show_all)
        self.header: dict[str, Any] = {}
        self.shown: list[Finding] = []
        self.rejects: list[Rejected] = []
        self.by_agency: dict[str, Counter[str]] = {}

    def start(self, header: dict[str, Any]) -> None:
        self.header = header

    def finding(self, finding: Finding) -> None:
        self.by_agency.setdefault(finding.agency, Counter())[finding.status] += 1
        if self.show_all or finding.needs_action:
            self.shown.append(finding)

    def rejected(self, rejected: Rejected) -> None:
        self.rejects.append(rejected)

    def as_of(self) -> date:
        """The audit date."""
        return date.fromisoformat(self.header["as_of"])

    def summary_line(self, summary: dict[str, Any]) -> str:
        """One Thai sentence: audit date, records, rejections, counts by severity."""
        severities = " · ".join(
            f"{SEVERITY_TH[s]} {summary['by_severity'].get(s, 0)}" for s in SEVERITIES
        )
        scope = "ทุกรายการ" if self.show_all else "เฉพาะรายการที่ต้องดำเนินการ"
        return (
            f"ตรวจ ณ วันที่ {format_thai(self.as_of())}: {summary['records']} เรื่อง "
            f"ปฏิเสธ {summary['rejected']} รายการ — {severities} (แสดง{scope} "
            f"{len(self.shown)} รายการ)"
        )
