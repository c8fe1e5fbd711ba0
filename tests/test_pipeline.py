"""One pipeline with sinks, one error boundary: what a service or a nightly job relies on when it
drives the audit from Python or stops it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance import Audit, ComplianceError, audit, obligations
from compliance.engine.findings import Finding
from compliance.errors import ArgumentError, RecordError
from compliance.pipeline.sinks import Sink, finding_facts
from compliance.records.readers import Rejected

from .conftest import FIXTURES, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate

AS_OF = date(2023, 9, 15)
INPUTS = [FIXTURES / "cases.jsonl", FIXTURES / "complaints.jsonl"]


class Facts(Sink):
    """A sink as a store or statistics would be: findings by their facts, in order."""

    def __init__(self) -> None:
        self.events: list[Any] = []
        self.state = "new"

    def start(self, header: dict[str, Any]) -> None:
        self.state = "started"
        self.header = header

    def finding(self, finding: Finding) -> None:
        self.events.append(finding_facts(finding))

    def rejected(self, rejected: Rejected) -> None:
        self.events.append(("rejected", rejected.source, rejected.line))

    def finish(self, summary: dict[str, Any]) -> None:
        self.state = "finished"
        self.summary = summary

    def abort(self) -> None:
        self.state = "aborted"


def test_a_sink_sees_the_same_findings_in_one_process_and_over_workers(tmp_path: Path) -> None:
    data = tmp_path / "records.jsonl"
    generate(3000, data)
    dup = tmp_path / "more.jsonl"
    dup.write_text(data.read_text("utf-8").splitlines()[5] + "\n", "utf-8")  # a duplicate id
    serial, parallel = Facts(), Facts()
    one = Audit(AS_OF).run([data, dup], [serial], jobs=1)
    two = Audit(AS_OF).run([data, dup], [parallel], jobs=2)
    assert serial.state == parallel.state == "finished"
    assert serial.events == parallel.events and len(serial.events) > 3000
    assert one.to_json() == two.to_json() == serial.summary
    assert one.rejected == 1 and ("rejected", str(dup), 1) in serial.events
    keys = [(e["subject_id"], e["rule_id"], e["instance"] or 0) for e in serial.events[:200]
            if isinstance(e, dict)]  # fmt: skip
    assert keys == sorted(keys, key=lambda k: (keys.index(k), k[1], k[2]))


def test_every_sink_is_aborted_when_one_fails() -> None:
    class Broken(Facts):
        def finding(self, finding: Finding) -> None:
            raise RuntimeError("disk full")

    good, broken = Facts(), Broken()
    with pytest.raises(RuntimeError):
        Audit(AS_OF).run(INPUTS, [good, broken])
    assert good.state == broken.state == "aborted"


def test_a_stopped_audit_leaves_nothing_behind(tmp_path: Path) -> None:
    """SIGTERM in the middle of a --jobs audit: exit 143, no report, no temporary file, no
    part files, and an existing report is untouched."""
    data = tmp_path / "big.jsonl"
    generate(60_000, data)
    report = tmp_path / "out" / "report.json"
    report.parent.mkdir()
    report.write_text("yesterday's report", "utf-8")
    temp = tmp_path / "tmp"
    temp.mkdir()
    done = subprocess.Popen(
        [sys.executable, "-m", "compliance", "audit", str(data), "--as-of", "2023-09-15",
         "--jobs", "2", "--output", str(report)],
        env={**os.environ, "TMPDIR": str(temp)},
        stderr=subprocess.PIPE,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while not any(temp.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)  # until the workers have started writing parts
    time.sleep(0.3)
    done.send_signal(signal.SIGTERM)
    _, stderr = done.communicate(timeout=60)
    assert done.returncode == 128 + signal.SIGTERM, stderr
    assert b"Traceback" not in stderr
    assert report.read_text("utf-8") == "yesterday's report"
    assert sorted(p.name for p in report.parent.iterdir()) == ["report.json"]
    assert list(temp.iterdir()) == []


def test_part_folders_of_killed_runs_are_removed(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    stale = tmp_path / f"compliance-parts-{dead.stdout.strip()}-abc"
    stale.mkdir()
    (stale / "0.part").write_bytes(b"x" * 100)
    done = subprocess.run(
        [sys.executable, "-m", "compliance", "audit", *map(str, INPUTS), "--as-of",
         "2023-09-15", "--jobs", "2", "--output", str(tmp_path / "r.json")],
        env={**os.environ, "TMPDIR": str(tmp_path)}, capture_output=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert not stale.exists()


# --- the error boundary ------------------------------------------------------------------------

NAME = "สมชาย ใจดี"


def _complaint(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "type": "complaint",
        "complaint_id": "C-1",
        "agency": "เขต",
        "received_at": "2023-09-01",
        "channel": "letter",
        "corruption": False,
        "complainant": {"name": NAME, "address": "99 ถนนสุขุมวิท"},
        "events": [],
    }
    return record | changes


def test_an_invalid_record_is_a_compliance_error_without_its_values() -> None:
    bad = _complaint(complainant={"name": [NAME], "address": {"x": NAME}})
    with pytest.raises(RecordError) as caught:
        obligations(bad, as_of=AS_OF)
    text = str(caught.value) + repr(caught.value) + repr(caught.value.errors)
    assert NAME not in text and "99 ถนน" not in text
    assert "complainant.name" in text
    assert isinstance(caught.value, ComplianceError) and caught.value.__cause__ is None


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        (lambda: audit("fixtures/cases.jsonl"), "records: a list"),  # type: ignore[arg-type]
        (lambda: audit(INPUTS, as_of="2023-09-15"), "as_of: a datetime.date"),  # type: ignore[arg-type]
        (lambda: obligations("C-1"), "record: a dict"),  # type: ignore[arg-type]
        (lambda: Audit(AS_OF, warn_days=-1), "warn_days"),
        (lambda: Audit(AS_OF).run(FIXTURES / "cases.jsonl"), "inputs: a list of paths"),  # type: ignore[arg-type]
        (lambda: audit([FIXTURES / "cases.jsonl", _complaint()]), "not a mix"),
    ],
)
def test_wrong_argument_types_are_refused_clearly(call: Any, expected: str) -> None:
    with pytest.raises(ArgumentError, match=expected) as caught:
        call()
    assert isinstance(caught.value, TypeError) and isinstance(caught.value, ComplianceError)


@settings(max_examples=60, deadline=None)
@given(
    st.text(min_size=1).map(lambda s: f"ลับ{s}"),  # a marker no message contains
    st.sampled_from(["name", "address", "position", "contact"]),
    st.sampled_from(["received_at", "channel", "corruption", "complaint_id"]),
)
def test_personal_data_never_reaches_an_exception(secret: str, field: str, broken: str) -> None:
    """Whatever a complainant's fields hold, and whichever other field is wrong, the error a
    service would log holds none of it."""
    bad = _complaint(complainant={field: secret, "unexpected": secret}, **{broken: [secret]})
    with pytest.raises(ComplianceError) as caught:
        obligations(bad, as_of=AS_OF)
    assert secret not in str(caught.value)
    report = audit([bad], as_of=AS_OF)
    assert secret not in json.dumps(report.model_dump(mode="json"), ensure_ascii=False)


BUGGY = """
import sys
import compliance.engine.judge as engine
def broken(self, record, as_of, flag_future=False):
    raise KeyError("a bug quoting สมชาย")
engine.Engine.evaluate = broken
from compliance.cli import main
sys.argv = ["compliance", *sys.argv[1:]]
main()
"""


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_bug_exits_4_with_one_line_and_no_report(tmp_path: Path, jobs: str) -> None:
    """An internal error is not "findings" (exit 1): exit 4, one line, no traceback (it may
    quote input), no report; --debug shows where."""
    out = tmp_path / "r.json"
    args = [*map(str, INPUTS), "--as-of", "2023-09-15", "--jobs", jobs, "--output", str(out)]
    done = subprocess.run([sys.executable, "-c", BUGGY, "audit", *args],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 4
    assert "internal error (KeyError)" in done.stderr and "--debug" in done.stderr
    assert "Traceback" not in done.stderr and "สมชาย" not in done.stderr
    assert list(tmp_path.iterdir()) == []
    debug = subprocess.run([sys.executable, "-c", BUGGY, "--debug", "audit", *args],
                           capture_output=True, text=True, check=False)  # fmt: skip
    assert debug.returncode == 4 and "Traceback" in debug.stderr


def test_a_killed_runs_partial_report_is_removed_by_the_next_run(tmp_path: Path) -> None:
    """SIGKILL leaves the hidden temporary report behind (no handler runs); the next run
    writing beside it removes it — but never the one of a run still going."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    stale = tmp_path / f".report.json.{dead.stdout.strip()}-abcdefgh.part"
    stale.write_bytes(b'{"as_of": "2023-09-15", "findings": [')
    alive = tmp_path / f".report.json.{os.getpid()}-abcdefgh.part"
    alive.write_bytes(b"another run, still writing")
    done = subprocess.run(
        [sys.executable, "-m", "compliance", "audit", *map(str, INPUTS), "--as-of",
         "2023-09-15", "--output", str(tmp_path / "report.json")],
        capture_output=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [alive.name, "report.json"]
