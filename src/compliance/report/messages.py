"""The words of a finding, in Thai and English: message, citation, responsible party and the
explanation of its arithmetic. Produced only when a finding is written out."""

from __future__ import annotations

from datetime import date, timedelta

from compliance.calendar.thaidate import (
    FORMATTED_DAYS,
    LAST_DAY,
    format_english,
    format_thai,
    to_be,
)
from compliance.engine.findings import Finding
from compliance.records import event_name_th

DATA_CITATION_TH = "ความสอดคล้องของข้อมูล (SPEC §6)"
DATA_CITATION_EN = "data consistency (SPEC §6)"
DATA_RESPONSIBLE_TH = "ผู้บันทึกข้อมูลของหน่วยงาน"
DATA_RESPONSIBLE_EN = "The agency's records officer"

_DAY_WORDS: dict[date, tuple[str, str]] = {}


def _day_words(day: date) -> tuple[str, str]:
    """A date in Thai and in English (`format_thai`, `format_english`), both in one lookup,
    a few times for every finding: a dict lookup here costs a quarter of a call through the
    formatters' lru_cache, which builds an argument tuple each time (callgrind)."""
    words = _DAY_WORDS.get(day)
    if words is None:
        if len(_DAY_WORDS) >= FORMATTED_DAYS:  # bounded as the formatters' caches
            _DAY_WORDS.clear()
        words = _DAY_WORDS[day] = (format_thai(day), format_english(day))
    return words


def citation(f: Finding) -> str:
    """Thai citation of the clause the finding enforces."""
    return f.rule.citation_th if f.rule else DATA_CITATION_TH


def citation_short(f: Finding) -> str:
    """Short Thai citation for tables."""
    return f.rule.citation_short if f.rule else DATA_CITATION_TH


def citation_en(f: Finding) -> str:
    """English citation of the clause the finding enforces."""
    return f.rule.citation_en if f.rule else DATA_CITATION_EN


def responsible(f: Finding) -> str:
    """Who must act (Thai)."""
    return f.rule.responsible_th if f.rule else DATA_RESPONSIBLE_TH


def messages(f: Finding) -> tuple[str, str]:
    """One sentence in Thai and one in English saying what was found, with what the text says
    follows once the period lapsed (SPEC §10.4: `KK-32`), on the day after the due date."""
    found_th, found_en = _found(f)
    rule = f.rule
    lapsed = f.lapsed_from
    if rule is None or rule.lapse_th is None or rule.lapse_en is None or lapsed is None:
        return found_th, found_en
    day_th, day_en = _day_words(lapsed)
    return (
        f"{found_th} — {rule.lapse_th.replace('{day}', day_th)}",
        f"{found_en}; {rule.lapse_en.replace('{day}', day_en)}",
    )


def _found(f: Finding) -> tuple[str, str]:
    rule = f.rule
    if rule is None:
        return _data_messages(f)
    title_th, title_en = rule.title_th, rule.title_en
    due_th, due_en = _day_words(f.due_date) if f.due_date else ("", "")
    done_th, done_en = _day_words(f.done_on) if f.done_on else ("", "")
    n = f.instance
    if f.status == "met" and rule.kind == "condition":
        return (
            f"{title_th}: เป็นไปตามเงื่อนไข ({rule.condition_th})",
            f"{title_en}: condition met ({rule.condition_en})",
        )
    if f.status == "breached":
        return (
            f"{title_th}: ไม่เป็นไปตามเงื่อนไข ไม่ปรากฏ{rule.condition_th}",
            f"{title_en}: condition breached, no {rule.condition_en}",
        )
    if f.status == "met" and f.due_date is None:
        return (f"{title_th}: ดำเนินการแล้วเมื่อ {done_th}", f"{title_en}: done on {done_en}")
    if f.status == "met":
        return (
            f"{title_th} (ครั้งที่ {n}): ดำเนินการเมื่อ {done_th} ภายในกำหนด {due_th}",
            f"{title_en} (instance {n}): done on {done_en}, within the due date {due_en}",
        )
    if f.status == "late":
        return (
            f"{title_th} (ครั้งที่ {n}): ดำเนินการเมื่อ {done_th} ช้ากว่ากำหนด {due_th} "
            f"เป็นเวลา {f.days_late} วัน",
            f"{title_en} (instance {n}): done on {done_en}, {f.days_late} days after the "
            f"due date {due_en}",
        )
    if f.status == "overdue":
        return (
            f"{title_th} (ครั้งที่ {n}): ยังไม่ดำเนินการ เลยกำหนด {due_th} มาแล้ว {f.days_late} วัน",
            f"{title_en} (instance {n}): not done, {f.days_late} days past the due date {due_en}",
        )
    if f.status == "due_soon":
        left = (f.due_date - f.as_of).days if f.due_date and f.as_of else 0
        return (
            f"{title_th} (ครั้งที่ {n}): ยังไม่ดำเนินการ ครบกำหนด {due_th} (อีก {left} วัน)",
            f"{title_en} (instance {n}): not done yet, due {due_en} (in {left} days)",
        )
    if f.status == "pending":
        return (
            f"{title_th} (ครั้งที่ {n}): ยังไม่ถึงกำหนด ครบกำหนด {due_th}",
            f"{title_en} (instance {n}): not yet due, due {due_en}",
        )
    if f.status == "missing" and f.closed_on is not None:
        closed_th, closed_en = _day_words(f.closed_on)
        if rule.kind == "overrun" or f.due_date is None:
            return (
                f"{title_th}: ปิดเรื่องเมื่อ {closed_th} โดยยังไม่ได้ดำเนินการ",
                f"{title_en}: closed on {closed_en} without it being done",
            )
        if f.days_late is not None:
            return (
                f"{title_th} (ครั้งที่ {n}): ปิดเรื่องเมื่อ {closed_th} โดยยังไม่ได้ดำเนินการ "
                f"ซึ่งเลยกำหนด {due_th} มาแล้ว {f.days_late} วัน",
                f"{title_en} (instance {n}): closed on {closed_en} without it being done, "
                f"{f.days_late} days after the due date {due_en}",
            )
        return (
            f"{title_th} (ครั้งที่ {n}): ปิดเรื่องเมื่อ {closed_th} ก่อนครบกำหนด {due_th} โดยยังไม่ได้ดำเนินการ",
            f"{title_en} (instance {n}): closed on {closed_en}, before the due date {due_en}, "
            f"without it being done",
        )
    if f.status == "missing":
        return (
            f"{title_th}: ยุติเรื่องแล้วโดยไม่ได้ดำเนินการ",
            f"{title_en}: the case was closed without it",
        )
    if rule.kind == "overrun" and f.trigger_date:
        since_th, since_en = _day_words(f.trigger_date)
        return (
            f"{title_th}: การสอบสวนเกิน {rule.overrun_days} วัน ต้องรายงานตั้งแต่ {since_th} "
            f"ยังไม่ได้ดำเนินการ",
            f"{title_en}: the investigation ran past {rule.overrun_days} days; a report is owed "
            f"since {since_en} and not yet made",
        )
    return (
        f"{title_th}: ยังไม่ได้ดำเนินการ (ไม่มีกำหนดเวลาแน่นอน ให้ดำเนินการโดยเร็ว)",
        f"{title_en}: not done yet (no fixed period: as soon as possible)",
    )


_EXTENSION_PROBLEMS = {
    "unknown_rule": ("ไม่มีกฎรหัสนี้", "no rule has that id"),
    "out_of_scope": ("กฎนี้ไม่ใช้กับเรื่องนี้", "that rule does not apply to this record"),
    "not_extendable": ("กฎนี้ไม่อาจขยายเวลาได้", "that rule's period cannot be extended"),
    "no_instance": (
        "ไม่มีหน้าที่ตามกฎนี้ที่ยังไม่ได้ดำเนินการในวันนั้น",
        "no instance of that rule was open on that day",
    ),
    "too_late": (
        "ขยายเวลาหลังวันครบกำหนดที่ใช้อยู่ จึงไม่มีผล",
        "dated after the due date in force, so it has no effect",
    ),
    "capped": (
        "ขอขยายเกินที่กฎให้ขยายได้ต่อครั้ง ใช้ได้เพียงเท่าที่กฎกำหนด",
        "more days than the rule allows at a time: honoured up to the limit",
    ),
    "out_of_range": (  # the last date a record may hold (calendar.thaidate.LAST_DAY)
        f"วันครบกำหนดใหม่จะเกินช่วงวันที่ที่ระบบรองรับ (ถึง พ.ศ. {to_be(LAST_DAY.year)} "
        f"หรือ ค.ศ. {LAST_DAY.year}) จึงไม่มีผล",
        f"the new due date would be beyond the dates this tool supports (to {LAST_DAY.year}), "
        f"so it has no effect",
    ),
}


def extension_problem(code: str | None) -> tuple[str, str]:
    """Why an extension was not (fully) honoured, in Thai and English ("" for none)."""
    return _EXTENSION_PROBLEMS.get(code or "", ("", ""))


def _data_messages(f: Finding) -> tuple[str, str]:
    day_th, day_en = _day_words(f.done_on) if f.done_on else ("", "")
    event_th = f"“{event_name_th(f.event_kind, f.subject_type)}”"
    if f.rule_id == "DATA-FUTURE":
        return (
            f"ข้อมูลไม่สอดคล้อง: {event_th} ลงวันที่ {day_th} ซึ่งเป็นวันในอนาคต",
            f"inconsistent record: {f.event_kind} is dated {day_en}, in the future",
        )
    if f.rule_id == "DATA-EXTENSION":
        problem_th, problem_en = extension_problem(f.note)
        return (
            f"ข้อมูลไม่สอดคล้อง: ขยายเวลาตาม {f.related_rule or '-'} ลงวันที่ {day_th}: {problem_th}",
            f"inconsistent record: extension of {f.related_rule or '-'} dated {day_en}: "
            f"{problem_en}",
        )
    return (
        f"ข้อมูลไม่สอดคล้อง: {event_th} ลงวันที่ {day_th} แต่ไม่มีเหตุที่ต้องรายงาน"
        f"ตาม {f.related_rule} ในหรือก่อนวันนั้น",
        f"inconsistent record: {f.event_kind} on {day_en} answers nothing: no trigger of "
        f"{f.related_rule} on or before that day",
    )


def interpretation(f: Finding) -> tuple[str, str] | None:
    """The rule's note where it interprets the text (shown by the human formats; the JSON
    report names the rule set by digest instead of repeating it in every finding)."""
    if f.rule is None or not f.rule.interpretation_th:
        return None
    return f"การตีความ: {f.rule.interpretation_th}", f"interpretation: {f.rule.interpretation_en}"


def explanation_for_people(f: Finding) -> tuple[list[str], list[str]]:
    """The explanation followed by the rule's interpretation note, for the human formats."""
    th, en = explanation(f)
    note = interpretation(f)
    if note:
        th.append(note[0])
        en.append(note[1])
    return th, en


def _extension_lines(f: Finding, th: list[str], en: list[str]) -> None:
    """Each honoured extension (SPEC §10.5) and an overrun's threshold (§10.6)."""
    for extension in f.extensions:
        dated_th, dated_en = _day_words(extension.dated)
        new_th, new_en = _day_words(extension.new_due)
        capped_th = (
            f" (ขอ {extension.requested} วัน ขยายได้ไม่เกิน {extension.days} วัน)"
            if extension.requested > extension.days
            else ""
        )
        capped_en = (
            f" (asked {extension.requested}, at most {extension.days} allowed)"
            if extension.requested > extension.days
            else ""
        )
        th.append(
            f"ขยายเวลา {extension.days} วัน ตามคำสั่งลงวันที่ {dated_th}{capped_th}; ครบกำหนดใหม่ {new_th}"
        )
        en.append(
            f"extended by {extension.days} days by the order dated {dated_en}{capped_en}; "
            f"new due date {new_en}"
        )
    if f.rule is not None and f.rule.kind == "overrun" and f.trigger_date:
        limit_th, limit_en = _day_words(f.trigger_date - timedelta(days=1))
        th.append(
            f"ประชุมครั้งแรก + {f.rule.overrun_days} วัน = {limit_th} ยังไม่ได้รับสำนวน "
            f"จึงต้องรายงาน ก.ก. ตั้งแต่วันถัดไป"
        )
        en.append(
            f"first meeting + {f.rule.overrun_days} days = {limit_en} with no report received: "
            f"a report to the Commission is owed from the next day"
        )


def _closing_lines(f: Finding, closed_on: date, th: list[str], en: list[str]) -> None:
    """A closed record's undone duty (SPEC §15): when it closed, and how late it was by then."""
    closed_th, closed_en = _day_words(closed_on)
    if f.days_late is not None:
        th.append(
            f"ปิดเรื่องเมื่อ {closed_th} โดยยังไม่ได้ดำเนินการ ซึ่งเลยกำหนดมาแล้ว "
            f"{f.days_late} วัน (นับถึงวันปิดเรื่อง)"
        )
        en.append(
            f"closed on {closed_en} without it being done, {f.days_late} days after the "
            f"due date (counted to the closing)"
        )
    elif f.due_date is not None:
        th.append(f"ปิดเรื่องเมื่อ {closed_th} ก่อนครบกำหนด โดยยังไม่ได้ดำเนินการ")
        en.append(f"closed on {closed_en}, before the due date, without it being done")
    else:
        th.append(f"ปิดเรื่องเมื่อ {closed_th} โดยยังไม่ได้ดำเนินการ")
        en.append(f"closed on {closed_en} without it being done")


def explanation(f: Finding) -> tuple[list[str], list[str]]:
    """The arithmetic behind the finding, line by line, in Thai and English: its deadline's
    lines, then its own (`explanation_own`)."""
    th, en = explanation_own(f)
    if f.deadline is None:
        return th, en
    return [*f.deadline.explanation_th, *th], [*f.deadline.explanation_en, *en]


def explanation_own(f: Finding) -> tuple[list[str], list[str]]:
    """The explanation's lines after its deadline's: the deadline's are shared by every
    finding of that deadline, and the JSON report encodes them once (`serialise`)."""
    th: list[str] = []
    en: list[str] = []
    kind = f.rule.kind if f.rule is not None and f.deadline is None else None
    if kind == "open_ended":
        th.append("ข้อความกำหนดให้ดำเนินการโดยเร็ว ไม่มีระยะเวลาแน่นอน")
        en.append("the text says 'as soon as possible': no fixed period")
    elif kind == "condition" and f.rule is not None and f.trigger_date:
        day_th, day_en = _day_words(f.trigger_date)
        th.append(f"ตรวจเงื่อนไข ณ วันที่ {day_th}: {f.rule.condition_th}")
        en.append(f"condition checked on {day_en}: {f.rule.condition_en}")
    _extension_lines(f, th, en)
    if f.status == "late" and f.done_on and f.due_date:
        day_th, day_en = _day_words(f.done_on)
        th.append(f"ดำเนินการเมื่อ {day_th} หลังวันครบกำหนด {f.days_late} วัน")
        en.append(f"done on {day_en}, {f.days_late} days after the due date")
    elif f.status == "met" and f.done_on and f.done_on == f.due_date:
        day_th, day_en = _day_words(f.done_on)
        th.append(f"ดำเนินการในวันสุดท้ายของระยะเวลา ({day_th}) ถือว่าทันกำหนด")
        en.append(f"done on the last day ({day_en}): on time")
    elif f.status == "met" and f.done_on and f.due_date:
        day_th, day_en = _day_words(f.done_on)
        th.append(f"ดำเนินการเมื่อ {day_th} ก่อนวันครบกำหนด")
        en.append(f"done on {day_en}, before the due date")
    elif f.status == "missing" and f.closed_on is not None:
        _closing_lines(f, f.closed_on, th, en)
    elif f.status == "overdue" and f.as_of:
        day_th, day_en = _day_words(f.as_of)
        th.append(f"ณ วันที่ตรวจ {day_th} ยังไม่ปรากฏการดำเนินการ เลยกำหนด {f.days_late} วัน")
        en.append(f"as of {day_en} nothing is recorded, {f.days_late} days late")
    if f.rule is None:
        msg_th, msg_en = _data_messages(f)
        th.append(msg_th)
        en.append(msg_en)
    return th, en
