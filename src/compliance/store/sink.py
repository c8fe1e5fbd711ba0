"""The store as a sink of the audit: it receives the run's header, each finding's SPEC §7
dict, each rejection and the summary, exactly as a renderer does, and records the run in one
transaction (SPEC §12).

Findings are buffered and bulk-loaded into a temporary table; at `finish` a handful of set
statements compare them with each key's current state, append one `statuses` row per key
that changed (or disappeared) and update the current state — so a database grows with
changes, not with runs, and the comparison costs joins in the database, not Python loops.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import threading
import time
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    and_,
    exists,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from compliance.engine.findings import Finding
from compliance.errors import StoreCommitError, StoreError
from compliance.pipeline.sinks import Sink
from compliance.store.db import default_wait, normalise_url, open_store, translate
from compliance.store.schema import STATE_COLUMNS, agencies, obligations, runs, statuses

BATCH = 20_000
PAUSE_ENV = "COMPLIANCE_STORE_PAUSE"  # tests: a file to create, then sleep, before commit
KEY = ("subject_id", "subject_type", "rule_id", "instance")
INCOMING_COLUMNS = (*KEY, *STATE_COLUMNS)

_temp = MetaData()
incoming = Table(
    "compliance_incoming",
    _temp,
    Column("subject_id", String(200), nullable=False),
    Column("subject_type", String(40), nullable=False),
    Column("rule_id", String(100), nullable=False),
    Column("instance", Integer, nullable=False),
    Column("status", String(20)),
    Column("severity", String(20)),
    Column("agency_id", Integer),
    Column("trigger_date", Date),
    Column("due_date", Date),
    Column("done_on", Date),
    Column("days_late", Integer),
    prefixes=["TEMPORARY"],
)
# Built after the bulk load (one sort, not millions of index updates): `text`, because an
# Index object on the table would be created with it.
INDEX_INCOMING = text(
    f"CREATE INDEX ix_compliance_incoming_key ON {incoming.name} ({', '.join(KEY)})"
)
rejected_ids = Table(
    "compliance_rejected", _temp, Column("subject_id", String(200)), prefixes=["TEMPORARY"]
)


class _AbortedError(Exception):
    """Thrown into the store's transaction to roll it back."""


class StoreSink(Sink):
    """Records one audit run in the store at `url` (see the module docstring).

    Use as a context manager, or call `abort()` on failure: anything but `finish` leaves the
    store as it was."""

    def __init__(self, url: str, inputs: Sequence[Path], *, wait: float | None = None) -> None:
        self.url = url
        self.inputs = list(inputs)
        self.wait = default_wait() if wait is None else wait
        self.target = normalise_url(url)  # a bad URL fails before the audit starts
        self.run_id: int | None = None
        self._stack: contextlib.ExitStack | None = None
        self._conn: Connection | None = None
        self._buffer: list[tuple[Any, ...]] = []
        self._agencies: dict[str, int] = {}
        self._rejected: set[str] = set()
        self._count = 0
        self._digests: list[dict[str, Any]] = []
        self._hasher: threading.Thread | None = None
        self._postgres = self.target.get_backend_name() == "postgresql"
        # dates as the bulk path wants them: `date` for psycopg's COPY, ISO text for SQLite
        # (what SQLAlchemy's Date type stores there)
        self._day = _day if self._postgres else _iso

    # --- the sink interface ---------------------------------------------------------------

    def start(self, header: Mapping[str, Any]) -> None:
        """Open the store (waiting for another run), lock it and add this run's row."""
        self._hasher = threading.Thread(target=self._hash_inputs, daemon=True)
        self._hasher.start()
        stack = contextlib.ExitStack()
        self._conn = stack.enter_context(open_store(self.url, write=True, wait=self.wait))
        self._stack = stack
        with self._translated():
            conn = self._conn
            incoming.create(conn)
            rejected_ids.create(conn)
            self._agencies = {
                name: agency_id
                for name, agency_id in conn.execute(select(agencies.c.name, agencies.c.id))
            }
            rules = header["rules"]
            self.run_id = conn.execute(
                insert(runs).returning(runs.c.id),
                {
                    "as_of": _as_date(header["as_of"]),
                    "generated_at": header["generated_at"],
                    "rules_source": rules["source"],
                    "rules_count": rules["count"],
                    "rules_digest": rules["digest"],
                    "calendar": header["calendar"],
                    "inputs": [],
                    "summary": None,
                    "obligations": 0,
                    "changes": 0,
                },
            ).scalar_one()

    def finding(self, finding: Finding) -> None:
        """One finding (its facts; a `--jobs` run gives them rebuilt from the workers').
        DATA-* findings are data-quality warnings, not obligations: they are counted in the
        run's summary only."""
        rule_id = finding.rule_id
        if rule_id.startswith("DATA-"):
            return
        agency = finding.agency
        agency_id = self._agencies.get(agency)
        if agency_id is None:
            agency_id = self._add_agency(agency)
        day = self._day
        self._buffer.append(
            (
                finding.subject_id,
                finding.subject_type,
                rule_id,
                finding.instance,
                finding.status,
                finding.severity,
                agency_id,
                day(finding.trigger_date),
                day(finding.due_date),
                day(finding.done_on),
                finding.days_late,
            )
        )
        if len(self._buffer) >= BATCH:
            self._flush()

    def rejected(self, item: Any) -> None:
        """A rejected record keeps its keys' last known statuses: unknown is not resolved."""
        record_id = getattr(item, "record_id", None)
        if record_id is not None:
            self._rejected.add(record_id)

    def finish(self, summary: Mapping[str, Any]) -> None:
        """Compare, record the changes and commit (a failure here fails the run: exit 4)."""
        try:
            self._commit(summary)
        except StoreError as exc:
            raise StoreCommitError(f"the run was not recorded in the store: {exc}") from None

    def _commit(self, summary: Mapping[str, Any]) -> None:
        if self._conn is None or self._stack is None or self.run_id is None:
            raise StoreError("the store was not started")
        with self._translated():
            self._flush()
            conn = self._conn
            if self._rejected:
                conn.execute(insert(rejected_ids), [{"subject_id": r} for r in self._rejected])
            changes = self._apply(conn, self.run_id)
            if self._hasher is not None:
                self._hasher.join()
            conn.execute(
                update(runs)
                .where(runs.c.id == self.run_id)
                .values(
                    inputs=self._digests,
                    summary=dict(summary),
                    obligations=self._count,
                    changes=changes,
                )
            )
            pause = os.environ.get(PAUSE_ENV)
            if pause:
                Path(pause).write_text(str(self.run_id))
                time.sleep(3600)
        stack, self._stack, self._conn = self._stack, None, None
        stack.close()  # commits

    def abort(self) -> None:
        """Roll back: the store is left as the previous run left it."""
        stack, self._stack, self._conn = self._stack, None, None
        if stack is not None:
            with contextlib.suppress(StoreError, _AbortedError):
                stack.__exit__(_AbortedError, _AbortedError(), None)

    def __enter__(self) -> StoreSink:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if kind is not None or self._stack is not None:
            self.abort()

    # --- the work ---------------------------------------------------------------------------

    @contextlib.contextmanager
    def _translated(self) -> Any:
        try:
            yield
        except DBAPIError as exc:
            self.abort()
            raise translate(exc, self.target) from exc
        except BaseException:
            self.abort()
            raise

    def _add_agency(self, name: str) -> int:
        if self._conn is None:
            raise StoreError("the store was not started")
        with self._translated():
            new_id = self._conn.execute(
                insert(agencies).returning(agencies.c.id), {"name": name}
            ).scalar_one()
        self._agencies[name] = new_id
        return int(new_id)

    def _flush(self) -> None:
        rows, self._buffer = self._buffer, []
        if not rows or self._conn is None:
            return
        self._count += len(rows)
        with self._translated():
            if self._postgres:
                raw: Any = self._conn.connection.driver_connection  # psycopg's, for COPY
                columns = ", ".join(INCOMING_COLUMNS)
                with (
                    raw.cursor() as cursor,
                    cursor.copy(f"COPY {incoming.name} ({columns}) FROM STDIN") as copy,
                ):
                    for row in rows:
                        copy.write_row(row)
            else:
                marks = ", ".join("?" * len(INCOMING_COLUMNS))
                self._conn.exec_driver_sql(
                    f"INSERT INTO {incoming.name} ({', '.join(INCOMING_COLUMNS)}) VALUES ({marks})",
                    rows,
                )

    def _apply(self, conn: Connection, run_id: int) -> int:
        """Set statements: new keys, changed keys, vanished keys, then the current pointers."""
        i, o, s = incoming, obligations, statuses
        last = s.alias("last")  # each key's current state: its latest change
        same_key = and_(*(o.c[k] == i.c[k] for k in KEY))
        at_last = and_(last.c.obligation_id == o.c.id, last.c.run_id == o.c.last_run)
        # a new key's first status row is written below, by this run
        conn.execute(
            insert(o).from_select(
                [*KEY, "last_run"],
                select(*(i.c[k] for k in KEY), literal(run_id)).where(~exists().where(same_key)),
            )
        )
        differs = or_(
            *(last.c[c].is_distinct_from(i.c[c]) for c in STATE_COLUMNS if c != "days_late"),
            # days_late of an overdue key grows every day: a change of days, not of status
            and_(i.c.status != "overdue", last.c.days_late.is_distinct_from(i.c.days_late)),
        )
        conn.execute(
            insert(s).from_select(
                ["obligation_id", "run_id", *STATE_COLUMNS],
                select(o.c.id, literal(run_id), *(i.c[c] for c in STATE_COLUMNS))
                .select_from(i.join(o, same_key).outerjoin(last, at_last))
                .where(differs),
            )
        )
        conn.execute(INDEX_INCOMING)
        conn.execute(
            insert(s).from_select(
                ["obligation_id", "run_id", *STATE_COLUMNS],
                select(o.c.id, literal(run_id), *(null() for _ in STATE_COLUMNS))
                .select_from(o.join(last, at_last))
                .where(
                    last.c.status.is_not(None),
                    o.c.last_run != run_id,
                    ~exists().where(same_key),
                    o.c.subject_id.not_in(select(rejected_ids.c.subject_id)),
                ),
            )
        )
        changed = select(s.c.obligation_id).where(s.c.run_id == run_id)
        conn.execute(
            update(o).where(o.c.id.in_(changed), o.c.last_run != run_id).values(last_run=run_id)
        )
        return int(conn.execute(select(func.count()).where(s.c.run_id == run_id)).scalar_one())

    def _hash_inputs(self) -> None:
        """sha256 of each input file, on a thread: hashing releases the GIL while the audit
        runs. Only digests and sizes are kept: a file name is not the store's business."""
        found = []
        for path in self.inputs:
            with path.open("rb") as handle:
                digest = hashlib.file_digest(handle, "sha256").hexdigest()
            found.append({"sha256": digest, "bytes": path.stat().st_size})
        self._digests = found


def _as_date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def _iso(value: date | str | None) -> str | None:
    return value.isoformat() if isinstance(value, date) else value


def _day(value: date | str | None) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value
