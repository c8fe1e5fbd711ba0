"""The `compliance` command line (SPEC §9). It parses options, calls the library, and maps the
outcome to exit codes; it holds no rule logic."""

from __future__ import annotations

import contextlib
import os
import sys
import traceback
from collections.abc import Iterator
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.progress import Progress as RichProgress
from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn

from compliance.audit import Audit
from compliance.calendar.thaidate import (
    BE_THRESHOLD,
    FIRST_DAY,
    LAST_DAY,
    DateParseError,
    parse_date,
    to_ce,
)
from compliance.calendar.workcalendar import GovernmentCalendar, OrganisationHolidays
from compliance.cliutil import (
    EXIT_FAILED,
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_REJECTED,
    AsOfOption,
    HolidaysOption,
    InputsArgument,
    PackOption,
    RulesOption,
    WarnOption,
    fail,
    load_calendar,
    print_error,
    stderr_console,
    whole_number,
    write_stdout,
)
from compliance.engine.findings import SEVERITY_RANK
from compliance.engine.rulebook import DEFAULT_PACKS, Rule, RuleBook, load_rule_dir, load_rulebook
from compliance.errors import AuditFailedError, AuditStoppedError, ConfigurationError
from compliance.importers.cli import import_app
from compliance.importers.mapping import TableMapping
from compliance.legaltests import register as register_legal_tests
from compliance.pipeline.runner import MAX_JOBS, Progress, stop_on_signals
from compliance.pipeline.sinks import Sink
from compliance.records import RECORD_ADAPTER, Complaint, DisciplinaryCase
from compliance.records.readers import STDIN, Accepted, Rejected, check_inputs, read_records
from compliance.report.base import visible
from compliance.report.formats import RENDERERS, make_renderer
from compliance.report.model import Report
from compliance.report.output import ReportWriteError, report_output
from compliance.report.serialise import DEFAULT_WORDS, WORDS
from compliance.report.terminal import (
    calendar_table,
    console_for,
    explain,
    rule_text,
    rules_table,
)
from compliance.stats.cli import register as register_stats
from compliance.store.cli import register as register_store

DEBUG_ENV = "COMPLIANCE_DEBUG"

app = typer.Typer(
    name="compliance",
    help="ตรวจกำหนดเวลาตามแนวทางปฏิบัติตามนโยบายต่อต้านการรับสินบนของกรุงเทพมหานคร "
    "(checks BMA disciplinary cases and complaints against the Anti-Bribery guideline).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        write_stdout(f"compliance {version('compliance')}\n".encode())
        raise typer.Exit(EXIT_OK)


@app.callback()
def root(
    show_version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
    debug: Annotated[
        bool,
        typer.Option(
            "--debug", help="On an internal error, print the traceback (it may quote input)."
        ),
    ] = False,
) -> None:
    """compliance: legal deadlines of the BMA Anti-Bribery guideline, judged and explained."""
    if debug:
        os.environ[DEBUG_ENV] = "1"


@app.command("calendar")
def calendar_command(
    year: Annotated[
        int,
        typer.Argument(parser=whole_number, help="C.E. year (e.g. 2023) or B.E. year (e.g. 2566)."),
    ],
    output_format: Annotated[
        str, typer.Option("--format", help="table or json.", case_sensitive=False)
    ] = "table",
    holidays_file: HolidaysOption = None,
) -> None:
    """ปฏิทินวันหยุดราชการของปี (government holidays of a year, weekends implied)."""
    if year >= BE_THRESHOLD:
        year = to_ce(year)
    if not FIRST_DAY.year <= year <= LAST_DAY.year:  # the dates any record may hold
        fail(f"year {year} is out of range: {FIRST_DAY.year}–{LAST_DAY.year} C.E.")
    cal = load_calendar(holidays_file)
    if output_format == "json":
        write_stdout(orjson.dumps(cal.year_json(year), option=orjson.OPT_INDENT_2) + b"\n")
        return
    if output_format != "table":
        fail("--format must be table or json")
    calendar_table(console_for(), cal, year)


PROGRESS_MIN_BYTES = 5_000_000


def load_setup(
    as_of: str | None,
    rules: list[Path] | None,
    holidays_file: Path | None,
    inputs: list[Path],
    packs: list[str] | None = None,
) -> tuple[date | None, RuleBook, GovernmentCalendar, list[Path]]:
    """Everything an audit needs before reading a record; exit 2 on any problem."""
    try:
        day = parse_date(as_of) if as_of is not None else None
        rulebook = load_rulebook(rules or [], packs or DEFAULT_PACKS)
        paths = check_inputs(inputs)
    except DateParseError as exc:
        fail(f"--as-of: {exc}")
    except ConfigurationError as exc:
        fail(str(exc))
    return day, rulebook, load_calendar(holidays_file), paths


@contextlib.contextmanager
def progress_line(paths: list[Path]) -> Iterator[Progress | None]:
    """A progress line on standard error for large inputs on a terminal."""
    size = sum(p.stat().st_size for p in paths if p != STDIN)
    if not sys.stderr.isatty() or size < PROGRESS_MIN_BYTES:
        yield None
        return
    with RichProgress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=stderr_console(),
        transient=True,
    ) as progress:
        task = progress.add_task("ตรวจแล้ว 0 เรื่อง")
        yield lambda done: progress.update(task, description=f"ตรวจแล้ว {done:,} เรื่อง")


@app.command("audit")
def audit_command(
    inputs: InputsArgument,
    as_of: AsOfOption = None,
    output_format: Annotated[
        str, typer.Option("--format", help="table, json, csv, markdown, html or xlsx.")
    ] = "json",
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Write the report here (atomically).", dir_okay=False),
    ] = None,
    fail_on: Annotated[
        str,
        typer.Option(
            "--fail-on", help="Exit 1 on findings at or above: violation, warning or never."
        ),
    ] = "violation",
    warn_days: WarnOption = 3,
    rules: RulesOption = None,
    packs: PackOption = None,
    holidays_file: HolidaysOption = None,
    show_all: Annotated[
        bool,
        typer.Option(
            "--all", help="Human formats: show every finding, not only those that need action."
        ),
    ] = False,
    words: Annotated[
        str,
        typer.Option(
            "--words",
            help="JSON: which findings carry their words — actionable (violations, advisories "
            "and warnings; the default), all, or none (facts only).",
        ),
    ] = DEFAULT_WORDS,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            min=1,
            max=MAX_JOBS,
            help="Processes for the JSON format (default: the number of CPUs); the order of "
            "findings is the same whatever the number.",
        ),
    ] = os.cpu_count() or 1,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Also record the run in this history store: a SQLite file path, "
            "sqlite:///path or postgresql://… (SPEC §12).",
        ),
    ] = None,
) -> None:
    """ตรวจกำหนดเวลาของเรื่องวินัยและเรื่องร้องเรียน (audit records as of a date)."""
    if output_format not in RENDERERS:
        fail(f"--format must be one of {', '.join(RENDERERS)}")
    if output_format == "xlsx" and output is None and sys.stdout.isatty():
        fail("--format xlsx writes a workbook: give --output FILE.xlsx")
    if fail_on not in ("violation", "warning", "never"):
        fail("--fail-on must be violation, warning or never")
    if words not in WORDS:
        fail(f"--words must be one of {', '.join(WORDS)}")
    day, rulebook, calendar, paths = load_setup(as_of, rules, holidays_file, inputs, packs)
    run = Audit(day, rulebook, calendar, warn_days)
    protected = [*paths, *(rules or []), *([holidays_file] if holidays_file else [])]
    try:
        store_file = store_files(store) if store is not None else []
        with (
            stop_on_signals(),
            report_output(output, protected, store_file) as out,
            progress_line(paths) as progress,
        ):
            renderer = make_renderer(output_format, out, show_all, words, rulebook)
            sinks: list[Sink] = [renderer]
            if store is not None:
                sinks.append(open_store_sink(store, paths))
            run.run(paths, sinks, jobs, progress)
    except AuditStoppedError as exc:
        raise typer.Exit(128 + exc.signum) from None
    except AuditFailedError as exc:
        fail(str(exc), EXIT_FAILED)
    except (ReportWriteError, ConfigurationError) as exc:  # nothing audited, or not written
        fail(str(exc))
    raise typer.Exit(exit_code(run, fail_on))


def store_files(url: str) -> list[tuple[str, Path]]:
    """The SQLite file of `--store`, protected from `--output` like an input."""
    from compliance.store import db  # noqa: PLC0415 (only with --store)

    return db.store_files(url)


def open_store_sink(url: str, paths: list[Path]) -> Sink:
    """The history store as a sink (SQLAlchemy loads only for a run that records)."""
    from compliance.store.sink import StoreSink  # noqa: PLC0415 (only with --store)

    return StoreSink(url, paths)


def exit_code(run: Audit, fail_on: str) -> int:
    """SPEC §9, first match wins: 3 rejected records, 1 findings at or above --fail-on, 0."""
    if run.summary.rejected:
        return EXIT_REJECTED
    if fail_on != "never":
        floor = SEVERITY_RANK[fail_on]  # type: ignore[index]
        if any(SEVERITY_RANK[s] >= floor for s, n in run.summary.by_severity.items() if n):  # type: ignore[index]
            return EXIT_FINDINGS
    return EXIT_OK


@app.command("explain")
def explain_command(
    record_id: Annotated[str, typer.Argument(metavar="ID", help="case_id or complaint_id.")],
    inputs: InputsArgument,
    as_of: AsOfOption = None,
    lang: Annotated[str, typer.Option("--lang", help="th or en.")] = "th",
    warn_days: WarnOption = 3,
    rules: RulesOption = None,
    packs: PackOption = None,
    holidays_file: HolidaysOption = None,
) -> None:
    """อธิบายหน้าที่ทั้งหมดของเรื่องหนึ่งพร้อมการคำนวณ (one record's obligations, explained)."""
    if lang not in ("th", "en"):
        fail("--lang must be th or en")
    day, rulebook, calendar, paths = load_setup(as_of, rules, holidays_file, inputs, packs)
    run = Audit(day, rulebook, calendar, warn_days)
    for item in read_records(paths):
        if isinstance(item, Accepted) and item.record.record_id == record_id:
            record = item.record
            findings = run.record(record)
            break
        if isinstance(item, Rejected) and item.record_id == record_id:
            fail(
                f"{record_id} is rejected ({item.source} line {item.line}): "
                + "; ".join(item.errors),
                EXIT_REJECTED,
            )
    else:
        fail(f"no record with id {record_id}")
    explain(console_for(), record, findings, run.as_of, lang == "en")


register_stats(app)

rules_app = typer.Typer(
    help="กฎที่ใช้ตรวจ (the rule catalogue): list, show, validate.", no_args_is_help=True
)
app.add_typer(rules_app, name="rules")
register_legal_tests(app)  # compliance test
app.add_typer(import_app, name="import")


@rules_app.command("list")
def rules_list(rules: RulesOption = None, packs: PackOption = None) -> None:
    """รายการกฎ (every loaded rule, with its clause and period)."""
    rules_table(console_for(), _rulebook(rules, packs))


@rules_app.command("show")
def rules_show(
    rule_id: Annotated[str, typer.Argument(metavar="ID")],
    rules: RulesOption = None,
    packs: PackOption = None,
) -> None:
    """แสดงกฎหนึ่งข้อพร้อมข้อความที่อ้างอิง (one rule with its clause text)."""
    book = _rulebook(rules, packs or ["all"])
    rule = book.by_id.get(rule_id)
    if rule is None:
        fail(f"no rule {rule_id}; known: {', '.join(book.by_id)}")
    rule_text(console_for(), rule)


@rules_app.command("validate")
def rules_validate(directory: Annotated[Path, typer.Argument(file_okay=False)]) -> None:
    """ตรวจไฟล์กฎของหน่วยงาน (validate a rules directory; exit 2 with the problem)."""
    try:
        found = load_rule_dir(directory)
        load_rulebook([directory])
    except ConfigurationError as exc:
        fail(str(exc))
    ids = ", ".join(r.id for r in found)
    console_for().print(visible(f"{directory}: {len(found)} rules valid: {ids}"))


def _rulebook(rules: list[Path] | None, packs: list[str] | None = None) -> RuleBook:
    try:
        return load_rulebook(rules or [], packs or DEFAULT_PACKS)
    except ConfigurationError as exc:
        fail(str(exc))


SCHEMAS: dict[str, Any] = {
    "case": DisciplinaryCase,
    "complaint": Complaint,
    "record": RECORD_ADAPTER,
    "report": Report,
    "rule": Rule,
    "holidays": OrganisationHolidays,
    "mapping": TableMapping,
}


@app.command("schema")
def schema_command(
    name: Annotated[str, typer.Argument(help=f"One of: {', '.join(SCHEMAS)}.")] = "record",
) -> None:
    """JSON Schema ของข้อมูลนำเข้าและรายงาน (JSON Schema for other services)."""
    target = SCHEMAS.get(name)
    if target is None:
        fail(f"unknown schema {name!r}; choose one of {', '.join(SCHEMAS)}")
    schema = target.json_schema() if target is RECORD_ADAPTER else target.model_json_schema()
    write_stdout(orjson.dumps(schema, option=orjson.OPT_INDENT_2) + b"\n")


register_store(app)


def main() -> None:
    """Console-script entry point.

    The process ends without the interpreter's teardown: after a large audit, freeing the
    objects one by one takes ~0.1 s (a few per cent of the run) and achieves nothing the
    kernel does not do at exit. Everything that matters is done by then: the sinks have
    finished (the report fsynced and renamed, a store committed), the workers are joined, and
    the standard streams are flushed here.

    Any other error is a bug: exit 4 (never 1, which a nightly job reads as "findings") with
    one line saying so. Its traceback may quote input (a name in a record), so it is printed
    only with --debug or COMPLIANCE_DEBUG=1."""
    try:
        app()
        status = 0
    except SystemExit as stop:
        status = _exit_status(stop.code)
    except KeyboardInterrupt:
        status = 130
    except Exception as exc:  # a bug: the one place such errors end
        if os.environ.get(DEBUG_ENV):
            traceback.print_exc()
        else:
            print_error(
                f"internal error ({type(exc).__name__}); nothing was written. Run the same "
                f"command with --debug to see where it happened."
            )
        status = EXIT_FAILED
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: as Python itself reports it
            status = status or 120
    os._exit(status)


def _exit_status(code: object) -> int:
    """The status of `sys.exit(code)`: None is 0; a message (which `sys.exit` would turn into
    1, our "findings") goes to stderr and is a failure, 4."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return EXIT_FAILED
