"""A self-contained HTML page for an office: no request at view time (inline style and a small
inline script, no fonts, images or links out).

Order: what falls due in the next 7 days, rejected records, summary counts, then each agency's
findings most urgent first (search, filters, sortable columns; explanations folded in
<details>), the rules cited — their citation and interpretation once each, not per finding —
and the provenance last. Readable at 390 px (rows become cards) and on A4 (headers repeat, no
finding split across pages, page numbers). Every piece of record text is escaped, its control
and bidi-override characters shown as escapes (`html_text`).
"""

from __future__ import annotations

import re
from typing import Any

from compliance.engine.findings import STATUSES, Finding
from compliance.report.base import (
    SEVERITY_TH,
    STATUS_TH,
    UPCOMING_TH,
    footer_th,
    html_text,
    thai_day,
)
from compliance.report.messages import citation, explanation, messages, responsible
from compliance.report.timeline import Timeline, TimelineRenderer, html_th
from compliance.report.words import (
    COUNTING_NOTE,
    GROUP_SHORT_TH,
    GROUPS,
    data_message_th,
    left_th,
    period_text,
    reason_th,
    rule_ref,
    short_step,
    urgency_group,
)

STYLE = """
*{box-sizing:border-box}
body{font-family:'Sarabun','TH Sarabun New','Noto Sans Thai','Loma','Tahoma',sans-serif;
margin:0 auto;max-width:1400px;padding:1rem 1.5rem;color:#1a1a1a;line-height:1.5}
h1{font-size:1.5rem;margin:.2rem 0}h2{font-size:1.25rem;margin:1.6rem 0 .4rem;
border-bottom:2px solid #ddd}h3{font-size:1.1rem;margin:1.2rem 0 .3rem}
table{border-collapse:collapse;margin:.4rem 0}table.f{width:100%;table-layout:fixed}
caption{text-align:left}
table.f td:nth-child(-n+3){white-space:nowrap;overflow-wrap:normal}
table.f th:nth-child(1){width:4%}table.f th:nth-child(2){width:11%}
table.f th:nth-child(3){width:13%}table.f th:nth-child(4){width:11%}
table.f th:nth-child(5),table.f th:nth-child(6){width:9%}
table.f th:nth-child(7){width:6%}td ul{margin:0;padding-left:1.1rem}
th,td{border:1px solid #c8c8c8;padding:.25rem .45rem;text-align:left;vertical-align:top}
thead th{background:#eee}th[data-k]{cursor:pointer}th[data-k]:after{content:" ⇅";color:#888}
td.n{text-align:right;white-space:nowrap}td.d,table.u td{white-space:nowrap}
b,.i{white-space:nowrap}.overdue{color:#b00020}.due_soon{color:#8a4b00}
.record{color:#5b2a86}.data{color:#0b5394}.open,.pending,.met{color:#1b5e20}
tr[data-g=overdue] td:first-child{border-left:4px solid #b00020}
tr[data-g=due_soon] td:first-child{border-left:4px solid #e08a00}
tr[data-g=record] td:first-child{border-left:4px solid #7a1fa2}
tr[data-g=data] td:first-child{border-left:4px solid #0b5394}
small,.muted{color:#555}details summary{cursor:pointer}details ul{margin:.2rem 0 .2rem 1rem;
padding:0}a{color:#0b5394}code{font-family:inherit}
#controls{position:sticky;top:0;background:#fff;padding:.5rem 0;border-bottom:1px solid #ddd;
display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;z-index:1}
#controls input,#controls select{font:inherit;padding:.2rem .4rem;max-width:100%}
#controls input{flex:1 1 14rem}
nav ul{columns:2 22rem;padding-left:1.2rem;margin:.3rem 0}
details.tl{margin-top:.3rem}details.tl ul{list-style:none;padding-left:.8rem;margin:0}
details.tl p.st{font-weight:bold;margin:.3rem 0 0}details.tl li.p{padding-left:.8rem}
details.tl li.p:before{content:"▸ "}details.tl li li:before{content:"· "}
details.tl li.violation{color:#b00020}
details.tl li.advisory{color:#5b2a86}details.tl li.warning{color:#8a4b00}
.k{content-visibility:auto;contain-intrinsic-size:auto 9000px}
.warn{color:#0b5394;font-size:.9em}footer{margin-top:2rem;border-top:1px solid #ddd;
font-size:.85rem;color:#555}
@media (max-width:640px){body{padding:.5rem}
table.f,table.f tbody,table.f tr,table.f td{display:block;width:100%}
table.f thead,table.u thead,table.c thead{display:none}
table.c tr,table.c td{display:block;border:0}
table.c tr{border-top:1px solid #c8c8c8}table.u td{white-space:normal}
table.u td.i{white-space:nowrap}.scroll td:first-child{min-width:11rem}
table.f{table-layout:auto}table.f caption{display:block}
table.u tr{display:block;border-top:1px solid #c8c8c8;padding:.3rem 0}
table.u td{display:inline;border:0;
padding:0 .4rem 0 0}.scroll{overflow-x:auto}
table.f tr{border:1px solid #c8c8c8;margin:.5rem 0;padding:.2rem}
table.f td{border:0;padding:.1rem .3rem}td.n,td.d{text-align:left}nav ul{columns:1}
table.f td:nth-child(-n+7):before{color:#555}table.f td:nth-child(1):before{content:"ลำดับ "}
table.f td:nth-child(2):before{content:"เรื่อง: "}
table.f td:nth-child(3):before{content:"กฎ: "}
table.f td:nth-child(5):before{content:"ครบกำหนด: "}
table.f td:nth-child(6):before{content:"ดำเนินการ: "}
table.f td:nth-child(7):before{content:"ช้า/เหลือ (วัน): "}table.f td:empty{display:none}}
@page{size:A4;margin:14mm 12mm 16mm 12mm;
@bottom-right{content:"หน้า " counter(page) " / " counter(pages);font-size:9pt}}
@media print{body{max-width:none;padding:0;font-size:10.5pt}table.f{font-size:8.5pt}
table.f th:nth-child(1){width:5%}table.f th:nth-child(2){width:13%}
table.f th:nth-child(3){width:15%}
table.f th:nth-child(4){width:12%}table.f th:nth-child(7){width:7%}
#controls,.noprint{display:none}
thead{display:table-header-group;break-after:avoid}tbody tr:first-child{break-before:avoid}
tr,section.rule,li,caption{break-inside:avoid}
h2,h3{break-after:avoid}.k{content-visibility:visible}a{color:inherit;
text-decoration:none}th[data-k]:after{content:""}}
"""

# Search, filters and sorting: plain DOM, no library, nothing fetched.
SCRIPT = """
(function(){
var $=function(i){return document.getElementById(i)};
var q=$('q'),fg=$('fg'),fs=$('fs'),fa=$('fa'),fr=$('fr'),n=$('n');if(!q)return;
var rows=Array.prototype.slice.call(document.querySelectorAll('tr.f')),text=null;
var secs=document.querySelectorAll('section.agency,div.k');
function apply(){if(!text)text=rows.map(function(r){return r.textContent.toLowerCase()});
var s=q.value.trim().toLowerCase(),g=fg.value,t=fs.value,a=fa.value,r=fr.value,c=0;
rows.forEach(function(x,i){var ok=(!s||text[i].indexOf(s)>=0)&&(!g||x.dataset.g===g)&&
(!t||x.dataset.s===t)&&
(!a||x.dataset.a===a)&&(!r||x.dataset.r===r);x.hidden=!ok;if(ok)c++});
secs.forEach(function(x){x.hidden=!x.querySelector('tr.f:not([hidden])')});n.textContent=c}
[q,fg,fs,fa,fr].forEach(function(e){e.addEventListener('input',apply)});
function key(r,k){var c=r.cells[k],v=c.getAttribute('data-v');return v===null?c.textContent:v}
document.querySelectorAll('th[data-k]').forEach(function(th){th.addEventListener('click',
function(){var sec=th.closest('section'),k=+th.dataset.k,d=sec.dataset.d==='1'?-1:1;
sec.dataset.d=d===1?'1':'0';var rs=Array.prototype.slice.call(sec.querySelectorAll('tr.f'));
rs.sort(function(x,y){var p=key(x,k),q2=key(y,k),np=parseFloat(p),nq=parseFloat(q2);
if(p===''&&q2!=='')return 1;if(q2===''&&p!=='')return -1;
if(!isNaN(np)&&!isNaN(nq)&&/^-?[0-9.]+$/.test(p)&&/^-?[0-9.]+$/.test(q2))return d*(np-nq);
return d*p.localeCompare(q2,'th')});var bs=Array.prototype.slice.call(sec.querySelectorAll(
'tbody')),sizes=bs.map(function(b){return b.rows.length}),i=0;bs.forEach(function(b,j){
for(var end=i+sizes[j];i<end;i++)b.appendChild(rs[i])})})});
var opened=[];addEventListener('beforeprint',function(){document.querySelectorAll(
'details:not([open]):not(.tl)').forEach(function(x){x.open=true;opened.push(x)})});
addEventListener('afterprint',function(){opened.forEach(function(x){x.open=false});opened=[]});
})();
"""

# Rows per table: each block of rows is its own table in a box the browser lays out only when
# it scrolls into view (content-visibility), so 3,000 findings open as fast as 200.
CHUNK = 200
COLUMNS = (
    ("#", "ลำดับ"),
    ("เรื่อง", "เรื่อง"),
    ("กฎ", "กฎ"),
    ("สถานะ", "สถานะ"),
    ("ครบกำหนด", "ครบกำหนด"),
    ("ดำเนินการ", "ดำเนินการ"),
    ("วัน", "ช้า/เหลือ (วัน)"),
    ("รายละเอียด", "รายละเอียด"),
)


def _keep_numbers(text: str) -> str:
    """`เลยกำหนด 3` never wrapped between the word and its number."""
    return re.sub(r" (\d)", "\u00a0\\1", text)


class HtmlRenderer(TimelineRenderer):
    """One page for the legal officers and สำนักงาน ก.ก."""

    def finish(self, summary: dict[str, Any]) -> None:
        e = html_text
        findings = self.ordered()
        agencies = self.agencies()
        index = {a: i for i, a in enumerate(agencies)}
        by_agency: dict[str, list[Finding]] = {}
        for f in findings:
            by_agency.setdefault(f.agency, []).append(f)
        data_rows: dict[str, str] = {}  # record id → anchor of its first data problem
        for f in findings:
            if urgency_group(f) == "data":
                data_rows.setdefault(f.subject_id, f"d-{len(data_rows)}")
        upcoming = self.upcoming_ordered()
        heading = "ทุกรายการ" if self.show_all else "รายการที่ต้องดำเนินการ"
        parts = [
            "<!DOCTYPE html>",
            '<html lang="th"><head><meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            "<title>รายงานการตรวจกำหนดเวลา</title>",
            f"<style>{STYLE}</style></head><body>",
            f"<header><h1>{e(self.title())}</h1>",
            f"<p>{e(self.summary_line(summary))}</p></header>",
            '<nav id="toc"><h2>สารบัญ</h2><ul>',
        ]
        if upcoming:
            count = len(self.upcoming)
            parts.append(f'<li><a href="#upcoming">{UPCOMING_TH} ({count})</a></li>')
        if self.rejects:
            parts.append(f'<li><a href="#rejected">รายการที่ถูกปฏิเสธ ({len(self.rejects)})</a></li>')
        parts.append('<li><a href="#summary">สรุป</a></li>')
        for agency in agencies:
            if agency in by_agency:
                parts.append(
                    f'<li><a href="#a-{index[agency]}">{e(agency)}</a> '
                    f"<small>{e(self.agency_counts_th(agency))}</small></li>"
                )
        parts.append('<li><a href="#rules">กฎที่อ้างถึง</a></li></ul></nav>')
        parts.extend(self._upcoming(upcoming))
        parts.extend(self._rejected())
        parts.extend(self._summary_tables(summary, agencies, index, by_agency))
        parts.append(f"<h2>{heading}</h2>")
        if findings:
            parts.append(self._controls(findings, agencies, by_agency))
        cited: dict[str, Finding] = {}
        parts.extend(self._agency_sections(agencies, index, by_agency, data_rows, cited))
        if findings:
            parts.append(f'<p class="muted">แสดง <span id="n">{len(findings)}</span> รายการ</p>')
        parts.append(self._rules(cited))
        parts.append(f"<footer><p>{e(footer_th(self.header))}</p></footer>")
        parts.append(f"<script>{SCRIPT}</script></body></html>\n")
        self.out.write("\n".join(parts).encode("utf-8"))

    def _upcoming(self, upcoming: list[Finding]) -> list[str]:
        """Due within 7 days, soonest first: the first list an office reads."""
        e = html_text
        parts: list[str] = []
        if upcoming:
            parts.append(
                f'<section id="upcoming"><h2>{UPCOMING_TH}</h2>'
                + (f"<p>{e(self.upcoming_note())}</p>" if self.upcoming_note() else "")
                + '<table class="u">'
                "<thead><tr><th>ครบกำหนด</th><th>เหลือ</th><th>เรื่อง</th><th>กฎ</th>"
                "<th>หน่วยงาน</th></tr></thead><tbody>"
            )
            for f in upcoming:
                parts.append(
                    f"<tr><td class=d>{e(thai_day(f.due_date))}</td>"
                    f"<td>{e(left_th(f, self.as_of()))}</td><td class=i>{e(f.subject_id)}</td>"
                    f"<td class=i>{e(rule_ref(f))}</td><td>{e(f.agency)}</td></tr>"
                )
            parts.append("</tbody></table></section>")
        return parts

    def _rejected(self) -> list[str]:
        """Records not audited, with the reasons in Thai."""
        e = html_text
        parts: list[str] = []
        if self.rejects:
            parts.append(
                '<section id="rejected"><h2>รายการที่ถูกปฏิเสธ (ไม่ได้ตรวจ)</h2>'
                '<table class="c"><thead><tr>'
                "<th>ไฟล์ บรรทัด</th><th>เรื่อง</th><th>เหตุผล</th></tr></thead><tbody>"
            )
            for r in self.rejects:
                reasons = "".join(f"<li>{e(reason_th(x))}</li>" for x in r.errors)
                parts.append(
                    f"<tr><td>{e(r.source)} บรรทัด {r.line}</td><td>{e(r.record_id or '–')}</td>"
                    f"<td><ul>{reasons}</ul></td></tr>"
                )
            parts.append("</tbody></table></section>")
        return parts

    def _summary_tables(
        self,
        summary: dict[str, Any],
        agencies: list[str],
        index: dict[str, int],
        by_agency: dict[str, list[Finding]],
    ) -> list[str]:
        """Counts by status and by agency (what each must act on)."""
        e = html_text
        parts: list[str] = []
        parts.append('<section id="summary"><h2>สรุปตามสถานะ</h2>')
        parts.append("<table><thead><tr><th>สถานะ</th><th>จำนวน</th></tr></thead><tbody>")
        for status in STATUSES:
            count = summary["by_status"].get(status, 0)
            if count:
                parts.append(f"<tr><td>{e(STATUS_TH[status])}</td><td class=n>{count}</td></tr>")
        parts.append(
            '</tbody></table><h2>สรุปตามหน่วยงาน</h2><div class="scroll"><table><thead><tr>'
            "<th>หน่วยงาน</th>"
        )
        used = [g for g in GROUPS if any(c[g] for c in self.groups_by_agency.values())]
        parts.extend(f"<th>{e(GROUP_SHORT_TH[g])}</th>" for g in used)
        parts.append("</tr></thead><tbody>")
        for agency in agencies:
            counts = self.groups_by_agency[agency]
            cells = "".join(f"<td class=n>{counts[g]}</td>" for g in used)
            name = (
                f'<a href="#a-{index[agency]}">{e(agency)}</a>'
                if agency in by_agency
                else e(agency)
            )
            parts.append(f"<tr><td>{name}</td>{cells}</tr>")
        parts.append("</tbody></table></div></section>")
        return parts

    def _agency_sections(
        self,
        agencies: list[str],
        index: dict[str, int],
        by_agency: dict[str, list[Finding]],
        data_rows: dict[str, str],
        cited: dict[str, Finding],
    ) -> list[str]:
        """Each agency's findings, most urgent first, in tables of CHUNK rows; fills `cited`
        with the first finding of each rule (for the rules section)."""
        e = html_text
        parts: list[str] = []
        order = 0
        for agency in agencies:
            rows = by_agency.get(agency)
            if not rows:
                continue
            parts.append(f'<section class="agency" id="a-{index[agency]}">')
            # The heading is the first table's caption: on paper it never stays behind alone.
            caption = (
                f"<caption><h3>{e(agency)} "
                f"<small>— {e(_keep_numbers(self.agency_counts_th(agency)))}</small></h3></caption>"
            )
            head = "".join(
                f'<th data-k="{k}">{e(label)}</th>' for k, (_, label) in enumerate(COLUMNS)
            )
            seen_data: set[str] = set()
            timelines: set[tuple[str, str]] = set()  # records whose timeline is shown
            for start in range(0, len(rows), CHUNK):
                parts.append(
                    f'<div class="k"><table class="f">{caption if start == 0 else ""}'
                    f"<thead><tr>{head}</tr></thead><tbody>"
                )
                for f in rows[start : start + CHUNK]:
                    order += 1
                    cited.setdefault(f.rule_id, f)
                    anchor = ""
                    if urgency_group(f) == "data" and f.subject_id not in seen_data:
                        seen_data.add(f.subject_id)
                        anchor = f' id="{data_rows[f.subject_id]}"'
                    key = (f.subject_type, f.subject_id)
                    timeline = self.timeline_of(f) if key not in timelines else None
                    timelines.add(key)
                    parts.append(self._row(f, order, index[agency], anchor, data_rows, timeline))
                parts.append("</tbody></table></div>")
            parts.append("</section>")
        return parts

    def _controls(
        self, findings: list[Finding], agencies: list[str], by_agency: dict[str, list[Finding]]
    ) -> str:
        e = html_text
        groups = [g for g in GROUPS if any(urgency_group(f) == g for f in findings)]
        rules = sorted({f.rule_id for f in findings})
        statuses = [st for st in STATUSES if any(f.status == st for f in findings)]
        return (
            '<div id="controls" class="noprint">'
            '<input id="q" type="search" placeholder="ค้นหา เลขที่เรื่อง กฎ ข้อความ…" '
            'aria-label="ค้นหา">'
            '<select id="fg" aria-label="กลุ่ม"><option value="">ทุกกลุ่ม</option>'
            + "".join(f'<option value="{g}">{e(GROUP_SHORT_TH[g])}</option>' for g in groups)
            + '</select><select id="fs" aria-label="สถานะ"><option value="">ทุกสถานะ</option>'
            + "".join(f'<option value="{st}">{e(STATUS_TH[st])}</option>' for st in statuses)
            + '</select><select id="fa" aria-label="หน่วยงาน"><option value="">ทุกหน่วยงาน</option>'
            + "".join(
                f'<option value="{i}">{e(a)}</option>'
                for i, a in enumerate(agencies)
                if a in by_agency
            )
            + '</select><select id="fr" aria-label="กฎ"><option value="">ทุกกฎ</option>'
            + "".join(f'<option value="{e(r)}">{e(r)}</option>' for r in rules)
            + "</select></div>"
        )

    def _row(
        self,
        f: Finding,
        order: int,
        agency: int,
        anchor: str,
        data_rows: dict[str, str],
        timeline: Timeline | None = None,
    ) -> str:
        """One finding; the first (most urgent) row of a record also folds its timeline."""
        e = html_text
        group = urgency_group(f)
        if f.rule is None:
            summary_text, lines = data_message_th(f), []
        else:
            message = messages(f)[0]
            title = f.rule.title_th
            summary_text = message.removeprefix(title).lstrip(" :") if title else message
            summary_text = summary_text.removeprefix(f"(ครั้งที่ {f.instance}): ")
            lines = [short_step(x) for x in explanation(f)[0]]
        steps = "".join(f"<li>{e(x)}</li>" for x in lines)
        detail = (
            f"<details><summary>{e(summary_text)}</summary><ul>{steps}</ul></details>"
            if steps
            else e(summary_text)
        )
        if group != "data" and f.subject_id in data_rows:
            detail += f' <a class="warn" href="#{data_rows[f.subject_id]}">⚠ ข้อมูลของเรื่องนี้ขัดกัน</a>'
        if timeline is not None:
            detail += html_th(timeline, self.as_of())
        if f.days_late is not None:
            days, value = str(f.days_late), str(f.days_late)
        elif f.status in ("due_soon", "pending") and f.due_date:
            left = (f.due_date - self.as_of()).days
            days, value = (f"อีก {left}" if left else "วันนี้"), str(-left)
        else:
            days, value = "", ""
        instance = f" #{f.instance}" if f.instance is not None else ""
        due = f.due_date.isoformat() if f.due_date else ""
        done = f.done_on.isoformat() if f.done_on else ""
        return (
            f'<tr class="f"{anchor} data-g="{group}" data-s="{f.status}" data-a="{agency}" '
            f'data-r="{e(f.rule_id)}">'
            f"<td class=n>{order}</td><td>{e(f.subject_id)}</td>"
            f'<td><a href="#r-{e(f.rule_id)}">{e(f.rule_id)}</a>{instance}</td>'
            f'<td data-v="{GROUPS.index(group)}"><b class="{group}">{e(STATUS_TH[f.status])}</b>'
            f" <small>{e(SEVERITY_TH[f.severity])}</small></td>"
            f'<td class=d data-v="{due}">{e(thai_day(f.due_date))}</td>'
            f'<td class=d data-v="{done}">{e(thai_day(f.done_on))}</td>'
            f'<td class=n data-v="{value}">{e(days)}</td><td>{detail}</td></tr>'
        )

    def _rules(self, cited: dict[str, Finding]) -> str:
        e = html_text
        parts = ['<section id="rules"><h2>กฎที่อ้างถึง</h2>']
        for rule_id in sorted(cited):
            f = cited[rule_id]
            rule = f.rule
            parts.append(f'<section class="rule" id="r-{e(rule_id)}"><h3>{e(rule_id)} ')
            if rule is None:
                parts.append(
                    "<small>ปัญหาข้อมูล</small></h3><p>บันทึกของเรื่องขัดกันเอง เช่น รายงานสิ่งที่"
                    "บันทึกว่าไม่เคยเกิดขึ้น หรือเหตุการณ์ลงวันที่ในอนาคต ผู้บันทึกข้อมูลของหน่วยงาน"
                    "ควรตรวจสอบและแก้ไขบันทึก</p></section>"
                )
                continue
            parts.append(
                f"{e(rule.title_th)}</h3><p>{e(citation(f))}<br>ระยะเวลา: {e(period_text(rule))}"
                f" · ผู้รับผิดชอบ: {e(responsible(f))}</p>"
            )
            if rule.interpretation_th:
                parts.append(f"<p><small>การตีความ: {e(rule.interpretation_th)}</small></p>")
            parts.append("</section>")
        parts.append(f"<p><small>{e(COUNTING_NOTE)}</small></p></section>")
        return "".join(parts)
