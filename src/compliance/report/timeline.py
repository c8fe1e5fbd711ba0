"""A record's process as a timeline: its events in date order, grouped into the stages of the
process, each period hung on the event that started it with its due date, the extensions of
that due date step by step (honoured or not, and why not) and how it ended.

Built from one record and its findings (`build`), so the human renderers get it from
`record(record, findings)` (they are record sinks, see `report.base`). The stages come from the
event kinds, in one table per record type (`STAGES`). Nothing here judges: every date and
status is the engine's. Personal data (names, addresses, an event's `note`) is never read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from compliance.calendar.thaidate import MONTHS_TH, MONTHS_TH_ABBR
from compliance.engine.findings import Finding, Severity
from compliance.records import Event, Record, event_name_th
from compliance.report.base import STATUS_TH, CollectingRenderer, html_text, thai_day
from compliance.report.messages import extension_problem
from compliance.report.words import rule_ref

# A B.E. date as `format_thai` writes it (`24 เม.ย. 2566`, `24 เมษายน 2566`): one word to a
# line breaker, never "24 เม.ย." at the end of one line and "2566" on the next.
DATE = re.compile(
    r"(\d{1,2} (?:"
    + "|".join(
        re.escape(m)
        for m in sorted({*MONTHS_TH.values(), *MONTHS_TH_ABBR.values()}, key=len, reverse=True)
    )
    + r") \d{4})"
)
# A status word never broken by the browser's Thai line breaking ("ทัน|กำหนด").
_STATUS_WORDS = re.compile(
    "(" + "|".join(re.escape(w) for w in sorted(STATUS_TH.values(), key=len, reverse=True)) + ")"
)
EXTENSION_KIND = "deadline_extended"
RECEIVED = "received_at"  # a complaint's receipt: a record field, shown as the first step

# The stages of each record type's process, in order: (key, Thai name, event kinds). A kind
# not listed (a new one) falls in the stage of the step before it.
STAGES: dict[str, tuple[tuple[str, str, frozenset[str]], ...]] = {
    "disciplinary_case": (
        (
            "allegation",
            "การกล่าวหาและการสืบสวนข้อเท็จจริง",
            frozenset(
                {
                    "allegation_received",
                    "fact_finding_ordered",
                    "fact_finding_order_reported",
                    "fact_finding_concluded",
                    "fact_finding_result_reported",
                }
            ),
        ),
        (
            "minor",
            "คณะกรรมการสอบสวนวินัยอย่างไม่ร้ายแรง",
            frozenset(
                {
                    "minor_proceeding_started",
                    "minor_investigation_ordered",
                    "minor_order_acknowledged",
                }
            ),
        ),
        (
            "serious",
            "คณะกรรมการสอบสวนวินัยอย่างร้ายแรง",
            frozenset(
                {
                    "investigation_ordered",
                    "objection_received",
                    "objection_decided",
                    "chair_received_case",
                    "first_meeting_held",
                    "interim_measure_ordered",
                    "interim_measure_reported",
                    "progress_reported",
                    "further_offence_reported",
                    "further_offence_decided",
                    "commission_followup_reported",
                }
            ),
        ),
        (
            "report",
            "รายงานการสอบสวน",
            frozenset(
                {
                    "investigation_report_received",
                    "minor_investigation_report_received",
                    "further_investigation_ordered",
                }
            ),
        ),
        ("decision", "การพิจารณาและสั่งการ", frozenset({"report_considered", "case_closed"})),
        (
            "commission",
            "รายงานสำนักงาน ก.ก. และการพิจารณาสำนวน",
            frozenset(
                {
                    "case_file_reported",
                    "forwarded_to_permanent_secretary",
                    "order_copy_sent",
                    "result_notified",
                    "review_received",
                    "review_completed",
                }
            ),
        ),
    ),
    "complaint": (
        ("received", "รับเรื่อง", frozenset({RECEIVED})),
        ("screening", "รับไว้พิจารณา / ส่งต่อ", frozenset({"accepted", "rejected", "forwarded"})),
        (
            "handling",
            "แก้ไข / ชี้แจงผู้ร้อง",
            frozenset({"delay_explained", "progress_notified", "resolved"}),
        ),
        ("notified", "แจ้งผลผู้ร้อง", frozenset({"result_notified"})),
        ("closed", "ยุติเรื่อง", frozenset({"closed"})),
    ),
}
_STAGE_OF: dict[str, dict[str, tuple[str, str]]] = {
    record_type: {kind: (key, name) for key, name, kinds in stages for kind in kinds}
    for record_type, stages in STAGES.items()
}
IGNORED = "ignored"  # an extension of a rule of a pack not loaded (SPEC §10.5): not judged


@dataclass(frozen=True, slots=True)
class ExtensionStep:
    """One `deadline_extended` event as the period it extends saw it."""

    dated: date
    requested: int
    honoured: int  # 0: not honoured
    new_due: date | None  # the due date it set (None: not honoured)
    problem: str | None  # why not (fully) honoured: a DATA-EXTENSION note, IGNORED, or None


@dataclass(slots=True)
class PeriodStep:
    """One obligation instance started at a step: its first due date, extensions, outcome."""

    finding: Finding
    first_due: date | None
    extensions: list[ExtensionStep] = field(default_factory=list)
    done_kind: str | None = None  # the event that satisfied it
    done_th: str = ""  # its Thai name


@dataclass(slots=True)
class Step:
    """An event (or a complaint's receipt, or a period with no event of its own on its
    trigger date: the 180-day mark of KK-61-REPORT)."""

    day: date
    kind: str | None
    name_th: str = ""  # the event kind's Thai name, as the record's type names it
    event_id: str | None = None
    refers_to: str | None = None
    periods: list[PeriodStep] = field(default_factory=list)
    extension: ExtensionStep | None = None  # an extension no period took
    extends: str | None = None


@dataclass(slots=True)
class Stage:
    """Consecutive steps of one stage of the process."""

    key: str
    name_th: str
    steps: list[Step]


@dataclass(slots=True)
class Timeline:
    """A record's process, stage by stage, in date order."""

    stages: list[Stage]

    @property
    def steps(self) -> Iterable[Step]:
        """Every step in date order."""
        for stage in self.stages:
            yield from stage.steps


def build(record: Record, findings: Sequence[Finding]) -> Timeline:
    """The timeline of one record from its events and the engine's findings on it."""
    steps: list[Step] = []
    received = getattr(record, "received_on", None)
    if received is not None:
        steps.append(Step(received, RECEIVED, event_name_th(RECEIVED, record.type)))
    extensions: list[Event] = []
    events: list[Event] = sorted(record.events, key=lambda e: e.date)
    for event in events:
        if event.kind == EXTENSION_KIND:
            extensions.append(event)
            continue
        name = event_name_th(event.kind, record.type)
        steps.append(Step(event.date, event.kind, name, event.id, event.refers_to))
    periods = _attach_periods(record, findings, steps)
    refused: dict[tuple[str | None, date | None], str | None] = {
        (f.related_rule, f.done_on): f.note
        for f in findings
        if f.rule_id == "DATA-EXTENSION" and f.done_on is not None
    }
    for event in extensions:
        extends = getattr(event, "extends", None)
        requested = getattr(event, "days", None) or 0
        step = _extension_step(event.date, requested, extends, periods, refused)
        target = _period_for(extends, event.date, findings, periods)
        if target is not None:
            target.extensions.append(step)
        else:
            steps.append(
                Step(
                    event.date,
                    EXTENSION_KIND,
                    event_name_th(EXTENSION_KIND, record.type),
                    event.id,
                    extends=extends,
                    extension=step,
                )
            )
    steps.sort(key=lambda s: s.day)  # stable: events of one day keep the record's order
    return Timeline(_stages(record.type, steps))


def _attach_periods(
    record: Record, findings: Sequence[Finding], steps: list[Step]
) -> dict[str, list[PeriodStep]]:
    """Hang each rule finding on the step that triggered it (same kind, same day); one with
    no such step (a recurring round, an overrun mark) is a step of its own on its trigger
    date. Returns the periods by rule id."""
    by_rule: dict[str, list[PeriodStep]] = {}
    index: dict[tuple[str | None, date], list[Step]] = {}
    for step in steps:
        index.setdefault((step.kind, step.day), []).append(step)
    events: list[Event] = sorted(record.events, key=lambda e: e.date)
    for f in findings:
        rule = f.rule
        if rule is None or f.trigger_date is None:
            continue
        first_due = f.deadline.due if f.deadline is not None else f.due_date
        period = PeriodStep(f, first_due)
        if f.done_on is not None:
            period.done_kind = next(
                (e.kind for e in events if e.date == f.done_on and e.kind in rule.satisfied_by),
                None,
            )
            period.done_th = event_name_th(period.done_kind, record.type)
        by_rule.setdefault(f.rule_id, []).append(period)
        kind = rule.trigger.event or (RECEIVED if rule.trigger.field == RECEIVED else None)
        at = index.get((kind, f.trigger_date))
        if at:
            at[0].periods.append(period)
        else:
            step = Step(f.trigger_date, None, periods=[period])
            steps.append(step)
    return by_rule


def _extension_step(
    dated: date,
    requested: int,
    extends: str | None,
    periods: dict[str, list[PeriodStep]],
    refused: dict[tuple[str | None, date | None], str | None],
) -> ExtensionStep:
    """An extension as the engine judged it: honoured (found on its instance's finding), not
    (a DATA-EXTENSION of that rule and day says why) or ignored (its rule's pack not loaded)."""
    for period in periods.get(extends or "", ()):
        for honoured in period.finding.extensions:
            if honoured.dated == dated and honoured.requested == requested:
                problem = "capped" if honoured.days < requested else None
                return ExtensionStep(dated, requested, honoured.days, honoured.new_due, problem)
    return ExtensionStep(dated, requested, 0, None, refused.get((extends, dated)) or IGNORED)


def _period_for(
    extends: str | None,
    dated: date,
    findings: Sequence[Finding],
    periods: dict[str, list[PeriodStep]],
) -> PeriodStep | None:
    """The instance the engine gave an extension to (SPEC §10.5): the one it honoured it on,
    or the one a refused or capped DATA-EXTENSION names; None for one that reached none."""
    candidates = periods.get(extends or "", [])
    for period in candidates:
        if any(e.dated == dated for e in period.finding.extensions):
            return period
    instance = next(
        (
            f.related_instance
            for f in findings
            if f.rule_id == "DATA-EXTENSION" and f.related_rule == extends and f.done_on == dated
        ),
        None,
    )
    return next((p for p in candidates if p.finding.instance == instance), None)


def _stages(record_type: str, steps: list[Step]) -> list[Stage]:
    """Consecutive steps of one stage together: a stage heading each time the process moves
    (a case that goes back, to a further investigation, shows the stage again)."""
    table = _STAGE_OF.get(record_type, {})
    first_key, first_name, _ = STAGES.get(record_type, (("", "", frozenset()),))[0]
    stages: list[Stage] = []
    current = (first_key, first_name)
    for step in steps:
        kind = step.kind
        if kind is None and step.periods:
            rule = step.periods[0].finding.rule
            kind = rule.trigger.event if rule is not None else None
        current = table.get(kind or "", current)
        if not stages or stages[-1].key != current[0]:
            stages.append(Stage(current[0], current[1], []))
        stages[-1].steps.append(step)
    return stages


class TimelineRenderer(CollectingRenderer):
    """A report format that shows the timeline of each disciplinary case it shows findings
    of. Only those are built and kept: a run of 100,000 records keeps the few that need
    action. A complaint's process is short and its findings already tell it (and a page of
    3,000 complaints must stay fast): `explain` shows it."""

    timeline_types: frozenset[str] = frozenset({"disciplinary_case"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timelines: dict[tuple[str, str], Timeline] = {}

    def record(self, record: Record, findings: list[Finding], weight: int = 1) -> None:
        before = len(self.shown)
        super().record(record, findings, weight)
        if len(self.shown) > before and record.events and record.type in self.timeline_types:
            self.timelines[(record.type, record.record_id)] = build(record, findings)

    def timeline_of(self, f: Finding) -> Timeline | None:
        """The timeline of a finding's record, if kept."""
        return self.timelines.get((f.subject_type, f.subject_id))


# ----------------------------------------------------------------------------- words


def step_th(step: Step) -> str:
    """The step's own line without its date: the event's Thai name and its id, or the rule
    whose mark it is."""
    if step.kind == EXTENSION_KIND:
        assert step.extension is not None
        return f"{step.name_th} {step.extends or '-'} · {extension_th(step.extension)}"
    if step.kind is None:  # a mark with no event of its own (KK-61-REPORT's 180 days)
        rule = step.periods[0].finding.rule if step.periods else None
        if rule is not None and rule.overrun_days:
            since = event_name_th(rule.trigger.event, rule.scope.record)
            return f"ครบ {rule.overrun_days} วันนับแต่{since} ยังไม่ได้รับสำนวน"
        return "ครบระยะเวลาที่ต้องติดตาม"
    name = step.name_th
    ref = f" [{step.event_id}]" if step.event_id else ""
    answers = f" → {step.refers_to}" if step.refers_to else ""
    return f"{name}{ref}{answers}"


def period_head_th(period: PeriodStep) -> str:
    """`KK-61 #1 ครบกำหนด 14 ก.ค. 2566`: the rule and its first due date."""
    f = period.finding
    if f.rule is not None and f.rule.kind == "condition":
        return f"{rule_ref(f)} {f.rule.title_th}"
    if period.first_due is None:
        return f"{rule_ref(f)} ไม่มีกำหนดวัน (ดำเนินการโดยเร็ว)"
    return f"{rule_ref(f)} ครบกำหนด {thai_day(period.first_due)}"


def extension_th(step: ExtensionStep) -> str:
    """`ขยาย 60 วัน (ลงวันที่ 10 ก.ค. 2566) → ครบกำหนด 12 ก.ย. 2566`, or why it had no effect."""
    head = f"ขยาย {step.requested} วัน (ลงวันที่ {thai_day(step.dated)})"
    if step.new_due is not None:
        capped = f" ได้ไม่เกิน {step.honoured} วัน" if step.honoured < step.requested else ""
        return f"{head}{capped} → ครบกำหนด {thai_day(step.new_due)}"
    if step.problem == IGNORED:
        return f"{head} ✗ ไม่ได้ตรวจ: กฎนี้ไม่อยู่ในชุดกฎที่เลือกในการตรวจครั้งนี้"
    reason = extension_problem(step.problem)[0] or "ไม่มีผล"
    return f"{head} ✗ ไม่มีผล: {reason}"


def outcome_th(period: PeriodStep, as_of: date | None) -> str:
    """How the period ended, or where it stands: `ได้รับสำนวนรายงานการสอบสวน 12 ก.ย. 2566 ·
    ทันกำหนด`, `เลยกำหนด 12 วัน`, `ยังไม่ถึงกำหนด (อีก 20 วัน)`."""
    f = period.finding
    status = STATUS_TH[f.status]
    if f.status in ("late", "overdue") and f.days_late:
        status += f" {f.days_late} วัน"
    elif f.status in ("pending", "due_soon") and f.due_date and as_of:
        left = (f.due_date - as_of).days
        status += f" (อีก {left} วัน)" if left else " (ครบกำหนดวันนี้)"
    if f.status == "missing" and f.closed_on is not None:
        late = f", เลยกำหนดมา {f.days_late} วัน" if f.days_late else ""
        status += f" (ยุติเรื่อง {thai_day(f.closed_on)}{late})"
    if f.done_on is not None and (f.rule is None or f.rule.kind != "condition"):
        done = period.done_th or "ดำเนินการ"
        return f"{done} {thai_day(f.done_on)} · {status}"
    return status


def period_lines_th(period: PeriodStep, as_of: date | None) -> tuple[str, list[str]]:
    """A period step by step: its rule and first due date, then each extension and its
    outcome (one line with the outcome when it was never extended)."""
    if not period.extensions:
        return f"{period_head_th(period)} · {outcome_th(period, as_of)}", []
    return period_head_th(period), [
        *(extension_th(e) for e in period.extensions),
        outcome_th(period, as_of),
    ]


def _ranges(numbers: list[int]) -> str:
    """`#1–#2, #4–#5`: instance numbers, consecutive ones as a range."""
    runs: list[list[int]] = []
    for n in numbers:
        if runs and n == runs[-1][-1] + 1:
            runs[-1].append(n)
        else:
            runs.append([n])
    return ", ".join(f"#{r[0]}" + (f"–#{r[-1]}" if len(r) > 1 else "") for r in runs)


def step_periods_th(step: Step, as_of: date | None) -> list[tuple[str, list[str], Severity]]:
    """The periods a step started, as (line, further lines, severity): the rounds of a
    recurring duty done in time are one line (`ABP-6.2 #1–#2, #4–#8 ทันกำหนด (7 ครั้ง …)`),
    the others one each."""
    rows: list[PeriodStep | list[PeriodStep]] = []
    met: dict[str, list[PeriodStep]] = {}
    for period in step.periods:
        f = period.finding
        if f.rule is not None and f.rule.kind == "recurring" and f.status == "met":
            if f.rule_id not in met:
                met[f.rule_id] = []
                rows.append(met[f.rule_id])  # filled as the rounds come
            met[f.rule_id].append(period)
        else:
            rows.append(period)
    shown: list[tuple[str, list[str], Severity]] = []
    for row in rows:
        if isinstance(row, list) and len(row) > 1:
            first, last = row[0].finding, row[-1].finding
            numbers = _ranges([p.finding.instance or 0 for p in row])
            shown.append(
                (
                    f"{first.rule_id} {numbers} ทันกำหนด ({len(row)} ครั้ง "
                    f"ครั้งสุดท้ายครบกำหนด {thai_day(last.due_date)})",
                    [],
                    first.severity,
                )
            )
            continue
        period = row[0] if isinstance(row, list) else row
        line, details = period_lines_th(period, as_of)
        shown.append((line, details, period.finding.severity))
    return shown


def html_th(timeline: Timeline, as_of: date | None) -> str:
    """The timeline folded in a `<details>` (its markup is what the browser parses; it is
    laid out only when opened): stages as headings, steps as a list with their dates, periods
    and extensions nested. Every piece of text escaped."""

    def e(text: str) -> str:
        text = DATE.sub(lambda m: m[0].replace(" ", "\u00a0"), html_text(text))
        return _STATUS_WORDS.sub(r"<span class=i>\1</span>", text)

    parts = ['<details class="tl"><summary>ลำดับขั้นตอนของเรื่อง</summary>']
    for stage in timeline.stages:
        parts.append(f"<p class=st>{e(stage.name_th)}</p><ul>")
        for step in stage.steps:
            parts.append(f"<li><span class=d>{e(thai_day(step.day))}</span> {e(step_th(step))}")
            periods = step_periods_th(step, as_of)
            if periods:
                parts.append("<ul>")
                for line, details, severity in periods:
                    more = "".join(f"<li>{e(x)}</li>" for x in details)
                    parts.append(
                        f'<li class="p {severity}">{e(line)}'
                        + (f"<ul>{more}</ul>" if more else "")
                        + "</li>"
                    )
                parts.append("</ul>")
            parts.append("</li>")
        parts.append("</ul>")
    parts.append("</details>")
    return "".join(parts)


def markdown_lines(timeline: Timeline, as_of: date | None, md: Callable[[str], str]) -> list[str]:
    """A short list: the steps that started a period or extended one (with their stage), each
    period with its extensions and outcome; record text escaped by `md`."""
    lines: list[str] = []
    for stage in timeline.stages:
        steps = [s for s in stage.steps if s.periods or s.extension]
        if not steps:
            continue
        lines.append(f"- {md(stage.name_th)}")
        for step in steps:
            lines.append(f"  - {thai_day(step.day)} {md(step_th(step))}")
            for line, details, _ in step_periods_th(step, as_of):
                lines.append(f"    - {md(line)}")
                lines.extend(f"      - {md(x)}" for x in details)
    return lines
