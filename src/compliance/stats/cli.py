"""`compliance stats` (SPEC §11): the statistics the plan requires, for publishing.

The command reads records as `audit` does, judges each with the same engine, and feeds the
record and its findings to a `StatsAccumulator`; only counts come out. Rejected records are
reported on standard error by file and line (never by id: ids are not published either).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from compliance.audit import Audit
from compliance.calendar.thaidate import DateParseError, parse_date, today_bangkok
from compliance.cliutil import (
    EXIT_FAILED,
    EXIT_REJECTED,
    HolidaysOption,
    PackOption,
    RulesOption,
    WarnOption,
    fail,
    load_calendar,
    stderr_console,
    whole_number,
)
from compliance.engine.rulebook import DEFAULT_PACKS, load_rulebook
from compliance.errors import AuditFailedError, ConfigurationError, StoreError
from compliance.pipeline.runner import MAX_JOBS
from compliance.records.readers import Rejected, check_inputs
from compliance.report.output import ReportWriteError, report_output
from compliance.stats.accumulator import StatsAccumulator
from compliance.stats.period import StatsPeriod, date_span, default_as_of, fiscal_period
from compliance.stats.render import BYTE_RENDERERS, FORMATS, render_table, tables_text
from compliance.stats.sink import StatsSink


def choose_period(
    fiscal_year: int | None, half: int | None, start: str | None, end: str | None
) -> StatsPeriod:
    """The period from the options; ValueError/DateParseError says what is wrong."""
    if fiscal_year is not None:
        if start is not None or end is not None:
            raise ValueError("give either --fiscal-year or --from/--to, not both")
        return fiscal_period(fiscal_year, half)
    if half is not None:
        raise ValueError("--half needs --fiscal-year")
    if start is None or end is None:
        raise ValueError("give --fiscal-year Y [--half 1|2], or both --from and --to")
    try:
        first = parse_date(start)
    except DateParseError as exc:
        raise ValueError(f"--from: {exc}") from None
    try:
        last = parse_date(end)
    except DateParseError as exc:
        raise ValueError(f"--to: {exc}") from None
    return date_span(first, last)


def register(app: typer.Typer) -> None:
    """Add the `stats` command to the `compliance` application."""
    app.command("stats")(stats_command)


def stats_command(
    inputs: Annotated[
        list[Path] | None,
        typer.Argument(help="Record files (.jsonl or .json).", show_default=False),
    ] = None,
    fiscal_year: Annotated[
        int | None,
        typer.Option(
            "--fiscal-year",
            parser=whole_number,
            help="Fiscal year, B.E. (2566) or C.E. (2023 = B.E. 2566).",
        ),
    ] = None,
    half: Annotated[
        int | None, typer.Option("--half", help="1 = Oct–Mar, 2 = Apr–Sep.", min=1, max=2)
    ] = None,
    start: Annotated[str | None, typer.Option("--from", help="First day (any date form).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Last day (any date form).")] = None,
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="Judge as of this date; default the period's end or today."),
    ] = None,
    packs: PackOption = None,
    rules: RulesOption = None,
    holidays_file: HolidaysOption = None,
    warn_days: WarnOption = 3,
    min_count: Annotated[
        int, typer.Option("--min-count", min=0, help='Show non-zero counts below N as "<N".')
    ] = 0,
    output_format: Annotated[
        str, typer.Option("--format", help="json, table, markdown, html, csv or xlsx.")
    ] = "json",
    output: Annotated[
        Path | None,
        typer.Option("--output", help="Write here (atomically).", dir_okay=False),
    ] = None,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs", min=1, max=MAX_JOBS, help="Processes (default: the number of CPUs)."
        ),
    ] = os.cpu_count() or 1,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Monthly trends from the history store (SQLite path or URL) instead of files.",
        ),
    ] = None,
) -> None:
    """สถิติเรื่องร้องเรียนและการดำเนินการตามกำหนดเวลา (statistics for publishing; counts only)."""
    _check_format(output_format, output)
    try:
        period = choose_period(fiscal_year, half, start, end)
        day = parse_date(as_of) if as_of is not None else None
    except (ValueError, DateParseError) as exc:
        prefix = "--as-of: " if isinstance(exc, DateParseError) else ""
        fail(f"{prefix}{exc}")
    if store is not None:
        if inputs:
            fail("give record files or --store, not both")
        if day is not None or holidays_file is not None:
            fail("--as-of and --holidays do not apply to --store: each month is as of its run")
        _trends(store, period, rules, packs, min_count, output_format, output)
        return
    if not inputs:
        fail("give record files to count, or --store URL for monthly trends")
    try:
        rulebook = load_rulebook(rules or [], packs or DEFAULT_PACKS)
        paths = check_inputs(inputs)
    except ConfigurationError as exc:
        fail(str(exc))
    calendar = load_calendar(holidays_file)
    today = today_bangkok()
    judged_on = day or default_as_of(period, today)
    run = Audit(judged_on, rulebook, calendar, warn_days, today=today)
    stats = StatsAccumulator(
        period, judged_on, [r.id for r in rulebook.rules], rules_digest=rulebook.digest
    )
    counting = StatsSink(stats)
    titles = {r.id: r.title_th for r in rulebook.rules}
    protected = [*paths, *(rules or []), *([holidays_file] if holidays_file else [])]
    try:
        with report_output(output, protected) as out:  # checked before anything is counted
            run.run(paths, [counting], jobs)
            result = stats.result(min_count)
            if output_format == "table":
                terminal = output is None and sys.stdout.isatty()
                width = Console().width if terminal else None
                text = render_table(result, titles, min_count, terminal, width)
                out.write(text.encode("utf-8"))
            else:
                out.write(BYTE_RENDERERS[output_format](result, titles, min_count))
    except AuditFailedError as exc:
        fail(str(exc), EXIT_FAILED)
    except ReportWriteError as exc:
        fail(str(exc))
    if counting.rejects:
        _report_rejected(counting.rejects)
        raise typer.Exit(EXIT_REJECTED)


def _check_format(output_format: str, output: Path | None) -> None:
    if output_format not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}")
    if output_format == "xlsx" and output is None and sys.stdout.isatty():
        fail("--format xlsx needs --output FILE")


def _report_rejected(rejected: list[Rejected]) -> None:
    """Rejected records on standard error, by file and line (ids are not published)."""
    console = stderr_console()
    for r in rejected:
        console.print(f"ปฏิเสธ {r.source} บรรทัด {r.line}: {'; '.join(r.errors)}")
    console.print(f"ปฏิเสธ {len(rejected)} รายการ (ไม่นับในสถิติ)")


def _trends(
    store: str,
    period: StatsPeriod,
    rules: list[Path] | None,
    packs: list[str] | None,
    min_count: int,
    output_format: str,
    output: Path | None,
) -> None:
    """`stats --store`: the statistics month by month from the stored runs (trends.py)."""
    from compliance.stats import trends  # noqa: PLC0415 (SQLAlchemy only with --store)
    from compliance.store.db import open_store, store_files  # noqa: PLC0415

    try:
        rulebook = load_rulebook(rules or [], packs or DEFAULT_PACKS)
    except ConfigurationError as exc:
        fail(str(exc))
    try:
        with open_store(store, write=False) as conn:
            result = trends.trend_result(conn, period, [r.id for r in rulebook.rules], min_count)
    except StoreError as exc:
        fail(str(exc))
    titles = {r.id: r.title_th for r in rulebook.rules}
    try:
        with report_output(output, rules or [], store_files(store)) as out:
            if output_format == "table":
                terminal = output is None and sys.stdout.isatty()
                width = Console().width if terminal else None
                text = tables_text(*trends.document(result, titles, min_count), terminal, width)
                out.write(text.encode("utf-8"))
            else:
                out.write(trends.render_trend(result, titles, min_count, output_format))
    except ReportWriteError as exc:
        fail(str(exc))
