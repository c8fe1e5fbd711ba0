"""Opening the history store: URL forms, engines, locking and migrations.

Every command works inside one transaction on one connection: the schema is brought to the
newest revision (Alembic, `upgrade head`) in that same transaction, so a run killed at any
point leaves the database as the previous commit left it. Writers lock the store for the
whole run — SQLite by `BEGIN IMMEDIATE`, PostgreSQL by a transaction-scoped advisory lock —
so two runs never interleave: the second waits up to `wait` seconds, then fails with
`StoreBusyError`.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from compliance.errors import StoreError

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
DEFAULT_WAIT = 30.0  # seconds a run waits for another run on the same store
WAIT_ENV = "COMPLIANCE_STORE_WAIT"  # overrides it (seconds)
LOCK_KEY = 0x636F6D70  # PostgreSQL advisory lock of the store's writers ("comp")


class StoreBusyError(StoreError):
    """Another run holds the store's write lock."""


def normalise_url(url: str) -> URL:
    """A SQLAlchemy URL from what a user types: a file path or `sqlite:///path` (SQLite), or
    `postgresql://…` (PostgreSQL through psycopg 3)."""
    try:
        parsed = make_url(url) if "://" in url else None
    except ArgumentError as exc:
        raise StoreError("--store: not a database URL or a file path") from exc
    if parsed is None:
        return URL.create("sqlite", database=str(Path(url).expanduser().resolve()))
    backend = parsed.get_backend_name()
    if backend in ("postgresql", "postgres"):
        return parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        if not parsed.database or parsed.database == ":memory:":
            raise StoreError("--store: a SQLite store needs a file path (sqlite:///path)")
        return parsed.set(drivername="sqlite")
    raise StoreError(f"--store: unsupported database {backend!r} (use sqlite or postgresql)")


def default_wait() -> float:
    """How long a writer waits for another: COMPLIANCE_STORE_WAIT seconds, else 30."""
    try:
        return max(0.0, float(os.environ.get(WAIT_ENV, DEFAULT_WAIT)))
    except ValueError as exc:
        raise StoreError(f"{WAIT_ENV} must be a number of seconds") from exc


def shown(url: URL) -> str:
    """The URL for messages: never the password."""
    return url.render_as_string(hide_password=True)


def _sqlite_engine(url: URL, write: bool, wait: float) -> Engine:
    engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": wait})

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, record: object) -> None:
        # The driver's own transaction handling would commit DDL on its own and cannot take
        # the write lock up front; SQLAlchemy's documented recipe: autocommit in the driver,
        # BEGIN emitted below.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",  # readers see the last commit while a run writes
            "foreign_keys=ON",
            "cache_size=-262144",  # 256 MiB: bulk index updates of a large run
            "temp_store=MEMORY",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


def _lock_postgres(connection: Connection, wait: float) -> None:
    deadline = time.monotonic() + wait
    query = text("SELECT pg_try_advisory_xact_lock(:key)")
    while not connection.execute(query, {"key": LOCK_KEY}).scalar():
        if time.monotonic() >= deadline:
            raise StoreBusyError(BUSY)
        time.sleep(0.1)


BUSY = "another run is writing to the store; try again when it has finished"


def migrate(connection: Connection) -> None:
    """Bring the schema to the newest revision, inside the caller's transaction."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


@contextmanager
def open_store(url: str, *, write: bool, wait: float | None = None) -> Iterator[Connection]:
    """A connection in a transaction on an up-to-date store; committed when the block ends,
    rolled back on any exception. A reader of a SQLite file that does not exist fails rather
    than creating an empty store."""
    target = normalise_url(url)
    wait = default_wait() if wait is None else wait
    sqlite = target.get_backend_name() == "sqlite"
    if sqlite and not write and not Path(target.database or "").exists():
        raise StoreError(f"no store at {target.database}")
    engine = (
        _sqlite_engine(target, write, wait) if sqlite else create_engine(target, poolclass=NullPool)
    )
    try:
        with engine.connect() as connection, connection.begin():
            if write and not sqlite:
                _lock_postgres(connection, wait)
            migrate(connection)
            yield connection
    except DBAPIError as exc:
        raise translate(exc, target) from exc
    except SQLAlchemyError as exc:
        raise StoreError(f"store {shown(target)}: {type(exc).__name__}") from exc
    finally:
        engine.dispose()


def translate(exc: DBAPIError, target: URL) -> StoreError:
    """A database error as a StoreError whose message names no password."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else ""
    if "database is locked" in reason:
        return StoreBusyError(BUSY)
    return StoreError(f"store {shown(target)}: {reason}")
