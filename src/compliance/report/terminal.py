"""Terminal output (rich) shared by the audit table, `calendar`, `explain` and `rules list/show`.

Three things rich does not do for Thai and for untrusted text:
- Thai has no spaces between words and rich breaks lines only at spaces, so it would cut a word
  in the middle (or cut a long name short with "…"). `ThaiCell` breaks at word boundaries
  found by PyThaiNLP (newmm) and keeps a run of Latin letters, digits and punctuation (an id,
  a rule id) whole.
- Record text (ids, agencies, file names) may hold control characters: ESC would drive the
  terminal, bidi overrides would reorder what is shown. `visible` prints them as escapes.
- Record text may hold rich markup ("[bold]"): everything is printed as `Text`, never markup.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from functools import lru_cache
from typing import IO, TYPE_CHECKING

from rich.cells import cell_len, chop_cells
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from compliance.calendar.thaidate import WEEKDAYS_TH_ABBR, format_thai, to_be
from compliance.engine.findings import Finding
from compliance.records import event_name_th
from compliance.report.base import SEVERITY_TH, STATUS_TH, SUBJECT_TH, thai_day, visible
from compliance.report.messages import citation, citation_en, explanation_for_people, messages
from compliance.report.timeline import DATE as _DATE
from compliance.report.timeline import Timeline, build, step_periods_th, step_th
from compliance.report.words import data_message_th, period_text, rule_ref

if TYPE_CHECKING:
    from compliance.calendar.workcalendar import GovernmentCalendar
    from compliance.engine.rulebook import Rule, RuleBook
    from compliance.records import CaseEvent, ComplaintEvent, Record

# Severity styles readable on light and dark backgrounds: no dim, no yellow.
STYLE = {"violation": "bold red", "advisory": "bold magenta", "warning": "bold reverse", "info": ""}

_THAI = re.compile(r"[\u0e00-\u0e7f]")
_SPACES = re.compile(r"(\s+)")
_ABBREVIATION = re.compile(r"[\u0e01-\u0e2e][\u0e30-\u0e4e]*\.")  # "ก." of "ก.ก.", "พ.ศ."
_OPENING = frozenset("(“‘[{«\"'")
_CLOSING = frozenset(")”’]},.:;!?»\"'")


# Words newmm's dictionary lacks and splits into syllables or wrong compounds: royal names in
# the holiday calendar ("สิ|นท|รม|หาว|ชิ|รา|ลง|กร|ณ") and the legal terms of the rules
# ("สอบ|สวนความ|ผิดทาง"). Each added word is a place a line may not break.
DOMAIN_WORDS = frozenset(
    {
        "พระบาทสมเด็จ",
        "พระปรเมนทรรามาธิบดี",
        "ศรีสินทร",
        "มหาวชิราลงกรณ",
        "พระวชิรเกล้าเจ้าอยู่หัว",
        "สุทิดา",
        "พัชรสุธาพิมลลักษณ",
        "พระบรมราชินี",
        "พระบรมราชชนนีพันปีหลวง",
        "นวมินทรมหาราช",
        "พระบรมชนกาธิเบศร",
        "มหาภูมิพลอดุลยเดชมหาราช",
        "บรมนาถบพิตร",
        "พระพุทธยอดฟ้าจุฬาโลกมหาราช",
        "มหาจักรีบรมราชวงศ์",
        "วันพืชมงคล",
        "วันเด็กแห่งชาติ",
        "วันพ่อแห่งชาติ",
        "วันแม่แห่งชาติ",
        "วันหยุดพิเศษ",
        "บางพลัด",
        "คณะกรรมการสอบสวน",
        "คณะกรรมการสืบสวน",
        "ความผิดทางวินัย",
        "รายงานการสอบสวน",
        "การสอบสวน",
        "การสืบสวน",
        "ผู้บังคับบัญชา",
        "พักราชการ",
        "ออกจากราชการ",
        "การปฏิบัติงาน",
        "ผู้ร้องเรียน",
        "ข้อร้องเรียน",
        "ทันกำหนด",
        "เลยกำหนด",
    }
)


@lru_cache(maxsize=1)
def _tokenizer() -> Callable[[str], list[str]]:
    """newmm with its dictionary and DOMAIN_WORDS (PyThaiNLP loads in ~0.5 s: only when Thai
    must be wrapped)."""
    from pythainlp.corpus import thai_words  # noqa: PLC0415
    from pythainlp.tokenize import word_tokenize  # noqa: PLC0415
    from pythainlp.util import dict_trie  # noqa: PLC0415

    trie = dict_trie(set(thai_words()) | DOMAIN_WORDS)
    return lambda text: word_tokenize(text, engine="newmm", custom_dict=trie, keep_whitespace=True)


@lru_cache(maxsize=4096)
def break_tokens(text: str) -> tuple[str, ...]:
    """Text as words and spaces: a line may break before any of them. A dictionary entry with
    spaces (a royal name) may break at its spaces; a run of Latin letters, digits and
    punctuation (an id) never breaks; brackets stay with the word they enclose."""
    if not _THAI.search(text):
        return tuple(part for part in _SPACES.split(text) if part)
    if _DATE.search(text):
        return _keep_dates(text)
    pieces: list[str] = []
    for token in _tokenizer()(text):
        for part in _SPACES.split(token) if not token.isspace() else [token]:
            if not part:
                continue
            glue = (
                pieces
                and not part.isspace()
                and not pieces[-1].isspace()
                and (
                    (not _THAI.search(part) and not _THAI.search(pieces[-1]))
                    or part[0] in _CLOSING
                    or pieces[-1][-1] in _OPENING
                    or (pieces[-1][-1] == "." and _ABBREVIATION.match(part) is not None)
                )
            )
            if glue:
                pieces[-1] += part
            else:
                pieces.append(part)
    return tuple(pieces)


def _keep_dates(text: str) -> tuple[str, ...]:
    """`break_tokens` of a text with dates in it: each date one piece, with the brackets and
    punctuation touching it."""
    pieces: list[str] = []
    for index, chunk in enumerate(_DATE.split(text)):
        if not chunk:
            continue
        tokens = [chunk] if index % 2 else list(break_tokens(chunk))
        touching = bool(pieces) and not pieces[-1][-1].isspace() and not tokens[0][0].isspace()
        if touching and (index % 2 or tokens[0][0] in _CLOSING or pieces[-1][-1] in _OPENING):
            pieces[-1] += tokens.pop(0)
        pieces.extend(tokens)
    return tuple(pieces)


def wrap_words(text: str, width: int) -> list[str]:
    """Lines of at most `width` cells, broken between words; a word longer than a line (only
    when the table cannot give it its width) is the one thing cut."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        tokens = break_tokens(paragraph)
        indent = tokens[0] if tokens and tokens[0].isspace() and len(tokens[0]) < width else ""
        line = indent
        for token in tokens[1:] if indent else tokens:
            if token.isspace():
                if line.strip():
                    line += " "
                continue
            if cell_len(line) + cell_len(token) <= width or not line.strip():
                line += token
            else:
                lines.append(line.rstrip())
                line = token
            while cell_len(line) > width:  # only a word wider than the column
                head, *_ = chop_cells(line, width)
                lines.append(head)
                line = line[len(head) :]
        lines.append(line.rstrip())
    return lines


class ThaiCell:
    """A table cell that wraps Thai between words: its minimum width is its longest word."""

    def __init__(self, text: str, style: str = "", whole: bool = False) -> None:
        self.text = "\n".join(visible(line) for line in text.split("\n"))
        self.style = style
        self.whole = whole  # a date or an id: one line each, never broken

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        if self.whole:
            words = self.text.split("\n")
        else:
            words = [t for p in self.text.split("\n") for t in break_tokens(p) if not t.isspace()]
        longest = max((cell_len(w) for w in words), default=1)
        widest = max((cell_len(p) for p in self.text.split("\n")), default=1)
        return Measurement(longest, max(widest, longest)).clamp(max_width=options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(options.max_width, 1)
        lines = self.text.split("\n") if self.whole else wrap_words(self.text, width)
        yield Text("\n".join(lines), style=self.style, overflow="fold", no_wrap=False)


def fit_columns(table: Table, console: Console) -> None:
    """Fix each column's width so that no column is narrower than its longest word.

    rich shrinks the widest columns first when a table is too wide for the terminal, below
    their minimum if need be, and its last resort cuts words (a royal name in `calendar`,
    "วันเฉลิมพระชนมพรร|ษา"). Here the widest column gives up one cell at a time, never below
    its longest word; only a terminal too narrow for all the minimums leaves it to rich."""
    options = console.options
    ranges = []
    for column in table.columns:
        parts = [column.header, *column._cells]  # rich keeps a column's cells here
        found = [Measurement.get(console, options, part) for part in parts if part != ""]
        ranges.append(
            (max((m.minimum for m in found), default=1), max((m.maximum for m in found), default=1))
        )
    borders = len(ranges) + 1
    available = console.width - borders - 2 * len(ranges)  # borders and padding
    if sum(low for low, _ in ranges) > available >= 0 and (
        sum(low for low, _ in ranges) <= console.width - borders
    ):  # the words fit only without the cells' padding: drop it rather than cut a word
        table.padding = (0, 0, 0, 0)
        available = console.width - borders
    widths = [high for _, high in ranges]
    excess = sum(widths) - available
    while excess > 0:
        shrinkable = [i for i, (low, _) in enumerate(ranges) if widths[i] > low]
        if not shrinkable:
            break  # too narrow even for the minimums: rich shares out what there is
        widest = max(shrinkable, key=lambda i: widths[i])
        widths[widest] -= 1
        excess -= 1
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width


def para(text: str, style: str = "") -> ThaiCell:
    """A paragraph outside a table, wrapped the same way."""
    return ThaiCell(text, style)


def console_for(out: IO[str] | None = None, width: int | None = None) -> Console:
    """A console that prints text as given (no markup, no highlighting); colours only on a
    terminal."""
    return Console(file=out, width=width, highlight=False, markup=False, emoji=False)


def _days_th(f: Finding, as_of: date) -> str:
    if f.days_late is not None:
        return str(f.days_late)
    if f.status in ("due_soon", "pending") and f.due_date:
        left = (f.due_date - as_of).days
        return f"อีก {left}" if left else "วันนี้"
    return ""


def finding_table(width: int) -> tuple[Table, str]:
    """The audit table for a terminal `width` columns wide, and its layout: "wide" (every
    column), "medium" (dates stacked, days beside the status) or "narrow" (no detail column).
    Ids never wrap: a table too wide for them drops columns instead of breaking them."""
    layout = "wide" if width >= 140 else "medium" if width >= 100 else "narrow"
    table = Table(title="ผลการตรวจกำหนดเวลา", show_lines=layout != "wide")
    table.add_column("หน่วยงาน", overflow="fold")
    table.add_column("เรื่อง", no_wrap=True)
    table.add_column("กฎ", no_wrap=True)
    if layout == "wide":
        for column in ("สถานะ", "ครบกำหนด", "ดำเนินการ", "วัน"):
            table.add_column(column, no_wrap=column != "สถานะ", overflow="fold")
    else:
        table.add_column("สถานะ", overflow="fold")
        table.add_column("ครบกำหนด\nดำเนินการ", no_wrap=True)
    if layout != "narrow":
        table.add_column("รายละเอียด", overflow="fold")
    return table, layout


def finding_cells(f: Finding, as_of: date, layout: str) -> list[ThaiCell]:
    """One finding as a row of `finding_table(…)`."""
    style = STYLE[f.severity]
    days = _days_th(f, as_of)
    rule = rule_ref(f) if layout == "wide" else rule_ref(f).replace(" #", "\n#")
    cells = [ThaiCell(f.agency), ThaiCell(f.subject_id, whole=True), ThaiCell(rule, whole=True)]
    if layout == "wide":
        cells += [
            ThaiCell(STATUS_TH[f.status], style),
            ThaiCell(thai_day(f.due_date), whole=True),
            ThaiCell(thai_day(f.done_on), whole=True),
            ThaiCell(days),
        ]
    else:
        unit = " วัน" if days and days != "วันนี้" else ""
        status = f"{STATUS_TH[f.status]} {days}{unit}".rstrip()
        cells.append(ThaiCell(status, style))
        dates = thai_day(f.due_date) + (f"\n{thai_day(f.done_on)}" if f.done_on else "")
        cells.append(ThaiCell(dates, whole=True))
    if layout != "narrow":
        cells.append(ThaiCell(data_message_th(f) if f.rule is None else f.rule.citation_short))
    elif f.rule is None:  # no detail column: a data problem still says what is wrong
        cells[3] = ThaiCell(f"{STATUS_TH[f.status]}: {data_message_th(f)}", style)
    return cells


# ----------------------------------------------------------------------------- calendar


def holiday_source_th(source: str) -> str:
    """Where a holiday comes from, in words."""
    if source == "organisation":
        return "ประกาศของหน่วยงาน (--holidays)"
    return "ประกาศวันหยุดราชการ (holidays)"


def calendar_table(console: Console, calendar: GovernmentCalendar, year: int) -> None:
    """`compliance calendar YEAR`: every holiday in full, never cut short."""
    status = "ยืนยันแล้ว" if calendar.is_confirmed(year) else "ยังไม่ยืนยันวันหยุดพิเศษ"
    table = Table(title=f"วันหยุดราชการ พ.ศ. {to_be(year)} ({status})", show_lines=True)
    for column in ("วันที่", "วัน", "ชื่อวันหยุด", "Holiday", "ที่มา"):
        table.add_column(column, overflow="fold")
    for h in calendar.holidays_in(year):
        table.add_row(
            ThaiCell(format_thai(h.day, "medium")),
            ThaiCell(WEEKDAYS_TH_ABBR[h.day.weekday()]),
            ThaiCell(h.name_th),
            ThaiCell(h.name_en),
            ThaiCell(holiday_source_th(h.source)),
        )
    fit_columns(table, console)
    console.print(table)
    console.print(Text("เสาร์และอาทิตย์เป็นวันหยุดราชการทุกสัปดาห์ (ไม่ได้แสดงในตาราง)"))


# ----------------------------------------------------------------------------- explain


def record_lines(record: Record, english: bool, events: bool = True) -> Iterator[Text | ThaiCell]:
    """The record an explanation is about: type, agency, its events by date (unless `events`
    is False: the timeline lists them). Personal data (names, addresses, notes) is never
    shown (SPEC §8)."""
    if english:
        yield Text.assemble((visible(record.record_id), "bold"), f" ({record.type})")
        yield Text(f"agency: {visible(record.agency)}")
    else:
        yield Text.assemble((visible(record.record_id), "bold"), f" · {SUBJECT_TH[record.type]}")
        yield para(f"หน่วยงาน: {record.agency}")
    received = getattr(record, "received_on", None)
    if received is not None:
        when = received.isoformat() if english else format_thai(received)
        yield Text(f"received: {when}" if english else f"รับเรื่อง: {when}")
    if not events:
        return
    listed: list[CaseEvent | ComplaintEvent] = sorted(record.events, key=lambda e: e.date)
    if not listed:
        yield Text("no events recorded" if english else "ยังไม่มีการบันทึกเหตุการณ์")
    for event in listed:
        ref = f" [{event.id}]" if event.id else ""
        answers = f" → {event.refers_to}" if event.refers_to else ""
        if english:
            yield Text(f"  {event.date.isoformat()}  {event.kind}{visible(ref + answers)}")
        else:
            day = format_thai(event.date, "medium")
            yield para(f"  {day}  {event_name_th(event.kind, record.type)}{ref}{answers}")


def explain(
    console: Console, record: Record, findings: Sequence[Finding], as_of: date, english: bool
) -> None:
    """`compliance explain`: the record first, then each obligation with its arithmetic."""
    when = as_of.isoformat() if english else format_thai(as_of)
    console.print(Text(f"{'as of' if english else 'ณ วันที่'} {when}", style="bold"))
    for line in record_lines(record, english, events=english):
        console.print(line)
    if not english:
        timeline_lines(console, build(record, findings), as_of)
    if not findings:
        console.print(Text("No obligation applies." if english else "ไม่มีหน้าที่ตามกฎที่ใช้บังคับ"))
    for f in findings:
        th, en = messages(f)
        if f.rule is None and not english:
            th = data_message_th(f)
        lines = explanation_for_people(f)[1 if english else 0]
        if f.rule is None and not english:
            lines = lines[:-1]  # the last line repeats the message, with the event's code
        status = f.status if english else STATUS_TH[f.status]
        cited = citation_en(f) if english else citation(f)
        console.print(Text(""))
        console.print(
            Text.assemble(
                (rule_ref(f), "bold"),
                " · ",
                (status, STYLE[f.severity]),
                f" · {cited}",
            )
        )
        console.print(para(en if english else th))
        for step in lines:
            console.print(para(f"  • {step}"))


def hanging(console: Console, head: str, indent: int, text: str, style: str = "") -> None:
    """`head` (exactly `indent` cells), then `text` wrapped between words in the width left,
    each further line indented under the first: a timeline's column of dates stays clear."""
    width = max(console.width - indent, 16)
    lines = wrap_words(visible(text), width) or [""]
    console.print(Text(head + lines[0], style=style))
    for line in lines[1:]:
        console.print(Text(" " * indent + line, style=style))


def timeline_lines(console: Console, timeline: Timeline, as_of: date) -> None:
    """A record's process (`report.timeline`): each stage, then each step in date order with
    its B.E. date; under a step, each period it started, its extensions step by step and how
    it ended."""
    steps = list(timeline.steps)
    console.print(Text(""))
    console.print(Text("ลำดับขั้นตอนของเรื่อง", style="bold"))
    if not steps:
        console.print(Text("  ยังไม่มีการบันทึกเหตุการณ์"))
        return
    column = max(cell_len(thai_day(step.day)) for step in steps)
    indent = 2 + column + 2
    for stage in timeline.stages:
        console.print(Text(f"▌ {stage.name_th}", style="bold"))
        for step in stage.steps:
            day = thai_day(step.day)
            head = f"  {day}{' ' * (column - cell_len(day))}  "
            hanging(console, head, indent, step_th(step))
            for line, details, severity in step_periods_th(step, as_of):
                style = STYLE[severity]
                pad = " " * indent
                hanging(console, pad + "▸ ", indent + 2, line, style if not details else "")
                for number, detail in enumerate(details, 1):
                    last = number == len(details)
                    hanging(console, pad + "  · ", indent + 4, detail, style if last else "")


# ----------------------------------------------------------------------------- rules


def rules_table(console: Console, book: RuleBook) -> None:
    """`compliance rules list`: every rule, its clause and period, wrapped between words."""
    table = Table(title=f"กฎ {len(book.rules)} ข้อ · {book.digest[:19]}…", show_lines=True)
    for column in ("รหัส", "ชื่อ", "ข้อ", "ระยะเวลา", "ระดับ"):
        table.add_column(column, overflow="fold")
    for rule in book.rules:
        table.add_row(
            ThaiCell(rule.id),
            ThaiCell(rule.title_th),
            ThaiCell(rule.source.clause),
            ThaiCell(period_text(rule)),
            ThaiCell(SEVERITY_TH[rule.severity]),
        )
    fit_columns(table, console)
    console.print(table)


def rule_text(console: Console, rule: Rule) -> None:
    """`compliance rules show`: one rule with its clause text and interpretation."""
    console.print(Text(rule.id, style="bold"))
    paragraphs: Iterable[str] = (
        rule.title_th,
        rule.title_en,
        f"ที่มา: {rule.citation_th}",
        f"Source: {rule.citation_en}",
        f"ระยะเวลา: {period_text(rule)} · ระดับ: {SEVERITY_TH[rule.severity]}",
        f"ผู้รับผิดชอบ: {rule.responsible_th}",
        "",
        "ข้อความ:",
        rule.text_th,
    )
    for text in paragraphs:
        console.print(para(text))
    if rule.interpretation_th:
        console.print(Text(""))
        console.print(para(f"การตีความ: {rule.interpretation_th}"))
