"""A real PostgreSQL server for the tests, started once per session from the binaries the
system package installs (`/usr/lib/postgresql/*/bin`): `initdb` into a temporary folder,
`pg_ctl start` listening only on a Unix socket in that folder, stopped at the end.

PostgreSQL refuses to run as root, so as root the server runs as the `postgres` system user
(created when missing) through `runuser`. Without the binaries the PostgreSQL cases are
skipped on a developer's machine and fail in CI (CI=true): CI must install them.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

_databases = itertools.count(1)


def _binaries() -> Path | None:
    found = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
    )
    return Path(found[-1]).parent if found else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        subprocess.run(
            ["useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", "postgres"],
            check=True,
        )
    return ["runuser", "-u", "postgres", "--", *command]


class PostgresServer:
    """A running server; `new_database()` gives each test its own empty database."""

    def __init__(self, socket_dir: Path, port: int) -> None:
        self.socket_dir = socket_dir
        self.port = port

    def url(self, database: str) -> str:
        return f"postgresql://postgres@/{database}?host={self.socket_dir}&port={self.port}"

    def new_database(self) -> str:
        name = f"store_test_{next(_databases)}"
        with psycopg.connect(
            host=str(self.socket_dir),
            port=self.port,
            user="postgres",
            dbname="postgres",
            autocommit=True,
        ) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url(name)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    binaries = _binaries()
    if binaries is None:
        message = "PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (CI must install the postgresql package)")
        pytest.skip(message)
    root = Path(tempfile.mkdtemp(prefix="compliance-pg-"))
    data, log = root / "data", root / "server.log"
    if os.geteuid() == 0:
        _as_server_user(["true"])  # creates the user if needed
        owner = pwd.getpwnam("postgres")
        os.chown(root, owner.pw_uid, owner.pw_gid)
    port = _free_port()
    subprocess.run(
        _as_server_user(
            [
                str(binaries / "initdb"),
                "-D",
                str(data),
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-locale",
            ]
        ),
        check=True,
        capture_output=True,
    )
    options = f"-k {root} -p {port} -c listen_addresses='' -c fsync=off"
    subprocess.run(
        _as_server_user(
            [
                str(binaries / "pg_ctl"),
                "start",
                "-w",
                "-D",
                str(data),
                "-l",
                str(log),
                "-o",
                options,
            ]
        ),
        check=True,
        capture_output=True,
    )
    try:
        yield PostgresServer(root, port)
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            subprocess.run(
                _as_server_user([str(binaries / "pg_ctl"), "stop", "-D", str(data), "-m", "fast"]),
                check=True,
                capture_output=True,
            )
        shutil.rmtree(root, ignore_errors=True)
