"""The history store (SPEC §12): `audit --store`, `changes`, `runs`, `history`, `digest`.

Every case runs against SQLite and against a real PostgreSQL server (tests/pg.py)."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from compliance.audit import Audit, audit
from compliance.cli import app
from compliance.engine.findings import Finding
from compliance.pipeline.sinks import Sink
from compliance.store.db import (
    WAIT_ENV,
    StoreBusyError,
    StoreError,
    normalise_url,
    open_store,
)
from compliance.store.queries import ABSENT, Change, State
from compliance.store.render import safe_name
from compliance.store.schema import metadata, statuses
from compliance.store.sink import PAUSE_ENV, StoreSink
from tests.conftest import FIXTURES
from tests.pg import PostgresServer, postgres_server  # noqa: F401  (the session fixture)

INPUTS = [FIXTURES / "cases.jsonl", FIXTURES / "complaints.jsonl"]
MAY, JUNE = "2023-05-20", "2023-06-30"


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A new, empty store of each kind."""
    if request.param == "sqlite":
        return str(tmp_path / "history.db")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


def invoke(*args: str) -> Any:
    result = CliRunner().invoke(app, list(args))
    return result


def record_run(store: str, as_of: str, *inputs: Path) -> None:
    result = invoke(
        "audit",
        *(str(p) for p in inputs or INPUTS),
        "--as-of",
        as_of,
        "--store",
        store,
        "--fail-on",
        "never",
    )
    assert result.exit_code == 0, result.output


def changes_json(store: str, *extra: str) -> dict[str, Any]:
    result = invoke("changes", "--store", store, *extra)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout_bytes)  # type: ignore[no-any-return]


def status_rows(store: str) -> int:
    url = normalise_url(store)
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return len(conn.execute(select(statuses.c.run_id)).all())
    finally:
        engine.dispose()


def expected_changes(first: str, second: str) -> list[dict[str, Any]]:
    """SPEC §12 computed from the two reports themselves."""

    def keyed(as_of: str) -> dict[tuple[str, str, str, int], tuple[str, date | None]]:
        report = audit(INPUTS, as_of=date.fromisoformat(as_of))
        return {
            (f.subject_type, f.subject_id, f.rule_id, f.instance): (f.status, f.due_date)
            for f in report.findings
            if not f.rule_id.startswith("DATA-")
        }

    before, after = keyed(first), keyed(second)
    found = []
    for key in sorted(before.keys() | after.keys()):
        old, new = before.get(key), after.get(key)
        if (old and old[0]) != (new and new[0]):
            due = (new or old)[1]  # type: ignore[index]
            found.append(
                {
                    "rule_id": key[2],
                    "subject_type": key[0],
                    "subject_id": key[1],
                    "instance": key[3],
                    "from_status": old[0] if old else None,
                    "to_status": new[0] if new else None,
                    "due_date": due.isoformat() if due else None,
                }
            )
    return found


def test_changes_between_may_and_june_are_exactly_the_status_differences(store: str) -> None:
    record_run(store, MAY)
    record_run(store, JUNE)
    report = changes_json(store)
    assert report["from"] == {"run": 1, "as_of": MAY}
    assert report["to"]["as_of"] == JUNE
    expected = expected_changes(MAY, JUNE)
    assert report["changes"] == expected
    assert any(c["from_status"] == "pending" and c["to_status"] == "overdue" for c in expected)
    assert not any(c["rule_id"].startswith("DATA-") for c in report["changes"])
    # the same comparison named explicitly, and backwards
    assert changes_json(store, "--from", "1", "--to", str(report["to"]["run"])) == report
    backwards = changes_json(store, "--from", str(report["to"]["run"]), "--to", "1")
    assert [(c["from_status"], c["to_status"]) for c in backwards["changes"]] == [
        (c["to_status"], c["from_status"]) for c in expected
    ]


def test_an_identical_rerun_adds_a_run_but_no_status_row(store: str) -> None:
    record_run(store, MAY)
    record_run(store, JUNE)
    rows = status_rows(store)
    record_run(store, JUNE)
    assert status_rows(store) == rows
    assert changes_json(store)["changes"] == []
    runs = json.loads(invoke("runs", "--store", store, "--format", "json").stdout_bytes)["runs"]
    assert [r["as_of"] for r in runs] == [MAY, JUNE, JUNE]
    assert runs[-1]["changes"] == 0 and runs[-1]["obligations"] == runs[-2]["obligations"]
    assert runs[0]["summary"]["records"] == 98
    assert [len(i["sha256"]) for i in runs[0]["inputs"]] == [64, 64]


def test_a_rejected_record_keeps_its_last_statuses(store: str, tmp_path: Path) -> None:
    lines = (FIXTURES / "complaints.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    broken = tmp_path / "complaints.jsonl"
    record_run(store, JUNE, FIXTURES / "complaints.jsonl")
    first["received_at"] = "2566-02-29"  # impossible date: rejected
    broken.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n", encoding="utf-8")
    result = invoke("audit", str(broken), "--as-of", JUNE, "--store", store)
    assert result.exit_code == 3
    assert changes_json(store)["changes"] == []


def test_changes_in_human_formats_are_grouped_by_agency_in_thai(store: str) -> None:
    record_run(store, MAY)
    record_run(store, JUNE)
    markdown = invoke("changes", "--store", store, "--format", "markdown").stdout
    assert "ครั้งที่ 1 (ณ วันที่ 20 พฤษภาคม 2566)" in markdown
    assert "## สำนักงานเขตบางพลัด" in markdown
    sections = [line for line in markdown.splitlines() if line.startswith("### ")]
    order = ["ฝ่าฝืนใหม่", "ใกล้ครบกำหนดใหม่", "ดำเนินการแล้ว", "การเปลี่ยนแปลงอื่น"]
    assert {s.split(" (")[0][4:] for s in sections} <= set(order)
    assert "2566" in markdown and "2023-" not in markdown
    html = invoke("changes", "--store", store, "--format", "html").stdout
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html and "ฝ่าฝืนใหม่" in html
    table = invoke("changes", "--store", store, "--format", "table")
    assert table.exit_code == 0 and "เลยกำหนด" in table.stdout
    csv_bytes = invoke("changes", "--store", store, "--format", "csv").stdout_bytes
    assert csv_bytes.startswith(b"\xef\xbb\xbf")
    rows = csv_bytes.decode("utf-8-sig").splitlines()
    assert rows[0].startswith("หน่วยงาน,กลุ่ม,") and len(rows) == 1 + len(
        changes_json(store)["changes"]
    )


def test_history_shows_one_record_across_runs_in_thai(store: str) -> None:
    record_run(store, MAY)
    record_run(store, JUNE)
    result = invoke("history", "CMP-2566-0002", "--store", store)
    assert result.exit_code == 0, result.output
    assert "CMP-3.2" in result.stdout and "ครั้งที่ 2" in result.stdout
    assert "มิ.ย. 2566" in result.stdout
    as_json = json.loads(
        invoke("history", "CMP-2566-0002", "--store", store, "--format", "json").stdout_bytes
    )
    assert {h["run"] for h in as_json["history"]} <= {1, 2}
    missing = invoke("history", "NO-SUCH", "--store", store)
    assert missing.exit_code == 2 and "NO-SUCH" in missing.output


def test_reading_commands_fail_clearly(store: str, tmp_path: Path) -> None:
    nowhere = invoke("runs", "--store", str(tmp_path / "none.db"))
    assert nowhere.exit_code == 2 and "no store" in nowhere.output
    assert not (tmp_path / "none.db").exists()
    record_run(store, MAY)
    only_one = invoke("changes", "--store", store)  # a nightly job's first night: no error
    assert only_one.exit_code == 0 and "first run" in only_one.output
    assert only_one.stdout_bytes == b""
    assert invoke("changes", "--store", store, "--from", "7").exit_code == 2
    assert invoke("changes", "--store", store, "--format", "pdf").exit_code == 2


def test_output_never_replaces_the_sqlite_store(tmp_path: Path) -> None:
    """`--output` naming the store's file — by path, URL, symlink or hard link, before the
    store exists or after — is refused like an input: exit 2, one line, the store intact."""
    db = tmp_path / "h.db"
    fresh = invoke(
        "audit", *map(str, INPUTS), "--as-of", MAY, "--store", str(db), "--output", str(db)
    )
    assert fresh.exit_code == 2 and "is the history store" in fresh.output
    assert not db.exists()  # refused before the run made it
    record_run(str(db), MAY)
    record_run(str(db), JUNE)
    before = db.read_bytes()
    (tmp_path / "soft.json").symlink_to(db)
    os.link(db, tmp_path / "hard.json")
    for output in (db, tmp_path / "soft.json", tmp_path / "hard.json"):
        for command in (
            ["audit", *map(str, INPUTS), "--as-of", JUNE, "--store", f"sqlite:///{db}"],
            ["changes", "--store", str(db)],
            ["stats", "--store", str(db), "--fiscal-year", "2566"],
        ):
            done = invoke(*command, "--output", str(output))
            assert done.exit_code == 2, (command, output, done.output)
            assert "is the history store" in done.output and len(done.output.splitlines()) == 1
            assert db.read_bytes() == before
    assert len(runs_of(str(db))) == 2
    (tmp_path / "link.db").symlink_to(db)  # SQLite names its journals after the real file
    for store in (str(db), f"sqlite:///{tmp_path / 'link.db'}"):
        for journal in ("-wal", "-journal"):  # SQLite's own files beside the store
            done = invoke("changes", "--store", store, "--output", f"{db}{journal}")
            assert done.exit_code == 2 and f"history store's {journal[1:]} file" in done.output
            assert not Path(f"{db}{journal}").exists()
    digest = invoke("digest", "--store", str(db), "--output-dir", str(tmp_path / "d"))
    assert digest.exit_code == 0, digest.output


def test_digest_days_are_bounded(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    record_run(str(db), MAY)
    done = invoke(
        "digest", "--store", str(db), "--output-dir", str(tmp_path), "--days", "99999999999"
    )
    assert done.exit_code == 2 and "3660" in done.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["h.db"]


def test_urls_are_normalised_and_passwords_never_shown(tmp_path: Path) -> None:
    assert normalise_url("postgresql://u:pw@h/db").drivername == "postgresql+psycopg"
    assert normalise_url("postgres://u@h/db").drivername == "postgresql+psycopg"
    assert normalise_url(str(tmp_path / "h.db")).database == str(tmp_path / "h.db")
    assert normalise_url(f"sqlite:///{tmp_path}/h.db").drivername == "sqlite"
    with pytest.raises(StoreError):
        normalise_url("mysql://u@h/db")
    result = invoke(
        "audit", str(INPUTS[0]), "--store", "postgresql://someone:s3cret-pw@127.0.0.1:1/db"
    )
    assert result.exit_code == 2
    assert "s3cret-pw" not in result.output and "***" in result.output


def test_the_store_holds_no_personal_data_or_free_text(store: str) -> None:
    planted: set[str] = set()
    for path in INPUTS:
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            planted.update(v for v in (record.get("complainant") or {}).values() if v)
            planted.update([record["respondent_name"]] if record.get("respondent_name") else [])
            planted.update(e["note"] for e in record["events"] if e.get("note"))
    assert len(planted) > 20
    record_run(store, MAY)
    record_run(store, JUNE)
    engine = create_engine(normalise_url(store))
    with engine.connect() as conn:
        dump = "\n".join(
            repr(row) for table in metadata.sorted_tables for row in conn.execute(select(table))
        )
    engine.dispose()
    assert "CMP-2566-0001" in dump
    assert not [secret for secret in planted if secret in dump]


def test_a_failing_run_leaves_the_earlier_runs_as_they_were(store: str) -> None:
    record_run(store, MAY)
    record_run(store, JUNE)
    before = changes_json(store)
    run = Audit(date(2023, 7, 31))
    with pytest.raises(RuntimeError), StoreSink(store, INPUTS) as sink:
        sink.start(run.header())
        late = Finding("CMP-3.2", None, "complaint", "X", "เขต", 1, "overdue", "violation",
                       date(2023, 6, 1), date(2023, 6, 16), None, 45)  # fmt: skip
        sink.finding(late)
        raise RuntimeError("the audit failed")
    assert changes_json(store) == before


def runs_of(store: str) -> list[dict[str, Any]]:
    result = invoke("runs", "--store", store, "--format", "json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout_bytes)["runs"]  # type: ignore[no-any-return]


def test_a_second_writer_waits_then_fails_clearly(store: str) -> None:
    record_run(store, MAY)
    header = Audit(date(2023, 6, 30)).header()
    holder = StoreSink(store, INPUTS)
    holder.start(header)
    try:
        with pytest.raises(StoreBusyError, match="another run is writing"):
            StoreSink(store, INPUTS, wait=0.3).start(header)
        result = CliRunner().invoke(
            app,
            ["audit", *map(str, INPUTS), "--as-of", JUNE, "--store", store],
            env={WAIT_ENV: "0.2"},
        )
        assert result.exit_code == 2
        assert "another run is writing to the store" in result.output
        assert [r["as_of"] for r in runs_of(store)] == [MAY]  # readers do not wait
    finally:
        holder.abort()
    with StoreSink(store, INPUTS, wait=5) as after:
        after.start(header)
        after.finish({"records": 0})
    assert [r["as_of"] for r in runs_of(store)] == [MAY, JUNE]


def paused_run(store: str, tmp_path: Path) -> subprocess.Popen[bytes]:
    """`compliance audit --store` held inside its transaction just before the commit
    (PAUSE_ENV), for a test to stop: the moment a stopped run has the most to undo."""
    marker = tmp_path / "in-transaction"
    command = [
        sys.executable,
        "-m",
        "compliance",
        "audit",
        *map(str, INPUTS),
        "--as-of",
        "2023-09-30",
        "--store",
        store,
        "--output",
        str(tmp_path / "report.json"),
    ]
    env = {**os.environ, PAUSE_ENV: str(marker)}
    process = subprocess.Popen(command, env=env, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not marker.exists() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)
    if not marker.exists():
        process.kill()
        _, stderr = process.communicate()
        pytest.fail(f"the run never reached its commit: {stderr.decode(errors='replace')}")
    return process


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGTERM])
def test_a_run_stopped_inside_its_transaction_leaves_the_store_intact(
    store: str, tmp_path: Path, signum: signal.Signals
) -> None:
    """Killed (no handler runs) or stopped (the sink aborts): the earlier runs stay, the
    file stays sound, and the next run records as usual."""
    record_run(store, MAY)
    record_run(store, JUNE)
    before = changes_json(store)
    process = paused_run(store, tmp_path)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode in (-signum, 128 + signum), stderr
    assert b"Traceback" not in stderr
    if not store.startswith("postgresql"):
        with sqlite3.connect(store) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    assert changes_json(store) == before
    assert [r["as_of"] for r in runs_of(store)] == [MAY, JUNE]
    record_run(store, "2023-09-30")  # the lock died with the process
    assert changes_json(store)["to"]["as_of"] == "2023-09-30"


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_stopped_first_run_leaves_no_file(tmp_path: Path, signum: signal.Signals) -> None:
    """A nightly job stopped during its first night leaves no empty store (nor its -wal and
    -shm) for the next night to mistake for a real one."""
    folder = tmp_path / "stores"
    folder.mkdir()
    process = paused_run(str(folder / "history.db"), tmp_path)
    assert (folder / "history.db").exists()  # made, and inside the transaction
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, stderr
    assert b"Traceback" not in stderr
    assert list(folder.iterdir()) == []


def test_a_finished_first_run_keeps_its_store(tmp_path: Path) -> None:
    folder = tmp_path / "stores"
    folder.mkdir()
    record_run(str(folder / "history.db"), MAY)
    assert [p.name for p in folder.iterdir()] == ["history.db"]
    assert [r["as_of"] for r in runs_of(str(folder / "history.db"))] == [MAY]


def test_a_first_run_failed_by_another_sink_leaves_no_file(tmp_path: Path) -> None:
    """The pipeline aborts the store when another sink fails mid-run (a full disk under the
    report): the store it was creating goes too."""

    class Broken(Sink):
        def finding(self, finding: Finding) -> None:
            raise OSError(28, "No space left on device")

    path = tmp_path / "history.db"
    with pytest.raises(OSError, match="No space"):
        Audit(date(2023, 6, 30)).run(INPUTS, [StoreSink(str(path), INPUTS), Broken()])
    assert list(tmp_path.iterdir()) == []


def test_only_the_run_that_made_a_new_store_removes_it(tmp_path: Path) -> None:
    """Two runs start on the same new path: the one that gives up waiting leaves the file to
    the one that made it; when that one is stopped, the file goes."""
    path = tmp_path / "history.db"
    header = Audit(date(2023, 6, 30)).header()
    first = StoreSink(str(path), INPUTS)
    first.start(header)
    with pytest.raises(StoreBusyError):
        StoreSink(str(path), INPUTS, wait=0.2).start(header)
    assert path.exists()
    first.abort()
    assert list(tmp_path.iterdir()) == []


def test_a_run_waiting_for_a_new_store_that_is_removed_never_writes_into_it(
    tmp_path: Path,
) -> None:
    """A run waits for the lock of a new store whose maker is then stopped and removes it:
    the waiting run either records into a file that is there afterwards or fails as busy —
    never "records" into the removed file (a run silently lost)."""
    path = tmp_path / "history.db"
    header = Audit(date(2023, 6, 30)).header()
    first = StoreSink(str(path), INPUTS)
    first.start(header)
    outcome: list[str] = []

    def second() -> None:
        try:
            with StoreSink(str(path), INPUTS, wait=30) as sink:
                sink.start(header)
                sink.finish({"records": 0})
            outcome.append("recorded")
        except StoreBusyError:
            outcome.append("busy")

    waiting = threading.Thread(target=second)
    waiting.start()
    time.sleep(0.5)  # the second run is now waiting for the lock
    first.abort()
    waiting.join(timeout=60)
    if outcome == ["recorded"]:
        assert [r["as_of"] for r in runs_of(str(path))] == [JUNE]
    else:
        assert outcome == ["busy"]
        assert list(tmp_path.iterdir()) == []


@pytest.fixture
def offices(tmp_path: Path) -> Path:
    path = tmp_path / "offices.jsonl"
    records = [
        {
            "type": "complaint",
            "complaint_id": "C-EVIL",
            "agency": "../../evil",
            "received_at": "2023-06-01",
            "channel": "letter",
            "corruption": False,
            "events": [],
        },
        {
            "type": "complaint",
            "complaint_id": "C-SLASH",
            "agency": "สำนักงานเขต/ฝ่ายโยธา",
            "received_at": "2023-06-26",
            "channel": "letter",
            "corruption": False,
            "events": [],
        },
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    return path


def test_digest_writes_one_safe_file_per_office(store: str, tmp_path: Path, offices: Path) -> None:
    record_run(store, "2023-06-10", offices)
    record_run(store, JUNE, offices)
    out = tmp_path / "digest"
    result = invoke("digest", "--store", store, "--output-dir", str(out), "--days", "14")
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        [
            "evil.html",
            "evil.csv",
            "สำนักงานเขต_ฝ่ายโยธา.html",
            "สำนักงานเขต_ฝ่ายโยธา.csv",
            "index.html",
            "index.json",
        ]
    )
    assert not (tmp_path / "evil.html").exists()
    evil = (out / "evil.html").read_text(encoding="utf-8")
    assert "<style>" in evil and "<script" not in evil and "http" not in evil
    new_section = evil.split("ฝ่าฝืนใหม่ตั้งแต่การตรวจครั้งก่อน")[1].split("<h2>")[0]
    assert "C-EVIL" in new_section and "16 มิ.ย. 2566" in new_section
    slash = (out / "สำนักงานเขต_ฝ่ายโยธา.html").read_text(encoding="utf-8")
    assert "ครบกำหนดภายใน 14 วัน (1)" in slash and "C-SLASH" in slash
    index = json.loads((out / "index.json").read_bytes())
    assert {a["agency"]: a["new_violations"] for a in index["agencies"]} == {
        "../../evil": 1,
        "สำนักงานเขต/ฝ่ายโยธา": 0,
    }
    assert "../../evil" in (out / "index.html").read_text(encoding="utf-8")
    assert (out / "evil.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    # a third identical night: the violation is no longer new, it is still overdue (by days)
    record_run(store, JUNE, offices)
    invoke("digest", "--store", store, "--output-dir", str(out), "--days", "14")
    evil = (out / "evil.html").read_text(encoding="utf-8")
    assert "ฝ่าฝืนใหม่ตั้งแต่การตรวจครั้งก่อน (0)" in evil
    assert "ยังเลยกำหนดอยู่ (เรียงตามจำนวนวันที่ช้า) (1)" in evil and "<td>14</td>" in evil


def test_safe_names_never_leave_the_folder() -> None:
    taken: set[str] = set()
    for agency in ("../..", "/etc/passwd", "a/../b", "index", "..", "สำนักงานเขตบางพลัด"):
        name = safe_name(agency, taken)
        assert "/" not in name and not name.startswith(".") and name
    assert safe_name("สำนักงานเขตบางพลัด", taken) != "สำนักงานเขตบางพลัด"  # a second office


def test_the_schema_is_at_the_newest_migration(store: str) -> None:
    record_run(store, MAY)
    with open_store(store, write=False) as conn:
        version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert version == "0001"


@pytest.fixture(autouse=True)
def _no_pause(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv(PAUSE_ENV, raising=False)
    yield


def test_changes_are_grouped_as_a_legal_officer_reads_them() -> None:
    def state(status: str | None, severity: str | None) -> State:
        return State(status, severity, "เขต", None, date(2023, 6, 1), None, None)

    def group(before: State, after: State) -> str:
        return Change("complaint", "C1", "CMP-3.2", 1, before, after).group

    assert group(state("pending", "info"), state("overdue", "violation")) == "new_violation"
    assert group(ABSENT, state("late", "violation")) == "new_violation"
    assert group(state("pending", "info"), state("due_soon", "warning")) == "due_soon"
    assert group(state("overdue", "violation"), state("late", "violation")) == "resolved"
    assert group(state("due_soon", "warning"), state("met", "info")) == "resolved"
    assert group(ABSENT, state("met", "info")) == "other"
    assert group(state("overdue", "violation"), ABSENT) == "other"


def test_a_run_over_workers_records_what_one_process_records(tmp_path: Path) -> None:
    """`--store` with `--jobs 2`: the store is a sink of the same pipeline, fed the findings
    the workers judged, and records exactly the changes a one-process run records."""
    found = []
    for jobs in ("1", "2"):
        store = str(tmp_path / f"history-{jobs}.db")
        for day in (MAY, JUNE):
            done = subprocess.run(
                ["compliance", "audit", *map(str, INPUTS), "--as-of", day, "--store", store,
                 "--jobs", jobs, "--fail-on", "never", "--output", str(tmp_path / "r.json")],
                capture_output=True, check=False,
            )  # fmt: skip
            assert done.returncode == 0, done.stderr
        found.append(changes_json(store))
    assert found[0] == found[1] and found[0]["changes"]


def test_store_errors_show_the_path_as_given(tmp_path: Path) -> None:
    """A path holding rich markup ("[b]") is printed literally, never interpreted."""
    result = invoke("runs", "--store", str(tmp_path / "no[b]ne" / "x.db"))
    assert result.exit_code == 2 and "no[b]ne" in result.output


def test_the_digest_csv_neutralises_formulas(tmp_path: Path) -> None:
    """An agency or id a spreadsheet would run as a formula (CSV injection) is text in every
    CSV the history commands write, as in the audit's own CSV."""
    cases = tmp_path / "cases.jsonl"
    line = (FIXTURES / "cases.jsonl").read_text("utf-8").splitlines()[5]
    record = json.loads(line) | {"agency": '=HYPERLINK("x")', "case_id": "@SUM(1)"}
    cases.write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")
    store = str(tmp_path / "h.db")
    for day in (MAY, JUNE):
        record_run(store, day, cases)
    changes = invoke("changes", "--store", store, "--format", "csv").stdout_bytes.decode(
        "utf-8-sig"
    )
    assert "'=HYPERLINK" in changes and "'@SUM(1)" in changes
    assert not any(
        cell.startswith(("=", "@")) for row in csv.reader(io.StringIO(changes)) for cell in row
    )


def test_digest_refuses_a_bad_folder_before_writing_anything(tmp_path: Path) -> None:
    # A store kept where the digest would write (its index.html) is refused before any office
    # file is written; a folder that cannot be one (a device, under a file) is exit 2, not 4.
    folder = tmp_path / "d"
    folder.mkdir()
    store = str(folder / "index.html")
    record_run(store, MAY)
    done = invoke("digest", "--store", store, "--output-dir", str(folder))
    assert done.exit_code == 2 and "is the history store" in done.output
    assert sorted(p.name for p in folder.iterdir()) == ["index.html"]
    (tmp_path / "file").write_text("x")
    for bad in ("/dev/null", str(tmp_path / "file" / "sub")):
        done = invoke("digest", "--store", store, "--output-dir", bad)
        assert done.exit_code == 2 and "--output-dir" in done.output, done.output
