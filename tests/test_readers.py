"""Readers lose nothing: each rejection path reports file, line, id and field; memory stays flat."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path
from typing import Any

import pytest

from compliance.errors import ConfigurationError
from compliance.records.readers import Accepted, Rejected, check_inputs, read_records

from .conftest import FIXTURES

GOOD = {
    "type": "complaint",
    "complaint_id": "C-1",
    "agency": "เขตบางพลัด",
    "received_at": "2023-08-01",
    "channel": "letter",
    "corruption": False,
    "events": [],
}


def good(n: int) -> str:
    return json.dumps({**GOOD, "complaint_id": f"C-{n}"}, ensure_ascii=False)


def read(*paths: Path) -> tuple[list[Accepted], list[Rejected]]:
    items = list(read_records(paths))
    return (
        [i for i in items if isinstance(i, Accepted)],
        [i for i in items if isinstance(i, Rejected)],
    )


def write(tmp_path: Path, name: str, content: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


def only_rejection(path: Path) -> Rejected:
    accepted, rejected = read(path)
    assert len(rejected) == 1, rejected
    assert [a.record.record_id for a in accepted] == ["C-1", "C-3"]
    return rejected[0]


def test_invalid_json_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a.jsonl", f'{good(1)}\n{{"type": "complaint",\n{good(3)}\n')
    r = only_rejection(path)
    assert (r.source, r.line, r.record_id) == (str(path), 2, None)
    assert r.errors[0].startswith("invalid JSON: ")


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ({k: v for k, v in GOOD.items() if k != "type"}, "type: missing"),
        ({**GOOD, "type": "petition"}, "type: unknown record type"),
        ([1, 2], "a record must be a JSON object"),
    ],
)
def test_type_problems(tmp_path: Path, record: Any, message: str) -> None:
    if isinstance(record, dict):
        record = {**record, "complaint_id": "C-2"}
    path = write(tmp_path, "a.jsonl", f"{good(1)}\n{json.dumps(record)}\n{good(3)}\n")
    r = only_rejection(path)
    assert r.line == 2 and r.errors[0].startswith(message)
    assert r.record_id == ("C-2" if isinstance(record, dict) else None)


def test_field_errors_name_each_field(tmp_path: Path) -> None:
    bad = {
        **GOOD,
        "complaint_id": "C-2",
        "channel": "fax",
        "events": [{"kind": "resolved", "date": "2566-02-29"}],
    }
    path = write(tmp_path, "a.jsonl", f"{good(1)}\n{json.dumps(bad)}\n{good(3)}\n")
    r = only_rejection(path)
    assert (r.line, r.record_id) == (2, "C-2")
    assert [e.split(":")[0] for e in r.errors] == ["channel", "events[0].date"]


def test_duplicate_id_rejects_the_second_across_files(tmp_path: Path) -> None:
    first = write(tmp_path, "a.jsonl", f"{good(1)}\n")
    second = write(tmp_path, "b.jsonl", f"{good(3)}\n{good(1)}\n")
    accepted, rejected = read(first, second)
    assert [a.record.record_id for a in accepted] == ["C-1", "C-3"]
    assert [(r.source, r.line, r.record_id) for r in rejected] == [(str(second), 2, "C-1")]
    assert "duplicate id" in rejected[0].errors[0]


def test_same_id_in_different_types_is_not_a_duplicate(tmp_path: Path) -> None:
    case = {
        "type": "disciplinary_case",
        "case_id": "C-1",
        "agency": "x",
        "respondent_category": "civil_servant",
        "policy_clauses": [1],
        "events": [],
    }
    accepted, rejected = read(write(tmp_path, "a.jsonl", f"{good(1)}\n{json.dumps(case)}\n"))
    assert len(accepted) == 2 and not rejected


def test_invalid_utf8_line(tmp_path: Path) -> None:
    path = write(
        tmp_path, "a.jsonl", good(1).encode() + b'\n{"type": "\xff"}\n' + good(3).encode() + b"\n"
    )
    r = only_rejection(path)
    assert r.line == 2 and r.errors[0].startswith("not valid UTF-8")


@pytest.mark.parametrize("name", ["empty.jsonl", "empty.json"])
def test_empty_file(tmp_path: Path, name: str) -> None:
    accepted, rejected = read(write(tmp_path, name, "\n  \n"))
    assert not accepted
    assert [(r.line, r.errors) for r in rejected] == [(1, ("file is empty: no records",))]


def test_json_array_reports_element_lines(tmp_path: Path) -> None:
    bad = {**GOOD, "complaint_id": "C-2", "corruption": "no"}
    text = "[\n" + good(1) + ",\n\n" + json.dumps(bad) + ",\n" + good(3) + "\n]\n"
    r = only_rejection(write(tmp_path, "a.json", text))
    assert (r.line, r.record_id) == (4, "C-2")
    assert r.errors[0].startswith("corruption:")


def test_json_single_record_and_bom(tmp_path: Path) -> None:
    accepted, rejected = read(write(tmp_path, "a.json", b"\xef\xbb\xbf" + good(7).encode()))
    assert [a.record.record_id for a in accepted] == ["C-7"] and not rejected
    accepted, _ = read(write(tmp_path, "b.jsonl", b"\xef\xbb\xbf" + good(8).encode() + b"\n"))
    assert [a.record.record_id for a in accepted] == ["C-8"]


def test_broken_json_document(tmp_path: Path) -> None:
    _, rejected = read(write(tmp_path, "a.json", "[\n" + good(1) + ",\n{oops}\n]"))
    assert [(r.line, r.errors[0][:13]) for r in rejected] == [(3, "invalid JSON:")]


def test_invalid_utf8_json_file(tmp_path: Path) -> None:
    _, rejected = read(write(tmp_path, "a.json", b'[\n{"type": "\xff"}]'))
    assert rejected[0].line == 2 and rejected[0].errors[0].startswith("not valid UTF-8")


def test_inputs_are_checked_before_reading(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="no such file"):
        check_inputs([tmp_path / "missing.jsonl"])
    with pytest.raises(ConfigurationError, match=r"\.json or \.jsonl"):
        check_inputs([write(tmp_path, "a.csv", "x")])


def test_bundled_broken_fixture_loses_nothing() -> None:
    accepted, rejected = read(FIXTURES / "broken.jsonl")
    lines = sorted([a.line for a in accepted] + [r.line for r in rejected])
    assert lines == list(range(1, 9))
    assert len(accepted) == 1


def _peak_bytes(path: Path) -> int:
    tracemalloc.start()
    try:
        count = sum(1 for _ in read_records([path]))
        return tracemalloc.get_traced_memory()[1] if count else 0
    finally:
        tracemalloc.stop()


def test_reading_a_large_file_keeps_memory_flat(tmp_path: Path) -> None:
    """Records are not kept: the only state that grows is the index of ids seen (needed to
    reject duplicates), a few dozen bytes per record."""
    case = {
        "type": "disciplinary_case",
        "agency": "สำนักงานเขตบางพลัด ฝ่ายโยธา",
        "respondent_category": "civil_servant",
        "policy_clauses": [1, 3],
        "events": [
            {"kind": "investigation_ordered", "date": "2023-03-01", "id": "o"},
            {"kind": "progress_reported", "date": "2023-03-30"},
            {"kind": "investigation_report_received", "date": "2023-05-02"},
        ],
    }
    small, large = tmp_path / "small.jsonl", tmp_path / "large.jsonl"
    for path, n in ((small, 20_000), (large, 200_000)):
        with path.open("w", encoding="utf-8") as out:
            for i in range(n):
                out.write(json.dumps({**case, "case_id": f"K-{i:07d}"}, ensure_ascii=False) + "\n")
    peak_small, peak_large = _peak_bytes(small), _peak_bytes(large)
    per_extra_record = (peak_large - peak_small) / 180_000
    assert per_extra_record < 150, per_extra_record  # ids only; a kept record is > 2,000 bytes
    assert peak_small < 10_000_000
