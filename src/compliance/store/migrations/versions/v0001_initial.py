"""The first history store: runs, agencies, obligations (keys) and statuses (changes).

Revision ID: 0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _state() -> list[sa.Column[Any]]:
    return [
        sa.Column("status", sa.String(20), nullable=True),
        sa.Column("severity", sa.String(20), nullable=True),
        sa.Column("agency_id", sa.Integer, sa.ForeignKey("agencies.id"), nullable=True),
        sa.Column("trigger_date", sa.Date, nullable=True),
        sa.Column("due_date", sa.Date, nullable=True),
        sa.Column("done_on", sa.Date, nullable=True),
        sa.Column("days_late", sa.Integer, nullable=True),
    ]


def upgrade() -> None:
    op.create_table(
        "agencies",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(500), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_agencies"),
        sa.UniqueConstraint("name", name="uq_agencies_name"),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("as_of", sa.Date, nullable=False),
        sa.Column("generated_at", sa.String(40), nullable=False),
        sa.Column("rules_source", sa.String(1000), nullable=False),
        sa.Column("rules_count", sa.Integer, nullable=False),
        sa.Column("rules_digest", sa.String(100), nullable=False),
        sa.Column("calendar", sa.JSON, nullable=False),
        sa.Column("inputs", sa.JSON, nullable=False),
        sa.Column("summary", sa.JSON, nullable=True),
        sa.Column("obligations", sa.Integer, nullable=False),
        sa.Column("changes", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_runs"),
    )
    op.create_table(
        "obligations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("subject_id", sa.String(200), nullable=False),
        sa.Column("subject_type", sa.String(40), nullable=False),
        sa.Column("rule_id", sa.String(100), nullable=False),
        sa.Column("instance", sa.Integer, nullable=False),
        sa.Column("last_run", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_obligations"),
        sa.UniqueConstraint(
            "subject_id",
            "subject_type",
            "rule_id",
            "instance",
            name="uq_obligations_subject_id_subject_type_rule_id_instance",
        ),
    )
    op.create_table(
        "statuses",
        sa.Column("obligation_id", sa.Integer, sa.ForeignKey("obligations.id"), nullable=False),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id"), nullable=False),
        *_state(),
        sa.PrimaryKeyConstraint("obligation_id", "run_id", name="pk_statuses"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_statuses_run_id", "statuses", ["run_id"])


def downgrade() -> None:
    op.drop_index("ix_statuses_run_id", table_name="statuses")
    op.drop_table("statuses")
    op.drop_table("obligations")
    op.drop_table("runs")
    op.drop_table("agencies")
