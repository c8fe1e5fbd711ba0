"""Hostile input and hostile surroundings (issue #13): a bad record is one rejected record,
nothing is dropped silently, `--output` never destroys what it points at, no error leaks
personal data. Each test is a user's scenario: a file, a command, an exit code, an output."""

from __future__ import annotations

import errno
import json
import os
import socket
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from compliance.audit import Audit
from compliance.calendar.thaidate import (
    BANGKOK,
    FIRST_DAY,
    LAST_DAY,
    DateParseError,
    parse_date,
    parse_moment,
)
from compliance.calendar.workcalendar import GovernmentCalendar
from compliance.cli import app
from compliance.errors import ComplianceError, ConfigurationError
from compliance.records.readers import Accepted, Rejected, check_inputs, read_records
from compliance.report.output import ReportWriteError, report_output

AS_OF = ["--as-of", "2023-09-30"]
SECRET = "สมชายใจดีมากมาย"  # a complainant's name: must never appear in any output


def complaint(n: int, **extra: Any) -> dict[str, Any]:
    return {
        "type": "complaint",
        "complaint_id": f"C-{n}",
        "agency": "สำนักงานเขตบางพลัด",
        "received_at": "2023-08-01",
        "channel": "letter",
        "corruption": False,
        "events": [{"kind": "accepted", "date": "2023-08-02"}],
        **extra,
    }


def line(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode("utf-8")


def between_good(bad: bytes) -> bytes:
    """A file of three lines: a good record, the line under test, another good record."""
    return line(complaint(1)) + b"\n" + bad + b"\n" + line(complaint(3)) + b"\n"


def audit(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    """`compliance audit ...` as the nightly job runs it: a process, exit code, streams."""
    return subprocess.run(
        [sys.executable, "-m", "compliance", "audit", *args],
        input=stdin,
        capture_output=True,
        check=False,
        timeout=120,
    )


def report(done: subprocess.CompletedProcess[bytes]) -> dict[str, Any]:
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def raw_complaint(n: int, field: str, raw_value: bytes) -> bytes:
    """A complaint line whose `field` is the raw JSON text `raw_value` (escapes kept)."""
    text = line(complaint(n, **{field: "@@"}))
    return text.replace(b'"@@"', raw_value)


HOSTILE: list[tuple[str, bytes, str]] = [
    ("objects nested 5,000 deep", b'{"a":' * 5000 + b"1" + b"}" * 5000, "nested too deeply"),
    ("arrays nested 100,000 deep", b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (
        "a 5,000-digit integer",
        raw_complaint(2, "corruption", b"9" * 5000),
        "corruption: a number with 5000 digits",
    ),
    ("a lone surrogate in the id", raw_complaint(2, "complaint_id", b'"\\ud800"'), "complaint_id"),
    ("a lone surrogate in the agency", raw_complaint(2, "agency", b'"x\\udc00"'), "agency:"),
    (
        "a lone surrogate in a note",
        raw_complaint(2, "events", b'[{"kind":"accepted","date":"2023-08-02","note":"\\ud83d"}]'),
        "events[0].note: text holds a lone surrogate",
    ),
    (
        "a date-time in year 0 in Bangkok",
        line(complaint(2, received_at="0001-01-01T00:00:00+14:00")),
        "received_at: out of range",
    ),
    (
        "a date-time past the last year",
        line(complaint(2, received_at="9999-12-31T23:00:00-14:00")),
        "received_at: out of range",
    ),
    (
        "an event in year 1",
        line(complaint(2, events=[{"kind": "accepted", "date": "0001-01-01"}])),
        "events[0].date: out of range",
    ),
    ("NaN", raw_complaint(2, "corruption", b"NaN"), "corruption: NaN is not a JSON number"),
    ("Infinity", raw_complaint(2, "corruption", b"-Infinity"), "corruption: -Infinity"),
    ("a huge float", raw_complaint(2, "corruption", b"1e999"), "corruption:"),
    ("invalid UTF-8", line(complaint(2)).replace(b"letter", b"lett\xff"), "not valid UTF-8"),
    ("a BOM inside the file", b"\xef\xbb\xbf" + line(complaint(2)), "byte-order mark"),
    ("a NUL byte", line(complaint(2))[:-1] + b"\x00}", "invalid JSON"),
    ("a lone NUL", b"\x00", "invalid JSON"),
    (
        "Arabic-Indic digits in a date",
        line(complaint(2, received_at="٢٠٢٣-٠٨-٠١")),
        "received_at: digits must be 0-9 or Thai digits",
    ),
    (
        "fullwidth digits in a date",
        line(complaint(2, received_at="２０２３-０８-０１")),
        "received_at: digits must be",
    ),
    (
        "Devanagari digits in a B.E. date",
        line(complaint(2, received_at="०१/०८/२५६६")),
        "received_at: digits must be",
    ),
    (
        "two events keys",
        line(complaint(2))[:-1] + b', "events": []}',
        "the key 'events' appears twice",
    ),
    (
        "a key twice in an event",
        raw_complaint(
            2, "events", b'[{"kind":"accepted","date":"2023-08-02","date":"2023-08-09"}]'
        ),
        "events[0]: the key 'date' appears twice",
    ),
    (
        "a key twice, spaced before its colon",
        line(complaint(2))[:-1] + b', "events" : []}',
        "appears twice",
    ),
    (
        "a key twice, after a value holding a quote and a colon",
        raw_complaint(2, "events", b'[{"kind":"accepted","date":"2023-08-02","note":"a\\":b"}]')[
            :-1
        ]
        + b',"agency":"y"}',
        "the key 'agency' appears twice",
    ),
    ("a JSON string, not an object", b'"hello"', "a record must be a JSON object"),
    ("two objects on one line", line(complaint(2)) + line(complaint(4)), "invalid JSON"),
]


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize(
    ("bad", "expected"), [(b, e) for _, b, e in HOSTILE], ids=[n for n, _, _ in HOSTILE]
)
def test_one_hostile_line_is_one_rejected_record(
    tmp_path: Path, bad: bytes, expected: str, jobs: str
) -> None:
    """The nightly job over a file with one hostile line: the two good records are audited,
    the bad one is rejected with file, line and reason, exit 3, no traceback."""
    records = tmp_path / "records.jsonl"
    records.write_bytes(between_good(bad))
    done = audit(str(records), *AS_OF, "--jobs", jobs)
    assert done.returncode == 3, done.stderr
    result = report(done)
    assert result["summary"]["records"] == 2
    [rejected] = result["rejected"]
    assert (rejected["source"], rejected["line"]) == (str(records), 2)
    assert any(expected in e for e in rejected["errors"]), rejected["errors"]


def test_crlf_and_a_leading_bom_are_read(tmp_path: Path) -> None:
    records = tmp_path / "windows.jsonl"
    records.write_bytes(b"\xef\xbb\xbf" + between_good(line(complaint(2))).replace(b"\n", b"\r\n"))
    done = audit(str(records), *AS_OF, "--fail-on", "never")
    assert done.returncode == 0
    assert report(done)["summary"]["records"] == 3


def test_thai_digits_are_still_dates(tmp_path: Path) -> None:
    records = tmp_path / "thai.jsonl"
    records.write_bytes(between_good(line(complaint(2, received_at="๐๑/๐๘/๒๕๖๖"))))
    done = audit(str(records), *AS_OF, "--fail-on", "never")
    assert done.returncode == 0 and report(done)["summary"]["records"] == 3


@pytest.mark.parametrize(
    "as_of",
    ["٢٠٢٣-٠٩-٣٠", "２０２３-０９-３０", "0001-01-01T00:00:00+14:00", "9999-12-31T23:00:00-14:00"],
)
def test_a_hostile_as_of_is_a_usage_error(tmp_path: Path, as_of: str) -> None:
    records = tmp_path / "r.jsonl"
    records.write_bytes(line(complaint(1)) + b"\n")
    done = audit(str(records), "--as-of", as_of)
    assert done.returncode == 2
    assert done.stderr.startswith(b"error: --as-of: ") and b"Traceback" not in done.stderr
    assert as_of.encode() not in done.stderr  # described, not echoed


def test_date_parse_error_is_a_compliance_error() -> None:
    """Library callers catch one hierarchy; pydantic still sees a ValueError."""
    with pytest.raises(ComplianceError):
        parse_date("٢٠٢٣-٠١-٠١")
    assert issubclass(DateParseError, ValueError)


# --- nothing dropped silently -----------------------------------------------------------------


def test_a_json_file_of_several_values_is_read_whole(tmp_path: Path) -> None:
    """JSON Lines named .json: every value is a record, never just the first."""
    records = tmp_path / "export.json"
    records.write_bytes(line(complaint(1)) + b"\n" + line([complaint(2), complaint(3)]) + b"\n")
    done = audit(str(records), *AS_OF, "--fail-on", "never")
    assert done.returncode == 0 and report(done)["summary"]["records"] == 3


def test_text_after_the_array_is_not_dropped(tmp_path: Path) -> None:
    records = tmp_path / "export.json"
    records.write_bytes(line([complaint(1)]) + b"\n]garbage\n")
    done = audit(str(records), *AS_OF)
    assert done.returncode == 3
    result = report(done)
    assert result["summary"]["records"] == 1
    [rejected] = result["rejected"]
    assert rejected["line"] == 2 and "the rest of the file is not read" in rejected["errors"][0]


def test_duplicate_keys_in_a_json_file(tmp_path: Path) -> None:
    records = tmp_path / "export.json"
    text = "[" + line(complaint(1)).decode() + ",\n" + line(complaint(2)).decode()[:-1]
    records.write_text(text + ', "corruption": true}]', encoding="utf-8")
    done = audit(str(records), *AS_OF)
    assert done.returncode == 3
    [rejected] = report(done)["rejected"]
    assert rejected["line"] == 2 and "the key 'corruption' appears twice" in rejected["errors"][0]


def test_a_hostile_value_in_a_json_array_rejects_only_its_record(tmp_path: Path) -> None:
    records = tmp_path / "export.json"
    bad = raw_complaint(2, "corruption", b"NaN").decode()
    records.write_text(f"[{line(complaint(1)).decode()},\n{bad},\n{line(complaint(3)).decode()}]")
    done = audit(str(records), *AS_OF)
    assert done.returncode == 3 and report(done)["summary"]["records"] == 2


# --- every line audited or rejected, whatever it holds -----------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
mutated = st.builds(
    lambda n, key, value: line(complaint(n, **{key: value})),
    st.integers(10, 10**6),
    st.sampled_from(["agency", "received_at", "events", "complainant", "corruption", "x"]),
    json_values,
)
hostile_lines = st.lists(
    st.one_of(
        st.binary(max_size=60).filter(lambda b: b"\n" not in b),
        json_values.map(lambda v: json.dumps(v).encode()),
        mutated,
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_lines)
def test_every_line_is_audited_or_rejected(lines: list[bytes]) -> None:
    """Arbitrary bytes and JSON values as lines: records + rejected == non-blank lines, exit
    0, 1 or 3, never a traceback."""
    lines = [b for b in lines if b.strip()] or [b"{}"]
    runner = CliRunner()
    result = runner.invoke(
        app, ["audit", "-", *AS_OF, "--jobs", "1"], input=b"\n".join(lines) + b"\n"
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code in (0, 1, 3), result.output
    summary = json.loads(result.stdout_bytes)["summary"]
    assert summary["records"] + summary["rejected"] == len(lines)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.sampled_from(["events", "agency", "channel", "corruption"]), min_size=1),
    st.sampled_from([b":", b" :", b"\t:", b"\r:", b"  :"]),
    st.sampled_from(["", 'a":b', 'x" : y', "ก:ข", "10:00"]),
)
def test_a_repeated_key_is_always_caught(keys: list[str], colon: bytes, note: str) -> None:
    """However the repeated key is spaced and whatever the values hold."""
    text = line(complaint(1, events=[{"kind": "accepted", "date": "2023-08-02", "note": "@"}]))
    text = text.replace(b'"@"', json.dumps(note, ensure_ascii=False).encode())
    extra = b"".join(b', "' + k.encode() + b'"' + colon + line(complaint(1)[k]) for k in keys)
    items = list(read_records_from(text[:-1] + extra + b"}"))
    assert isinstance(items[0], Rejected) and "appears twice" in " ".join(items[0].errors)


def read_records_from(data: bytes) -> list[Accepted | Rejected]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "one.jsonl"
        path.write_bytes(data + b"\n")
        return list(read_records([path]))


# --- standard input ---------------------------------------------------------------------------


def test_audit_reads_standard_input(tmp_path: Path) -> None:
    """`compliance import … --output - | compliance audit -`."""
    done = audit("-", *AS_OF, stdin=between_good(b"not json"))
    assert done.returncode == 3
    result = report(done)
    assert result["summary"]["records"] == 2
    assert [(r["source"], r["line"]) for r in result["rejected"]] == [("<stdin>", 2)]


def test_standard_input_with_files_and_only_once(tmp_path: Path) -> None:
    records = tmp_path / "a.jsonl"
    records.write_bytes(line(complaint(1)) + b"\n")
    done = audit(str(records), "-", *AS_OF, "--fail-on", "never", stdin=line(complaint(2)))
    assert done.returncode == 0 and report(done)["summary"]["records"] == 2
    twice = audit("-", "-", *AS_OF, stdin=b"")
    assert twice.returncode == 2 and b"only once" in twice.stderr
    empty = audit("-", *AS_OF, stdin=b"")
    assert empty.returncode == 3 and report(empty)["rejected"][0]["errors"] == [
        "file is empty: no records"
    ]


def test_explain_reads_standard_input() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "compliance", "explain", "C-3", "-", *AS_OF, "--lang", "en"],
        input=between_good(b"{}"),
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0 and b"C-3 (complaint)" in done.stdout


# --- --output never destroys what it points at -------------------------------------------------


@pytest.fixture
def records(tmp_path: Path) -> Path:
    path = tmp_path / "records.jsonl"
    path.write_bytes(line(complaint(1)) + b"\n")
    return path


def out_args(records: Path, output: Path | str) -> list[str]:
    return [str(records), *AS_OF, "--fail-on", "never", "--output", str(output)]


def test_output_over_an_input_is_refused(records: Path, tmp_path: Path) -> None:
    before = records.read_bytes()
    hard, soft = tmp_path / "hard.jsonl", tmp_path / "soft.json"
    os.link(records, hard)
    soft.symlink_to(records)
    for target in (records, hard, soft, tmp_path / "." / records.name):
        done = audit(*out_args(records, target))
        assert done.returncode == 2, target
        assert b"is the input file" in done.stderr and b"Traceback" not in done.stderr
        assert records.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "hard.jsonl",
        "records.jsonl",
        "soft.json",
    ]


def test_output_over_the_holidays_file_is_refused(records: Path, tmp_path: Path) -> None:
    holidays = tmp_path / "holidays.yaml"
    holidays.write_text("holidays: []\n", encoding="utf-8")
    before = holidays.read_bytes()
    done = audit(*out_args(records, holidays), "--holidays", str(holidays))
    assert done.returncode == 2 and holidays.read_bytes() == before


def test_dev_null_is_written_into_not_replaced(records: Path) -> None:
    before = os.stat("/dev/null")
    done = audit(*out_args(records, "/dev/null"))
    after = os.stat("/dev/null")
    assert done.returncode == 0
    assert (after.st_ino, after.st_mode) == (before.st_ino, before.st_mode)


def test_dev_stdout_is_standard_output(records: Path) -> None:
    done = audit(*out_args(records, "/dev/stdout"))
    assert done.returncode == 0 and report(done)["summary"]["records"] == 1


def test_dev_stdout_appends_where_the_shell_appends(records: Path, tmp_path: Path) -> None:
    log = tmp_path / "log.txt"
    log.write_bytes(b"earlier night\n")
    with log.open("ab") as handle:
        subprocess.run(
            [sys.executable, "-m", "compliance", "audit", *out_args(records, "/dev/stdout")],
            stdout=handle,
            check=True,
        )
    assert log.read_bytes().startswith(b"earlier night\n{")


def test_a_fifo_is_written_into(records: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    process = subprocess.Popen(
        [sys.executable, "-m", "compliance", "audit", *out_args(records, fifo)]
    )
    with fifo.open("rb") as reader:
        data = reader.read()
    assert process.wait(timeout=60) == 0
    assert json.loads(data)["summary"]["records"] == 1 and stat.S_ISFIFO(fifo.lstat().st_mode)


def test_a_socket_is_refused(records: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        done = audit(*out_args(records, path))
    assert done.returncode == 2 and b"it is a socket" in done.stderr
    assert stat.S_ISSOCK(path.lstat().st_mode)


def test_a_symlinked_report_is_replaced_at_its_target(records: Path, tmp_path: Path) -> None:
    (tmp_path / "reports").mkdir()
    target = tmp_path / "reports" / "latest.json"
    target.write_bytes(b"old")
    target.chmod(0o640)
    link = tmp_path / "report.json"
    link.symlink_to(target)
    done = audit(*out_args(records, link))
    assert done.returncode == 0
    assert link.is_symlink() and json.loads(target.read_bytes())["summary"]["records"] == 1
    assert stat.S_IMODE(target.stat().st_mode) == 0o640  # the report keeps its permissions
    assert sorted(p.name for p in (tmp_path / "reports").iterdir()) == ["latest.json"]


@pytest.mark.skipif(os.geteuid() != 0, reason="only root can give a file away")
def test_a_replaced_report_keeps_its_owner(records: Path, tmp_path: Path) -> None:
    out = tmp_path / "shared-report.json"
    out.write_bytes(b"old")
    os.chown(out, 4321, 4321)
    out.chmod(0o604)
    assert audit(*out_args(records, out)).returncode == 0
    found = out.stat()
    assert (found.st_uid, found.st_gid, stat.S_IMODE(found.st_mode)) == (4321, 4321, 0o604)
    assert json.loads(out.read_bytes())["summary"]["records"] == 1


def test_a_new_report_gets_an_ordinary_mode(records: Path, tmp_path: Path) -> None:
    out = tmp_path / "new.json"
    assert audit(*out_args(records, out)).returncode == 0
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~umask


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("missing/report.json", b"no such directory"),
        ("a" * 256 + ".json", b"name too long"),
    ],
)
def test_unwritable_places_exit_2_before_the_audit(
    records: Path, tmp_path: Path, where: str, message: bytes
) -> None:
    done = audit(*out_args(records, tmp_path / where))
    assert done.returncode == 2 and message in done.stderr.lower(), done.stderr
    assert done.stderr.count(b"\n") == 1 and b"Traceback" not in done.stderr
    assert not list(tmp_path.rglob("*.part"))


def test_a_directory_is_not_a_report(records: Path, tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    done = audit(*out_args(records, tmp_path / "folder"))
    assert done.returncode == 2 and b"Traceback" not in done.stderr
    assert list((tmp_path / "folder").iterdir()) == []


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB filesystem of its own (needs root and mount; skipped elsewhere)."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)],
        capture_output=True,
        check=False,
    )
    if mounted.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", str(mount_point)], check=False)


def test_a_real_full_disk_and_a_read_only_one(tiny_tmpfs: Path, tmp_path: Path) -> None:
    """The report does not fit: exit 2, one line, yesterday's report intact, no temp file;
    the same on a read-only filesystem. A symlink into it is written across filesystems."""
    big = tmp_path / "big.jsonl"
    big.write_bytes(b"".join(line(complaint(n)) + b"\n" for n in range(2000)))
    out = tiny_tmpfs / "report.json"
    out.write_bytes(b"yesterday")
    done = audit(*out_args(big, out))
    assert done.returncode == 2 and done.stderr.endswith(b": No space left on device\n")
    assert done.stderr.count(b"\n") == 1
    assert [p.name for p in tiny_tmpfs.iterdir()] == ["report.json"]
    assert out.read_bytes() == b"yesterday"
    small = tmp_path / "small.jsonl"
    small.write_bytes(line(complaint(1)) + b"\n")
    link = tmp_path / "latest.json"
    link.symlink_to(out)
    assert audit(*out_args(small, link)).returncode == 0  # no EXDEV: temp file beside target
    assert link.is_symlink() and json.loads(out.read_bytes())["summary"]["records"] == 1
    subprocess.run(["mount", "-o", "remount,ro", str(tiny_tmpfs)], check=True)
    done = audit(*out_args(small, out))
    assert done.returncode == 2 and b"Read-only file system" in done.stderr


def test_a_name_at_the_length_limit_is_written(records: Path, tmp_path: Path) -> None:
    """255 bytes is a valid name: the temporary name must not push it over."""
    out = tmp_path / ("r" * 250 + ".json")
    assert audit(*out_args(records, out)).returncode == 0
    assert json.loads(out.read_bytes())["summary"]["records"] == 1


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes anywhere")
def test_a_read_only_directory(records: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    done = audit(*out_args(records, folder / "r.json"))
    assert done.returncode == 2 and b"Permission denied" in done.stderr


def test_a_full_disk_leaves_nothing(
    records: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ENOSPC when the report is flushed: one line, exit 2, no partial file, the old report
    untouched."""
    out = tmp_path / "report.json"
    out.write_bytes(b"yesterday")

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    result = CliRunner().invoke(app, ["audit", *out_args(records, out)])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "No space left on device" in result.stderr
    assert out.read_bytes() == b"yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["records.jsonl", "report.json"]


def test_a_full_disk_while_writing(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    with pytest.raises(ReportWriteError, match="No space left"), report_output(out) as handle:
        handle.write(b"x")
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full")
def test_dev_full_is_a_clear_error(records: Path) -> None:
    done = audit(*out_args(records, "/dev/full"))
    assert done.returncode == 2 and b"No space left on device" in done.stderr
    assert b"Traceback" not in done.stderr


def test_an_unreadable_input_is_a_usage_error(tmp_path: Path) -> None:
    folder = tmp_path / "dir.jsonl"
    folder.mkdir()
    with pytest.raises(ConfigurationError, match="is a directory"):
        check_inputs([folder])


# --- no personal data in any error -------------------------------------------------------------


def test_unknown_keys_inside_personal_objects_are_not_echoed(tmp_path: Path) -> None:
    records = tmp_path / "r.jsonl"
    bad = [
        complaint(2, complainant={SECRET: "x"}),
        complaint(4, events=[{"kind": "accepted", "date": "2023-08-02", SECRET: 1}]),
        complaint(5, **{SECRET: 1}),
        complaint(6, notes="x"),
    ]
    records.write_bytes(b"\n".join(line(r) for r in bad) + b"\n")
    for output_format in ("json", "table", "csv", "markdown", "html"):
        done = audit(str(records), *AS_OF, "--format", output_format)
        assert done.returncode == 3
        assert SECRET.encode() not in done.stdout + done.stderr
    errors = [r["errors"] for r in report(audit(str(records), *AS_OF))["rejected"]]
    assert errors == [
        ["complainant: an unknown field (its name is not shown): Extra inputs are not permitted"],
        ["events[0]: an unknown field (its name is not shown): Extra inputs are not permitted"],
        ["(record): an unknown field (its name is not shown): Extra inputs are not permitted"],
        ["notes: Extra inputs are not permitted"],  # a plain top-level key helps: echoed
    ]


@pytest.mark.parametrize(
    "text",
    [
        f"holidays:\n  - date: !secret {SECRET}\n",
        f'holidays:\n  - name: "{SECRET} \\q"\n',
        f"holidays:\n  - *{SECRET}\n",
        f"holidays: [\n  {SECRET}: {{\n",
        f"holidays:\n  {SECRET}\x01: x\n",
        f"holidays: []\nholidays: [{SECRET}]\n",
    ],
)
def test_yaml_errors_say_where_never_what(tmp_path: Path, text: str) -> None:
    holidays = tmp_path / "holidays.yaml"
    holidays.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError) as caught:
        GovernmentCalendar.from_file(holidays)
    message = str(caught.value)
    assert SECRET not in message and "secret" not in message and "\\q" not in message
    assert " at line " in message and ", column " in message


def test_a_fifo_where_a_yaml_file_goes_is_refused_not_waited_on(
    records: Path, tmp_path: Path
) -> None:
    """Nothing ever writes into these FIFOs: reading one would hang the command for good."""
    rules = tmp_path / "rules"
    rules.mkdir()
    os.mkfifo(rules / "a.yaml")
    os.mkfifo(tmp_path / "fifo.yaml")
    cli = [sys.executable, "-m", "compliance"]
    for command in (
        ["audit", str(records), *AS_OF, "--rules", str(rules)],
        ["rules", "validate", str(rules)],
        ["audit", str(records), *AS_OF, "--holidays", str(tmp_path / "fifo.yaml")],
        ["calendar", "2566", "--holidays", str(tmp_path / "fifo.yaml")],
    ):
        done = subprocess.run([*cli, *command], capture_output=True, check=False, timeout=60)
        assert done.returncode == 2, command
        assert b"not a regular file" in done.stderr and b"Traceback" not in done.stderr
        assert len(done.stderr.splitlines()) == 1


def test_a_folder_named_like_a_rule_file_is_refused(records: Path, tmp_path: Path) -> None:
    rules = tmp_path / "rules"
    (rules / "a.yaml").mkdir(parents=True)
    for command in (
        ["rules", "validate", str(rules)],
        ["audit", str(records), *AS_OF, "--rules", str(rules)],
    ):
        done = CliRunner().invoke(app, command)
        assert done.exit_code == 2, done.output
        assert "not a regular file" in done.output


@pytest.mark.parametrize("command", ["audit", "stats"])
def test_jobs_beyond_any_machine_is_a_usage_error(records: Path, command: str) -> None:
    args = [command, str(records), "--jobs", "99999999999999999999"]
    args += AS_OF if command == "audit" else ["--fiscal-year", "2566"]
    done = CliRunner().invoke(app, args)
    assert done.exit_code == 2 and "1024" in done.output
    with pytest.raises(ComplianceError, match="1 to 1024"):
        Audit().run([records], jobs=1025)


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_file_name_that_is_not_utf8(tmp_path: Path, jobs: str) -> None:
    """A name from an old system (TIS-620 bytes): still a report, the name shown with U+FFFD."""
    path = os.path.join(os.fsencode(tmp_path), "ไทย".encode("tis-620") + b".jsonl")
    with open(path, "wb") as handle:
        handle.write(between_good(b"nope"))
    done = audit(os.fsdecode(path), *AS_OF, "--jobs", jobs)
    assert done.returncode == 3
    [rejected] = report(done)["rejected"]
    assert rejected["source"].startswith(str(tmp_path)) and "\ufffd" in rejected["source"]
    assert rejected["line"] == 2


def piled_extensions(count: int) -> dict[str, Any]:
    """A non-serious case opened at the end of the supported dates, extended `count` times by
    the most a record may ask (3650 days) — together far past any date `date` can hold."""
    extension = {"kind": "deadline_extended", "date": "2399-10-11", "extends": "KK-10"}
    return {
        "type": "disciplinary_case",
        "case_id": "EXT-PILE",
        "agency": "สำนักงานเขตบางพลัด",
        "respondent_category": "civil_servant",
        "civil_service_track": "ordinary",
        "policy_clauses": [1],
        "events": [
            {"kind": "minor_proceeding_started", "date": "2399-10-10"},
            *[{**extension, "days": 3650}] * count,
        ],
    }


@pytest.mark.parametrize("jobs", ["1", "2"])
@pytest.mark.parametrize("fmt", ["json", "csv", "html"])
def test_piled_extensions_stay_in_the_supported_dates(tmp_path: Path, jobs: str, fmt: str) -> None:
    """800 extensions of 3650 days once overflowed `date` (exit 4 for the whole run), and 760
    gave due dates in year 9994. Each one that would pass 31 Dec 2399 is refused instead."""
    records = tmp_path / "cases.jsonl"
    records.write_bytes(line(piled_extensions(800)) + b"\n")
    args = [str(records), "--pack", "kk2565", "--as-of", "2399-12-31", "--jobs", jobs]
    done = audit(*args, "--format", fmt)
    assert done.returncode == 1, done.stderr.decode(errors="replace")
    assert b"Traceback" not in done.stderr and b"internal error" not in done.stderr
    if fmt != "json":
        return
    findings = report(done)["findings"]
    (kk10,) = [f for f in findings if f["rule_id"] == "KK-10"]
    assert (kk10["status"], kk10["due_date"], kk10["extended_days"]) == ("overdue", "2399-11-24", 0)
    data = [f for f in findings if f["rule_id"] == "DATA-EXTENSION"]
    assert len(data) == 800 and all("2399" in f["message_en"] for f in data)


def test_explain_of_piled_extensions(tmp_path: Path) -> None:
    records = tmp_path / "cases.jsonl"
    records.write_bytes(line(piled_extensions(760)) + b"\n")
    explain = [sys.executable, "-m", "compliance", "explain", "EXT-PILE", str(records)]
    done = subprocess.run(
        [*explain, "--pack", "kk2565", "--as-of", "2399-12-31"],
        capture_output=True,
        check=False,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert "2952" not in done.stdout.decode() and "10537" not in done.stdout.decode()


def test_a_broken_pipe_is_not_a_good_night(tmp_path: Path) -> None:
    """`compliance audit … | head`: the reader went away; exit 2, not 1 ("violations")."""
    records = tmp_path / "many.jsonl"
    records.write_bytes(b"".join(line(complaint(n)) + b"\n" for n in range(3000)))
    process = subprocess.Popen(
        [sys.executable, "-m", "compliance", "audit", str(records), *AS_OF, "--jobs", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()
    errors = process.stderr.read()
    assert process.wait(timeout=60) == 2
    assert b"Broken pipe" in errors and b"Traceback" not in errors


def test_error_messages_are_not_markup(tmp_path: Path) -> None:
    """A file name or an id holding "[/]" is printed as is, not parsed as markup (a crash)."""
    done = audit(str(tmp_path / "a[/]b.jsonl"), *AS_OF)
    assert done.returncode == 2 and b"a[/]b.jsonl: no such file" in done.stderr
    records = tmp_path / "r.jsonl"
    records.write_bytes(line(complaint(1)) + b"\n")
    explained = subprocess.run(
        [sys.executable, "-m", "compliance", "explain", "[/]", str(records), *AS_OF],
        capture_output=True,
        check=False,
    )
    assert explained.returncode == 2 and b"no record with id [/]" in explained.stderr


date_like = st.one_of(
    st.text(max_size=40),
    st.from_regex(
        r"[0-9๐-๙٠-٩]{1,6}[-/ ][0-9๐-๙]{1,3}[-/ ][0-9๐-๙]{1,6}(T[0-9:]{1,9}([+-][0-9:]{1,6})?)?",
        fullmatch=True,
    ),
)


@settings(max_examples=300, deadline=None)
@given(date_like)
def test_any_date_text_is_a_date_in_range_or_a_date_parse_error(text: str) -> None:
    """Whatever a date field or --as-of holds: a date in range, or the library's own error
    (never an OverflowError, a plain ValueError or a date in year 1)."""
    for parse in (parse_date, parse_moment):
        try:
            value = parse(text)
        except DateParseError as exc:
            assert len(text.strip()) < 8 or text.strip() not in str(exc)  # described, not echoed
            continue
        day = value if not isinstance(value, datetime) else value.astimezone(BANGKOK).date()
        assert FIRST_DAY <= day <= LAST_DAY
