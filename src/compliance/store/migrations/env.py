"""Alembic environment of the history store. It is run by `compliance.store.db` on the
connection the command already holds (inside its transaction), never from an alembic.ini."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from compliance.store.schema import metadata

connection: Connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
