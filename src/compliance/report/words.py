"""Thai words the human formats share beyond statuses: event kinds, rejection reasons, the
report's generation time, and the order of urgency. Renderers only present; nothing here judges.
"""

from __future__ import annotations

import re
from datetime import date, datetime

from compliance.calendar.thaidate import BANGKOK, format_thai
from compliance.engine.findings import Finding
from compliance.engine.rulebook import Rule
from compliance.records import event_name_th
from compliance.report.messages import messages


def rule_ref(f: Finding) -> str:
    """`CMP-3.2 #1`, or the rule id alone for a finding of no instance (DATA-EXTENSION)."""
    return f"{f.rule_id} #{f.instance}" if f.instance is not None else f.rule_id


def data_message_th(f: Finding) -> str:
    """A data finding (DATA-*) in an officer's words, the event named in Thai."""
    event = f"“{event_name_th(f.event_kind, f.subject_type)}”"
    day = f" ลงวันที่ {format_thai(f.done_on)}" if f.done_on else ""
    if f.rule_id == "DATA-FUTURE":
        return f"บันทึก{event}{day} ซึ่งเป็นวันในอนาคต ตรวจสอบวันที่ที่บันทึก"
    if f.rule_id == "DATA-EXTENSION":
        return messages(f)[0].removeprefix("ข้อมูลไม่สอดคล้อง: ")
    if f.rule_id == "DATA-ORPHAN":
        return (
            f"บันทึก{event}{day} แต่ไม่มีเหตุที่ต้องดำเนินการตาม {f.related_rule or 'กฎ'} "
            "ในหรือก่อนวันนั้น ตรวจสอบว่าบันทึกเหตุตั้งต้นครบหรือวันที่ถูกต้อง"
        )
    return f"ข้อมูลไม่สอดคล้อง: {event}{day}"


# ----------------------------------------------------------------------------- urgency order

# What needs action first: overdue, due soon, done late / missing / breached (for the record),
# data problems; then (with --all) what is open, not yet due, met.
GROUPS: tuple[str, ...] = ("overdue", "due_soon", "record", "data", "open", "pending", "met")
GROUP_TH: dict[str, str] = {
    "overdue": "เลยกำหนด ยังไม่ดำเนินการ",
    "due_soon": "ใกล้ครบกำหนด",
    "record": "ดำเนินการช้า / ไม่ได้ดำเนินการ / ไม่เป็นไปตามเงื่อนไข (บันทึกไว้)",
    "data": "ปัญหาข้อมูล",
    "open": "รอดำเนินการโดยเร็ว",
    "pending": "ยังไม่ถึงกำหนด",
    "met": "ทันกำหนด",
}
GROUP_SHORT_TH: dict[str, str] = {
    "overdue": "เลยกำหนด",
    "due_soon": "ใกล้ครบกำหนด",
    "record": "บันทึกไว้",
    "data": "ปัญหาข้อมูล",
    "open": "รอดำเนินการ",
    "pending": "ยังไม่ถึงกำหนด",
    "met": "ทันกำหนด",
}
ACTION_GROUPS = frozenset({"overdue", "due_soon", "record", "data"})
_GROUP_OF = {
    "overdue": "overdue",
    "due_soon": "due_soon",
    "late": "record",
    "missing": "record",  # SPEC §15: closed without the act; nothing left to do but record it
    "breached": "record",
    "inconsistent": "data",
    "open": "open",
    "pending": "pending",
    "met": "met",
}
_RANK = {g: i for i, g in enumerate(GROUPS)}


def urgency_group(f: Finding) -> str:
    """The section of the report a finding belongs to."""
    return _GROUP_OF[f.status]


def days_left(f: Finding, as_of: date) -> int | None:
    """Days from the audit date to the due date (negative once past)."""
    return (f.due_date - as_of).days if f.due_date else None


def left_th(f: Finding, as_of: date) -> str:
    """`วันนี้`, `อีก 3 วัน` or `เลยมา 2 วัน`: the due date from the audit date."""
    left = days_left(f, as_of)
    if left is None:
        return ""
    if left == 0:
        return "ครบกำหนดวันนี้"
    return f"อีก {left} วัน" if left > 0 else f"เลยมา {-left} วัน"


def urgency_key(f: Finding, as_of: date) -> tuple[object, ...]:
    """Sort key: group, then most days late first (overdue, for the record) or fewest days
    left first (due soon, pending); data problems by record so that the contradictions of one
    record sit together; ties by record, rule and instance so the order is stable."""
    group = urgency_group(f)
    if group in ("overdue", "record"):
        measure = -(f.days_late if f.days_late is not None else -1)
    elif group in ("due_soon", "pending"):
        left = days_left(f, as_of)
        measure = left if left is not None else 1 << 30
    else:
        measure = 0
    return (_RANK[group], measure, f.subject_id, f.rule_id, f.instance or 0)


def urgency_order(findings: list[Finding], as_of: date) -> list[Finding]:
    """The findings in the order an office acts on them."""
    return sorted(findings, key=lambda f: urgency_key(f, as_of))


# ----------------------------------------------------------------------------- time, reasons


def generated_th(generated_at: str) -> str:
    """The report's generation time in Bangkok, B.E. date: `1 ธันวาคม 2569 11:14 น.`."""
    try:
        moment = datetime.fromisoformat(generated_at).astimezone(BANGKOK)
    except ValueError:
        return generated_at
    return f"{format_thai(moment.date())} {moment:%H:%M} น."


_FIELD_TH = {
    "type": "ประเภทเรื่อง (type)",
    "case_id": "เลขที่เรื่อง (case_id)",
    "complaint_id": "เลขที่เรื่อง (complaint_id)",
    "agency": "หน่วยงาน (agency)",
    "events": "เหตุการณ์",
    "date": "วันที่",
    "kind": "ชนิดเหตุการณ์",
    "received_at": "วันที่รับเรื่อง (received_at)",
    "channel": "ช่องทาง (channel)",
    "corruption": "เรื่องทุจริต (corruption)",
    "respondent_category": "ประเภทผู้ถูกกล่าวหา (respondent_category)",
    "complainant": "ผู้ร้อง",
}
_REASONS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern), thai)
    for pattern, thai in (
        (r"^invalid JSON", "รูปแบบ JSON ไม่ถูกต้อง อ่านบรรทัดนี้ไม่ได้"),
        (r"^not valid UTF-8", "ไม่ใช่ข้อความ UTF-8"),
        (r"^a record must be a JSON object", "แต่ละรายการต้องเป็นวัตถุ JSON"),
        (r"missing; expected", "ไม่ได้ระบุ"),
        (r"unknown record type", "ไม่รู้จักประเภทนี้ (ต้องเป็น disciplinary_case หรือ complaint)"),
        (r"duplicate id", "ซ้ำกับเรื่องที่อ่านก่อนหน้า"),
        (r"two-digit year", "ปีเขียนสองหลัก กำกวม ให้เขียนปีสี่หลัก"),
        (r"does not exist in", "ไม่มีวันนี้ในปฏิทิน"),
        (r"^Field required", "ขาดข้อมูลที่จำเป็น"),
        (r"^Extra inputs are not permitted", "ไม่รู้จักช่องนี้ (สะกดผิดหรือไม่)"),
        (r"^Input should be a valid boolean", "ต้องเป็น true หรือ false"),
        (r"^Input should be a valid string", "ต้องเป็นข้อความ"),
        (r"^Input should be a valid integer", "ต้องเป็นจำนวนเต็ม"),
        (r"^Input should be a valid list", "ต้องเป็นรายการ (list)"),
        (r"^Input should be '", "ไม่ใช่ค่าที่กำหนดไว้"),
        (r"is required for", "ขาดข้อมูลที่ต้องมีสำหรับเหตุการณ์ชนิดนี้"),
        (r"date", "วันที่ไม่ถูกต้อง"),
    )
)


def _field_th(loc: str) -> str:
    """`events[2].date` → `เหตุการณ์ที่ 3 › วันที่`."""
    parts: list[str] = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", loc):
        if index:
            parts[-1:] = [f"{parts[-1] if parts else ''}ที่ {int(index) + 1}"]
        else:
            parts.append(_FIELD_TH.get(name, name))
    return " › ".join(parts)


def reason_th(error: str) -> str:
    """A rejection reason in Thai (the English one, which the JSON report keeps, is built from
    field and problem only, never from the value: SPEC §8)."""
    loc, sep, problem = error.partition(": ")
    if not sep or " " in loc:
        loc, problem = "", error
    thai = next((th for pattern, th in _REASONS if pattern.search(problem)), "ข้อมูลไม่ถูกต้อง")
    return f"{_field_th(loc)}: {thai}" if loc else thai


def period_text(rule: Rule) -> str:
    """A rule's period in Thai words."""
    if rule.kind == "overrun":
        return f"รายงานเมื่อเกิน {rule.overrun_days} วัน"
    if rule.period is None:
        return "โดยเร็ว" if rule.kind == "open_ended" else "เงื่อนไข"
    unit = "วันทำการ" if rule.period.unit == "working_days" else "วัน"
    every = "ทุก " if rule.kind == "recurring" else ""
    return f"{every}{rule.period.days} {unit}"


# The counting clause every deadline's explanation cites (กฎ ก.ก. ข้อ ๑๐๑): named in full once,
# in a report's rules section, and shortened in each step.
COUNTING_DOC = "กฎ ก.ก. ว่าด้วยการดำเนินการทางวินัย พ.ศ. ๒๕๖๕ "
COUNTING_NOTE = f"“ข้อ ๑๐๑” ในคำอธิบายการนับวัน หมายถึง {COUNTING_DOC}ข้อ ๑๐๑"


def short_step(line: str) -> str:
    """An explanation step without the counting clause's full title (see COUNTING_NOTE)."""
    return line.replace(COUNTING_DOC, "")
