"""What every command of the command line shares: exit codes, the one way an error is
printed, and the options several commands take (records, rules, packs, holidays, warn days)
with their parsing. Commands live in `cli.py`, `legaltests.py` (`compliance test`) and in the
stage packages (`stats/cli.py`, `store/cli.py`, `importers/cli.py`); none of them prints an
error another way."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console
from rich.text import Text

from compliance.calendar.thaidate import arabic_digits
from compliance.calendar.workcalendar import GovernmentCalendar
from compliance.errors import ConfigurationError
from compliance.report.base import visible

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_REJECTED = 0, 1, 2, 3
EXIT_FAILED = 4  # the run could not finish (SPEC §9 names no code for it): nothing written


def stderr_console() -> Console:
    """Standard error, text as given (no markup, no highlighting)."""
    return Console(stderr=True, soft_wrap=True, highlight=False, markup=False)


def print_error(message: str) -> None:
    """A diagnostic on standard error. Text, not markup: a message may quote a file name or
    an id holding "[/]"; control characters (ESC, bidi overrides) are shown as escapes,
    never sent to the terminal."""
    stderr_console().print(Text.assemble(("error:", "bold red"), f" {visible(message)}"))


def fail(message: str, code: int = EXIT_USAGE) -> NoReturn:
    """Print a diagnostic on standard error and exit with `code`."""
    print_error(message)
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


def whole_number(text: str) -> int:
    """A whole number in ASCII or Thai digits only: Python's int() also takes Arabic-Indic,
    fullwidth and other digits, which SPEC §3.1 does not."""
    digits = arabic_digits(str(text).strip())
    if not digits.isascii() or not digits.isdigit():
        raise typer.BadParameter("a whole number in ASCII or Thai digits")
    return int(digits)


InputsArgument = Annotated[
    list[Path],
    typer.Argument(
        help="Record files (.jsonl or .json); - reads JSON Lines from standard input.",
        show_default=False,
    ),
]
AsOfOption = Annotated[
    str | None,
    typer.Option("--as-of", help="Audit date (any SPEC §3.1 form); default today in Bangkok."),
]
RulesOption = Annotated[
    list[Path] | None,
    typer.Option(
        "--rules", help="Organisation rules directory (adds or overrides by id).", file_okay=False
    ),
]
PackOption = Annotated[
    list[str] | None,
    typer.Option(
        "--pack",
        help="Built-in rule pack: abp (the guideline, the default), kk2565 (the disciplinary "
        "rule), or all; repeatable.",
    ),
]
HolidaysOption = Annotated[
    Path | None,
    typer.Option("--holidays", help="Organisation holidays file (YAML).", dir_okay=False),
]
WarnOption = Annotated[
    int,
    typer.Option(
        "--warn-days",
        parser=whole_number,
        help="Days before a due date that warn (due_soon).",
    ),
]
