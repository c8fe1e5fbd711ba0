"""Reading the history store: runs, the differences between two runs (SPEC §12), one
record's history, and what each office must act on after the latest run."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.engine import Connection

from compliance.errors import StoreError
from compliance.store.schema import agencies, obligations, runs, statuses

ACTION_STATUSES = ("pending", "due_soon")
DONE_STATUSES = ("met", "late")


@dataclass(frozen=True)
class Run:
    """One recorded audit run."""

    id: int
    as_of: date
    generated_at: str
    rules_digest: str
    rules_count: int
    inputs: list[dict[str, Any]]
    summary: dict[str, Any]
    obligations: int
    changes: int

    def brief(self) -> dict[str, Any]:
        """SPEC §12's `{"run": …, "as_of": …}`."""
        return {"run": self.id, "as_of": self.as_of.isoformat()}


@dataclass(frozen=True)
class State:
    """A key's state at one run (status None: not in that run)."""

    status: str | None
    severity: str | None
    agency: str | None
    trigger_date: date | None
    due_date: date | None
    done_on: date | None
    days_late: int | None


ABSENT = State(None, None, None, None, None, None, None)


@dataclass(frozen=True)
class Change:
    """A key whose status differs between two runs."""

    subject_type: str
    subject_id: str
    rule_id: str
    instance: int
    before: State
    after: State

    @property
    def agency(self) -> str:
        """The office responsible now (or last, when the key has gone)."""
        return self.after.agency or self.before.agency or ""

    @property
    def due_date(self) -> date | None:
        """The due date of the later run, or of the earlier one when the key has gone."""
        return self.after.due_date if self.after.status is not None else self.before.due_date

    @property
    def group(self) -> str:
        """new_violation, due_soon, resolved or other (the order human formats show)."""
        if self.after.severity == "violation" and self.before.severity != "violation":
            return "new_violation"
        if self.after.status == "due_soon":
            return "due_soon"
        if self.after.status in DONE_STATUSES and self.before.status not in (*DONE_STATUSES, None):
            return "resolved"  # was owed, now done (a key first seen done is not news)
        return "other"

    def to_json(self) -> dict[str, Any]:
        """The SPEC §12 change object."""
        due = self.due_date
        return {
            "rule_id": self.rule_id,
            "subject_type": self.subject_type,
            "subject_id": self.subject_id,
            "instance": self.instance,
            "from_status": self.before.status,
            "to_status": self.after.status,
            "due_date": due.isoformat() if due else None,
        }


GROUPS = ("new_violation", "due_soon", "resolved", "other")


def list_runs(conn: Connection) -> list[Run]:
    """Every run, oldest first."""
    rows = conn.execute(select(runs).order_by(runs.c.id)).mappings().all()
    return [
        Run(
            id=r["id"],
            as_of=r["as_of"],
            generated_at=r["generated_at"],
            rules_digest=r["rules_digest"],
            rules_count=r["rules_count"],
            inputs=list(r["inputs"] or []),
            summary=dict(r["summary"] or {}),
            obligations=r["obligations"],
            changes=r["changes"],
        )
        for r in rows
    ]


class FirstRunError(StoreError):
    """`changes` with no earlier run to compare with: the first night of a nightly job."""


def pick_runs(all_runs: list[Run], first: int | None, second: int | None) -> tuple[Run, Run]:
    """The two runs to compare: the ones named, else the last two."""
    by_id = {r.id: r for r in all_runs}
    for named in (first, second):
        if named is not None and named not in by_id:
            raise StoreError(f"no run {named} in the store")
    if second is None:
        if not all_runs:
            raise StoreError("the store has no run yet")
        second = all_runs[-1].id
    if first is None:
        earlier = [r.id for r in all_runs if r.id < second]
        if not earlier:
            raise FirstRunError(f"run {second} is the first run: there is nothing to compare with")
        first = earlier[-1]
    return by_id[first], by_id[second]


def _state_columns() -> tuple[Any, ...]:
    s = statuses
    return (
        s.c.status,
        s.c.severity,
        agencies.c.name,
        s.c.trigger_date,
        s.c.due_date,
        s.c.done_on,
        s.c.days_late,
    )


def _states_at(conn: Connection, run_id: int, touched: Select[Any]) -> dict[int, State]:
    """The state at `run_id` of the keys selected by `touched`."""
    s = statuses
    latest = (
        select(s.c.obligation_id, func.max(s.c.run_id).label("run_id"))
        .where(s.c.run_id <= run_id, s.c.obligation_id.in_(touched))
        .group_by(s.c.obligation_id)
        .subquery()
    )
    query = select(s.c.obligation_id, *_state_columns()).select_from(
        s.join(
            latest,
            (latest.c.obligation_id == s.c.obligation_id) & (latest.c.run_id == s.c.run_id),
        ).outerjoin(agencies, agencies.c.id == s.c.agency_id)
    )
    return {row[0]: State(*row[1:]) for row in conn.execute(query)}


def _keys(conn: Connection, ids: Iterable[int]) -> dict[int, tuple[str, str, str, int]]:
    o = obligations
    wanted = list(ids)
    found: dict[int, tuple[str, str, str, int]] = {}
    for start in range(0, len(wanted), 10_000):
        chunk = wanted[start : start + 10_000]
        query = select(o.c.id, o.c.subject_type, o.c.subject_id, o.c.rule_id, o.c.instance)
        for row in conn.execute(query.where(o.c.id.in_(chunk))):
            found[row[0]] = (row[1], row[2], row[3], row[4])
    return found


def changes_between(conn: Connection, first: Run, second: Run) -> list[Change]:
    """Every key whose status differs between two runs (DATA-* are never stored), in
    (subject_type, subject_id, rule_id, instance) order."""
    low, high = sorted((first.id, second.id))
    touched = (
        select(statuses.c.obligation_id)
        .where(statuses.c.run_id > low, statuses.c.run_id <= high)
        .distinct()
    )
    before = _states_at(conn, first.id, touched)
    after = _states_at(conn, second.id, touched)
    differ = [
        oid
        for oid in before.keys() | after.keys()
        if before.get(oid, ABSENT).status != after.get(oid, ABSENT).status
    ]
    keys = _keys(conn, differ)
    found = [Change(*keys[oid], before.get(oid, ABSENT), after.get(oid, ABSENT)) for oid in differ]
    found.sort(key=lambda c: (c.subject_type, c.subject_id, c.rule_id, c.instance))
    return found


@dataclass(frozen=True)
class HistoryRow:
    """One change of one key of a record."""

    subject_type: str
    rule_id: str
    instance: int
    run: int
    as_of: date
    state: State


def record_history(conn: Connection, record_id: str) -> list[HistoryRow]:
    """Every change of every key of one record, by key then run."""
    o, s = obligations, statuses
    query = (
        select(o.c.subject_type, o.c.rule_id, o.c.instance, runs.c.id, runs.c.as_of)
        .add_columns(*_state_columns())
        .select_from(
            o.join(s, s.c.obligation_id == o.c.id)
            .join(runs, runs.c.id == s.c.run_id)
            .outerjoin(agencies, agencies.c.id == s.c.agency_id)
        )
        .where(o.c.subject_id == record_id)
        .order_by(o.c.subject_type, o.c.rule_id, o.c.instance, runs.c.id)
    )
    return [
        HistoryRow(row[0], row[1], row[2], row[3], row[4], State(*row[5:]))
        for row in conn.execute(query)
    ]


@dataclass(frozen=True)
class Item:
    """One line of an office's digest."""

    subject_type: str
    subject_id: str
    rule_id: str
    instance: int
    status: str
    due_date: date | None
    days_late: int | None


@dataclass
class OfficeDigest:
    """What one office must act on after the latest run."""

    agency: str
    new_violations: list[Item]
    overdue: list[Item]
    due: list[Item]

    @property
    def total(self) -> int:
        """Items in the digest."""
        return len(self.new_violations) + len(self.overdue) + len(self.due)


def digest(conn: Connection, latest: Run, previous: Run | None, days: int) -> list[OfficeDigest]:
    """Per office: violations new since the previous run, keys still overdue (most days late
    first) and keys due within `days` of the latest run's date (soonest first)."""
    o, s = obligations, statuses
    new_keys: set[int] = set()
    fresh = select(s.c.obligation_id).where(s.c.run_id == latest.id, s.c.severity == "violation")
    if previous is None:
        new_keys = set(conn.execute(fresh).scalars())
    else:
        before = _states_at(conn, previous.id, fresh)
        new_keys = {
            oid
            for oid in conn.execute(fresh).scalars()
            if before.get(oid, ABSENT).severity != "violation"
        }
    horizon = latest.as_of + timedelta(days=days)
    query = (
        select(
            o.c.id,
            agencies.c.name,
            o.c.subject_type,
            o.c.subject_id,
            o.c.rule_id,
            o.c.instance,
            s.c.status,
            s.c.due_date,
            s.c.days_late,
        )
        .select_from(
            o.join(s, (s.c.obligation_id == o.c.id) & (s.c.run_id == o.c.last_run)).join(
                agencies, agencies.c.id == s.c.agency_id
            )
        )
        .where(
            (s.c.status == "overdue")
            | (s.c.status.in_(ACTION_STATUSES) & (s.c.due_date <= horizon))
            | o.c.id.in_(fresh)
        )
    )
    offices: dict[str, OfficeDigest] = {}
    for oid, agency, stype, sid, rule, inst, status, due, stored in conn.execute(query):
        # an overdue key's stored days_late is that of its last change
        late = (latest.as_of - due).days if status == "overdue" and due is not None else stored
        item = Item(stype, sid, rule, inst, status, due, late)
        office = offices.setdefault(agency, OfficeDigest(agency, [], [], []))
        if oid in new_keys:
            office.new_violations.append(item)
        elif status == "overdue":
            office.overdue.append(item)
        elif status in ACTION_STATUSES:
            office.due.append(item)
    for office in offices.values():
        office.new_violations.sort(key=_by_key)
        office.overdue.sort(key=lambda i: (-(i.days_late or 0), *_by_key(i)))
        office.due.sort(key=lambda i: (i.due_date or date.max, *_by_key(i)))
    return [offices[a] for a in sorted(offices) if offices[a].total]


def _by_key(item: Item) -> tuple[str, str, str, int]:
    return (item.subject_type, item.subject_id, item.rule_id, item.instance)
