"""Markdown report: summary line, findings that need action (or all), rejected records."""

from __future__ import annotations

from typing import Any

from compliance.messages import citation_short, explanation_for_people, messages
from compliance.render.base import SEVERITY_TH, STATUS_TH, CollectingRenderer, thai_day


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


class MarkdownRenderer(CollectingRenderer):
    """A document a legal officer can paste into a memo."""

    def finish(self, summary: dict[str, Any]) -> None:
        lines = [
            "# รายงานการตรวจกำหนดเวลาตามแนวทางต่อต้านการรับสินบน กรุงเทพมหานคร",
            "",
            self.summary_line(summary),
            "",
        ]
        if self.shown:
            lines += [
                "| เรื่อง | กฎ | สถานะ | ระดับ | ครบกำหนด | ดำเนินการ | ช้า (วัน) | ข้อกำหนด |",
                "|---|---|---|---|---|---|---|---|",
            ]
            for f in self.shown:
                lines.append(
                    "| "
                    + " | ".join(
                        _cell(x)
                        for x in [
                            f.subject_id,
                            f"{f.rule_id} #{f.instance}",
                            STATUS_TH[f.status],
                            SEVERITY_TH[f.severity],
                            thai_day(f.due_date),
                            thai_day(f.done_on),
                            "" if f.days_late is None else str(f.days_late),
                            citation_short(f),
                        ]
                    )
                    + " |"
                )
            lines += ["", "## รายละเอียด", ""]
            for f in self.shown:
                lines.append(f"### {f.subject_id} · {f.rule_id} #{f.instance} · {f.agency}")
                lines.append("")
                lines.append(messages(f)[0])
                lines.append("")
                lines.extend(f"- {line}" for line in explanation_for_people(f)[0])
                lines.append("")
        if self.rejects:
            lines += ["## รายการที่ถูกปฏิเสธ", ""]
            for r in self.rejects:
                rid = f" ({r.record_id})" if r.record_id else ""
                lines.append(f"- {r.source} บรรทัด {r.line}{rid}: {'; '.join(r.errors)}")
            lines.append("")
        self.out.write("\n".join(lines).encode("utf-8"))
