"""`compliance import traffy|table` (SPEC §13): exit 0 when every row became a record, 3 when
some were rejected or skipped, 2 on a usage error (nothing written)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Annotated

import orjson
import typer

from compliance.cliutil import EXIT_OK, EXIT_REJECTED, fail, stderr_console
from compliance.errors import ConfigurationError
from compliance.importers.base import RowRejected, Tally
from compliance.importers.mapping import load_mapping
from compliance.importers.table import import_table
from compliance.importers.traffy import import_traffy
from compliance.report.base import visible
from compliance.report.output import ReportWriteError, report_output

import_app = typer.Typer(
    help="นำเข้าเรื่องจาก Traffy Fondue และทะเบียนตาราง (import Traffy Fondue exports and "
    "spreadsheet registers as records).",
    no_args_is_help=True,
)

OutputOption = Annotated[
    str,
    typer.Option(
        "--output", "-o", help="Records file to write (.jsonl, atomically), or - for stdout."
    ),
]
RejectsOption = Annotated[
    Path | None,
    typer.Option(
        "--rejects",
        help="Also write each rejected row as a JSON line here (file, row, column, reason).",
        dir_okay=False,
    ),
]


def _target(output: str) -> Path | None:
    """None for standard output; the path otherwise (its folder must exist)."""
    if output == "-":
        return None
    path = Path(output)
    if path.is_dir() or not path.resolve().parent.is_dir():
        fail(f"--output: cannot write a file at {output}")
    return path


@contextlib.contextmanager
def _run(
    output: str, rejects: Path | None, inputs: list[Path]
) -> Iterator[tuple[IO[bytes], Tally]]:
    """The output stream and a tally whose rejections go to standard error (and --rejects);
    afterwards a summary line and the SPEC §13 exit code. Usage errors exit 2 and leave no
    output file."""
    target = _target(output)
    console = stderr_console()
    # the records are never written over the --rejects file (both would be lost)
    others = [("the --rejects file", rejects)] if rejects else []
    with contextlib.ExitStack() as stack:
        try:
            rejects_out = (
                stack.enter_context(report_output(rejects, inputs, option="--rejects"))
                if rejects
                else None
            )

            def sink(rejected: RowRejected) -> None:
                console.print(visible(rejected.describe()))
                if rejects_out is not None:
                    rejects_out.write(orjson.dumps(rejected.to_json()) + b"\n")

            tally = Tally(sink)
            with report_output(target, inputs, others) as out:
                yield out, tally
        except (ConfigurationError, ReportWriteError) as exc:
            fail(str(exc))  # inside the stack: a --rejects file half written goes too
    skipped = f" ข้าม {tally.skipped:,} แถวที่ไม่มีเลขเรื่อง" if tally.skipped else ""
    console.print(
        f"นำเข้า {tally.records:,} เรื่อง ปฏิเสธ {tally.rejected:,} แถว{skipped} "
        f"(imported {tally.records:,} records, rejected {tally.rejected:,} rows, "
        f"skipped {tally.skipped:,} rows)"
    )
    raise typer.Exit(EXIT_OK if tally.complete else EXIT_REJECTED)


@import_app.command("traffy")
def traffy_command(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Traffy Fondue CSV exports (dump or API); later files win per ticket.",
            exists=True,
            dir_okay=False,
            show_default=False,
        ),
    ],
    output: OutputOption,
    agency: Annotated[
        str | None,
        typer.Option(
            "--agency",
            help="Give every record this agency instead of the first organisation named.",
        ),
    ] = None,
    rejects: RejectsOption = None,
) -> None:
    """นำเข้าไฟล์ส่งออกของ Traffy Fondue เป็นเรื่องร้องเรียน (Traffy Fondue CSV to complaints)."""
    if agency is not None and not agency.strip():
        fail("--agency must not be blank")
    with _run(output, rejects, list(files)) as (out, tally):
        import_traffy(files, out, tally, agency)


@import_app.command("table")
def table_command(
    register: Annotated[
        Path,
        typer.Argument(
            help="The register: a .csv or .xlsx file.", dir_okay=False, show_default=False
        ),
    ],
    mapping_file: Annotated[
        Path,
        typer.Option(
            "--mapping", help="Mapping file (YAML): columns to record fields.", dir_okay=False
        ),
    ],
    output: OutputOption,
    rejects: RejectsOption = None,
) -> None:
    """นำเข้าทะเบียนตาราง (CSV หรือ xlsx) เป็นเรื่อง (a spreadsheet register to records)."""
    try:
        mapping = load_mapping(mapping_file)
    except ConfigurationError as exc:
        fail(str(exc))
    with _run(output, rejects, [register, mapping_file]) as (out, tally):
        import_table(register, mapping, out, tally)
