"""Markdown report: the summary, what falls due in the next days, rejected records, then each
agency's findings most urgent first, the rules cited (once each) and the provenance last.

Record text (ids, agencies, file names) is escaped: a Markdown viewer must show it as written,
never as HTML, a link, emphasis or a table cell break."""

from __future__ import annotations

import re
from typing import Any

from compliance.engine.findings import Finding
from compliance.report.base import (
    SEVERITY_TH,
    STATUS_TH,
    UPCOMING_TH,
    footer_th,
    thai_day,
    visible,
)
from compliance.report.messages import citation, citation_short, explanation, messages, responsible
from compliance.report.timeline import TimelineRenderer, markdown_lines
from compliance.report.words import (
    COUNTING_NOTE,
    GROUP_TH,
    data_message_th,
    left_th,
    reason_th,
    rule_ref,
    short_step,
    urgency_group,
)

_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_HTML = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def md(text: str) -> str:
    """Record text as literal Markdown: control and bidi-override characters shown as escapes
    (`visible`, so no line break splits a table row), then HTML and Markdown characters
    escaped."""
    text = _SPECIAL.sub(r"\\\1", visible(text))
    return "".join(_HTML.get(c, c) for c in text)


def finding_detail(f: Finding) -> tuple[str, list[str]]:
    """The sentence and the arithmetic of a finding, in Thai (events named in Thai)."""
    if f.rule is None:
        return data_message_th(f), []
    return messages(f)[0], [short_step(x) for x in explanation(f)[0]]


class MarkdownRenderer(TimelineRenderer):
    """A document a legal officer can paste into a memo."""

    def _timelines(self, findings: list[Finding]) -> list[str]:
        """After an agency's table: each of its records' periods, stage by stage (records in
        the order of their most urgent finding)."""
        lines: list[str] = []
        seen: set[tuple[str, str]] = set()
        for f in findings:
            key = (f.subject_type, f.subject_id)
            timeline = self.timeline_of(f) if key not in seen else None
            seen.add(key)
            if timeline is None:
                continue
            listed = markdown_lines(timeline, self.as_of(), md)
            if listed:
                if not lines:
                    lines += ["### ลำดับขั้นตอนของเรื่อง", ""]
                lines += [f"**{md(f.subject_id)}**", "", *listed, ""]
        return lines

    def finish(self, summary: dict[str, Any]) -> None:
        lines = [
            f"# {self.title()}",
            "",
            self.summary_line(summary),
            "",
        ]
        upcoming = self.upcoming_ordered()
        if upcoming:
            lines += [f"## {UPCOMING_TH}", ""]
            if self.upcoming_note():
                lines += [self.upcoming_note(), ""]
            for f in upcoming:
                lines.append(
                    f"- {thai_day(f.due_date)} ({left_th(f, self.as_of())}) · {md(f.subject_id)} · "
                    f"{rule_ref(f)} · {md(f.agency)}"
                )
            lines.append("")
        if self.rejects:
            lines += ["## รายการที่ถูกปฏิเสธ (ไม่ได้ตรวจ)", ""]
            for r in self.rejects:
                rid = f" ({md(r.record_id)})" if r.record_id else ""
                reasons = "; ".join(reason_th(e) for e in r.errors)
                lines.append(f"- {md(r.source)} บรรทัด {r.line}{rid}: {md(reasons)}")
            lines.append("")
        by_agency: dict[str, list[Finding]] = {}
        for f in self.ordered():
            by_agency.setdefault(f.agency, []).append(f)
        cited: dict[str, Finding] = {}
        for agency in self.agencies():
            findings = by_agency.get(agency)
            if not findings:
                continue
            lines += [f"## {md(agency)} — {self.agency_counts_th(agency)}", ""]
            group = ""
            for f in findings:
                if urgency_group(f) != group:
                    group = urgency_group(f)
                    lines += [
                        f"### {GROUP_TH[group]}",
                        "",
                        "| เรื่อง | กฎ | สถานะ | ระดับ | ครบกำหนด | ดำเนินการ | ช้า (วัน) | รายละเอียด |",
                        "|---|---|---|---|---|---|---|---|",
                    ]
                if f.rule is not None:
                    cited.setdefault(f.rule_id, f)
                sentence, arithmetic = finding_detail(f)
                detail = " ".join([sentence, *arithmetic])
                cells = [
                    md(f.subject_id),
                    rule_ref(f),
                    STATUS_TH[f.status],
                    SEVERITY_TH[f.severity],
                    thai_day(f.due_date),
                    thai_day(f.done_on),
                    "" if f.days_late is None else str(f.days_late),
                    md(detail),
                ]
                lines.append("| " + " | ".join(cells) + " |")
            lines.append("")
            lines += self._timelines(findings)
        if cited:
            lines += ["## กฎที่อ้างถึง", ""]
            for rule_id in sorted(cited):
                f = cited[rule_id]
                lines.append(
                    f"- **{rule_id}** {md(citation_short(f))} — {md(citation(f))}; "
                    f"ผู้รับผิดชอบ: {md(responsible(f))}"
                )
                if f.rule is not None and f.rule.interpretation_th:
                    lines.append(f"  - การตีความ: {md(f.rule.interpretation_th)}")
            lines += ["", md(COUNTING_NOTE), ""]
        lines += ["---", "", md(footer_th(self.header)), ""]
        self.out.write("\n".join(lines).encode("utf-8"))
