"""A self-contained HTML page: no scripts, fonts or other requests; inline style only.

Summary counts by status and by agency first, then the findings that need action (or all)
grouped by agency, each with its clause and the arithmetic behind it.
"""

from __future__ import annotations

from collections import Counter
from html import escape
from typing import Any

from compliance.findings import STATUSES
from compliance.messages import citation, explanation_for_people, messages, responsible
from compliance.render.base import SEVERITY_TH, STATUS_TH, CollectingRenderer, thai_day

STYLE = """
body{font-family:'Sarabun','Noto Sans Thai','Tahoma',sans-serif;margin:2rem;color:#1a1a1a}
table{border-collapse:collapse;margin:1rem 0}th,td{border:1px solid #bbb;padding:.3rem .6rem;
text-align:left;vertical-align:top}th{background:#eee}
span.violation{color:#b00020;font-weight:bold}span.advisory{color:#7a1fa2}
span.warning{color:#a65e00}span.info{color:#1b5e20}
section{border-left:4px solid #ccc;padding:.2rem 1rem;margin:1rem 0}
section.violation{border-color:#b00020}section.warning{border-color:#a65e00}
section.advisory{border-color:#7a1fa2}section.info{border-color:#1b5e20}small{color:#555}
"""


class HtmlRenderer(CollectingRenderer):
    """One page for the legal officers and สำนักงาน ก.ก."""

    def finish(self, summary: dict[str, Any]) -> None:
        e = escape
        parts = [
            "<!DOCTYPE html>",
            '<html lang="th"><head><meta charset="utf-8">',
            "<title>รายงานการตรวจกำหนดเวลา</title>",
            f"<style>{STYLE}</style></head><body>",
            "<h1>รายงานการตรวจกำหนดเวลาตามแนวทางต่อต้านการรับสินบน กรุงเทพมหานคร</h1>",
            f"<p>{e(self.summary_line(summary))}</p>",
            f"<p><small>ชุดกฎ {e(self.header['rules']['digest'])} · holidays "
            f"{e(self.header['calendar']['holidays_version'])} · สร้างเมื่อ "
            f"{e(self.header['generated_at'])}</small></p>",
            "<h2>สรุปตามสถานะ</h2>",
            "<table><tr><th>สถานะ</th><th>จำนวน</th></tr>",
        ]
        for status in STATUSES:
            count = summary["by_status"].get(status, 0)
            if count:
                parts.append(f"<tr><td>{e(STATUS_TH[status])}</td><td>{count}</td></tr>")
        parts.append("</table>")
        used = [s for s in STATUSES if any(c[s] for c in self.by_agency.values())]
        parts.append("<h2>สรุปตามหน่วยงาน</h2><table><tr><th>หน่วยงาน</th>")
        parts.extend(f"<th>{e(STATUS_TH[s])}</th>" for s in used)
        parts.append("</tr>")
        for agency in sorted(self.by_agency):
            counts = self.by_agency[agency]
            cells = "".join(f"<td>{counts[s]}</td>" for s in used)
            parts.append(f"<tr><td>{e(agency)}</td>{cells}</tr>")
        parts.append("</table>")
        heading = "ทุกรายการ" if self.show_all else "รายการที่ต้องดำเนินการ"
        parts.append(f"<h2>{heading}</h2>")
        groups: dict[str, list[Any]] = {}
        for f in self.shown:
            groups.setdefault(f.agency, []).append(f)
        for agency in sorted(groups):
            severity = Counter(f.severity for f in groups[agency])
            parts.append(f"<h3>{e(agency)} <small>({severity['violation']} ฝ่าฝืน)</small></h3>")
            for f in groups[agency]:
                lines = "".join(f"<li>{e(line)}</li>" for line in explanation_for_people(f)[0])
                parts.append(
                    f'<section class="{f.severity}">'
                    f"<p><strong>{e(f.subject_id)}</strong> · {e(f.rule_id)} ครั้งที่ {f.instance}"
                    f' · <span class="{f.severity}">{e(STATUS_TH[f.status])} '
                    f"({e(SEVERITY_TH[f.severity])})</span></p>"
                    f"<p>{e(messages(f)[0])}</p>"
                    f"<p><small>ครบกำหนด {e(thai_day(f.due_date))} · ผู้รับผิดชอบ: "
                    f"{e(responsible(f))} · {e(citation(f))}</small></p>"
                    f"<ul>{lines}</ul></section>"
                )
        if self.rejects:
            parts.append("<h2>รายการที่ถูกปฏิเสธ</h2><ul>")
            for r in self.rejects:
                rid = f" ({e(r.record_id)})" if r.record_id else ""
                parts.append(
                    f"<li>{e(r.source)} บรรทัด {r.line}{rid}: {e('; '.join(r.errors))}</li>"
                )
            parts.append("</ul>")
        parts.append("</body></html>\n")
        self.out.write("\n".join(parts).encode("utf-8"))
