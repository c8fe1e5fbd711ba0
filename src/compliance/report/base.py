"""What every renderer shares: the interface the audit drives, and the Thai words of the human
formats. Renderers only present findings; they never judge them."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date
from html import escape
from importlib.metadata import PackageNotFoundError, version
from typing import IO, Any

from compliance.calendar.thaidate import format_thai
from compliance.engine.findings import SEVERITIES, Finding
from compliance.pipeline.sinks import RecordSink, Sink
from compliance.records import REGISTRY, Record
from compliance.records.readers import Rejected
from compliance.report.words import (
    ACTION_GROUPS,
    GROUP_SHORT_TH,
    GROUPS,
    generated_th,
    urgency_group,
    urgency_order,
)

UPCOMING_DAYS = 7  # the "due in the next 7 days" list at the top of a report
UPCOMING_TH = f"ครบกำหนดภายใน {UPCOMING_DAYS} วันข้างหน้า"  # its heading
UPCOMING_LISTED = 20  # beyond this many, the list gives counts by day and the first ones

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
# What each built-in pack checks, for a report's heading.
PACK_TITLES_TH = {
    "abp": "แนวทางต่อต้านการรับสินบน กรุงเทพมหานคร",
    "kk2565": "กฎ ก.ก. ว่าด้วยการดำเนินการทางวินัย พ.ศ. ๒๕๖๕",
}
SUBJECT_TH = {t.name: t.label_th for t in REGISTRY}  # each record type's Thai label

# C0 and C1 controls, DEL, the bidi marks (U+061C, U+200E/F), embeddings, overrides and
# isolates, the line and paragraph separators and a stray byte-order mark: in record text (ids,
# agencies, file names) ESC would drive a terminal, NUL cut a string short in a reader, an
# override reorder what is shown, a separator break a line. Thai combining marks are none.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufeff]")


def visible(text: str) -> str:
    """Control characters and bidi overrides as visible escapes (`\\x1b`, `\\u202e`): the one
    way every human format (table, CSV, HTML, Markdown) shows record text."""
    return _UNSAFE.sub(
        lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}", text
    )


def html_text(text: str) -> str:
    """Text as HTML that shows it as written: controls made `visible`, then escaped."""
    return escape(visible(text))


def footer_th(header: dict[str, Any]) -> str:
    """The provenance a reader rarely needs, kept for the end of a report: when (Bangkok time,
    B.E.), which rule set (digest) and which versions."""
    try:
        tool = version("compliance")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        tool = "?"
    return (
        f"สร้างเมื่อ {generated_th(header['generated_at'])} (เวลากรุงเทพฯ) · "
        f"ชุดกฎ {header['rules']['count']} ข้อ {header['rules']['digest']} · "
        f"compliance {tool} · holidays {header['calendar']['holidays_version']}"
    )


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


class CollectingRenderer(Renderer, RecordSink):
    """Base of the human formats: counts everything, keeps what it will show. A record sink,
    so that a format can show a record's process (its events) beside its findings; human
    formats run in one process, so no part is ever merged and no record taken back."""

    def __init__(self, out: IO[bytes], show_all: bool = False) -> None:
        super().__init__(out, show_all)
        self.header: dict[str, Any] = {}
        self.shown: list[Finding] = []
        self.rejects: list[Rejected] = []
        self.by_agency: dict[str, Counter[str]] = {}
        self.groups_by_agency: dict[str, Counter[str]] = {}
        self.upcoming: list[Finding] = []

    def start(self, header: dict[str, Any]) -> None:
        self.header = header

    def finding(self, finding: Finding) -> None:
        self.by_agency.setdefault(finding.agency, Counter())[finding.status] += 1
        self.groups_by_agency.setdefault(finding.agency, Counter())[urgency_group(finding)] += 1
        due, as_of = finding.due_date, finding.as_of
        if finding.status in ("due_soon", "pending") and due and as_of:
            self._upcoming_if_near(finding, (due - as_of).days)
        if self.show_all or finding.needs_action:
            self.shown.append(finding)

    def record(self, record: Record, findings: list[Finding], weight: int = 1) -> None:
        """One audited record: its findings one by one (`finding`)."""
        for finding in findings:
            self.finding(finding)

    def _upcoming_if_near(self, finding: Finding, days: int) -> None:
        if days <= UPCOMING_DAYS:
            self.upcoming.append(finding)

    def ordered(self) -> list[Finding]:
        """The shown findings, most urgent first (SPEC §7's order is the JSON report's)."""
        return urgency_order(self.shown, self.as_of())

    def upcoming_ordered(self) -> list[Finding]:
        """Not done and due within UPCOMING_DAYS of the audit date, soonest first (the first
        UPCOMING_LISTED: a list of thousands is read by nobody; `upcoming_note` counts them)."""
        return urgency_order(self.upcoming, self.as_of())[:UPCOMING_LISTED]

    def upcoming_note(self) -> str:
        """Counts by due date when the list is long (`15 ก.ย. 2566: 412 · …`), else ""."""
        if len(self.upcoming) <= UPCOMING_LISTED:
            return ""
        days = Counter(f.due_date for f in self.upcoming if f.due_date)
        counts = " · ".join(f"{thai_day(day)}: {days[day]}" for day in sorted(days))
        rest = len(self.upcoming) - UPCOMING_LISTED
        return (
            f"ทั้งหมด {len(self.upcoming)} รายการ ({counts}); แสดง {UPCOMING_LISTED} รายการแรก "
            f"อีก {rest} รายการอยู่ในรายการของแต่ละหน่วยงานด้านล่าง"
        )

    def agencies(self) -> list[str]:
        """Agencies by what they must act on: most overdue first, then due soon, then the
        rest of what needs action; then by name."""

        def key(agency: str) -> tuple[int, int, int, str]:
            c = self.groups_by_agency[agency]
            return (-c["overdue"], -c["due_soon"], -self.action_count(agency), agency)

        return sorted(self.groups_by_agency, key=key)

    def action_count(self, agency: str) -> int:
        """Findings of an agency that need action (all four urgent groups)."""
        c = self.groups_by_agency.get(agency, Counter())
        return sum(c[g] for g in ACTION_GROUPS)

    def agency_counts_th(self, agency: str) -> str:
        """`เลยกำหนด 3 · ใกล้ครบกำหนด 2 · บันทึกไว้ 1`: what an agency's heading counts."""
        c = self.groups_by_agency.get(agency, Counter())
        parts = [f"{GROUP_SHORT_TH[g]} {c[g]}" for g in GROUPS if g in ACTION_GROUPS and c[g]]
        return " · ".join(parts) or "ไม่มีรายการที่ต้องดำเนินการ"

    def rejected(self, rejected: Rejected) -> None:
        self.rejects.append(rejected)

    def title(self) -> str:
        """The report's heading: what was checked, by the packs the header names."""
        source = str(self.header.get("rules", {}).get("source", ""))
        packs = source.removeprefix("builtin:").split("+") if source.startswith("builtin:") else []
        laws = [PACK_TITLES_TH[p] for p in packs if p in PACK_TITLES_TH] or [PACK_TITLES_TH["abp"]]
        return f"รายงานการตรวจกำหนดเวลาตาม{'และ'.join(laws)}"

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
