"""`compliance stats` (SPEC §11): hand-counted figures, fiscal periods, suppression, privacy,
every format, exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import zipfile
from collections import Counter
from datetime import date, datetime
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from compliance.calendar.thaidate import BANGKOK
from compliance.cli import app
from compliance.engine.rulebook import load_rulebook
from compliance.records import RECORD_ADAPTER
from compliance.stats import StatsAccumulator, date_span, fiscal_period
from compliance.stats.accumulator import median_of

from .conftest import DATA, FIXTURES

STATS = DATA / "stats"
H1 = STATS / "fy2566-h1.jsonl"
EXPECTED = STATS / "fy2566-h1.expected.json"
# Planted in H1 (ids, names, addresses, contacts, notes, an event id): never in any output.
SECRETS = ("SECRET", "ลับ", "ปกปิด", "ชื่อลับเจ็ด", "ผู้ถูกกล่าวหา", "คำสั่งลับ")
TEXT_FORMATS = ("json", "table", "markdown", "html", "csv")


def stats(*args: str, jobs: int = 1) -> subprocess.CompletedProcess[bytes]:
    command = [sys.executable, "-m", "compliance", "stats", *args, "--jobs", str(jobs)]
    return subprocess.run(command, capture_output=True, check=False)


def stats_json(*args: str, jobs: int = 1) -> dict[str, Any]:
    done = stats(*args, jobs=jobs)
    assert done.returncode == 0, done.stderr.decode()
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def expected() -> dict[str, Any]:
    result: dict[str, Any] = json.loads(EXPECTED.read_text(encoding="utf-8"))
    result["rules_digest"] = load_rulebook().digest
    return result


# --- the hand-counted example ------------------------------------------------------------------


@pytest.mark.parametrize("jobs", [1, 2])
def test_hand_counted_half_year_matches_member_for_member(jobs: int) -> None:
    """Every number of fy2566-h1.expected.json was counted by hand from fy2566-h1.jsonl
    (see docs/statistics.md): 7 of 9 complaints fall in the half-year, C4's response fell due
    in it though it was received the day before, C8's resolution after as_of is not known."""
    got = stats_json(str(H1), "--fiscal-year", "2566", "--half", "1", jobs=jobs)
    want = expected()
    assert got == want
    assert list(got) == list(want)  # member order as SPEC §11 shows it
    assert list(got["complaints"]) == list(want["complaints"])
    assert list(got["complaints"]["corruption_only"]) == list(want["complaints"]["corruption_only"])


@pytest.mark.parametrize("jobs", [1, 2])
def test_duplicates_are_rejected_and_not_counted_twice(jobs: int) -> None:
    done = stats(str(H1), str(H1), "--fiscal-year", "2566", "--half", "1", jobs=jobs)
    assert done.returncode == 3
    assert json.loads(done.stdout) == expected()  # statistics still written, each record once
    assert done.stderr.decode().count("duplicate id") == 15


def test_fiscal_year_in_ce_is_the_same_fiscal_year() -> None:
    be = stats_json(str(H1), "--fiscal-year", "2566", "--half", "1")
    ce = stats_json(str(H1), "--fiscal-year", "2023", "--half", "1")
    assert be == ce


def test_from_to_gives_the_same_counts_with_a_date_label() -> None:
    span = stats_json(str(H1), "--from", "1 ตุลาคม 2565", "--to", "2023-03-31")
    half = expected()
    assert span["period"] == {
        "from": "2022-10-01",
        "to": "2023-03-31",
        "label_th": "ช่วงวันที่ 1 ตุลาคม 2565 ถึง 31 มีนาคม 2566",
    }
    del span["period"], half["period"]
    assert span == half


# --- periods --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("year", "half", "start", "end", "label"),
    [
        (2566, 1, date(2022, 10, 1), date(2023, 3, 31), "ปีงบประมาณ พ.ศ. 2566 รอบ 6 เดือนแรก"),
        (2566, 2, date(2023, 4, 1), date(2023, 9, 30), "ปีงบประมาณ พ.ศ. 2566 รอบ 6 เดือนหลัง"),
        (2566, None, date(2022, 10, 1), date(2023, 9, 30), "ปีงบประมาณ พ.ศ. 2566"),
        (2023, 1, date(2022, 10, 1), date(2023, 3, 31), "ปีงบประมาณ พ.ศ. 2566 รอบ 6 เดือนแรก"),
        (2568, 1, date(2024, 10, 1), date(2025, 3, 31), "ปีงบประมาณ พ.ศ. 2568 รอบ 6 เดือนแรก"),
        (2567, 1, date(2023, 10, 1), date(2024, 3, 31), "ปีงบประมาณ พ.ศ. 2567 รอบ 6 เดือนแรก"),
    ],
)
def test_fiscal_periods(year: int, half: int | None, start: date, end: date, label: str) -> None:
    """B.E. Y runs 1 Oct (Y−544) – 30 Sep (Y−543); half 1 Oct–Mar, half 2 Apr–Sep."""
    period = fiscal_period(year, half)
    assert (period.start, period.end, period.label_th) == (start, end, label)


def _complaint(number: int, received: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "complaint",
        "complaint_id": f"B{number}",
        "agency": "เขต",
        "received_at": received,
        "channel": "phone",
        "corruption": False,
        **extra,
    }


def test_half_year_boundaries(tmp_path: Path) -> None:
    """30 Sep and 1 Oct, 31 Mar and 1 Apr: each complaint in exactly one half (Bangkok
    dates: 17:00 UTC on 31 Mar is already 1 Apr in Bangkok)."""
    days = [
        "2022-09-30",
        "2022-10-01",
        "2023-03-31",
        "2023-03-31T16:59:59+00:00",
        "2023-03-31T17:00:00+00:00",
        "2023-04-01",
        "2023-09-30",
        "2023-10-01",
    ]
    path = tmp_path / "edges.jsonl"
    path.write_text("\n".join(json.dumps(_complaint(i, d)) for i, d in enumerate(days)) + "\n")
    as_of = ["--as-of", "2024-01-01"]

    def received(*period: str) -> int:
        return int(stats_json(str(path), *period, *as_of)["complaints"]["received"])

    assert received("--fiscal-year", "2566", "--half", "1") == 3
    assert received("--fiscal-year", "2566", "--half", "2") == 3
    assert received("--fiscal-year", "2566") == 6
    assert received("--fiscal-year", "2565", "--half", "2") == 1
    assert received("--fiscal-year", "2567", "--half", "1") == 1


def test_as_of_defaults_to_today_inside_the_period(tmp_path: Path) -> None:
    """Mid-period, statistics are as of today: later complaints and events are not known."""
    path = tmp_path / "now.jsonl"
    rows = [
        _complaint(1, "2023-01-10", events=[{"kind": "resolved", "date": "2023-01-20"}]),
        _complaint(2, "2023-01-10", events=[{"kind": "resolved", "date": "2023-02-20"}]),
        _complaint(3, "2023-02-15"),
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    with time_machine.travel(datetime(2023, 2, 1, 9, tzinfo=BANGKOK), tick=False):
        done = CliRunner().invoke(
            app, ["stats", str(path), "--fiscal-year", "2566", "--half", "1", "--jobs", "1"]
        )
    result = json.loads(done.stdout)
    assert result["as_of"] == "2023-02-01"
    assert result["complaints"]["received"] == 2
    assert result["complaints"]["outcome"] == {"resolved": 1, "in_progress": 1}
    assert result["complaints"]["median_days_to_resolve"] == 10.0
    past = stats_json(str(path), "--fiscal-year", "2566", "--half", "1")
    assert past["as_of"] == "2023-03-31"  # a period that has ended: its last day
    assert past["complaints"]["received"] == 3


# --- the accumulator ---------------------------------------------------------------------


def test_median_keeps_a_half_and_is_null_when_empty() -> None:
    assert median_of(Counter()) is None
    assert median_of(Counter({4: 1})) == 4.0
    assert median_of(Counter({4: 1, 9: 1, 10: 1, 19: 1})) == 9.5
    assert median_of(Counter({1: 3, 100: 2})) == 1.0
    assert median_of(Counter({2: 2, 7: 2})) == 4.5


def _finding(rule_id: str, status: str, due: date | None, trigger: date) -> SimpleNamespace:
    return SimpleNamespace(
        rule_id=rule_id, agency="เขต", status=status, due_date=due, trigger_date=trigger
    )


def test_missing_counts_against_the_on_time_rate_and_data_findings_do_not_count() -> None:
    """SPEC §15's `missing` is counted like the others; DATA-* are not obligations; rules
    without a due date fall in the period by their trigger date."""
    period = fiscal_period(2566, 1)
    acc = StatsAccumulator(period, period.end, ["ABP-5.2-ORDER", "ABP-6.4-NOTIFY", "CMP-8.1.2"])
    case = RECORD_ADAPTER.validate_python(
        {
            "type": "disciplinary_case",
            "case_id": "X",
            "agency": "เขต",
            "respondent_category": "civil_servant",
            "policy_clauses": [1],
        }
    )
    day, later = date(2022, 12, 1), date(2023, 6, 1)
    acc.add(
        case,
        [
            _finding("ABP-5.2-ORDER", "met", day, day),
            _finding("ABP-5.2-ORDER", "missing", day, day),
            _finding("ABP-5.2-ORDER", "missing", day, day),
            _finding("ABP-5.2-ORDER", "met", later, day),  # falls due after the period
            _finding("ABP-6.4-NOTIFY", "open", None, day),
            _finding("ABP-6.4-NOTIFY", "missing", None, later),
            _finding("CMP-8.1.2", "breached", None, day),
            _finding("DATA-ORPHAN", "inconsistent", None, day),
        ],
    )
    rules = acc.result()["rules"]
    assert rules == {
        "ABP-5.2-ORDER": {"met": 1, "missing": 2, "on_time_rate": 0.3333},
        "ABP-6.4-NOTIFY": {"open": 1, "on_time_rate": None},
        "CMP-8.1.2": {"breached": 1, "on_time_rate": 0.0},
    }


# --- suppression and privacy ---------------------------------------------------------------


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    return [value]


def test_min_count_suppresses_small_counts_and_what_they_would_reveal() -> None:
    got = stats_json(str(H1), "--fiscal-year", "2566", "--half", "1", "--min-count", "3")
    c = got["complaints"]
    assert (c["received"], c["anonymous"], c["corruption"]) == (7, "<3", 3)
    assert c["by_channel"] == {k: "<3" for k in expected()["complaints"]["by_channel"]}
    assert c["outcome"] == {"resolved": 3, "rejected": "<3", "closed": "<3", "in_progress": "<3"}
    assert c["median_days_to_resolve"] == 9.5  # over 4 resolutions
    assert c["corruption_only"]["median_days_to_resolve"] == 9.0  # over 3
    bpl = got["by_agency"]["สำนักงานเขตบางพลัด"]["complaints"]
    assert bpl["median_days_to_resolve"] == "<3"  # over 2 resolutions: would single them out
    rules = got["rules"]
    assert rules["CMP-3.2"] == {"met": 4, "late": "<3", "overdue": "<3", "on_time_rate": "<3"}
    assert rules["ABP-6.5"] == {"on_time_rate": None}
    counts = [v for v in _leaves(got) if isinstance(v, int) and not isinstance(v, bool)]
    assert counts and all(v == 0 or v >= 3 for v in counts)


def _run_format(fmt: str, tmp_path: Path, *extra: str) -> tuple[int, bytes, bytes]:
    out = tmp_path / f"stats.{fmt}"
    done = stats(
        str(H1),
        "--fiscal-year",
        "2566",
        "--half",
        "1",
        "--format",
        fmt,
        "--output",
        str(out),
        *extra,
    )
    return done.returncode, out.read_bytes(), done.stderr


def _xlsx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return "".join(book.read(n).decode("utf-8") for n in book.namelist())


@pytest.mark.parametrize("fmt", [*TEXT_FORMATS, "xlsx"])
def test_no_personal_data_or_ids_in_any_format(fmt: str, tmp_path: Path) -> None:
    code, data, err = _run_format(fmt, tmp_path, "--min-count", "2")
    assert code == 0
    text = _xlsx_text(data) if fmt == "xlsx" else data.decode("utf-8")
    for secret in SECRETS:
        assert secret not in text
        assert secret not in err.decode()
    suppressed = "&lt;2" if fmt in ("markdown", "html", "xlsx") else "<2"
    assert suppressed in text


def test_rejected_records_exit_3_statistics_written_nothing_echoed(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        H1.read_text(encoding="utf-8")
        + json.dumps(
            {
                "type": "complaint",
                "complaint_id": "SECRET-BAD",
                "agency": "เขต",
                "received_at": "2022-11-01",
                "channel": "ลับปกปิด",
                "corruption": False,
                "complainant": {"name": 12, "address": "ที่อยู่ลับ"},
            },
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )
    for jobs in (1, 2):
        done = stats(str(bad), "--fiscal-year", "2566", "--half", "1", jobs=jobs)
        assert done.returncode == 3
        assert json.loads(done.stdout) == expected()
        err = done.stderr.decode()
        assert "บรรทัด 16" in err
        for secret in SECRETS:
            assert secret not in err


# --- formats --------------------------------------------------------------------------------


def test_xlsx_one_sheet_per_table_numbers_as_numbers(tmp_path: Path) -> None:
    code, _, _ = _run_format("xlsx", tmp_path, "--min-count", "2")
    assert code == 0
    book = CalamineWorkbook.from_path(str(tmp_path / "stats.xlsx"))
    assert book.sheet_names == [
        "summary",
        "channels",
        "outcome",
        "timeliness",
        "rules",
        "agency_complaints",
        "agency_rules",
    ]
    summary = book.get_sheet_by_name("summary").to_python()
    assert summary[3] == ["รายการ", "ทั้งหมด", "เฉพาะเรื่องทุจริต"]
    assert summary[4][:2] == ["เรื่องร้องเรียนที่ได้รับ", 7.0]  # a number, not text
    channels = book.get_sheet_by_name("channels").to_python()
    assert channels[4][:2] == ["สายด่วน 1555", 2.0]
    assert channels[5][:2] == ["โทรศัพท์", "<2"]  # suppressed: text
    rules = {row[0]: row for row in book.get_sheet_by_name("rules").to_python()[4:] if row[0]}
    assert rules["CMP-3.2"][-1] == "<2"  # a rate over suppressed counts: withheld
    code, _, _ = _run_format("xlsx", tmp_path)
    assert code == 0
    book = CalamineWorkbook.from_path(str(tmp_path / "stats.xlsx"))
    rules = {row[0]: row for row in book.get_sheet_by_name("rules").to_python()[4:] if row[0]}
    assert rules["CMP-3.2"][-1] == pytest.approx(0.5714)  # a rate: a number (per-cent format)


def test_csv_long_form_matches_the_json(tmp_path: Path) -> None:
    code, data, _ = _run_format("csv", tmp_path)
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert list(rows[0]) == ["scope", "agency", "block", "rule", "key", "value"]
    cell = {(r["scope"], r["agency"], r["block"], r["rule"], r["key"]): r["value"] for r in rows}
    assert cell["all", "", "complaints", "", "received"] == "7"
    assert cell["all", "", "complaints", "", "median_days_to_resolve"] == "9.5"
    assert cell["corruption_only", "", "outcome", "", "rejected"] == "1"
    assert cell["all", "", "rules", "CMP-3.2", "on_time_rate"] == "0.5714"
    assert cell["all", "", "rules", "ABP-6.5", "on_time_rate"] == ""  # null
    assert cell["agency", "สำนักงานเขตดินแดง", "timeliness", "", "overdue"] == "1"
    assert cell["period", "", "period", "", "label_th"] == "ปีงบประมาณ พ.ศ. 2566 รอบ 6 เดือนแรก"


def test_html_is_self_contained_printable_thai_with_charts(tmp_path: Path) -> None:
    code, data, _ = _run_format("html", tmp_path)
    assert code == 0
    page = data.decode("utf-8")
    assert "ปีงบประมาณ พ.ศ. 2566 รอบ 6 เดือนแรก" in page
    assert "ข้อมูล ณ วันที่ 31 มีนาคม 2566" in page
    assert page.count("<svg") == 4
    assert "@page{size:A4" in page and "thead{display:table-header-group}" in page
    assert "font-family:'Sarabun'" in page
    for fetch in ("<script", "<link", "src=", "url(", "@import", "<img"):
        assert fetch not in page
    assert "57.14%" in page  # CMP-3.2's on-time rate


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_human_formats_show_the_label_and_tables(fmt: str, tmp_path: Path) -> None:
    code, data, _ = _run_format(fmt, tmp_path)
    assert code == 0
    text = data.decode("utf-8")
    assert "ปีงบประมาณ พ.ศ. 2566 รอบ 6 เดือนแรก" in text
    assert "เรื่องร้องเรียนจำแนกตามช่องทาง" in text
    assert "สำนักงานเขตดินแดง" in text


# --- usage ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["--fiscal-year", "2566", "--pack", "nosuchpack"],
        ["--half", "1"],
        ["--fiscal-year", "2566", "--from", "2023-01-01", "--to", "2023-02-01"],
        ["--from", "2023-01-01"],
        ["--from", "2023-02-30", "--to", "2023-03-01"],
        ["--from", "2023-03-01", "--to", "2023-02-01"],
        ["--fiscal-year", "2566", "--half", "3"],
        ["--fiscal-year", "2566", "--format", "pdf"],
        ["--fiscal-year", "2566", "--as-of", "31/02/2566"],
        ["--fiscal-year", "66"],
    ],
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    done = stats(str(H1), *args)
    assert done.returncode == 2
    assert done.stdout == b""


def test_packs_choose_the_rules_counted() -> None:
    default = stats_json(str(H1), "--fiscal-year", "2566")
    assert stats_json(str(H1), "--fiscal-year", "2566", "--pack", "abp") == default
    every = stats_json(str(H1), "--fiscal-year", "2566", "--pack", "all")
    assert every["complaints"] == default["complaints"]
    assert set(every["rules"]) - set(default["rules"]) == {
        r.id for r in load_rulebook(packs=["kk2565"]).rules
    }
    assert every["rules_digest"] == load_rulebook(packs=["all"]).digest


def test_the_bundled_fixtures_counts_add_up() -> None:
    """On the bundled fixtures: outcomes and timeliness each account for every complaint."""
    got = stats_json(
        str(FIXTURES / "complaints.jsonl"), str(FIXTURES / "cases.jsonl"), "--fiscal-year", "2566"
    )
    c = got["complaints"]
    assert c["received"] > 0
    assert sum(c["outcome"].values()) == c["received"] == sum(c["by_channel"].values())
    assert sum(c["timeliness"].values()) == c["received"]
    assert sum(a["complaints"]["received"] for a in got["by_agency"].values()) == c["received"]


def test_date_span_label() -> None:
    assert date_span(date(2023, 1, 1), date(2023, 1, 31)).label_th == (
        "ช่วงวันที่ 1 มกราคม 2566 ถึง 31 มกราคม 2566"
    )


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_empty_file_is_rejected_and_the_rest_counted(jobs: int, tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    done = stats(str(empty), str(H1), "--fiscal-year", "2566", "--half", "1", jobs=jobs)
    assert done.returncode == 3
    assert json.loads(done.stdout) == expected()
    assert "file is empty" in done.stderr.decode()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_json_array_file_counts_like_jsonl(jobs: int, tmp_path: Path) -> None:
    array = tmp_path / "h1.json"
    lines = H1.read_text(encoding="utf-8").splitlines()
    array.write_text("[\n" + ",\n".join(lines) + "\n]\n", encoding="utf-8")
    got = stats_json(str(array), "--fiscal-year", "2566", "--half", "1", jobs=jobs)
    assert got == expected()


def test_stats_never_writes_over_its_input(tmp_path: Path) -> None:
    """As for `audit`: --output naming an input is refused before anything is counted, and a
    place that cannot be written is a usage error (2), not an internal one."""
    records = tmp_path / "records.jsonl"
    records.write_bytes(H1.read_bytes())
    done = stats(str(records), "--fiscal-year", "2566", "--output", str(records))
    assert done.returncode == 2 and records.read_bytes() == H1.read_bytes()
    nowhere = stats(str(records), "--fiscal-year", "2566", "--output", str(tmp_path / "no" / "x"))
    assert nowhere.returncode == 2 and b"internal error" not in nowhere.stderr
