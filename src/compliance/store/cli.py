"""The history commands: `changes`, `runs`, `history`, `digest` (SPEC §12).

Registered on the main application by `register(app)`. Problems with the store — a bad URL,
no store, a run that does not exist — are usage errors: exit 2. SQLAlchemy and Alembic are
imported only when a history command runs: every other command starts without them."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import orjson
import typer

from compliance.cliutil import fail, stderr_console
from compliance.errors import StoreError
from compliance.report.output import ReportWriteError, refuse_others, report_output

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from compliance.store.queries import OfficeDigest, Run

T = TypeVar("T")
# `digest --days`: ten years ahead is more than any deadline; beyond some millions of days
# the due date would overflow the calendar (a crash), so the bound makes a typo a usage error
MAX_DAYS = 3660
StoreOption = Annotated[
    str,
    typer.Option(
        "--store", help="The history store: a SQLite file path, sqlite:///path or postgresql://…"
    ),
]


def _read(store: str, query: Callable[[Connection], T]) -> T:
    """One read-only transaction on the store; its problems are usage errors."""
    from compliance.store.db import open_store  # noqa: PLC0415 (lazy: see the docstring)

    try:
        with open_store(store, write=False) as conn:
            return query(conn)
    except StoreError as exc:
        fail(str(exc))


def _write(data: bytes, output: Path | None = None, store: str | None = None) -> None:
    """Write a report; `store`'s SQLite file is never written over (exit 2 instead)."""
    from compliance.store.db import store_files  # noqa: PLC0415 (lazy: see the docstring)

    try:
        with report_output(output, others=store_files(store)) as out:
            out.write(data)
    except (ReportWriteError, StoreError) as exc:
        fail(str(exc))


def changes_command(
    store: StoreOption,
    first: Annotated[
        int | None, typer.Option("--from", help="Earlier run (default: the one before --to).")
    ] = None,
    second: Annotated[
        int | None, typer.Option("--to", help="Later run (default: the last).")
    ] = None,
    output_format: Annotated[
        str, typer.Option("--format", help="json, table, markdown, html or csv.")
    ] = "json",
    output: Annotated[Path | None, typer.Option("--output", dir_okay=False)] = None,
) -> None:
    """การเปลี่ยนแปลงสถานะระหว่างการตรวจสองครั้ง (status changes between two runs)."""
    from compliance.store import queries, render  # noqa: PLC0415 (lazy: see the docstring)

    formatter = render.CHANGE_FORMATS.get(output_format)
    if formatter is None:
        fail(f"--format must be one of {', '.join(render.CHANGE_FORMATS)}")

    def compare(conn: Connection) -> bytes | None:
        try:
            before, after = queries.pick_runs(queries.list_runs(conn), first, second)
        except queries.FirstRunError as exc:
            if first is not None:
                raise
            # the first night of a nightly job: nothing to compare yet, which is no error
            stderr_console().print(f"{exc}; nothing written")
            return None
        return formatter(before, after, queries.changes_between(conn, before, after))

    found = _read(store, compare)
    if found is not None:
        _write(found, output, store)


def runs_command(
    store: StoreOption,
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """รายการการตรวจที่บันทึกไว้ (the recorded runs)."""
    from compliance.store import queries, render  # noqa: PLC0415 (lazy: see the docstring)

    if output_format not in ("table", "json"):
        fail("--format must be table or json")
    all_runs = _read(store, queries.list_runs)
    _write(render.runs_json(all_runs) if output_format == "json" else render.runs_table(all_runs))


def history_command(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="case_id or complaint_id.")],
    store: StoreOption,
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
) -> None:
    """ประวัติสถานะหน้าที่ของเรื่องหนึ่งในการตรวจทุกครั้ง (one record across runs)."""
    from compliance.store import queries, render  # noqa: PLC0415 (lazy: see the docstring)

    if output_format not in ("table", "json"):
        fail("--format must be table or json")
    rows = _read(store, lambda conn: queries.record_history(conn, record_id))
    if not rows:
        fail(f"no record {record_id} in the store")
    if output_format == "json":
        _write(render.history_json(record_id, rows) + b"\n")
    else:
        _write(render.history_table(record_id, rows))


def digest_command(
    store: StoreOption,
    output_dir: Annotated[
        Path, typer.Option("--output-dir", file_okay=False, help="Folder for the files.")
    ],
    days: Annotated[
        int, typer.Option("--days", min=0, max=MAX_DAYS, help="Due within this many days.")
    ] = 7,
) -> None:
    """สรุปสิ่งที่ต้องดำเนินการรายหน่วยงาน (one file per office after the latest run)."""
    from compliance.store import queries, render  # noqa: PLC0415 (lazy: see the docstring)
    from compliance.store.db import store_files  # noqa: PLC0415 (likewise)

    def collect(conn: Connection) -> tuple[Run, Run | None, list[OfficeDigest]]:
        all_runs = queries.list_runs(conn)
        if not all_runs:
            raise StoreError("the store has no run yet")
        latest, previous = all_runs[-1], all_runs[-2] if len(all_runs) > 1 else None
        return latest, previous, queries.digest(conn, latest, previous, days)

    latest, previous, offices = _read(store, collect)
    try:
        output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file, a device or a name too long: the user's to fix
        fail(f"--output-dir {output_dir}: {exc.strerror or type(exc).__name__}")
    taken: set[str] = set()
    named = [(office, render.safe_name(office.agency, taken)) for office in offices]
    names = [f"{stem}{suffix}" for _, stem in named for suffix in (".html", ".csv")]
    # every name checked before the first is written: a refusal leaves no digest half made
    guarded = store_files(store)
    try:
        for name in [*names, "index.html", "index.json"]:
            refuse_others(output_dir / name, guarded, "--output-dir")
    except ReportWriteError as exc:
        fail(str(exc))
    for office, stem in named:
        _write(
            render.digest_html(office, latest, previous, days), output_dir / f"{stem}.html", store
        )
        _write(render.digest_csv(office, days), output_dir / f"{stem}.csv", store)
    _write(render.digest_index(named, latest, previous, days), output_dir / "index.html", store)
    index = [
        {
            "agency": office.agency,
            "file": f"{stem}.html",
            "new_violations": len(office.new_violations),
            "overdue": len(office.overdue),
            "due": len(office.due),
        }
        for office, stem in named
    ]
    _write(
        orjson.dumps(
            {"run": latest.brief(), "days": days, "agencies": index}, option=orjson.OPT_INDENT_2
        )
        + b"\n",
        output_dir / "index.json",
        store,
    )
    print(f"{len(named)} agencies -> {output_dir}", file=sys.stderr)


def register(app: typer.Typer) -> None:
    """Add the history commands to the `compliance` application."""
    app.command("changes")(changes_command)
    app.command("runs")(runs_command)
    app.command("history")(history_command)
    app.command("digest")(digest_command)
