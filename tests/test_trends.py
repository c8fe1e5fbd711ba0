"""`compliance stats --store` (SPEC §11 month by month over the §12 history store): a store
filled by `compliance audit fixtures --as-of D --store` at three month-ends; hand-checked
figures, agreement with `compliance stats FILES` of each month, suppression, privacy, every
format, usage errors. The main case runs on SQLite and on a real PostgreSQL (tests/pg.py)."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from compliance.cli import app
from compliance.stats.period import date_span
from compliance.stats.trends import months_of
from tests.conftest import FIXTURES
from tests.pg import PostgresServer, postgres_server  # noqa: F401  (the session fixture)

INPUTS = [FIXTURES / "cases.jsonl", FIXTURES / "complaints.jsonl"]
MONTH_ENDS = ("2023-04-30", "2023-05-31", "2023-06-30")
FORMATS = ("json", "table", "markdown", "html", "csv", "xlsx")


def invoke(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def record(store: str, as_of: str) -> None:
    done = invoke(
        "audit", *map(str, INPUTS), "--as-of", as_of, "--store", store, "--fail-on", "never"
    )
    assert done.exit_code == 0, done.output


def fill(store: str) -> str:
    for day in MONTH_ENDS:
        record(store, day)
    record(store, "2023-06-15")  # recorded last, yet June is read as of its latest date
    return store


def trend(store: str, *extra: str) -> dict[str, Any]:
    done = invoke("stats", "--store", store, *extra)
    assert done.exit_code == 0, done.output
    result: dict[str, Any] = json.loads(done.stdout_bytes)
    return result


@pytest.fixture(scope="module")
def sqlite_store(tmp_path_factory: pytest.TempPathFactory) -> str:
    return fill(str(tmp_path_factory.mktemp("trends") / "history.db"))


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, sqlite_store: str) -> str:
    if request.param == "sqlite":
        return sqlite_store
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return fill(server.new_database())


def test_each_month_is_read_from_its_last_run_with_hand_checked_figures(any_store: str) -> None:
    got = trend(any_store, "--fiscal-year", "2566")
    assert got["period"]["label_th"] == "ปีงบประมาณ พ.ศ. 2566"
    assert [m["month"] for m in got["months"]] == ["2023-04", "2023-05", "2023-06"]
    assert [m["label_th"] for m in got["months"]] == ["เม.ย. 2566", "พ.ค. 2566", "มิ.ย. 2566"]
    assert [(m["run"]["id"], m["run"]["as_of"]) for m in got["months"]] == [
        (1, "2023-04-30"),
        (2, "2023-05-31"),
        (3, "2023-06-30"),  # not run 4 (15 Jun), though it was recorded later
    ]
    assert got["months_without_run"] == [
        "2022-10", "2022-11", "2022-12", "2023-01", "2023-02", "2023-03",
        "2023-07", "2023-08", "2023-09",
    ]  # fmt: skip
    april = got["months"][0]
    # Complaints 0051–0056 were received on 3, 8, 13, 18, 23 and 28 Apr 2566. As of 30 Apr:
    # 0051 resolved 24 Apr, due 18 Apr: late; 0052 rejected 19 Apr, 0053 delay explained
    # 24 Apr, 0055 rejected 26 Apr: met; 0054 due 3 May: due soon; 0056 due 13 May: pending.
    assert april["complaints"] == {
        "received": 6,
        "timeliness": {"met": 3, "late": 1, "due_soon": 1, "pending": 1},
    }
    # CMP-3.2 fell due in April for 0051 (late), 0052 and 0053 (met); the cases add one
    # ABP-5.2-ORDER and one ABP-6.2 met: 4 of 5 on time.
    assert april["rules"]["CMP-3.2"] == {"met": 2, "late": 1, "on_time_rate": 0.6667}
    assert april["all_rules"] == {"met": 4, "late": 1, "on_time_rate": 0.8}
    assert april["by_agency"]["สำนักงานเขตบางพลัด ฝ่ายการคลัง"] == {
        "complaints": {"received": 1, "timeliness": {"late": 1}},
        "all_rules": {"met": 1, "late": 1, "on_time_rate": 0.5},
        "rules": {
            "ABP-6.2": {"met": 1, "on_time_rate": 1.0},
            "CMP-3.2": {"late": 1, "on_time_rate": 0.0},
        },
    }
    june = got["months"][2]
    assert june["all_rules"] == {
        "met": 36,
        "late": 5,
        "overdue": 3,
        "due_soon": 2,  # ABP-6.4-FILE and CMP-3.2-NOTIFY, outside the rate
        "open": 1,
        "breached": 8,
        "on_time_rate": 0.6923,  # 36 / (36 + 5 + 3 + 8)
    }
    assert june["complaints"]["received"] == 36


def test_every_month_equals_stats_of_the_files_for_that_month_as_of_its_run(
    sqlite_store: str,
) -> None:
    """The trend needs no record files, yet says what `stats FILES --from --to --as-of`
    says of each month's obligations and complaints' timeliness."""
    for month in trend(sqlite_store, "--fiscal-year", "2566")["months"]:
        command = [sys.executable, "-m", "compliance", "stats", *map(str, INPUTS)]
        command += ["--from", month["from"], "--to", month["to"]]
        command += ["--as-of", month["run"]["as_of"], "--jobs", "1"]
        files = json.loads(subprocess.run(command, capture_output=True, check=True).stdout)
        assert month["rules"] == files["rules"]
        assert month["complaints"]["received"] == files["complaints"]["received"]
        assert month["complaints"]["timeliness"] == files["complaints"]["timeliness"]
        assert set(month["by_agency"]) == set(files["by_agency"])
        for agency, block in month["by_agency"].items():
            theirs = files["by_agency"][agency]
            assert block["rules"] == theirs["rules"]
            assert block["complaints"]["received"] == theirs["complaints"]["received"]
            assert block["complaints"]["timeliness"] == theirs["complaints"]["timeliness"]


def test_a_span_is_cut_into_months_clipped_to_it(sqlite_store: str) -> None:
    got = trend(sqlite_store, "--from", "15 พ.ค. 2566", "--to", "2023-06-20")
    assert [(m["month"], m["from"], m["to"], m["run"]["as_of"]) for m in got["months"]] == [
        ("2023-05", "2023-05-15", "2023-05-31", "2023-05-31"),
        ("2023-06", "2023-06-01", "2023-06-20", "2023-06-15"),  # 30 Jun is after the span
    ]
    assert got["months_without_run"] == []
    labels = [m.label_th for m in months_of(date_span(date(2022, 10, 1), date(2023, 9, 30)))]
    assert labels[0] == "ต.ค. 2565" and labels[-1] == "ก.ย. 2566" and len(labels) == 12


def test_a_year_without_runs_has_no_months(sqlite_store: str, tmp_path: Path) -> None:
    got = trend(sqlite_store, "--fiscal-year", "2565")
    assert got["months"] == [] and len(got["months_without_run"]) == 12
    page = tmp_path / "empty.html"
    done = invoke("stats", "--store", sqlite_store, "--fiscal-year", "2565", "--format", "html",
                  "--output", str(page))  # fmt: skip
    assert done.exit_code == 0 and "<svg" in page.read_text(encoding="utf-8")


def test_min_count_suppresses_small_counts_and_their_rates(sqlite_store: str) -> None:
    april = trend(sqlite_store, "--fiscal-year", "2566", "--min-count", "5")["months"][0]
    assert april["complaints"] == {
        "received": 6,
        "timeliness": {"met": "<5", "late": "<5", "due_soon": "<5", "pending": "<5"},
    }
    assert april["rules"]["CMP-3.2"] == {"met": "<5", "late": "<5", "on_time_rate": "<5"}
    assert april["all_rules"] == {"met": "<5", "late": "<5", "on_time_rate": "<5"}


def _secrets() -> set[str]:
    """Every record id and personal value of the fixtures (what must never come out)."""
    found: set[str] = set()
    for path in INPUTS:
        for line in path.read_text(encoding="utf-8").splitlines():
            data = json.loads(line)
            found.add(data.get("case_id") or data["complaint_id"])
            person = data.get("complainant") or {}
            found.update(v for v in person.values() if isinstance(v, str) and len(v) > 3)
            for key in ("respondent_name", "respondent"):
                if isinstance(data.get(key), str):
                    found.add(data[key])
    return found


def _output(store: str, fmt: str, tmp_path: Path, min_count: str = "2") -> str:
    out = tmp_path / f"trend.{fmt}"
    done = invoke("stats", "--store", store, "--fiscal-year", "2566", "--format", fmt,
                  "--min-count", min_count, "--output", str(out))  # fmt: skip
    assert done.exit_code == 0, done.output
    data = out.read_bytes()
    if fmt == "xlsx":
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return "".join(book.read(n).decode("utf-8") for n in book.namelist())
    return data.decode("utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_record_id_or_personal_data_in_any_format(
    fmt: str, sqlite_store: str, tmp_path: Path
) -> None:
    text = _output(sqlite_store, fmt, tmp_path)
    secrets = _secrets()
    assert len(secrets) > 90
    leaked = [s for s in secrets if s in text]
    assert leaked == []
    assert "2566" in text or "2023" in text


@pytest.mark.parametrize("fmt", ["table", "markdown", "html", "csv", "xlsx"])
def test_human_formats_show_the_months_and_suppression(
    fmt: str, sqlite_store: str, tmp_path: Path
) -> None:
    text = _output(sqlite_store, fmt, tmp_path)
    if fmt == "csv":
        assert text.startswith("\ufeffmonth,run_as_of,scope,agency,block,rule,key,value")
        assert "2023-04,2023-04-30,all,,complaints,,received,6" in text
        assert "2023-06,2023-06-30,all,,all_rules,,on_time_rate,0.6923" in text
        return
    for label in ("เม.ย. 2566", "พ.ค. 2566", "มิ.ย. 2566"):
        assert label in text
    if fmt != "xlsx":  # xlsx keeps rates as numbers
        assert "69.23%" in text  # June, all rules together
    assert ("&lt;2" if fmt in ("markdown", "html", "xlsx") else "<2") in text


def test_html_is_self_contained_with_a_line_chart(sqlite_store: str, tmp_path: Path) -> None:
    page = _output(sqlite_store, "html", tmp_path, min_count="0")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="th">' in page
    assert not re.search(r"<script|<link|<img|https?://(?!www\.w3\.org/2000/svg)", page)
    assert "@page{size:A4" in page
    assert page.count("<svg") == 2 and "<polyline" in page
    assert ">72.73%</text>" in page  # the all-rules line carries its values (May)
    # with --min-count 2 the April and May rates are withheld: no line joins them
    suppressed = _output(sqlite_store, "html", tmp_path, min_count="2")
    assert ">72.73%" not in suppressed and "69.23%" in suppressed
    # every month of the fiscal year is on the axis, those without a run as gaps
    assert "ต.ค." in page and "ก.ย." in page
    assert "เดือนที่ไม่มีการตรวจบันทึกไว้" in page


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ([str(INPUTS[0]), "--fiscal-year", "2566"], "not both"),
        (["--fiscal-year", "2566", "--as-of", "2023-06-30"], "--as-of"),
        (["--fiscal-year", "2566", "--format", "pdf"], "--format"),
        (["--half", "1"], "--fiscal-year"),
    ],
)
def test_usage_errors_exit_2(args: list[str], says: str, sqlite_store: str) -> None:
    done = invoke("stats", "--store", sqlite_store, *args)
    assert done.exit_code == 2
    assert says in done.output


def test_a_missing_store_or_no_input_at_all_exits_2(tmp_path: Path) -> None:
    done = invoke("stats", "--store", str(tmp_path / "none.db"), "--fiscal-year", "2566")
    assert done.exit_code == 2 and "no store" in done.output
    assert not (tmp_path / "none.db").exists()  # a reader never creates a store
    done = invoke("stats", "--fiscal-year", "2566")
    assert done.exit_code == 2 and "--store" in done.output


def test_stats_of_files_never_imports_sqlalchemy() -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from compliance.cli import app\n"
        f"r = CliRunner().invoke(app, ['stats', {str(INPUTS[1])!r}, '--fiscal-year', '2566',"
        " '--jobs', '1'])\n"
        "assert r.exit_code == 0, r.output\n"
        "print('sqlalchemy' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=True)
    assert done.stdout.strip() == b"False"
