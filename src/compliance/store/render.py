"""The store's reports in Thai with B.E. dates: changes between runs (JSON, table, Markdown,
HTML, CSV), the list of runs, one record's history, and each office's digest."""

from __future__ import annotations

import hashlib
import io
import unicodedata
from collections.abc import Callable, Sequence

import orjson
from rich.console import Console
from rich.table import Table
from rich.text import Text

from compliance.calendar.thaidate import format_thai
from compliance.report.base import SEVERITY_TH, STATUS_TH, SUBJECT_TH, html_text, thai_day
from compliance.report.csvout import csv_bytes
from compliance.report.html import STYLE
from compliance.report.markdown import md
from compliance.store.queries import GROUPS, Change, HistoryRow, Item, OfficeDigest, Run

GROUP_TH = {
    "new_violation": "ฝ่าฝืนใหม่",
    "due_soon": "ใกล้ครบกำหนดใหม่",
    "resolved": "ดำเนินการแล้ว",
    "other": "การเปลี่ยนแปลงอื่น",
}
ABSENT_TH = "ไม่มีในการตรวจ"
CHANGE_HEADER = [
    "ประเภท",
    "เลขที่เรื่อง",
    "รหัสกฎ",
    "ครั้งที่",
    "สถานะเดิม",
    "สถานะใหม่",
    "วันครบกำหนด",
]


def status_th(status: str | None) -> str:
    """A status in Thai; None is a key absent from that run."""
    return ABSENT_TH if status is None else STATUS_TH.get(status, status)


def run_th(run: Run) -> str:
    """`ครั้งที่ 2 (ณ วันที่ 30 มิถุนายน 2566)`."""
    return f"ครั้งที่ {run.id} (ณ วันที่ {format_thai(run.as_of)})"


def changes_json(first: Run, second: Run, changes: Sequence[Change]) -> bytes:
    """SPEC §12's JSON."""
    body = {
        "from": first.brief(),
        "to": second.brief(),
        "changes": [c.to_json() for c in changes],
    }
    return orjson.dumps(body, option=orjson.OPT_INDENT_2) + b"\n"


def _grouped(changes: Sequence[Change]) -> list[tuple[str, list[tuple[str, list[Change]]]]]:
    """By agency (sorted), then new violations, newly due soon, resolved, the rest."""
    agencies: dict[str, dict[str, list[Change]]] = {}
    for change in changes:
        agencies.setdefault(change.agency, {}).setdefault(change.group, []).append(change)
    return [
        (agency, [(g, agencies[agency][g]) for g in GROUPS if g in agencies[agency]])
        for agency in sorted(agencies)
    ]


def _key_cells(subject_type: str, subject_id: str, rule_id: str, instance: int) -> list[str]:
    return [SUBJECT_TH.get(subject_type, subject_type), subject_id, rule_id, str(instance)]


def _cells(c: Change) -> list[str]:
    return [
        *_key_cells(c.subject_type, c.subject_id, c.rule_id, c.instance),
        status_th(c.before.status),
        status_th(c.after.status),
        thai_day(c.due_date),
    ]


def _title(first: Run, second: Run, changes: Sequence[Change]) -> str:
    counts = {g: sum(1 for c in changes if c.group == g) for g in GROUPS}
    detail = " · ".join(f"{GROUP_TH[g]} {counts[g]}" for g in GROUPS)
    return (
        f"การเปลี่ยนแปลงจากการตรวจ{run_th(first)} ถึง{run_th(second)}: "
        f"{len(changes)} รายการ ({detail})"
    )


def _console(width: int) -> tuple[Console, io.StringIO]:
    buffer = io.StringIO()
    return Console(file=buffer, width=width, highlight=False, markup=False), buffer


def changes_table(first: Run, second: Run, changes: Sequence[Change]) -> bytes:
    """For a terminal."""
    console, buffer = _console(120)
    console.print(_title(first, second, changes))
    for agency, groups in _grouped(changes):
        for group, items in groups:
            table = Table(title=Text(f"{agency} — {GROUP_TH[group]} ({len(items)})"))
            for column in CHANGE_HEADER:
                table.add_column(column, overflow="fold")
            for change in items:
                table.add_row(*(Text(cell) for cell in _cells(change)))
            console.print(table)
    return buffer.getvalue().encode()


def changes_markdown(first: Run, second: Run, changes: Sequence[Change]) -> bytes:
    """For a ticket or a wiki page."""
    lines = [f"# {md(_title(first, second, changes))}", ""]
    for agency, groups in _grouped(changes):
        lines += [f"## {md(agency)}", ""]
        for group, items in groups:
            lines += [f"### {GROUP_TH[group]} ({len(items)})", ""]
            lines.append("| " + " | ".join(CHANGE_HEADER) + " |")
            lines.append("|" + "---|" * len(CHANGE_HEADER))
            lines += ["| " + " | ".join(md(x) for x in _cells(c)) + " |" for c in items]
            lines.append("")
    return "\n".join(lines).encode()


def _html_page(title: str, body: list[str]) -> bytes:
    head = [
        "<!DOCTYPE html>",
        '<html lang="th"><head><meta charset="utf-8">',
        f"<title>{html_text(title)}</title>",
        f"<style>{STYLE}</style></head><body>",
    ]
    return "\n".join([*head, *body, "</body></html>\n"]).encode()


def _html_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    head = "".join(f"<th>{html_text(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html_text(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def changes_html(first: Run, second: Run, changes: Sequence[Change]) -> bytes:
    """One self-contained page (inline style, no requests)."""
    title = _title(first, second, changes)
    body = ["<h1>การเปลี่ยนแปลงสถานะหน้าที่ตามกำหนดเวลา</h1>", f"<p>{html_text(title)}</p>"]
    for agency, groups in _grouped(changes):
        body.append(f"<h2>{html_text(agency)}</h2>")
        for group, items in groups:
            body.append(f"<h3>{GROUP_TH[group]} ({len(items)})</h3>")
            body.append(_html_table(CHANGE_HEADER, [_cells(c) for c in items]))
    return _html_page(title, body)


def changes_csv(first: Run, second: Run, changes: Sequence[Change]) -> bytes:
    """For spreadsheets: one row per change, agency and group first."""
    rows: list[list[str]] = [["หน่วยงาน", "กลุ่ม", *CHANGE_HEADER]]
    for agency, groups in _grouped(changes):
        for group, items in groups:
            rows += [[agency, GROUP_TH[group], *_cells(c)] for c in items]
    return csv_bytes(rows)


CHANGE_FORMATS: dict[str, Callable[[Run, Run, Sequence[Change]], bytes]] = {
    "json": changes_json,
    "table": changes_table,
    "markdown": changes_markdown,
    "html": changes_html,
    "csv": changes_csv,
}


def runs_table(all_runs: Sequence[Run]) -> bytes:
    """Every run, oldest first."""
    console, buffer = _console(140)
    table = Table(title=f"การตรวจที่บันทึกไว้ {len(all_runs)} ครั้ง")
    for column in (
        "ครั้งที่",
        "ณ วันที่",
        "เวลาที่ตรวจ (UTC)",
        "ชุดกฎ",
        "เรื่อง",
        "ปฏิเสธ",
        "หน้าที่",
        "เปลี่ยนแปลง",
    ):
        table.add_column(column, overflow="fold")
    for run in all_runs:
        table.add_row(
            str(run.id),
            thai_day(run.as_of),
            run.generated_at,
            run.rules_digest[:19] + "…",
            str(run.summary.get("records", "")),
            str(run.summary.get("rejected", "")),
            str(run.obligations),
            str(run.changes),
        )
    console.print(table)
    return buffer.getvalue().encode()


def runs_json(all_runs: Sequence[Run]) -> bytes:
    """Every run with its inputs' digests and summary."""
    body = [
        {
            "run": r.id,
            "as_of": r.as_of.isoformat(),
            "generated_at": r.generated_at,
            "rules": {"count": r.rules_count, "digest": r.rules_digest},
            "inputs": r.inputs,
            "summary": r.summary,
            "obligations": r.obligations,
            "changes": r.changes,
        }
        for r in all_runs
    ]
    return orjson.dumps({"runs": body}, option=orjson.OPT_INDENT_2) + b"\n"


def history_table(record_id: str, rows: Sequence[HistoryRow]) -> bytes:
    """One record's obligations across runs: each change, in Thai."""
    console, buffer = _console(140)
    console.print(Text(f"ประวัติสถานะของเรื่อง {record_id} ({len(rows)} การเปลี่ยนแปลง)"))
    table = Table()
    for column in (
        "ประเภท",
        "รหัสกฎ",
        "ครั้งที่",
        "ตั้งแต่การตรวจ",
        "สถานะ",
        "ระดับ",
        "หน่วยงาน",
        "วันครบกำหนด",
        "วันที่ดำเนินการ",
        "ช้า (วัน)",
    ):
        table.add_column(column, overflow="fold")
    for row in rows:
        state = row.state
        late = state.days_late  # the finding's own, as of this row's run (as in the JSON)
        table.add_row(
            SUBJECT_TH.get(row.subject_type, row.subject_type),
            Text(row.rule_id),
            str(row.instance),
            f"ครั้งที่ {row.run} ({thai_day(row.as_of)})",
            status_th(state.status),
            SEVERITY_TH.get(state.severity or "", "–"),
            Text(state.agency or "–"),
            thai_day(state.due_date),
            thai_day(state.done_on),
            "" if late is None else str(late),
        )
    console.print(table)
    return buffer.getvalue().encode()


def history_json(record_id: str, rows: Sequence[HistoryRow]) -> bytes:
    """The same history as JSON (ISO dates)."""
    body = [
        {
            "subject_type": r.subject_type,
            "rule_id": r.rule_id,
            "instance": r.instance,
            "run": r.run,
            "as_of": r.as_of.isoformat(),
            "status": r.state.status,
            "severity": r.state.severity,
            "agency": r.state.agency,
            "due_date": r.state.due_date.isoformat() if r.state.due_date else None,
            "done_on": r.state.done_on.isoformat() if r.state.done_on else None,
            "days_late": r.state.days_late,
        }
        for r in rows
    ]
    return orjson.dumps({"record_id": record_id, "history": body}, option=orjson.OPT_INDENT_2)


# --- digests ---------------------------------------------------------------------------------

DIGEST_SECTIONS = (
    ("new_violations", "ฝ่าฝืนใหม่ตั้งแต่การตรวจครั้งก่อน"),
    ("overdue", "ยังเลยกำหนดอยู่ (เรียงตามจำนวนวันที่ช้า)"),
    ("due", "ครบกำหนดภายใน {days} วัน"),
)
DIGEST_HEADER = ["ประเภท", "เลขที่เรื่อง", "รหัสกฎ", "ครั้งที่", "สถานะ", "วันครบกำหนด", "ช้า (วัน)"]


def _item_cells(item: Item) -> list[str]:
    return [
        *_key_cells(item.subject_type, item.subject_id, item.rule_id, item.instance),
        STATUS_TH.get(item.status, item.status),
        thai_day(item.due_date),
        "" if item.days_late is None else str(item.days_late),
    ]


def safe_name(agency: str, taken: set[str]) -> str:
    """A file name for an agency: its letters, marks and digits (Thai included), anything
    else — '/', '..', spaces — as '_'; a short digest keeps two offices apart."""
    kept = "".join(ch if unicodedata.category(ch)[0] in "LMN" else "_" for ch in agency)
    stem = "_".join(part for part in kept.split("_") if part)[:80] or "agency"
    if stem in taken or stem == "index":
        stem = f"{stem}-{hashlib.sha256(agency.encode()).hexdigest()[:8]}"
    taken.add(stem)
    return stem


def _digest_intro(latest: Run, previous: Run | None) -> str:
    since = f" เทียบกับการตรวจ{run_th(previous)}" if previous else " (การตรวจครั้งแรก)"
    return f"จากการตรวจ{run_th(latest)}{since}"


def digest_html(office: OfficeDigest, latest: Run, previous: Run | None, days: int) -> bytes:
    """One office's page: ready to attach to an e-mail (inline style, nothing fetched)."""
    title = f"สิ่งที่ต้องดำเนินการ — {office.agency}"
    body = [f"<h1>{html_text(title)}</h1>", f"<p>{html_text(_digest_intro(latest, previous))}</p>"]
    for attr, heading in DIGEST_SECTIONS:
        items: list[Item] = getattr(office, attr)
        body.append(f"<h2>{html_text(heading.format(days=days))} ({len(items)})</h2>")
        if items:
            body.append(_html_table(DIGEST_HEADER, [_item_cells(i) for i in items]))
        else:
            body.append("<p>ไม่มี</p>")
    return _html_page(title, body)


def digest_csv(office: OfficeDigest, days: int) -> bytes:
    """The same lines for a spreadsheet, section first."""
    rows: list[list[str]] = [["หน่วยงาน", "หัวข้อ", *DIGEST_HEADER]]
    for attr, heading in DIGEST_SECTIONS:
        items: list[Item] = getattr(office, attr)
        rows += [[office.agency, heading.format(days=days), *_item_cells(i)] for i in items]
    return csv_bytes(rows)


def digest_index(
    offices: Sequence[tuple[OfficeDigest, str]], latest: Run, previous: Run | None, days: int
) -> bytes:
    """The list of offices, their counts and their files."""
    title = "สรุปสิ่งที่ต้องดำเนินการรายหน่วยงาน"
    header = ["หน่วยงาน", "ฝ่าฝืนใหม่", "ยังเลยกำหนด", f"ครบกำหนดภายใน {days} วัน", "ไฟล์"]
    rows = []
    for office, stem in offices:
        rows.append(
            f"<tr><td>{html_text(office.agency)}</td><td>{len(office.new_violations)}</td>"
            f"<td>{len(office.overdue)}</td><td>{len(office.due)}</td>"
            f'<td><a href="{html_text(stem)}.html">{html_text(stem)}.html</a> · '
            f'<a href="{html_text(stem)}.csv">CSV</a></td></tr>'
        )
    head = "".join(f"<th>{html_text(h)}</th>" for h in header)
    body = [
        f"<h1>{title}</h1>",
        f"<p>{html_text(_digest_intro(latest, previous))}: {len(offices)} หน่วยงาน</p>",
        f"<table><tr>{head}</tr>{''.join(rows)}</table>",
    ]
    return _html_page(title, body)
