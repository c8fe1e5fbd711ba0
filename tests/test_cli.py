"""`compliance audit` end to end: formats, exit codes, atomic output, default date, privacy."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from typer.testing import CliRunner

from compliance.cli import app

from .conftest import FIXTURES, ROOT
from .personal import personal_batch

CASES, COMPLAINTS = str(FIXTURES / "cases.jsonl"), str(FIXTURES / "complaints.jsonl")
BROKEN = str(FIXTURES / "broken.jsonl")
AS_OF = ["--as-of", "2566-09-15"]


def cli(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["compliance", *args], capture_output=True, check=False)


def test_json_report_shape_and_exit_1_on_violations() -> None:
    done = cli("audit", CASES, COMPLAINTS, *AS_OF)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert report["as_of"] == "2023-09-15"
    assert report["rules"]["count"] == 14 and report["rules"]["digest"].startswith("sha256:")
    assert report["calendar"]["confirmed_through"] >= 2026
    assert report["summary"]["records"] == 98 and report["summary"]["rejected"] == 0
    subjects = [f["subject_id"] for f in report["findings"]]
    # record by record in input order (cases file first), within a record by rule then instance
    first_seen = list(dict.fromkeys(subjects))
    assert first_seen[0].startswith("BPL-") and first_seen[-1].startswith("CMP-")
    assert first_seen == sorted(first_seen, key=lambda s: (s.startswith("CMP"), s))
    for subject in first_seen:
        keys = [
            (f["rule_id"], f["instance"]) for f in report["findings"] if f["subject_id"] == subject
        ]
        assert keys == sorted(keys)
    assert sum(report["summary"]["by_status"].values()) == len(report["findings"])


def test_same_input_gives_byte_identical_findings() -> None:
    outputs = [json.loads(cli("audit", CASES, COMPLAINTS, *AS_OF).stdout) for _ in range(2)]
    for report in outputs:
        del report["generated_at"]
    assert outputs[0] == outputs[1]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["--fail-on", "never"], 0),
        (["--fail-on", "violation"], 1),
        (["--fail-on", "warning"], 1),
    ],
)
def test_fail_on(args: list[str], code: int) -> None:
    assert cli("audit", CASES, *AS_OF, *args).returncode == code


def test_exit_0_when_only_info_and_warnings_below_the_floor(tmp_path: Path) -> None:
    record = {
        "type": "disciplinary_case",
        "case_id": "K",
        "agency": "x",
        "respondent_category": "civil_servant",
        "policy_clauses": [1],
        "events": [{"kind": "fact_finding_ordered", "date": "2023-09-11"}],
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(record) + "\n", "utf-8")
    assert cli("audit", str(path), *AS_OF).returncode == 0  # due_soon is a warning
    assert cli("audit", str(path), *AS_OF, "--fail-on", "warning").returncode == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["audit", CASES, "--as-of", "15/09/66"], b"two-digit year"),
        (["audit", CASES, "--format", "pdf"], b"--format"),
        (["audit", CASES, "--fail-on", "info"], b"--fail-on"),
        (["audit", "missing.jsonl"], b"no such file"),
        (["audit", CASES, "--rules", str(FIXTURES)], b"a rule file is a mapping"),
        (["audit", CASES, "--holidays", BROKEN], b"holidays"),
        (["audit", CASES, "--warn-days", "-1"], b"warn-days"),
        (["explain", "NOPE", CASES], b"no record with id NOPE"),
    ],
)
def test_usage_and_configuration_errors_exit_2(args: list[str], message: bytes) -> None:
    done = cli(*args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr
    assert done.stdout == b""


def test_rejected_records_exit_3_and_valid_ones_are_still_audited() -> None:
    done = cli("audit", CASES, BROKEN, *AS_OF)
    assert done.returncode == 3
    report = json.loads(done.stdout)
    assert report["summary"]["rejected"] == 7 and report["summary"]["records"] == 33
    assert {r["line"] for r in report["rejected"]} == {2, 3, 4, 5, 6, 7, 8}
    assert all(r["source"] == BROKEN for r in report["rejected"])
    audited = {f["subject_id"] for f in report["findings"]}
    assert "CMP-2566-9001" in audited and "BPL-2566-001" in audited


REJECTIONS = {
    "invalid_json": '{"type": "complaint",',
    "missing_type": '{"complaint_id": "C-2"}',
    "unknown_type": '{"type": "memo", "complaint_id": "C-2"}',
    "bad_field": '{"type": "complaint", "complaint_id": "C-2", "agency": "x", "received_at": "2023-02-30", "channel": "letter", "corruption": false}',
    "duplicate": '{"type": "complaint", "complaint_id": "C-1", "agency": "x", "received_at": "2023-08-01", "channel": "letter", "corruption": false}',
}


@pytest.mark.parametrize("kind", sorted(REJECTIONS))
def test_each_rejection_path_exits_3_with_the_valid_record_reported(
    tmp_path: Path, kind: str
) -> None:
    valid = '{"type": "complaint", "complaint_id": "C-1", "agency": "x", "received_at": "2023-08-01", "channel": "letter", "corruption": false, "events": [{"kind": "resolved", "date": "2023-08-05"}]}'
    path = tmp_path / "in.jsonl"
    path.write_text(f"{valid}\n{REJECTIONS[kind]}\n", "utf-8")
    done = cli("audit", str(path), *AS_OF)
    assert done.returncode == 3
    report = json.loads(done.stdout)
    assert [(r["source"], r["line"]) for r in report["rejected"]] == [(str(path), 2)]
    assert [f["subject_id"] for f in report["findings"]] == ["C-1"]


@pytest.mark.parametrize("special", ["empty", "not_utf8"])
def test_file_level_rejections_exit_3(tmp_path: Path, special: str) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"" if special == "empty" else b'{"type": "\xfe"}\n')
    other = tmp_path / "ok.jsonl"
    other.write_text(
        json.dumps(
            {
                "type": "complaint",
                "complaint_id": "C-9",
                "agency": "x",
                "received_at": "2023-09-14",
                "channel": "other",
                "corruption": False,
            }
        )
        + "\n",
        "utf-8",
    )
    done = cli("audit", str(path), str(other), *AS_OF)
    assert done.returncode == 3
    assert [f["subject_id"] for f in json.loads(done.stdout)["findings"]] == ["C-9"]


def test_table_format_is_thai_with_be_dates_and_no_colour_when_piped() -> None:
    done = cli("audit", CASES, COMPLAINTS, *AS_OF, "--format", "table")
    text = done.stdout.decode("utf-8")
    assert "ผลการตรวจกำหนดเวลา" in text and "2566" in text and "เลยกำหนด" in text
    assert "\x1b[" not in text
    assert "ตรวจ ณ วันที่ 15 กันยายน 2566" in text
    assert "CMP-3.2 #1" in text and "ทันกำหนด" not in text  # only what needs action
    everything = cli("audit", CASES, *AS_OF, "--format", "table", "--all").stdout.decode("utf-8")
    assert "ทันกำหนด" in everything


def test_csv_is_excel_friendly() -> None:
    data = cli("audit", CASES, COMPLAINTS, *AS_OF, "--format", "csv").stdout
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0][:3] == ["รหัสกฎ", "ประเภท", "เลขที่เรื่อง"]
    body = rows[1:]
    assert all(len(r) == len(rows[0]) for r in body)  # data only: no summary row
    due = rows[0].index("วันครบกำหนด")
    assert any(r[due] == "8 ก.ย. 2566" and r[due + 1] == "2023-09-08" for r in body)


def test_markdown_lists_findings_with_their_arithmetic() -> None:
    text = cli("audit", CASES, BROKEN, *AS_OF, "--format", "markdown").stdout.decode("utf-8")
    assert text.startswith("# รายงาน")
    assert "| BPL-2566-003 | ABP-5.2-RESULT #1 | เลยกำหนด |" in text
    assert "วรรคหนึ่ง" in text
    assert "## รายการที่ถูกปฏิเสธ" in text and "บรรทัด 5 (BPL-2566-901)" in text


class _Checker(HTMLParser):
    VOID = frozenset({"meta", "br", "hr", "img", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if (
                name == "src"
                or (value and "://" in value)
                or (name == "href" and value and value[0] != "#")
            ):
                self.errors.append(f"external reference {name}={value}")
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.errors.append(f"unbalanced </{tag}>")


def test_html_is_well_formed_and_self_contained(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    done = cli("audit", CASES, COMPLAINTS, BROKEN, *AS_OF, "--format", "html", "--output", str(out))
    assert done.returncode == 3 and done.stdout == b""
    page = out.read_text("utf-8")
    checker = _Checker()
    checker.feed(page)
    checker.close()
    assert checker.errors == [] and checker.stack == []
    assert not checker.tags & {"link", "img", "iframe"}
    assert "<script src" not in page  # the one script is inline
    assert "url(" not in page and "@import" not in page and "http" not in page
    assert "สรุปตามสถานะ" in page and "สรุปตามหน่วยงาน" in page
    assert "สำนักงานเขตบางพลัด ฝ่ายโยธา" in page
    assert page.index("สรุปตามหน่วยงาน") < page.index("<h2>รายการที่ต้องดำเนินการ")
    assert page.index("รายการที่ถูกปฏิเสธ (ไม่ได้ตรวจ)</h2>") < page.index("<h2>รายการที่ต้องดำเนินการ")
    assert "ข้อ ๕.๒" in page and "วรรคหนึ่ง" in page


def test_output_is_written_atomically(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    out.write_text("previous report", "utf-8")
    assert cli("audit", CASES, "--as-of", "not a date", "--output", str(out)).returncode == 2
    assert out.read_text("utf-8") == "previous report"
    assert cli("audit", CASES, *AS_OF, "--output", str(out)).returncode == 1
    assert json.loads(out.read_text("utf-8"))["summary"]["records"] == 32
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]


def _big_file(tmp_path: Path) -> Path:
    """60,000 records: seconds of work."""
    big = tmp_path / "big.jsonl"
    line = (FIXTURES / "cases.jsonl").read_text("utf-8").splitlines()[5]
    with big.open("w", encoding="utf-8") as handle:
        for i in range(60_000):
            handle.write(line.replace("BPL-2566-006", f"BPL-X-{i}") + "\n")
    return big


def _workers(command: int, count: int) -> list[int]:
    """The command's child processes, once there are `count` of them."""
    deadline = time.monotonic() + 60
    while True:
        found = []
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == command:
                found.append(int(stat.parent.name))
        if len(found) >= count:
            return found
        assert time.monotonic() < deadline
        time.sleep(0.01)


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_a_dead_worker_stops_the_audit_instead_of_hanging(tmp_path: Path) -> None:
    big = _big_file(tmp_path)
    out = tmp_path / "report.json"
    command = ["compliance", "audit", str(big), *AS_OF, "--jobs", "2", "--output", str(out)]
    process = subprocess.Popen(command, stderr=subprocess.PIPE)
    os.kill(_workers(process.pid, 2)[0], signal.SIGKILL)  # as the out-of-memory killer would
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 4
    assert b"worker process stopped" in stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl"]  # no report


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads processes from /proc")
def test_workers_die_with_a_killed_command(tmp_path: Path) -> None:
    big = _big_file(tmp_path)
    command = ["compliance", "audit", str(big), *AS_OF, "--jobs", "2"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    workers = _workers(process.pid, 2)
    process.kill()  # SIGKILL: no handler of the command runs
    process.wait(timeout=60)
    deadline = time.monotonic() + 30
    while any(map(_running, workers)):
        assert time.monotonic() < deadline, "workers outlived the command"
        time.sleep(0.05)


def test_an_interrupted_run_leaves_no_file(tmp_path: Path) -> None:
    big = _big_file(tmp_path)
    out = tmp_path / "report.json"
    process = subprocess.Popen(["compliance", "audit", str(big), *AS_OF, "--output", str(out)])
    deadline = time.monotonic() + 60
    while not any(p.name.endswith(".part") for p in tmp_path.iterdir()):
        assert time.monotonic() < deadline and process.poll() is None
        time.sleep(0.01)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=60) != 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.jsonl"]


def test_default_as_of_is_bangkok_today() -> None:
    runner = CliRunner()
    with time_machine.travel(datetime(2023, 9, 14, 23, 30, tzinfo=UTC), tick=False):
        result = runner.invoke(app, ["audit", CASES, "--fail-on", "never"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout_bytes)
    assert report["as_of"] == "2023-09-15"  # 06:30 on 15 Sep in Bangkok
    # as_of is today, so events dated after it are flagged (BPL-2566-025 reports on 20 Sep)
    future = [f for f in report["findings"] if f["rule_id"] == "DATA-FUTURE"]
    assert [(f["subject_id"], f["done_on"]) for f in future] == [("BPL-2566-025", "2023-09-20")]


def test_explain_shows_the_arithmetic_in_thai_and_english() -> None:
    thai = cli("explain", "BPL-2566-002", CASES, *AS_OF).stdout.decode("utf-8")
    assert "ABP-5.2-ORDER #1" in thai and "วรรคสอง" in thai and "วันสงกรานต์" in thai
    english = cli("explain", "BPL-2566-002", CASES, *AS_OF, "--lang", "en").stdout.decode("utf-8")
    assert "paragraph 2" in english and "Songkran" in english


FORMATS = ["json", "table", "csv", "markdown", "html"]


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(personal_batch())
def test_no_personal_data_in_any_format(
    tmp_path: Path, batch: tuple[list[dict[str, Any]], list[str]]
) -> None:
    records, secrets = batch
    path = tmp_path / "p.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    runner = CliRunner()
    for fmt in FORMATS:
        result = runner.invoke(app, ["audit", str(path), *AS_OF, "--format", fmt, "--all"])
        assert result.exit_code in (0, 1, 3), result.output
        text = result.stdout_bytes.decode("utf-8", "replace") + result.stderr
        assert not [s for s in secrets if s in text], fmt
    for record in records:
        rid = record.get("case_id") or record.get("complaint_id")
        result = runner.invoke(app, ["explain", str(rid), str(path), *AS_OF])
        assert not [s for s in secrets if s in result.stdout + result.stderr]


def test_jobs_do_not_change_the_report(tmp_path: Path) -> None:
    big = tmp_path / "many.jsonl"
    lines = (FIXTURES / "complaints.jsonl").read_text("utf-8").splitlines()
    with big.open("w", encoding="utf-8") as handle:
        for copy in range(150):  # several segments of work for the processes
            for line in lines:
                handle.write(line.replace('"CMP-2566-', f'"CMP-{copy}-') + "\n")
            if copy == 70:
                handle.write('{"type": "complaint",\n\n')  # invalid, then a blank line
        # a duplicate of a record in the first segment, seen only by the main process
        handle.write(lines[0].replace('"CMP-2566-', '"CMP-0-') + "\n")
    array = tmp_path / "more.json"
    elements = [lines[0], lines[1].replace('"CMP-2566-', '"CMP-1-'), lines[2]]
    array.write_text("[" + ",\n".join(elements) + "]", "utf-8")  # the second is a duplicate
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", "utf-8")
    reports = []
    for jobs in ("1", "2", "3"):
        done = cli("audit", CASES, str(big), str(array), str(empty), *AS_OF, "--jobs", jobs)
        assert done.returncode == 3
        report = json.loads(done.stdout)
        del report["generated_at"]
        reports.append(report)
    assert reports[0] == reports[1] == reports[2]
    rejected = [(Path(r["source"]).name, r["line"]) for r in reports[0]["rejected"]]
    assert rejected == [
        ("many.jsonl", len(lines) * 71 + 1),
        ("many.jsonl", len(lines) * 150 + 3),
        ("more.json", 2),
        ("empty.jsonl", 1),
    ]
    assert reports[0]["summary"]["records"] == 32 + len(lines) * 150 + 2


def test_ids_are_shown_literally_not_as_terminal_markup(tmp_path: Path) -> None:
    record = {
        "type": "complaint",
        "complaint_id": "C[bold]1[/bold]",
        "agency": "เขต[red]",
        "received_at": "2023-08-01",
        "channel": "letter",
        "corruption": False,
    }
    path = tmp_path / "odd.jsonl"
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")
    table = cli("audit", str(path), *AS_OF, "--format", "table").stdout.decode("utf-8")
    assert "C[bold]1[/bold]" in table
    explained = cli("explain", "C[bold]1[/bold]", str(path), *AS_OF)
    assert explained.returncode == 0 and "C[bold]1[/bold]" in explained.stdout.decode("utf-8")


def test_version_and_module_entry_point() -> None:
    assert cli("--version").stdout.decode().startswith("compliance ")
    done = subprocess.run(
        [sys.executable, "-m", "compliance", "audit", CASES, *AS_OF, "--fail-on", "never"],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0 and json.loads(done.stdout)["summary"]["records"] == 32


@pytest.mark.parametrize(
    "args",
    [["calendar", "٢٠٢٣"], ["calendar", "２０２３"], ["audit", CASES, *AS_OF, "--warn-days", "٣"]],
)
def test_numbers_take_only_ascii_or_thai_digits(args: list[str]) -> None:
    """SPEC §3.1's digit forms are ASCII and Thai; Python's int() would take these too."""
    assert cli(*args).returncode == 2


def test_numbers_in_thai_digits_are_read() -> None:
    assert json.loads(cli("calendar", "๒๕๖๖", "--format", "json").stdout)["year"] == 2023
    assert cli("audit", CASES, *AS_OF, "--warn-days", "๓", "--output", "/dev/null").returncode == 1


def test_rules_validate_prints_a_directory_name_literally(tmp_path: Path) -> None:
    """A folder named with rich markup ("[red]") is printed as it is, not read as markup (a
    closing tag in it crashed the command: an internal error, exit 4)."""
    folder = tmp_path / "org[red]rules"
    folder.mkdir()
    (folder / "g.yaml").write_bytes((ROOT / "rules" / "abp" / "guideline.yaml").read_bytes())
    done = cli("rules", "validate", str(folder))
    assert done.returncode == 0 and b"org[red]rules" in done.stdout
