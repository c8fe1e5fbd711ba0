"""Legal tests as data: every built-in YAML case is its own test (a failure shows the case's
diff), and the runner and `compliance test` behave as an officer relies on."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from rich.cells import cell_len

from compliance.calendar.workcalendar import GovernmentCalendar
from compliance.engine.findings import STATUSES
from compliance.engine.rulebook import load_rulebook
from compliance.errors import ConfigurationError
from compliance.legaltests import (
    CaseFile,
    LegalCase,
    Runner,
    builtin_case_dirs,
    load_case_file,
    load_cases,
)

from .conftest import ROOT

BUILTIN: list[CaseFile] = load_cases(builtin_case_dirs())
BUILTIN_CASES = [(f, c) for f in BUILTIN for c in f.cases]


@pytest.fixture(scope="module")
def runner(calendar: GovernmentCalendar) -> Runner:
    return Runner(calendar=calendar)


@pytest.mark.parametrize(
    ("case_file", "case"), BUILTIN_CASES, ids=[c.label for _, c in BUILTIN_CASES]
)
def test_builtin_case(runner: Runner, case_file: CaseFile, case: LegalCase) -> None:
    result = runner.judge(case, case_file.packs)
    assert result.passed, "\n" + result.diff()


def test_builtin_cases_cover_every_rule_and_status(runner: Runner) -> None:
    """The abp cases exercise SPEC §5's every rule and §6's every status (DATA-FUTURE needs
    as_of = today: it is tested in Python)."""
    abp = ROOT / "rules" / "abp" / "tests"
    assert abp in builtin_case_dirs()
    expected = [e for f, c in BUILTIN_CASES if f.path.parent == abp for e in c.expect]
    rules = {r.id for r in runner.rulebook(["abp"]).rules}
    assert {e.rule for e in expected} == rules | {"DATA-ORPHAN"}
    assert {e.status for e in expected} == set(STATUSES)


# --- the runner and the command ------------------------------------------------------------

CASE: dict[str, Any] = {
    "name": "ABP-5.2-ORDER late by 3",
    "as_of": "2566-09-15",
    "record": {
        "type": "disciplinary_case",
        "case_id": "T1",
        "agency": "สำนักงานเขตบางพลัด",
        "respondent_category": "civil_servant",
        "policy_clauses": [1],
        "events": [
            {"kind": "fact_finding_ordered", "date": "21/07/2566"},
            {"kind": "fact_finding_order_reported", "date": "2023-07-31"},
        ],
    },
    "expect": [{"rule": "ABP-5.2-ORDER", "status": "late", "due": "2023-07-28", "days_late": 3}],
}


def write_cases(path: Path, *cases: dict[str, Any], **top: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump({**top, "cases": list(cases)}, allow_unicode=True), "utf-8")
    return path


def with_expect(*expect: dict[str, Any], **members: Any) -> dict[str, Any]:
    return {**CASE, "expect": list(expect), **members}


def run_command(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compliance", "test", *map(str, args)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )


def test_passing_file_exits_0_with_one_line_per_file(tmp_path: Path) -> None:
    write_cases(tmp_path / "a.yaml", CASE, packs="all")
    write_cases(tmp_path / "sub" / "b.yml", CASE, CASE | {"name": "again"})
    (tmp_path / "sub" / "notes.txt").write_text("not a case file", "utf-8")
    done = run_command(tmp_path, "--verbose")
    assert done.returncode == 0, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].endswith(f"{tmp_path / 'a.yaml'}: 1/1 cases pass")
    assert lines[2].endswith(f"{tmp_path / 'sub' / 'b.yml'}: 2/2 cases pass")
    assert "  ok again" in lines
    assert lines[-1] == "3/3 cases pass in 2 files"


def test_failing_case_exits_1_with_an_aligned_diff(tmp_path: Path) -> None:
    wrong = with_expect(
        {"rule": "ABP-5.2-ORDER", "status": "met", "due": "28 ก.ค. 2566", "days_late": 3}
    )
    path = write_cases(tmp_path / "cases.yaml", CASE, wrong | {"name": "expects met"})
    done = run_command(path)
    assert done.returncode == 1
    out = done.stdout
    assert "1/2 cases pass" in out and "cases.yaml::expects met (cases[1])" in out
    assert "as_of 2023-09-15 (15 ก.ย. 2566)" in out
    lines = out.splitlines()
    header = next(line for line in lines if line.strip().startswith("rule"))
    expected = next(line for line in lines if line.strip().startswith("expected"))
    actual = next(line for line in lines if line.strip().startswith("actual"))
    marks = lines[lines.index(actual) + 1]
    # the status column, and only it, is marked; every column starts at the same cell
    status_at = cell_len(header[: header.index("status")])
    assert cell_len(actual[: actual.index("late")]) == status_at
    assert cell_len(expected[: expected.index("met")]) == status_at
    assert marks.index("^") == status_at and marks.strip() == "^" * len("status")
    assert "2023-07-28 (28 ก.ค. 2566)" in expected and "2023-07-31 (31 ก.ค. 2566)" in actual


def test_missing_and_unexpected_findings(tmp_path: Path, runner: Runner) -> None:
    path = write_cases(
        tmp_path / "c.yaml",
        with_expect({"rule": "ABP-6.3", "instance": 2, "status": "met"}),
    )
    result = runner.judge(load_case_file(path).cases[0])
    assert not result.passed
    diff = result.diff()
    assert "actual      (none: no such finding)" in diff
    assert "unexpected  ABP-5.2-ORDER  1  late" in diff


def test_exact_false_checks_only_the_listed_findings(tmp_path: Path, runner: Runner) -> None:
    record = {
        **CASE["record"],
        "events": [*CASE["record"]["events"], {"kind": "progress_reported", "date": "2023-07-01"}],
    }
    orphan = {"rule": "DATA-ORPHAN", "status": "inconsistent", "done": "2566-07-01"}
    subset = with_expect(orphan, record=record, exact=False)
    path = write_cases(tmp_path / "x.yaml", subset, subset | {"exact": True, "name": "exact"})
    loose, strict = (runner.judge(c) for c in load_case_file(path).cases)
    assert loose.passed
    assert not strict.passed and "unexpected  ABP-5.2-ORDER" in strict.diff()


def test_be_dates_are_compared_as_dates(tmp_path: Path, runner: Runner) -> None:
    same_day = ["2023-07-28", "2566-07-28", "28/07/2566", "28 กรกฎาคม 2566", "๒๘ ก.ค. พ.ศ. ๒๕๖๖"]
    cases = [
        with_expect({"rule": "ABP-5.2-ORDER", "status": "late", "due": day}, name=f"due {n}")
        for n, day in enumerate(same_day)
    ]
    loaded = load_case_file(write_cases(tmp_path / "be.yaml", *cases))
    assert all(runner.judge(c).passed for c in loaded.cases)
    assert loaded.cases[0].as_of.isoformat() == "2023-09-15"
    assert loaded.cases[0].record.events[0].date.isoformat() == "2023-07-21"


@pytest.mark.parametrize(
    ("case", "field"),
    [
        (
            with_expect({"rule": "ABP-5.2-ORDER", "status": "late", "due": "2566-02-29"}),
            "expect[0].due",
        ),
        (with_expect({"rule": "ABP-5.2-ORDER", "status": "lat"}), "expect[0].status"),
        (with_expect({"rule": "ABP-5.2-ORDER", "status": "late", "days": 3}), "expect[0].days"),
        ({k: v for k, v in CASE.items() if k != "as_of"}, "as_of: Field required"),
        (CASE | {"exact": "yes"}, "exact"),
        (CASE | {"record": {**CASE["record"], "policy_clauses": [9]}}, "record.policy_clauses[0]"),
        (
            with_expect({"rule": "X-1", "status": "met"}, {"rule": "X-1", "status": "late"}),
            "expect[1]: X-1 instance 1 is listed twice",
        ),
    ],
)
def test_malformed_case_exits_2_naming_file_case_and_field(
    tmp_path: Path, case: dict[str, Any], field: str
) -> None:
    path = write_cases(tmp_path / "bad.yaml", CASE | {"name": "good"}, case | {"name": "bad one"})
    done = run_command(path)
    assert done.returncode == 2, done.stdout
    assert f"{path}: cases[1] (bad one): " in done.stdout and field in done.stdout


def test_case_names_are_unique_in_a_file(tmp_path: Path) -> None:
    path = write_cases(tmp_path / "twice.yaml", CASE, CASE)
    with pytest.raises(ConfigurationError, match=r"cases\[1\] \(ABP-5.2-ORDER late by 3\): name"):
        load_case_file(path)


def test_malformed_file_does_not_stop_the_others_but_exits_2(tmp_path: Path) -> None:
    write_cases(tmp_path / "a.yaml", CASE)
    (tmp_path / "b.yaml").write_text("cases: [\n", "utf-8")
    write_cases(tmp_path / "c.yaml", CASE, packs=["kk9999"])
    done = run_command(tmp_path)
    assert done.returncode == 2
    assert "a.yaml: 1/1 cases pass" in done.stdout
    assert f"{tmp_path / 'b.yaml'}: case file is not valid YAML" in done.stdout
    assert "unknown rule pack 'kk9999'" in done.stdout


@pytest.mark.parametrize(
    "args",
    [["no-such-dir"], ["EMPTY"], ["--rules", "no-such-rules"], ["--holidays", "no-such.yaml"]],
)
def test_bad_paths_and_options_exit_2(tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "EMPTY").mkdir()
    write_cases(tmp_path / "ok.yaml", CASE)
    paths = [str(tmp_path / a) if not a.startswith("--") else a for a in args]
    if args[0].startswith("--"):
        paths.append(str(tmp_path / "ok.yaml"))
    done = run_command(*paths)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "error:" in done.stderr and "cases pass" not in done.stdout


def test_errors_never_echo_personal_data(tmp_path: Path) -> None:
    secret = "กขฃคฅฆงจฉชซฌญฎฏ"
    complaint = {
        "type": "complaint",
        "complaint_id": "Q1",
        "agency": "เขต",
        "received_at": "2023-08-01",
        "channel": "letter",
        "corruption": False,
        "complainant": {"name": secret, "address": secret + "1", "contact": 5},
        "events": [{"kind": "resolved", "date": secret, "note": secret + "2"}],
    }
    path = write_cases(tmp_path / "p.yaml", CASE | {"record": complaint})
    done = run_command(path)
    assert done.returncode == 2
    assert "record.complainant.contact" in done.stdout and "record.events[0].date" in done.stdout
    assert secret not in done.stdout + done.stderr
    # and a failing case's diff shows findings, not the record's personal fields
    complaint |= {"complainant": {"name": secret, "address": secret}, "events": []}
    path = write_cases(tmp_path / "q.yaml", with_expect(record=complaint))
    done = run_command(path)
    assert done.returncode == 1 and "unexpected  CMP-3.2" in done.stdout
    assert secret not in done.stdout + done.stderr


def test_organisation_cases_run_with_its_rules(tmp_path: Path) -> None:
    """An organisation keeps cases beside its --rules directory; they judge its rules."""
    rule = load_rulebook().by_id["ABP-5.2-ORDER"].model_dump(mode="json", exclude_none=True)
    rule["period"]["days"] = 10
    rules = tmp_path / "org-rules"
    rules.mkdir()
    (rules / "org.yaml").write_text(yaml.safe_dump({"rules": [rule]}, allow_unicode=True), "utf-8")
    ten_days = with_expect({"rule": "ABP-5.2-ORDER", "status": "met", "due": "2023-07-31"})
    cases = write_cases(rules / "tests" / "org.yaml", ten_days)
    assert run_command(cases, "--rules", rules).returncode == 0
    assert run_command(cases).returncode == 1


def test_unknown_pack_is_a_configuration_error(runner: Runner) -> None:
    with pytest.raises(ConfigurationError, match="unknown rule pack 'nope'"):
        runner.rulebook(["abp", "nope"])


def test_default_runs_the_builtin_cases() -> None:
    done = run_command()
    assert done.returncode == 0, done.stdout
    files = sorted(p.name for d in builtin_case_dirs() for p in d.glob("*.yaml"))
    assert len(done.stdout.splitlines()) == len(files) + 1
    assert f"{len(BUILTIN_CASES)}/{len(BUILTIN_CASES)} cases pass" in done.stdout
