"""Opening the history store: URL forms, engines, locking and migrations.

Every command works inside one transaction on one connection: the schema is brought to the
newest revision (Alembic, `upgrade head`) in that same transaction, so a run killed at any
point leaves the database as the previous commit left it. Writers lock the store for the
whole run — SQLite by `BEGIN IMMEDIATE`, PostgreSQL by a transaction-scoped advisory lock —
so two runs never interleave: the second waits up to `wait` seconds, then fails with
`StoreBusyError`.

A SQLite file is made only by a writer, and atomically (`O_EXCL`): SQLite itself opens stores
read-write but never creates one, so a reader or a run that loses a race cannot leave an empty
file behind. A run that made the file and stops before its first commit removes it again —
under the write lock and only while it holds no table, so no other run's data can go with it;
a run that waited for that lock and finds its file gone fails as busy instead of writing into
a removed file.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

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
COMPANIONS = ("-journal", "-wal", "-shm")  # SQLite's files beside a database


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


def store_files(url: str | None) -> list[tuple[str, Path]]:
    """The store's files as `report_output` protects them from `--output`: the SQLite file and
    the journal files SQLite keeps beside it (a report written over a `-wal` file loses the
    runs not yet checkpointed); nothing for PostgreSQL or no store. StoreError for a URL that
    names no store."""
    target = None if url is None else normalise_url(url)
    if target is None or target.get_backend_name() != "sqlite":
        return []
    database = target.database or ""
    journal = os.path.realpath(database)  # SQLite names its journals after the resolved file
    return [
        ("the history store", Path(database)),
        *(
            (f"the history store's {suffix[1:]} file", Path(journal + suffix))
            for suffix in COMPANIONS
        ),
    ]


def default_wait() -> float:
    """How long a writer waits for another: COMPLIANCE_STORE_WAIT seconds, else 30."""
    try:
        return max(0.0, float(os.environ.get(WAIT_ENV, DEFAULT_WAIT)))
    except ValueError as exc:
        raise StoreError(f"{WAIT_ENV} must be a number of seconds") from exc


def shown(url: URL) -> str:
    """The URL for messages: never the password."""
    return url.render_as_string(hide_password=True)


def _sqlite_uri(database: str) -> str:
    """The file as a SQLite URI without its query: every character of the path quoted."""
    return "file://" + quote(str(Path(database).absolute()))


def _sqlite_engine(url: URL, write: bool, wait: float) -> Engine:
    # mode=rw: SQLite opens the file or fails; only _create makes a store file
    uri = url.set(database=_sqlite_uri(url.database or "")).update_query_dict(
        {"mode": "rw", "uri": "true"}
    )
    engine = create_engine(uri, poolclass=NullPool, connect_args={"timeout": wait})

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


def _create(path: Path) -> bool:
    """Make an empty store file if there is none: True if this call made it. Atomic, so of
    two runs starting on a new path exactly one owns the file. Other failures (no such
    folder, no permission) are left to SQLite's own error when it opens the path."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
    except OSError:
        return False
    return True


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        found = path.stat()
    except OSError:
        return None
    return found.st_dev, found.st_ino


def _discard(path: Path) -> None:
    """Remove a store file this run made, with its companions, if nothing was ever committed
    to it: checked and removed under the write lock (taken without waiting), so a run that
    got the file first keeps it. The files go before the connection closes: SQLite then
    neither checkpoints into nor deletes anything by name for a removed database."""
    with (
        contextlib.suppress(sqlite3.Error),
        contextlib.closing(
            sqlite3.connect(f"{_sqlite_uri(str(path))}?mode=rw", uri=True, timeout=0)
        ) as conn,
    ):
        conn.isolation_level = None
        conn.execute("BEGIN IMMEDIATE")
        if conn.execute("SELECT count(*) FROM sqlite_master").fetchone() == (0,):
            for name in (str(path), *(f"{path}{suffix}" for suffix in COMPANIONS)):
                with contextlib.suppress(OSError):  # never hide why the run stopped
                    os.unlink(name)


@contextmanager
def open_store(url: str, *, write: bool, wait: float | None = None) -> Iterator[Connection]:
    """A connection in a transaction on an up-to-date store; committed when the block ends,
    rolled back on any exception. A reader of a SQLite file that does not exist fails rather
    than creating an empty store; a writer that created the file and does not commit removes
    it (see the module docstring)."""
    target = normalise_url(url)
    wait = default_wait() if wait is None else wait
    sqlite = target.get_backend_name() == "sqlite"
    path = Path(target.database or "")
    if sqlite and not write and not path.exists():
        raise StoreError(f"no store at {target.database}")
    engine = (
        _sqlite_engine(target, write, wait) if sqlite else create_engine(target, poolclass=NullPool)
    )
    created = committed = False
    try:
        created = sqlite and write and _create(path)
        opened = _identity(path) if sqlite else None
        with engine.connect() as connection, connection.begin():
            if write and not sqlite:
                _lock_postgres(connection, wait)
            if write and sqlite and _identity(path) != opened:
                raise StoreBusyError(BUSY)  # removed by the run that made it, while we waited
            migrate(connection)
            yield connection
        committed = True
    except DBAPIError as exc:
        raise translate(exc, target) from exc
    except SQLAlchemyError as exc:
        raise StoreError(f"store {shown(target)}: {type(exc).__name__}") from exc
    finally:
        engine.dispose()
        if created and not committed:
            _discard(path)


def translate(exc: DBAPIError, target: URL) -> StoreError:
    """A database error as a StoreError whose message names no password."""
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else ""
    if "database is locked" in reason:
        return StoreBusyError(BUSY)
    return StoreError(f"store {shown(target)}: {reason}")
