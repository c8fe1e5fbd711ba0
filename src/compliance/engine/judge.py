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
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from operator import attrgetter
from typing import Any

from compliance.calendar.periods import Deadline, PeriodCalculator
from compliance.calendar.workcalendar import GovernmentCalendar
from compliance.engine.findings import STATUSES, Extension, Finding, Severity, Status, severity_of
from compliance.engine.rulebook import Rule, RuleBook
from compliance.records import RECORD_TYPES_BY_NAME, CaseEvent, Event, Record, RecordType

DEFAULT_WARN_DAYS = 3
EXTENSION_KIND = "deadline_extended"
_by_date = attrgetter("date")
_by_rule_id = attrgetter("rule_id")
_ONE_DAY = timedelta(days=1)


@dataclass(slots=True)
class RecordResult:
    """The findings of one record, in SPEC §7 order, and how many events were after as_of."""

    findings: list[Finding]
    events_after_as_of: int


class _Context:
    """One record being judged: what every rule reads, looked up once per record."""

    __slots__ = (
        "agency",
        "as_of",
        "by_kind",
        "closed_on",
        "extensions",
        "field_dates",
        "merged",
        "record",
        "subject_id",
        "subject_type",
        "triggers",
        "unused",
    )

    def __init__(self, record: Record, as_of: date) -> None:
        self.record = record
        self.as_of = as_of
        self.subject_id = record.record_id
        self.subject_type = record.type
        self.agency = record.agency
        self.by_kind: dict[str, list[Event]] = {}
        self.closed_on: date | None = None  # SPEC §15: the first closing event, if any
        self.extensions: dict[str, list[Event]] = {}  # rule id -> its extensions, by date
        # extensions not (fully) honoured: why, and the instance they went to, if any
        self.unused: list[tuple[Event, str, int | None]] = []
        self.field_dates: dict[str, date] = {}  # trigger field -> its date, read once
        # Asked for twice (by a rule's judgement, then by the orphan check): made once.
        self.triggers: dict[str, list[tuple[date, str | None]]] = {}  # rule id -> triggers
        self.merged: dict[int, list[Event]] = {}  # id of a list of kinds -> their events


Judge = Callable[[Rule, _Context], list[Finding]]


@dataclass(frozen=True, slots=True)
class _Plan:
    """The rules in scope for one kind of record, arranged once for the per-record loop: each
    rule with the event that must be present to trigger it and the judgement its kind needs,
    and, per satisfying event kind, the rules that event may answer (for the orphan check)."""

    rules: tuple[Rule, ...]
    steps: tuple[tuple[Rule, str | None, Judge], ...]
    answers: dict[str, tuple[Rule, ...]]  # satisfying event kind -> its rules, in rule order


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
        self._plans: dict[tuple[object, ...], _Plan] = {}

    def rules_for(self, record: Record) -> tuple[Rule, ...]:
        """The rules whose scope covers a record."""
        return self._plan_for(record, RECORD_TYPES_BY_NAME[record.type]).rules

    def _plan_for(self, record: Record, described: RecordType) -> _Plan:
        """The plan of the rules in scope, cached by the facts the record type's scope tests
        read (its descriptor, `described`, says which)."""
        key = (record.type, *described.scope_key(record))
        found = self._plans.get(key)
        if found is None:
            rules = tuple(
                r
                for r in self.rulebook.by_record[record.type]
                if described.in_scope(r.scope.tests(), record)
            )
            judges: dict[str, Judge] = {
                "recurring": self._recurring,
                "condition": self._condition,
                "overrun": self._overrun,
            }
            answers: dict[str, list[Rule]] = {}
            for rule in rules:
                for kind in dict.fromkeys(rule.satisfied_by):
                    answers.setdefault(kind, []).append(rule)
            found = self._plans[key] = _Plan(
                rules,
                tuple((r, r.trigger.event, judges.get(r.kind, self._deadlines)) for r in rules),
                {kind: tuple(answering) for kind, answering in answers.items()},
            )
        return found

    # --- per record ------------------------------------------------------------------------

    def evaluate(self, record: Record, as_of: date, flag_future: bool = False) -> RecordResult:
        """Every finding for one record as of `as_of`. With `flag_future` (as_of is today), an
        event dated after as_of is also a DATA-FUTURE finding."""
        events: Sequence[Event] = record.events
        described = RECORD_TYPES_BY_NAME[record.type]
        ctx = _Context(record, as_of)
        for name, read_date in described.trigger_fields.items():
            # a record not yet received (or opened) on as_of was not known that day
            known_from = ctx.field_dates[name] = read_date(record)
            if known_from > as_of:
                later = [e.date for e in events if e.date > as_of]
                unknown = self._future(record, [known_from, *later])
                return RecordResult(unknown if flag_future else [], len(events) + 1)
        by_kind = ctx.by_kind
        future: list[Event] = []
        for event in sorted(events, key=_by_date):  # stable: input order breaks ties
            if event.date > as_of:
                future.append(event)
            elif (kind := event.kind) in by_kind:
                by_kind[kind].append(event)
            else:
                by_kind[kind] = [event]
        closings = [e.date for k in described.closing_events if k in by_kind for e in by_kind[k]]
        ctx.closed_on = min(closings) if closings else None
        plan = self._plan_for(record, described)
        if EXTENSION_KIND in by_kind:
            self._sort_extensions(ctx, plan.rules)
        findings: list[Finding] = []
        # Rules come sorted by id and each yields its instances in order; the data checks are
        # put in their place by id at the end (SPEC §7 order).
        for rule, trigger, judge in plan.steps:
            if trigger is not None and trigger not in by_kind:
                continue  # no trigger: nothing to judge (its satisfiers are orphans, below)
            findings.extend(judge(rule, ctx))
        data = self._unused_extensions(ctx) if ctx.unused or ctx.extensions else []
        if flag_future and future:
            data.extend(self._future(record, [e.date for e in future], future))
        if not self._all_answered(ctx, plan):
            data.extend(self._orphans(ctx, plan.rules))
        if data:
            findings.extend(data)
            findings.sort(key=_by_rule_id)  # stable: instances keep their order
        return RecordResult(findings, len(future))

    # --- deadline and open-ended rules ---------------------------------------------------------

    def _triggers(self, rule: Rule, ctx: _Context) -> list[tuple[date, str | None]]:
        """A rule's triggers on this record, in date order: (date, event id)."""
        found = ctx.triggers.get(rule.id)
        if found is None:
            if rule.trigger.field:
                found = [(ctx.field_dates[rule.trigger.field], None)]
            else:
                found = [(e.date, e.id) for e in ctx.by_kind.get(rule.trigger.event or "", ())]
            ctx.triggers[rule.id] = found
        return found

    def _deadlines(self, rule: Rule, ctx: _Context) -> list[Finding]:
        triggers = self._triggers(rule, ctx)
        if rule.dated:
            triggers = [t for t in triggers if rule.in_effect(t[0])]
        if not triggers:
            return []
        done = _match(triggers, _events_of(ctx, rule.satisfied_by))
        period = rule.calc_period
        if period is None:  # no fixed period: open until done, missing once the case closes
            closed = _events_of(ctx, rule.closed_by) if rule.closed_by else ctx.closed_on
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
        extending = bool(ctx.extensions) and rule.id in ctx.extensions
        if len(triggers) == 1 and not extending:  # the usual case, without the lists below
            start = triggers[0][0]
            deadline = self.calculator.deadline(start, period)
            return [self._timed(rule, ctx, 1, start, deadline, done[0])]
        deadlines = [self.calculator.deadline(start, period) for start, _ in triggers]
        extended: list[tuple[Extension, ...]] = [()] * len(triggers)
        if extending:
            extended = self._extend(rule, ctx, triggers, deadlines, done)
        return [
            self._timed(rule, ctx, number, start, deadline, finished, more)
            for number, ((start, _), deadline, finished, more) in enumerate(
                zip(triggers, deadlines, done, extended, strict=True), 1
            )
        ]

    def _timed(
        self,
        rule: Rule,
        ctx: _Context,
        number: int,
        start: date,
        deadline: Deadline,
        done: date | None,
        extensions: tuple[Extension, ...] = (),
    ) -> Finding:
        """A deadline instance's status (SPEC §6, §15): done wins; a closed record's undone
        duty is missing, its lateness frozen at closing; else as of the audit date."""
        due = extensions[-1].new_due if extensions else deadline.due
        as_of = ctx.as_of
        late: int | None = None
        closed = ctx.closed_on
        if done is not None:
            if done <= due:
                status: Status = "met"
            else:
                status, late = "late", (done - due).days
        elif closed is not None:
            status = "missing"
            late = (closed - due).days if closed > due else None
        elif as_of > due:
            status, late = "overdue", (as_of - due).days
        elif (due - as_of).days <= self.warn_days:
            status = "due_soon"
        else:
            status = "pending"
        finding = self._finding(rule, ctx, number, status, start, due, done, late, deadline)
        if extensions:
            finding.extended_days = sum(e.days for e in extensions)
            finding.extensions = extensions
        else:
            finding.extended_days = 0
        if status == "missing":
            finding.closed_on = closed
        return finding

    # --- extensions (SPEC §10.5) ---------------------------------------------------------------

    def _sort_extensions(self, ctx: _Context, rules: tuple[Rule, ...]) -> None:
        """File each known extension under the in-scope rule it extends, or as a data problem:
        naming no rule, a rule out of scope, or a rule that cannot be extended. One naming a
        built-in rule of a pack not loaded is ignored (a v1 job on v2 data)."""
        in_scope = {r.id: r for r in rules}
        for event in ctx.by_kind[EXTENSION_KIND]:
            target = event.extends if isinstance(event, CaseEvent) else None
            rule = in_scope.get(target or "")
            if rule is not None and rule.extension is not None:
                ctx.extensions.setdefault(rule.id, []).append(event)
            elif rule is not None:
                ctx.unused.append((event, "not_extendable", None))
            elif target in self.rulebook.by_id:
                ctx.unused.append((event, "out_of_scope", None))
            elif target not in self.rulebook.builtin_ids:
                ctx.unused.append((event, "unknown_rule", None))

    def _extend(
        self,
        rule: Rule,
        ctx: _Context,
        triggers: list[tuple[date, str | None]],
        deadlines: list[Deadline],
        done: list[date | None],
    ) -> list[tuple[Extension, ...]]:
        """Each instance's honoured extensions, in date order: an extension goes to the
        instance its `refers_to` names, else to the earliest instance triggered on or before it
        and not yet done by then; it is honoured when dated on or before the due date in force,
        up to the rule's max_days (new due = old due + days), unless the new due date would lie
        after the last date a record may hold (a pile of extensions; `out_of_range`)."""
        assert rule.extension is not None and rule.calc_period is not None
        cap = rule.extension.max_days
        by_id = {tid: i for i, (_, tid) in enumerate(triggers) if tid is not None}
        dues = [d.due for d in deadlines]
        honoured: list[list[Extension]] = [[] for _ in triggers]
        for event in ctx.extensions.pop(rule.id):
            index = by_id.get(event.refers_to) if event.refers_to else None
            if index is None:
                index = next(
                    (
                        i
                        for i, (start, _) in enumerate(triggers)
                        if start <= event.date and not (done[i] and done[i] <= event.date)  # type: ignore[operator]
                    ),
                    None,
                )
            if index is None:
                ctx.unused.append((event, "no_instance", None))
                continue
            if event.date > dues[index]:
                ctx.unused.append((event, "too_late", index + 1))
                continue
            requested = event.days if isinstance(event, CaseEvent) and event.days else 0
            days = min(requested, cap) if cap else requested
            new_due = self.calculator.extend(dues[index], days, rule.calc_period)
            if new_due is None:  # past the last date a record may hold: not honoured at all
                ctx.unused.append((event, "out_of_range", index + 1))
                continue
            if days < requested:
                ctx.unused.append((event, "capped", index + 1))
            dues[index] = new_due
            honoured[index].append(Extension(event.date, days, requested, new_due))
        return [tuple(h) for h in honoured]

    def _unused_extensions(self, ctx: _Context) -> list[Finding]:
        """DATA-EXTENSION: extensions not (fully) honoured, in date order. Those still filed
        under a rule were never reached: the rule had no instance on this record."""
        if not ctx.unused and not ctx.extensions:
            return []  # most records: no extension at all
        for events in ctx.extensions.values():
            ctx.unused.extend((event, "no_instance", None) for event in events)
        ctx.extensions.clear()
        ctx.unused.sort(key=lambda item: item[0].date)
        findings = []
        for event, reason, instance in ctx.unused:
            extends = event.extends if isinstance(event, CaseEvent) else None
            finding = self._data_finding(ctx.record, "DATA-EXTENSION", None, event, extends)
            finding.note = reason
            finding.related_instance = instance
            findings.append(finding)
        return findings

    # --- recurring rules (ABP-6.2) -------------------------------------------------------------

    def _recurring(self, rule: Rule, ctx: _Context) -> list[Finding]:
        period = rule.calc_period
        assert period is not None and rule.trigger.event is not None
        orders = ctx.by_kind.get(rule.trigger.event, [])
        if rule.dated:
            orders = [e for e in orders if rule.in_effect(e.date)]
        if not orders:
            return []
        start = orders[0].date
        reports = [r for r in _events_of(ctx, rule.satisfied_by) if r.date >= start]
        ends = [e.date for e in _events_of(ctx, rule.until) if e.date >= start]
        if ctx.closed_on is not None:
            ends.append(ctx.closed_on)  # SPEC §15: closing ends the schedule too
        if ends:
            schedule = self.calculator.schedule_before(start, period, min(ends))
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

    # --- overrun rules (KK-61-REPORT, SPEC §10.6) ----------------------------------------------

    def _overrun(self, rule: Rule, ctx: _Context) -> list[Finding]:
        """For each trigger X: once `as_of` is past L = X + overrun_days with no `until` event
        (nor a closing) on or before L, a duty arises on L + 1 with no due date: met by a
        satisfier dated after X, else missing once the case is closed, else open."""
        assert rule.overrun_days is not None
        span = timedelta(days=rule.overrun_days)
        ends = [e.date for e in _events_of(ctx, rule.until)]
        satisfiers = _events_of(ctx, rule.satisfied_by)
        findings = []
        number = 0
        for start, _ in self._triggers(rule, ctx):
            if rule.dated and not rule.in_effect(start):
                continue
            limit = start + span
            if ctx.as_of <= limit or any(start <= end <= limit for end in ends):
                continue
            if ctx.closed_on is not None and ctx.closed_on <= limit:
                continue  # closed within the limit: it never ran past it (as §15 ends schedules)
            done = next((s.date for s in satisfiers if s.date > start), None)
            status: Status = "met" if done else ("missing" if ctx.closed_on else "open")
            number += 1
            finding = self._finding(rule, ctx, number, status, limit + _ONE_DAY, None, done, None)
            if status == "missing":
                finding.closed_on = ctx.closed_on
            findings.append(finding)
        return findings

    # --- orphans (SPEC §6, §10.7) ----------------------------------------------------------------

    def _all_answered(self, ctx: _Context, plan: _Plan) -> bool:
        """Whether every satisfying event has a rule that explains it (most records): the
        quick test before `_orphans`, which then finds and orders the orphans. The same test
        as there, event by event, stopping at the first rule that explains."""
        by_kind = ctx.by_kind
        named: dict[str, dict[str, date]] = {}
        explains = self._explains
        for kind, answering in plan.answers.items():
            for event in by_kind.get(kind, ()):
                for rule in answering:
                    if explains(rule, event, ctx, named):
                        break
                else:
                    return False
        return True

    def _explains(
        self, rule: Rule, event: Event, ctx: _Context, named: dict[str, dict[str, date]]
    ) -> bool:
        """Whether a rule's triggers explain a satisfying event: the trigger it names by
        `refers_to`, if the rule has one with that id, is on or before it; else the rule's
        first trigger is. `named` keeps each rule's triggers by event id for the record."""
        triggers = self._triggers(rule, ctx)
        if event.refers_to:
            by_id = named.get(rule.id)
            if by_id is None:
                by_id = named[rule.id] = {tid: d for d, tid in triggers if tid is not None}
            day = by_id.get(event.refers_to)
            if day is not None:
                return day <= event.date
        return bool(triggers) and triggers[0][0] <= event.date

    def _orphans(self, ctx: _Context, rules: tuple[Rule, ...]) -> list[Finding]:
        """A satisfying event none of whose in-scope rules has a trigger on or before it (one
        it names by `refers_to`, if any; triggers before a rule's effective date count)."""
        verdict: dict[int, bool] = {}  # id(event) -> explained
        candidates: dict[int, list[str]] = {}
        order: list[Event] = []
        named: dict[str, dict[str, date]] = {}
        for rule in rules:
            satisfiers = _events_of(ctx, rule.satisfied_by) if rule.satisfied_by else []
            for event in satisfiers:
                key = id(event)
                if key not in verdict:
                    verdict[key] = False
                    candidates[key] = []
                    order.append(event)
                candidates[key].append(rule.id)
                verdict[key] = verdict[key] or self._explains(rule, event, ctx, named)
        lost = [(e, ", ".join(candidates[id(e)])) for e in order if not verdict[id(e)]]
        lost.sort(key=lambda item: (item[0].date, item[1]))
        return [
            self._data_finding(ctx.record, "DATA-ORPHAN", number, event, related)
            for number, (event, related) in enumerate(lost, start=1)
        ]

    # --- condition rules -----------------------------------------------------------------------

    def _condition(self, rule: Rule, ctx: _Context) -> list[Finding]:
        findings: list[Finding] = []
        events = ctx.by_kind.get(rule.trigger.event or "", [])
        if rule.dated:
            events = [e for e in events if rule.in_effect(e.date)]
        for number, event in enumerate(events, start=1):
            holds = all(
                read(event if on_event else ctx.record) is True
                for on_event, read in map(_read_fact, rule.condition)
            )
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
        number: int | None,
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
    """Known events of any of `kinds`, in date order (input order breaks ties). The lists of
    kinds are the rules' own, alive as long as the rule book: their id is a safe key."""
    if len(kinds) == 1:
        return ctx.by_kind.get(kinds[0], [])
    found = ctx.merged.get(id(kinds))
    if found is None:
        by_kind = ctx.by_kind
        found = [e for k in kinds if k in by_kind for e in by_kind[k]]
        found.sort(key=_by_date)
        ctx.merged[id(kinds)] = found
    return found


def _match(triggers: list[tuple[date, str | None]], satisfiers: list[Event]) -> list[date | None]:
    """SPEC §6 matching: `refers_to` first, the others in date order to the earliest open
    instance whose trigger is on or before them. Returns each instance's done date. (An event
    naming a trigger made after it answers nothing: it is an orphan, see `_orphans`.)

    Triggers and satisfiers both come in date order, so the instances a satisfier may take
    only grow: they enter a heap of open instances as the satisfiers' dates pass their
    triggers, and each leaves it once — n log n in the number of events, not n²."""
    if len(triggers) == 1:  # the usual case, without the heap: what the loops below decide
        start, tid = triggers[0]
        first: date | None = None  # the first satisfier on or after the trigger, if none names it
        for event in satisfiers:
            if tid is not None and event.refers_to == tid:
                if start <= event.date:
                    return [event.date]
            elif first is None and start <= event.date:
                first = event.date
        return [first]
    return _match_heap(triggers, satisfiers)


def _match_heap(
    triggers: list[tuple[date, str | None]], satisfiers: list[Event]
) -> list[date | None]:
    """`_match` for any number of triggers."""
    done: list[date | None] = [None] * len(triggers)
    by_id = {tid: i for i, (_, tid) in enumerate(triggers) if tid is not None}
    rest = []
    for event in satisfiers:
        index = by_id.get(event.refers_to) if event.refers_to else None
        if index is None:
            rest.append(event)
        elif triggers[index][0] <= event.date and done[index] is None:
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
    return done


@cache
def _read_fact(path: str) -> tuple[bool, Callable[[Any], Any]]:
    """A condition fact (`event.…` or `record.…`, SPEC §5): whether it is read on the trigger
    event, and its reader."""
    holder, _, rest = path.partition(".")
    return holder == "event", attrgetter(rest)
