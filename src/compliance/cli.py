"""The `compliance` command line (SPEC §9). It parses options, calls the library, and maps the
outcome to exit codes; it holds no rule logic."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import orjson
import typer
from rich.console import Console
from rich.table import Table

from compliance.errors import ConfigurationError
from compliance.thaidate import WEEKDAYS_TH_ABBR, format_thai
from compliance.workcalendar import GovernmentCalendar

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3

app = typer.Typer(
    name="compliance",
    help="ตรวจกำหนดเวลาตามแนวทางปฏิบัติตามนโยบายต่อต้านการรับสินบนของกรุงเทพมหานคร "
    "(checks BMA disciplinary cases and complaints against the Anti-Bribery guideline).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

HolidaysOption = Annotated[
    Path | None,
    typer.Option("--holidays", help="Organisation holidays file (YAML).", dir_okay=False),
]


@app.callback()
def root() -> None:
    """compliance: legal deadlines of the BMA Anti-Bribery guideline, judged and explained."""


def _stderr() -> Console:
    return Console(stderr=True)


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print a diagnostic on standard error and exit with `code`."""
    _stderr().print(f"[bold red]error:[/] {message}", highlight=False, markup=True)
    raise typer.Exit(code)


def write_stdout(data: bytes) -> None:
    """Write bytes to standard output (reports are UTF-8 whatever the locale)."""
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def load_calendar(holidays_file: Path | None) -> GovernmentCalendar:
    """The calendar, or exit 2 with the file's problem."""
    try:
        return GovernmentCalendar.from_file(holidays_file)
    except ConfigurationError as exc:
        fail(str(exc))


@app.command("calendar")
def calendar_command(
    year: Annotated[int, typer.Argument(help="C.E. year (e.g. 2023) or B.E. year (e.g. 2566).")],
    output_format: Annotated[
        str, typer.Option("--format", help="table or json.", case_sensitive=False)
    ] = "table",
    holidays_file: HolidaysOption = None,
) -> None:
    """ปฏิทินวันหยุดราชการของปี (government holidays of a year, weekends implied)."""
    if year >= 2400:
        year -= 543
    if not 1900 <= year <= 2200:
        fail(f"year {year} is out of range")
    cal = load_calendar(holidays_file)
    if output_format == "json":
        write_stdout(orjson.dumps(cal.year_json(year), option=orjson.OPT_INDENT_2) + b"\n")
        return
    if output_format != "table":
        fail("--format must be table or json")
    status = "ยืนยันแล้ว" if cal.is_confirmed(year) else "ยังไม่ยืนยันวันหยุดพิเศษ"
    table = Table(title=f"วันหยุดราชการ พ.ศ. {year + 543} ({status})")
    table.add_column("วันที่")
    table.add_column("วัน")
    table.add_column("ชื่อวันหยุด")
    table.add_column("Holiday")
    table.add_column("ที่มา")
    for h in cal.holidays_in(year):
        source = "ประกาศหน่วยงาน" if h.source == "organisation" else "holidays"
        weekday = WEEKDAYS_TH_ABBR[h.day.weekday()]
        table.add_row(format_thai(h.day, "medium"), weekday, h.name_th, h.name_en, source)
    Console().print(table)


def main() -> None:
    """Console-script entry point."""
    app()
