"""The rule engine: judges every obligation of a record as of a date (SPEC §6).

The catalogue is loaded and indexed once; each record's events are indexed by kind once; each
rule then creates its instances from its triggers, matches the satisfying events to them
(`refers_to` first, then in date order to the earliest open instance whose trigger is on or
before the event) and gives each instance its status. Events dated after `as_of` are left out,
so the audit reconstructs what was known that day.
"""

from __future__ import annotations

import heapq
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from operator import attrgetter
from typing import Any

from compliance.findings import STATUSES, Finding, Severity, Status, severity_of
from compliance.periods import Deadline, PeriodCalculator
from compliance.records import RECORD_TYPES_BY_NAME, Event, Record
from compliance.rulebook import Rule, RuleBook
from compliance.workcalendar import GovernmentCalendar

DEFAULT_WARN_DAYS = 3
_by_date = attrgetter("date")
_ONE_DAY = timedelta(days=1)


@dataclass(slots=True)
class RecordResult:
    """The findings of one record, in SPEC §7 order, and how many events were after as_of."""

    findings: list[Finding]
    events_after_as_of: int


class _Context:
    """One record being judged: what every rule reads, looked up once per record."""

    __slots__ = ("agency", "as_of", "by_kind", "record", "subject_id", "subject_type")

    def __init__(self, record: Record, as_of: date) -> None:
        self.record = record
        self.as_of = as_of
        self.subject_id = record.record_id
        self.subject_type = record.type
        self.agency = record.agency
        self.by_kind: dict[str, list[Event]] = {}


@dataclass(slots=True)
class _Orphan:
    event: Event
    rule_id: str


class Engine:
    """Evaluates records against a rule book on a government calendar."""

    def __init__(
        self,
        rulebook: RuleBook,
        calendar: GovernmentCalendar,
        warn_days: int = DEFAULT_WARN_DAYS,
    ) -> None:
        if warn_days < 0:
            raise ValueError("warn_days must not be negative")
        self.rulebook = rulebook
        self.calendar = calendar
        self.calculator = PeriodCalculator(calendar)
        self.warn_days = warn_days
        self._severity: dict[str, dict[str, Severity]] = {
            r.id: {s: severity_of(s, r) for s in STATUSES} for r in rulebook.rules
        }
        self._applicable: dict[tuple[object, ...], tuple[Rule, ...]] = {}

    def rules_for(self, record: Record) -> tuple[Rule, ...]:
        """The rules whose scope covers a record, cached by the facts its type's scope tests
        read (the record type's descriptor says which)."""
        described = RECORD_TYPES_BY_NAME[record.type]
        key = (record.type, *described.scope_key(record))
        found = self._applicable.get(key)
        if found is None:
            found = tuple(
                r
                for r in self.rulebook.by_record[record.type]
                if described.in_scope(r.scope.tests(), record)
            )
            self._applicable[key] = found
        return found

    # --- per record ------------------------------------------------------------------------

    def evaluate(self, record: Record, as_of: date, flag_future: bool = False) -> RecordResult:
        """Every finding for one record as of `as_of`. With `flag_future` (as_of is today), an
        event dated after as_of is also a DATA-FUTURE finding."""
        events: Sequence[Event] = record.events
        described = RECORD_TYPES_BY_NAME[record.type]
        for read_date in described.trigger_fields.values():
            # a record not yet received (or opened) on as_of was not known that day
            known_from = read_date(record)
            if known_from > as_of:
                later = [e.date for e in events if e.date > as_of]
                unknown = self._future(record, [known_from, *later])
                return RecordResult(unknown if flag_future else [], len(events) + 1)
        ctx = _Context(record, as_of)
        by_kind = ctx.by_kind
        future: list[Event] = []
        for event in sorted(events, key=_by_date):  # stable: input order breaks ties
            if event.date > as_of:
                future.append(event)
            elif event.kind in by_kind:
                by_kind[event.kind].append(event)
            else:
                by_kind[event.kind] = [event]
        findings: list[Finding] = []
        orphans: list[_Orphan] = []
        # Rules come sorted by id and each yields its instances in order, so the findings are
        # in SPEC §7 order as built; the data checks sort after every rule id ("DATA-F…" before
        # "DATA-O…").
        for rule in self.rules_for(record):
            trigger = rule.trigger.event
            if trigger is not None and trigger not in by_kind:
                # No trigger: nothing to judge, and any satisfying event is an orphan.
                orphans.extend(_Orphan(e, rule.id) for e in _events_of(ctx, rule.satisfied_by))
                continue
            findings.extend(self._judge(rule, ctx, orphans))
        if flag_future and future:
            findings.extend(self._future(record, [e.date for e in future], future))
        if orphans:
            orphans.sort(key=lambda o: (o.event.date, o.rule_id))
            for number, orphan in enumerate(orphans, start=1):
                findings.append(
                    self._data_finding(record, "DATA-ORPHAN", number, orphan.event, orphan.rule_id)
                )
        return RecordResult(findings, len(future))

    def _judge(self, rule: Rule, ctx: _Context, orphans: list[_Orphan]) -> list[Finding]:
        if rule.kind == "recurring":
            return self._recurring(rule, ctx, orphans)
        if rule.kind == "condition":
            return self._condition(rule, ctx)
        return self._deadlines(rule, ctx, orphans)

    # --- deadline and open-ended rules ---------------------------------------------------------

    def _deadlines(self, rule: Rule, ctx: _Context, orphans: list[_Orphan]) -> list[Finding]:
        triggers: list[tuple[date, str | None]]
        if rule.trigger.field:
            read_date = RECORD_TYPES_BY_NAME[ctx.subject_type].trigger_fields[rule.trigger.field]
            triggers = [(read_date(ctx.record), None)]
        else:
            # evaluate() judges a rule only once its trigger event is known
            triggers = [(e.date, e.id) for e in ctx.by_kind[rule.trigger.event or ""]]
        if rule.dated:
            triggers = [t for t in triggers if rule.in_effect(t[0])]
        done = _match(triggers, _events_of(ctx, rule.satisfied_by), rule.id, orphans)
        if not triggers:
            return []
        period = rule.calc_period
        if period is None:  # no fixed period: open until done, missing once the case closes
            closed = bool(rule.closed_by) and bool(_events_of(ctx, rule.closed_by))
            return [
                self._finding(
                    rule,
                    ctx,
                    number,
                    "met" if finished else ("missing" if closed else "open"),
                    start,
                    None,
                    finished,
                    None,
                )
                for number, ((start, _), finished) in enumerate(zip(triggers, done, strict=True), 1)
            ]
        deadline_of = self.calculator.deadline
        return [
            self._timed(rule, ctx, number, start, deadline_of(start, period), finished)
            for number, ((start, _), finished) in enumerate(zip(triggers, done, strict=True), 1)
        ]

    def _timed(
        self,
        rule: Rule,
        ctx: _Context,
        number: int,
        start: date,
        deadline: Deadline,
        done: date | None,
    ) -> Finding:
        due = deadline.due
        as_of = ctx.as_of
        late: int | None = None
        if done is not None:
            if done <= due:
                status: Status = "met"
            else:
                status, late = "late", (done - due).days
        elif as_of > due:
            status, late = "overdue", (as_of - due).days
        elif (due - as_of).days <= self.warn_days:
            status = "due_soon"
        else:
            status = "pending"
        return self._finding(rule, ctx, number, status, start, due, done, late, deadline)

    # --- recurring rules (ABP-6.2) -------------------------------------------------------------

    def _recurring(self, rule: Rule, ctx: _Context, orphans: list[_Orphan]) -> list[Finding]:
        period = rule.calc_period
        assert period is not None and rule.trigger.event is not None
        orders = ctx.by_kind.get(rule.trigger.event, [])
        if rule.dated:
            orders = [e for e in orders if rule.in_effect(e.date)]
        reports = _events_of(ctx, rule.satisfied_by)
        if not orders:
            orphans.extend(_Orphan(r, rule.id) for r in reports)
            return []
        start = orders[0].date
        orphans.extend(_Orphan(r, rule.id) for r in reports if r.date < start)
        reports = [r for r in reports if r.date >= start]
        ends = [e.date for e in _events_of(ctx, rule.until) if e.date >= start]
        if ends:
            schedule = []
            occurrence = 1
            while (current := self.calculator.deadline(start, period, occurrence)).due < ends[0]:
                schedule.append(current)
                occurrence += 1
        else:
            schedule = self.calculator.schedule(start, period, ctx.as_of)
        findings = []
        days = [r.date for r in reports]  # in date order: each window is found by bisection
        window_start = start
        for number, deadline in enumerate(schedule, start=1):
            first = bisect_left(days, window_start)
            if first < len(days) and days[first] <= deadline.due:
                done: date | None = days[first]  # a report in the window
            else:
                after = bisect_right(days, deadline.due)  # else the first one after it
                done = days[after] if after < len(days) else None
            findings.append(self._timed(rule, ctx, number, start, deadline, done))
            window_start = deadline.due + _ONE_DAY
        return findings

    # --- condition rules -----------------------------------------------------------------------

    def _condition(self, rule: Rule, ctx: _Context) -> list[Finding]:
        findings: list[Finding] = []
        events = ctx.by_kind.get(rule.trigger.event or "", [])
        if rule.dated:
            events = [e for e in events if rule.in_effect(e.date)]
        for number, event in enumerate(events, start=1):
            holds = all(_fact(fact, ctx.record, event) for fact in rule.condition)
            status: Status = "met" if holds else "breached"
            findings.append(self._finding(rule, ctx, number, status, event.date, None, None, None))
        return findings

    # --- building findings ---------------------------------------------------------------------

    def _finding(
        self,
        rule: Rule,
        ctx: _Context,
        number: int,
        status: Status,
        trigger: date | None,
        due: date | None,
        done: date | None,
        late: int | None,
        deadline: Deadline | None = None,
    ) -> Finding:
        return Finding(
            rule.id,
            rule,
            ctx.subject_type,
            ctx.subject_id,
            ctx.agency,
            number,
            status,
            self._severity[rule.id][status],
            trigger,
            due,
            done,
            late,
            ctx.as_of,
            deadline,
        )

    def _data_finding(
        self,
        record: Record,
        rule_id: str,
        number: int,
        event: Event | None,
        related: str | None,
        day: date | None = None,
    ) -> Finding:
        return Finding(
            rule_id,
            None,
            record.type,
            record.record_id,
            record.agency,
            number,
            "inconsistent",
            "warning",
            done_on=event.date if event else day,
            event_kind=event.kind if event else "received_at",
            related_rule=related,
        )

    def _future(
        self, record: Record, days: list[date], events: Sequence[Event] = ()
    ) -> list[Finding]:
        if events:
            return [
                self._data_finding(record, "DATA-FUTURE", n, e, None)
                for n, e in enumerate(sorted(events, key=_by_date), start=1)
            ]
        return [
            self._data_finding(record, "DATA-FUTURE", n, None, None, day)
            for n, day in enumerate(sorted(days), start=1)
        ]


def _events_of(ctx: _Context, kinds: list[str]) -> list[Event]:
    """Known events of any of `kinds`, in date order (input order breaks ties)."""
    if len(kinds) == 1:
        return ctx.by_kind.get(kinds[0], [])
    found = [e for k in kinds for e in ctx.by_kind.get(k, ())]
    found.sort(key=_by_date)
    return found


def _match(
    triggers: list[tuple[date, str | None]],
    satisfiers: list[Event],
    rule_id: str,
    orphans: list[_Orphan],
) -> list[date | None]:
    """SPEC §6 matching: `refers_to` first, the others in date order to the earliest open
    instance whose trigger is on or before them. Returns each instance's done date.

    Triggers and satisfiers both come in date order, so the instances a satisfier may take
    only grow: they enter a heap of open instances as the satisfiers' dates pass their
    triggers, and each leaves it once — n log n in the number of events, not n²."""
    done: list[date | None] = [None] * len(triggers)
    by_id = {tid: i for i, (_, tid) in enumerate(triggers) if tid is not None}
    rest = []
    for event in satisfiers:
        index = by_id.get(event.refers_to) if event.refers_to else None
        if index is None:
            rest.append(event)
        elif triggers[index][0] > event.date:
            orphans.append(_Orphan(event, rule_id))  # answers an order not yet made
        elif done[index] is None:
            done[index] = event.date
    open_instances: list[int] = []
    eligible = 0  # triggers[:eligible] are on or before the current satisfier
    for event in rest:
        while eligible < len(triggers) and triggers[eligible][0] <= event.date:
            if done[eligible] is None:
                heapq.heappush(open_instances, eligible)
            eligible += 1
        while open_instances and done[open_instances[0]] is not None:
            heapq.heappop(open_instances)  # taken by a refers_to
        if open_instances:
            done[heapq.heappop(open_instances)] = event.date
        elif eligible == 0:
            orphans.append(_Orphan(event, rule_id))
    return done


def _fact(path: str, record: Record, event: Event) -> bool:
    holder, _, rest = path.partition(".")
    value: Any = event if holder == "event" else record
    for name in rest.split("."):
        value = getattr(value, name)
    return value is True
