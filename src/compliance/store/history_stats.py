"""Read-only counts from the history store for `compliance stats --store` (monthly trends).

Every query returns counts grouped by agency, rule and status — never an obligation key or a
subject id — so nothing that identifies a record leaves the database for the statistics.
The state of a key at run R is its `statuses` row with the greatest run id ≤ R (schema.py);
a key absent from run R (status NULL) is not counted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Subquery, and_, func, select
from sqlalchemy.engine import Connection

from compliance.store.schema import agencies, obligations, runs, statuses


@dataclass(frozen=True)
class StoredRun:
    """What a monthly trend says of the run it read: number, date and rule set."""

    id: int
    as_of: date
    rules_digest: str


def runs_between(conn: Connection, start: date, end: date) -> list[StoredRun]:
    """The runs whose `as_of` is in [start, end], by as_of then the order recorded."""
    query = (
        select(runs.c.id, runs.c.as_of, runs.c.rules_digest)
        .where(runs.c.as_of >= start, runs.c.as_of <= end)
        .order_by(runs.c.as_of, runs.c.id)
    )
    return [StoredRun(*row) for row in conn.execute(query)]


def _latest_states(run_id: int) -> Subquery:
    """Each key's latest status row at `run_id`: (obligation_id, run_id)."""
    s = statuses
    return (
        select(s.c.obligation_id, func.max(s.c.run_id).label("run_id"))
        .where(s.c.run_id <= run_id)
        .group_by(s.c.obligation_id)
        .subquery()
    )


def _counts(conn: Connection, run_id: int, where: Any, *group: Any) -> list[tuple[Any, ...]]:
    s, o = statuses, obligations
    latest = _latest_states(run_id)
    n = func.count().label("n")
    query = (
        select(*group, n)
        .select_from(
            s.join(
                latest,
                and_(latest.c.obligation_id == s.c.obligation_id, latest.c.run_id == s.c.run_id),
            )
            .join(o, o.c.id == s.c.obligation_id)
            .outerjoin(agencies, agencies.c.id == s.c.agency_id)
        )
        .where(s.c.status.is_not(None), where)
        .group_by(*group)
    )
    return [tuple(row) for row in conn.execute(query)]


def rule_counts(
    conn: Connection, run_id: int, start: date, end: date
) -> list[tuple[str, str, str, int]]:
    """(agency, rule_id, status, n) of the keys that fell due in [start, end] — their due
    date, or their trigger date when they have none (SPEC §11) — as stored at `run_id`."""
    s = statuses
    day = func.coalesce(s.c.due_date, s.c.trigger_date)
    rows = _counts(
        conn,
        run_id,
        and_(day >= start, day <= end),
        agencies.c.name,
        obligations.c.rule_id,
        s.c.status,
    )
    return [(agency or "", rule, status, n) for agency, rule, status, n in rows]


def timeliness_counts(
    conn: Connection, run_id: int, rule_id: str, start: date, end: date
) -> list[tuple[str, str, int]]:
    """(agency, status, n) of the first instance of `rule_id` (a complaint's response rule)
    for the complaints received in [start, end]: the rule's trigger date is the receipt."""
    s, o = statuses, obligations
    rows = _counts(
        conn,
        run_id,
        and_(
            o.c.rule_id == rule_id,
            o.c.subject_type == "complaint",
            o.c.instance == 1,
            s.c.trigger_date >= start,
            s.c.trigger_date <= end,
        ),
        agencies.c.name,
        s.c.status,
    )
    return [(agency or "", status, n) for agency, status, n in rows]
