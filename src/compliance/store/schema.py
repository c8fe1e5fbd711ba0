"""The history store's tables (SPEC §12), in SQLAlchemy Core.

Only ids, statuses, dates, agencies and counts are stored: no personal field and no free text
(SPEC §8), so a database can be shared with anyone who may see the report's facts.

`obligations` holds every obligation key ever seen, with `last_run`: the run of its latest
`statuses` row, which is its *current* state — so a new run is compared with one indexed join
instead of replaying history. `statuses` is the history: one row per change of a key, written
by the run that saw the change (a key that disappears from a run gets a row whose status is
NULL). The state of a key at run R is its `statuses` row with the greatest run id ≤ R.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

agencies = Table(
    "agencies",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(500), nullable=False, unique=True),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("as_of", Date, nullable=False),
    Column("generated_at", String(40), nullable=False),
    Column("rules_source", String(1000), nullable=False),
    Column("rules_count", Integer, nullable=False),
    Column("rules_digest", String(100), nullable=False),
    Column("calendar", JSON, nullable=False),
    Column("inputs", JSON, nullable=False),  # [{"sha256": ..., "bytes": ...}] in the order given
    Column("summary", JSON, nullable=True),  # SPEC §7 summary: counts only
    Column("obligations", Integer, nullable=False, default=0),  # findings stored (no DATA-*)
    Column("changes", Integer, nullable=False, default=0),  # status rows this run added
)

_STATE = (
    Column("status", String(20), nullable=True),  # NULL: not in that run
    Column("severity", String(20), nullable=True),
    Column("agency_id", Integer, ForeignKey("agencies.id"), nullable=True),
    Column("trigger_date", Date, nullable=True),
    Column("due_date", Date, nullable=True),
    Column("done_on", Date, nullable=True),
    Column("days_late", Integer, nullable=True),
)
STATE_COLUMNS = tuple(c.name for c in _STATE)

obligations = Table(
    "obligations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("subject_id", String(200), nullable=False),
    Column("subject_type", String(40), nullable=False),
    Column("rule_id", String(100), nullable=False),
    Column("instance", Integer, nullable=False),
    Column("last_run", Integer, ForeignKey("runs.id"), nullable=False),
    # subject_id first: `history ID` finds a record's keys by id alone.
    UniqueConstraint("subject_id", "subject_type", "rule_id", "instance"),
)

statuses = Table(
    "statuses",
    metadata,
    Column("obligation_id", Integer, ForeignKey("obligations.id"), primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id"), primary_key=True),
    *(c._copy() for c in _STATE),
    Index(None, "run_id"),
    sqlite_with_rowid=False,  # rows clustered by their key: no second copy of it in an index
)
