"""Legal tests as data: YAML cases a legal officer can read, run by pytest and `compliance test`.

A case is one record, an audit date and the findings the law expects for it on that date. Cases
live beside the rules they test (`rules/<pack>/tests/*.yaml`, shipped in the wheel; an
organisation keeps its own beside its `--rules` directory), so a change to a rule or to the
engine that changes what the law says about a record fails a case written in the law's terms,
with a diff that shows which member of which finding moved. The engine is exercised through the
project's own API (`Audit.record`), exactly as an audit judges a record.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from rich.cells import cell_len

from compliance.audit import Audit
from compliance.calendar.thaidate import InputDate, format_thai
from compliance.calendar.workcalendar import GovernmentCalendar
from compliance.cliutil import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    HolidaysOption,
    RulesOption,
    fail,
    load_calendar,
    write_stdout,
)
from compliance.engine.findings import Finding, Status
from compliance.engine.judge import DEFAULT_WARN_DAYS
from compliance.engine.rulebook import DEFAULT_PACKS, RuleBook, builtin_rules_dir, load_rulebook
from compliance.errors import ConfigurationError, format_validation_error
from compliance.records import Record
from compliance.records.readers import Rejected, read_values
from compliance.yamlfile import load_mapping_with_list

CASE_SUFFIXES = (".yaml", ".yml")
# Members of an expected finding that are compared when listed; `rule` and `instance` name the
# finding, `status` is always compared.
OPTIONAL_MEMBERS = ("trigger", "due", "done", "days_late", "extended_days")

_STRICT = ConfigDict(extra="forbid", strict=True, frozen=True)
Text = Annotated[str, Field(min_length=1)]


class ExpectedFinding(BaseModel):
    """One finding the law expects; only the members listed are checked."""

    model_config = _STRICT
    rule: Text = Field(description="Rule id, or a data check such as DATA-ORPHAN.")
    status: Status
    instance: Annotated[int, Field(ge=1)] | None = Field(
        default=1, description="null for a finding of no instance (DATA-EXTENSION)."
    )
    trigger: InputDate | None = None
    due: InputDate | None = None
    done: InputDate | None = None
    days_late: Annotated[int, Field(ge=0)] | None = None
    extended_days: Annotated[int, Field(ge=0)] | None = None

    @property
    def checked(self) -> tuple[str, ...]:
        """The members this expectation compares, in display order."""
        return ("status", *(m for m in OPTIONAL_MEMBERS if m in self.model_fields_set))


class _CaseModel(BaseModel):
    """A case as written in the file; the record is validated apart, by RECORD_ADAPTER."""

    model_config = _STRICT
    name: Annotated[str, Field(min_length=1, pattern=r"^[^\n]+$")]
    source: Text | None = None
    as_of: InputDate
    warn_days: Annotated[int, Field(ge=0)] = DEFAULT_WARN_DAYS
    record: dict[str, Any]
    expect: list[ExpectedFinding]
    exact: bool = True


@dataclass(frozen=True, slots=True)
class LegalCase:
    """One validated case of a case file."""

    file: Path
    index: int
    name: str
    source: str | None
    as_of: date
    warn_days: int
    record: Record
    expect: tuple[ExpectedFinding, ...]
    exact: bool

    @property
    def label(self) -> str:
        """`file.yaml::name`, as pytest and the command line name a case."""
        return f"{self.file.name}::{self.name}"


@dataclass(frozen=True, slots=True)
class CaseFile:
    """A case file: the rule packs its cases are judged under, and the cases."""

    path: Path
    packs: tuple[str, ...]
    cases: tuple[LegalCase, ...]


# --- loading ---------------------------------------------------------------------------------


def case_files(paths: Iterable[Path]) -> list[Path]:
    """The case files named: a file as given, a directory's `*.yaml`/`*.yml` at any depth,
    sorted. ConfigurationError for a path that does not exist or a directory without any."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob("*") if p.suffix in CASE_SUFFIXES and p.is_file())
            if not inside:
                raise ConfigurationError(f"{path}: no .yaml case files")
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            raise ConfigurationError(f"{path}: no such file or directory")
    return found


def builtin_case_dirs() -> list[Path]:
    """The case directories shipped with the package: `rules/<pack>/tests/`."""
    return sorted(p for p in builtin_rules_dir().glob("*/tests") if p.is_dir())


def load_case_file(path: Path) -> CaseFile:
    """Read and validate one case file. Errors name the file, the case (index and name) and the
    field, never a value: a record may hold a complainant's name (SPEC §8)."""
    data = load_mapping_with_list(path, "case file", "cases", frozenset({"packs", "cases"}))
    packs = data.get("packs", list(DEFAULT_PACKS))
    if isinstance(packs, str):  # `packs: all` reads as well as `packs: [all]`
        packs = [packs]
    if not isinstance(packs, list) or not packs or not all(isinstance(p, str) and p for p in packs):
        raise ConfigurationError(f"{path}: packs: a non-empty list of pack names, e.g. [abp]")
    if not data["cases"]:
        raise ConfigurationError(f"{path}: cases: the list is empty")
    cases = tuple(_load_case(path, index, raw) for index, raw in enumerate(data["cases"]))
    names: dict[str, int] = {}
    for case in cases:
        if case.name in names:
            raise ConfigurationError(
                f"{path}: cases[{case.index}] ({case.name}): name: already used by "
                f"cases[{names[case.name]}]; each case needs its own name"
            )
        names[case.name] = case.index
    return CaseFile(path, tuple(packs), cases)


def _load_case(path: Path, index: int, raw: object) -> LegalCase:
    name = raw.get("name") if isinstance(raw, dict) else None
    label = f"cases[{index}]" + (f" ({name})" if isinstance(name, str) and name else "")
    try:
        model = _CaseModel.model_validate(raw)
    except ValidationError as exc:
        details = "; ".join(format_validation_error(exc))
        raise ConfigurationError(f"{path}: {label}: {details}") from None
    # Validated as an audit validates input (RECORD_ADAPTER, worded without values).
    item = next(read_values([model.record]))
    if isinstance(item, Rejected):
        details = "; ".join("record." + m for m in item.errors)
        raise ConfigurationError(f"{path}: {label}: {details}")
    record = item.record
    seen: set[tuple[str, int]] = set()
    keys = _keys([(e.rule, e.instance) for e in model.expect])
    for number, (expected, key) in enumerate(zip(model.expect, keys, strict=True)):
        if key in seen:
            raise ConfigurationError(
                f"{path}: {label}: expect[{number}]: {expected.rule} instance "
                f"{expected.instance} is listed twice"
            )
        seen.add(key)
    return LegalCase(
        path,
        index,
        model.name,
        model.source,
        model.as_of,
        model.warn_days,
        record,
        tuple(model.expect),
        model.exact,
    )


def load_cases(paths: Iterable[Path]) -> list[CaseFile]:
    """Every case file under the paths (see `case_files`), validated."""
    return [load_case_file(p) for p in case_files(paths)]


# --- judging ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Observed:
    """The members of an actual finding that a case can check."""

    rule: str
    instance: int | None
    status: str
    trigger: date | None
    due: date | None
    done: date | None
    days_late: int | None
    extended_days: int | None

    @classmethod
    def of(cls, finding: Finding) -> Observed:
        """Read from a finding."""
        return cls(
            finding.rule_id,
            finding.instance,
            finding.status,
            finding.trigger_date,
            finding.due_date,
            finding.done_on,
            finding.days_late,
            finding.extended_days,
        )


@dataclass(frozen=True, slots=True)
class Comparison:
    """One expected finding beside the actual one of the same rule and instance. `expected`
    None: an actual finding the case did not expect (exact cases); `actual` None: missing."""

    expected: ExpectedFinding | None
    actual: Observed | None
    differs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CaseResult:
    """The verdict on one case."""

    case: LegalCase
    comparisons: tuple[Comparison, ...]

    @property
    def passed(self) -> bool:
        """Every expectation holds (and, for an exact case, nothing else was found)."""
        return not any(
            c.differs or c.expected is None or c.actual is None for c in self.comparisons
        )

    def diff(self) -> str:
        """The case's findings, expected against actual, aligned; differing members marked."""
        return render_diff(self)


@dataclass(slots=True)
class FileResult:
    """The verdicts on one case file."""

    path: Path
    results: list[CaseResult] = field(default_factory=list)

    @property
    def passed(self) -> int:
        """How many cases passed."""
        return sum(r.passed for r in self.results)


def judge(case: LegalCase, rulebook: RuleBook, calendar: GovernmentCalendar) -> CaseResult:
    """Audit the case's record as of its date and compare the findings with the expected ones
    (matched by rule and instance; the order of `expect` does not matter)."""
    findings = Audit(case.as_of, rulebook, calendar, case.warn_days).record(case.record)
    keys = _keys([(f.rule_id, f.instance) for f in findings])
    actual = {key: Observed.of(f) for key, f in zip(keys, findings, strict=True)}
    comparisons = []
    expected_keys = _keys([(e.rule, e.instance) for e in case.expect])
    for expected, key in zip(case.expect, expected_keys, strict=True):
        got = actual.pop(key, None)
        if got is None:
            comparisons.append(Comparison(expected, None, expected.checked))
            continue
        differs = tuple(m for m in expected.checked if getattr(expected, m) != getattr(got, m))
        comparisons.append(Comparison(expected, got, differs))
    if case.exact:
        comparisons.extend(Comparison(None, rest, ()) for rest in actual.values())
    return CaseResult(case, tuple(comparisons))


def _keys(named: list[tuple[str, int | None]]) -> list[tuple[str, int]]:
    """How an expected and an actual finding are paired: by rule and instance, and findings
    of no instance (DATA-EXTENSION) by their order among the rule's (-1, -2, …)."""
    counts: dict[str, int] = {}
    keys = []
    for rule, instance in named:
        if instance is None:
            counts[rule] = counts.get(rule, 0) - 1
            keys.append((rule, counts[rule]))
        else:
            keys.append((rule, instance))
    return keys


class Runner:
    """Judges case files with one calendar and the organisation's rules, loading each pack
    selection's rule book once."""

    def __init__(
        self, rules_dirs: Sequence[Path] = (), calendar: GovernmentCalendar | None = None
    ) -> None:
        self.rules_dirs = tuple(rules_dirs)
        self.calendar = calendar or GovernmentCalendar()
        self._books: dict[tuple[str, ...], RuleBook] = {}

    def rulebook(self, packs: Sequence[str]) -> RuleBook:
        """The rule book for a pack selection (ConfigurationError for an unknown pack)."""
        key = tuple(packs)
        if key not in self._books:
            self._books[key] = load_rulebook(self.rules_dirs, key)
        return self._books[key]

    def judge(self, case: LegalCase, packs: Sequence[str] = DEFAULT_PACKS) -> CaseResult:
        """One case under a pack selection."""
        return judge(case, self.rulebook(packs), self.calendar)

    def run_file(self, case_file: CaseFile) -> FileResult:
        """Every case of a file."""
        book = self.rulebook(case_file.packs)
        return FileResult(case_file.path, [judge(c, book, self.calendar) for c in case_file.cases])


# --- the diff --------------------------------------------------------------------------------

COLUMNS = ("rule", "instance", "status", "trigger", "due", "done", "days_late", "extended_days")
HEADINGS = {"instance": "#", "days_late": "days late", "extended_days": "extended"}
ALWAYS_SHOWN = ("rule", "instance", "status", "due", "done", "days_late")
NOT_CHECKED = "·"


def show_day(day: date) -> str:
    """`2023-04-13 (13 เม.ย. 2566)`: ISO as in the report, B.E. as an officer reads it."""
    return f"{day.isoformat()} ({format_thai(day, 'medium')})"


def _cell(value: object) -> str:
    if value is None:
        return "—"
    if isinstance(value, date):
        return show_day(value)
    return str(value)


def _expected_cells(expected: ExpectedFinding, columns: Sequence[str]) -> list[str]:
    listed = {"rule", "instance", *expected.checked}
    return [_cell(getattr(expected, c)) if c in listed else NOT_CHECKED for c in columns]


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cell_len(text))  # Thai vowels and tone marks take no cell


def render_diff(result: CaseResult) -> str:
    """A failing (or passing) case as an aligned table: `=` rows agree, `expected`/`actual`
    pairs disagree with `^` under each differing member, `unexpected` rows are findings an
    exact case did not list, `actual (none)` means the expected finding was not produced."""
    case = result.case
    columns = [c for c in COLUMNS if c in ALWAYS_SHOWN or any(c in e.checked for e in case.expect)]
    rows: list[tuple[str, list[str]]] = [("", [HEADINGS.get(c, c) for c in columns])]
    marks: dict[int, tuple[str, ...]] = {}
    for comparison in result.comparisons:
        expected, actual = comparison.expected, comparison.actual
        actual_cells = [_cell(getattr(actual, c)) for c in columns] if actual else None
        if expected is None:
            rows.append(("unexpected", actual_cells or []))
        elif actual_cells is None:
            rows.append(("expected", _expected_cells(expected, columns)))
            rows.append(("actual", ["(none: no such finding)"]))
        elif comparison.differs:
            rows.append(("expected", _expected_cells(expected, columns)))
            rows.append(("actual", actual_cells))
            marks[len(rows)] = comparison.differs
            rows.append(("", []))
        else:
            rows.append(("=", actual_cells))
    widths = [
        max(cell_len(cells[i]) for _, cells in rows if len(cells) == len(columns))
        for i in range(len(columns))
    ]
    tag_width = max(cell_len(tag) for tag, _ in rows)
    status = "ผ่าน PASS" if result.passed else "ไม่ผ่าน FAIL"
    lines = [f"{status} {case.file}::{case.name} (cases[{case.index}])"]
    lines.append(f"  as_of {show_day(case.as_of)}, warn_days {case.warn_days}")
    lines.append(f"  record {case.record.type} {case.record.record_id}")
    for number, (tag, cells) in enumerate(rows):
        shown = cells
        if number in marks:
            shown = ["^" * widths[i] if c in marks[number] else "" for i, c in enumerate(columns)]
        text = "  ".join(_pad(c, w) for c, w in zip(shown, widths, strict=False))
        lines.append(f"  {_pad(tag, tag_width)}  {text}".rstrip())
    if not case.exact:
        lines.append("  (exact: false — other findings of the record are not checked)")
    return "\n".join(lines)


# --- the command -----------------------------------------------------------------------------


def run_paths(
    paths: Sequence[Path],
    rules_dirs: Sequence[Path],
    calendar: GovernmentCalendar,
    verbose: bool,
    write: Callable[[str], None],
) -> int:
    """Run every case file under `paths`, writing one line per file and each failing case's
    diff; the exit code of `compliance test`. A malformed file is reported and the others
    still run (exit 2 wins over 1). ConfigurationError for a path that is not there or a bad
    rules directory: nothing runs."""
    files = case_files(paths)
    runner = Runner(rules_dirs, calendar)
    runner.rulebook(DEFAULT_PACKS)  # a bad --rules directory is the option's fault, not a file's
    malformed = failed = total = passed = 0
    for path in files:
        try:
            outcome = runner.run_file(load_case_file(path))
        except ConfigurationError as exc:
            message = str(exc)
            prefix = "" if message.startswith(str(path)) else f"{path}: "
            write(f"ผิดรูปแบบ ERROR {prefix}{message}\n")
            malformed += 1
            continue
        count = len(outcome.results)
        total += count
        passed += outcome.passed
        tag = "ผ่าน PASS" if outcome.passed == count else "ไม่ผ่าน FAIL"
        write(f"{tag} {path}: {outcome.passed}/{count} cases pass\n")
        for result in outcome.results:
            if not result.passed:
                failed += 1
                write(result.diff() + "\n")
            elif verbose:
                write(f"  ok {result.case.name}\n")
    write(
        f"{passed}/{total} cases pass in {len(files) - malformed} files"
        + (f"; {malformed} malformed" if malformed else "")
        + "\n"
    )
    if malformed:
        return EXIT_USAGE
    return EXIT_FINDINGS if failed else EXIT_OK  # 1: a case fails


def register(app: typer.Typer) -> None:
    """Add `compliance test` to the command line."""
    app.command("test")(legal_test_command)


def legal_test_command(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            metavar="PATH",
            help="Case files or directories of them; default: the cases shipped with the rules.",
            show_default=False,
        ),
    ] = None,
    rules: RulesOption = None,
    holidays_file: HolidaysOption = None,
    verbose: Annotated[bool, typer.Option("--verbose", help="Name every passing case.")] = False,
) -> None:
    """ทดสอบกฎด้วยกรณีตัวอย่าง (run legal test cases; exit 1 if one fails, 2 if malformed)."""
    calendar = load_calendar(holidays_file)
    targets = list(paths) if paths else builtin_case_dirs()
    try:
        code = run_paths(
            targets, rules or [], calendar, verbose, lambda text: write_stdout(text.encode())
        )
    except ConfigurationError as exc:
        fail(str(exc))
    raise typer.Exit(code)
