"""`compliance import traffy|table` (SPEC §13): Traffy Fondue exports and spreadsheet registers
become records the audit accepts; every other row is rejected with file, row, column and
reason; nothing personal or free-text reaches the output or the errors."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import tracemalloc
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter  # type: ignore[import-untyped]

from compliance.audit import audit
from compliance.importers.base import Tally
from compliance.importers.mapping import load_mapping
from compliance.importers.table import REDACTED, import_table
from compliance.importers.traffy import import_traffy

from .conftest import FIXTURES, ROOT

REGISTERS = FIXTURES / "registers"
# The layout is repo/../shared; a git worktree one level further down sees it at ../../shared.
SHARED = next(
    (p for p in (ROOT.parent / "shared", ROOT.parent.parent / "shared") if p.is_dir()), None
)
TRAFFY = SHARED / "data" / "traffy" if SHARED else None
needs_shared = pytest.mark.skipif(TRAFFY is None, reason="../shared is not beside this checkout")

DUMP_HEADER = [
    "ticket_id", "type", "organization", "comment", "coords", "photo", "photo_after",
    "address", "subdistrict", "district", "province", "timestamp", "state", "star",
    "count_reopen", "last_activity",
]  # fmt: skip
API_HEADER = [
    "type", "org", "description", "ticket_id", "coords", "photo_url", "after_photo", "address",
    "timestamp", "problem_type_abdul", "star", "count_reopen", "note", "state", "last_activity",
]  # fmt: skip


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "compliance", *map(str, args)],
        capture_output=True,
        text=True,
        check=False,
    )


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.DictWriter(handle, header)
        out.writeheader()
        out.writerows(rows)
    return path


def facts(findings: list[dict[str, Any]], rule: str, agency: bool = True) -> list[tuple[Any, ...]]:
    keys = ["subject_id", "agency", "instance", "status", "severity", "trigger_date"]
    keys += ["due_date", "done_on", "days_late"]
    if not agency:
        keys.remove("agency")
    return [tuple(f[k] for k in keys) for f in findings if f["rule_id"] == rule]


# Traffy Fondue ------------------------------------------------------------------------------


def traffy_sources() -> list[Path]:
    """The exports traffy-2023-05.jsonl was converted from: the official dump's head, then the
    eight API snapshots in time order (later observations win)."""
    assert TRAFFY is not None
    return [
        TRAFFY / "teamchadchart_dump_head_2023-05-12.csv",
        *sorted((TRAFFY / "api_snapshots_2023-05").glob("fondue_*.csv")),
    ]


@needs_shared
def test_traffy_import_reproduces_the_shared_conversion_and_its_cmp_3_2_audit(
    tmp_path: Path,
) -> None:
    assert TRAFFY is not None
    sources = traffy_sources()
    assert len(sources) == 9
    out = tmp_path / "traffy.jsonl"
    done = run("import", "traffy", *sources, "--agency", "กรุงเทพมหานคร", "--output", out)
    # 137 rows of the exports have no ticket id: skipped and counted, so exit 3
    assert done.returncode == 3, done.stderr
    assert "ข้าม 137 แถว" in done.stderr and "imported 3,483 records" in done.stderr
    shared = TRAFFY / "traffy-2023-05.jsonl"
    assert read_jsonl(out) == read_jsonl(shared)
    for as_of in (date(2023, 5, 20), date(2023, 6, 30)):
        ours = audit([out], as_of=as_of).model_dump(mode="json")["findings"]
        theirs = audit([shared], as_of=as_of).model_dump(mode="json")["findings"]
        assert facts(ours, "CMP-3.2") == facts(theirs, "CMP-3.2")
        assert len(facts(ours, "CMP-3.2")) == 3483


@needs_shared
def test_traffy_agency_is_the_first_organisation_named(tmp_path: Path) -> None:
    out = tmp_path / "traffy.jsonl"
    assert run("import", "traffy", *traffy_sources(), "--output", out).returncode == 3
    records = {r["complaint_id"]: r for r in read_jsonl(out)}
    agencies = {r["agency"] for r in records.values()}
    assert "กรุงเทพมหานคร" in agencies and "เขตหนองจอก" in agencies
    assert not any("," in a for a in agencies)
    # Apart from the agency, the audit is the shared one's.
    assert TRAFFY is not None
    ours = audit([out], as_of=date(2023, 5, 20)).model_dump(mode="json")["findings"]
    theirs = audit([TRAFFY / "traffy-2023-05.jsonl"], as_of=date(2023, 5, 20))
    shared_facts = facts(theirs.model_dump(mode="json")["findings"], "CMP-3.2", agency=False)
    assert facts(ours, "CMP-3.2", agency=False) == shared_facts


def dump_row(ticket: str, **cells: str) -> dict[str, str]:
    row = {
        "ticket_id": ticket,
        "type": "{ถนน}",
        "organization": "เขตบางพลัด,ฝ่ายโยธา เขตบางพลัด",
        "timestamp": "2023-05-11 20:30:00.5+00",
        "state": "รอรับเรื่อง",
        "last_activity": "2023-05-11 20:30:00.4+00",
    }
    return row | cells


def api_row(ticket: str, **cells: str) -> dict[str, str]:
    row = {
        "org": "กรุงเทพมหานคร",
        "ticket_id": ticket,
        "timestamp": "2023-05-11 20:30:00.5+00",
        "state": "กำลังดำเนินการ",
        "last_activity": "2023-05-16 04:00:00+00",
    }
    return row | cells


def test_traffy_later_file_and_later_row_win_in_first_seen_order(tmp_path: Path) -> None:
    dump = write_csv(
        tmp_path / "dump.csv",
        DUMP_HEADER,
        [dump_row("T-1"), dump_row("T-2"), dump_row("T-3"), dump_row("T-2", state="ส่งต่อ(ใหม่)")],
    )
    api = write_csv(
        tmp_path / "api.csv",
        API_HEADER,
        [
            api_row("T-3", state="เสร็จสิ้น", last_activity="2023-05-20 18:00:00+00"),
            api_row("T-4"),
            api_row("T-3", state="กำลังดำเนินการ"),  # reopened: the last row wins
            api_row("T-1", state="เสร็จสิ้น", last_activity="2023-05-14 01:02:03.25+00"),
        ],
    )
    out = tmp_path / "out.jsonl"
    done = run("import", "traffy", dump, api, "--output", out)
    assert done.returncode == 0, done.stderr
    records = read_jsonl(out)
    assert [r["complaint_id"] for r in records] == ["T-1", "T-2", "T-3", "T-4"]
    first = records[0]
    assert first == {
        "type": "complaint",
        "complaint_id": "T-1",
        "agency": "กรุงเทพมหานคร",  # the API file, given later, wins
        "received_at": "2023-05-11T20:30:00.5+00:00",  # UTC, with its offset
        "channel": "traffy_fondue",
        "corruption": False,
        "complainant": {},
        "events": [{"kind": "resolved", "date": "2023-05-14T01:02:03.25+00:00"}],
    }
    assert records[1]["agency"] == "เขตบางพลัด" and records[1]["events"] == []
    assert records[2]["events"] == []  # the finished row was followed by a reopened one
    # given the other way round, the dump's observations win
    done = run("import", "traffy", api, dump, "--output", out)
    records = read_jsonl(out)
    assert [r["complaint_id"] for r in records] == ["T-3", "T-4", "T-1", "T-2"]
    assert all(r["agency"] == "เขตบางพลัด" for r in records if r["complaint_id"] != "T-4")
    assert records[2]["events"] == []


def test_traffy_received_at_is_the_bangkok_day_in_the_audit(tmp_path: Path) -> None:
    dump = write_csv(
        tmp_path / "dump.csv",
        DUMP_HEADER,
        [dump_row("T-1", state="เสร็จสิ้น", last_activity="2023-05-26 17:30:00+00")],
    )
    done = run("import", "traffy", dump, "--output", "-")
    assert done.returncode == 0
    report = audit([json.loads(done.stdout)], as_of=date(2023, 6, 30))
    (finding,) = report.findings
    # 20:30 UTC on 11 May is 12 May in Bangkok; due 27 May; resolved 27 May 00:30 Bangkok
    assert (finding.trigger_date, finding.due_date) == (date(2023, 5, 12), date(2023, 5, 27))
    assert (finding.status, finding.done_on) == ("met", date(2023, 5, 27))


def test_traffy_rows_without_ticket_are_skipped_and_bad_rows_rejected(tmp_path: Path) -> None:
    dump = write_csv(
        tmp_path / "dump.csv",
        DUMP_HEADER,
        [
            dump_row("T-1"),
            dump_row("", comment="ไม่มีเลขเรื่อง"),
            dump_row("T-2", timestamp="11/05/2023"),
            dump_row("T-3", state="เสร็จสิ้น", last_activity="2023-02-30 01:00:00+00"),
            dump_row("T-4"),
        ],
    )
    rejects = tmp_path / "rejects.jsonl"
    done = run("import", "traffy", dump, "--output", tmp_path / "o.jsonl", "--rejects", rejects)
    assert done.returncode == 3
    assert [r["complaint_id"] for r in read_jsonl(tmp_path / "o.jsonl")] == ["T-1", "T-4"]
    assert read_jsonl(rejects) == [
        {
            "source": str(dump),
            "line": 4,
            "column": "timestamp",
            "reason": "not a date-time such as 2023-05-12 13:27:54+00",
        },
        {
            "source": str(dump),
            "line": 5,
            "column": "last_activity",
            "reason": "not a valid date-time (no such day or time)",
        },
    ]
    assert f"{dump} line 4, column timestamp" in done.stderr
    assert "ข้าม 1 แถว" in done.stderr and "rejected 2 rows" in done.stderr


def test_traffy_free_text_never_reaches_the_records_or_messages(tmp_path: Path) -> None:
    secrets = ["นายลับมาก ซ่อนเร้น", "99/9 ซอยลับ", "รายละเอียดลับเฉพาะ", "บันทึกเจ้าหน้าที่ลับ"]
    dump = write_csv(
        tmp_path / "dump.csv",
        DUMP_HEADER,
        [
            dump_row("T-1", comment=secrets[0], address=secrets[1], coords="100.5,13.7"),
            dump_row("T-2", comment=secrets[2], timestamp=secrets[0]),  # a name where a time goes
        ],
    )
    api = write_csv(
        tmp_path / "api.csv",
        API_HEADER,
        [api_row("T-3", description=secrets[2], note=secrets[3], address=secrets[1])],
    )
    rejects = tmp_path / "rejects.jsonl"
    done = run("import", "traffy", dump, api, "-o", tmp_path / "o.jsonl", "--rejects", rejects)
    assert done.returncode == 3
    seen = done.stdout + done.stderr + (tmp_path / "o.jsonl").read_text() + rejects.read_text()
    assert not [s for s in secrets if s in seen]
    assert "100.5" not in seen


def test_traffy_usage_errors_exit_2_and_write_nothing(tmp_path: Path) -> None:
    other = write_csv(tmp_path / "other.csv", ["id", "comment"], [{"id": "1", "comment": "x"}])
    out = tmp_path / "out.jsonl"
    done = run("import", "traffy", other, "--output", out)
    assert done.returncode == 2
    assert "not a Traffy Fondue export" in done.stderr and "ticket_id" in done.stderr
    assert not out.exists() and list(tmp_path.iterdir()) == [other]
    assert run("import", "traffy", tmp_path / "missing.csv", "--output", out).returncode == 2
    assert run("import", "traffy", other).returncode == 2  # --output is required


# Registers ----------------------------------------------------------------------------------

AS_OF = date(2023, 9, 15)
EXPECTED_FINDINGS = [  # (record, rule, instance, status, due, done, days late)
    ("ร.1/2566", "CMP-3.2", 1, "met", "2023-05-26", "2023-05-20", None),
    ("ร.1/2566", "CMP-3.2-NOTIFY", 1, "met", "2023-06-04", "2023-05-30", None),
    ("ร.2/2566", "CMP-3.2", 1, "late", "2023-06-17", "2023-06-30", 13),
    ("ร.2/2566", "CMP-8.1.1", 1, "met", None, None, None),
    ("ร.3/2566", "CMP-3.2", 1, "met", "2023-07-25", "2023-07-20", None),
    ("ร.3/2566", "CMP-8.1.2", 1, "breached", None, None, None),
    ("ร.4/2566", "CMP-3.2", 1, "overdue", "2023-08-16", None, 30),
    ("ร.4/2566", "CMP-8.1.1", 1, "breached", None, None, None),
    ("ร.5/2566", "CMP-3.2", 1, "due_soon", "2023-09-16", None, None),
    ("ร.6/2566", "CMP-3.2", 1, "met", "2023-09-18", "2023-09-05", None),
    ("ว.1/2566", "ABP-5.2-ORDER", 1, "met", "2023-03-08", "2023-03-08", None),
    ("ว.1/2566", "ABP-5.2-RESULT", 1, "late", "2023-06-08", "2023-06-12", 4),
    ("ว.1/2566", "ABP-6.3", 1, "late", "2023-03-09", "2023-03-15", 6),
    ("ว.2/2566", "ABP-6.2", 1, "met", "2023-03-03", "2023-03-02", None),
    ("ว.2/2566", "ABP-6.2", 2, "late", "2023-04-02", "2023-04-10", 8),
    ("ว.2/2566", "ABP-6.4-CONSIDER", 1, "met", "2023-06-15", "2023-06-10", None),
    ("ว.2/2566", "ABP-6.4-COPY", 1, "overdue", "2023-06-25", None, 82),
    ("ว.2/2566", "ABP-6.4-FORWARD", 1, "met", "2023-06-25", "2023-06-20", None),
    ("ว.4/2566", "ABP-5.2-ORDER", 1, "overdue", "2023-05-01", None, 137),
]


FINDING_KEYS = ("subject_id", "rule_id", "instance", "status", "due_date", "done_on", "days_late")


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_sample_registers_round_trip_to_the_expected_findings(tmp_path: Path, suffix: str) -> None:
    outputs = []
    for register in ("complaints", "cases"):
        out = tmp_path / f"{register}.jsonl"
        done = run(
            "import", "table", REGISTERS / f"{register}.{suffix}",
            "--mapping", REGISTERS / f"{register}.yaml", "--output", out,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        outputs.append(out)
    done = run("audit", *outputs, "--as-of", "2566-09-15", "--fail-on", "never", "--jobs", "1")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["summary"]["records"] == 10 and report["summary"]["rejected"] == 0
    found = [tuple(f[k] for k in FINDING_KEYS) for f in report["findings"]]
    assert found == EXPECTED_FINDINGS
    records = read_jsonl(outputs[0]) + read_jsonl(outputs[1])
    assert records[0]["complainant"] == {"name": REDACTED, "address": REDACTED}
    assert "complainant" not in records[1]  # blank name and address: anonymous
    assert records[2]["complaint_id"] == "ร.3/2566"  # Thai digits made Arabic (form: digits)
    assert records[6]["policy_clauses"] == [1, 3]
    assert records[6]["events"][4] == {
        "kind": "interim_measure_ordered", "date": "2023-03-02", "measure": "suspension",
    }  # fmt: skip
    assert records[7]["agency"] == "สำนักงานเขตบางพลัด ฝ่ายรายได้"


def test_csv_and_xlsx_registers_give_the_same_records(tmp_path: Path) -> None:
    for register in ("complaints", "cases"):
        outputs = []
        for suffix in ("csv", "xlsx"):
            out = tmp_path / f"{register}-{suffix}.jsonl"
            mapping = REGISTERS / f"{register}.yaml"
            done = run(
                "import",
                "table",
                REGISTERS / f"{register}.{suffix}",
                "--mapping",
                mapping,
                "-o",
                out,
            )
            assert done.returncode == 0, done.stderr
            outputs.append(out.read_bytes())
        assert outputs[0] == outputs[1]


def test_the_sample_registers_are_what_their_script_writes(tmp_path: Path) -> None:
    script = REGISTERS / "make_registers.py"
    copy = tmp_path / "make_registers.py"
    copy.write_bytes(script.read_bytes())
    subprocess.run([sys.executable, str(copy)], check=True)
    for name in ("complaints.csv", "cases.csv", "complaints.xlsx", "cases.xlsx"):
        assert (tmp_path / name).read_bytes() == (REGISTERS / name).read_bytes(), name


BAD_ROWS = [  # (register row, column at fault) — each makes its row rejected, no other row
    ("ร.7/2566", "29/02/2566", "เว็บไซต์", "ไม่ใช่", "วันที่รับเรื่อง"),  # 2023 is no leap year
    ("ร.8/2566", "01/09/2566", "นกพิราบสื่อสาร", "ไม่ใช่", "ช่องทาง"),
    ("", "01/09/2566", "อีเมล", "ไม่ใช่", "เลขที่เรื่อง"),
    ("ร.9/2566", "01/09/66", "อีเมล", "ไม่ใช่", "วันที่รับเรื่อง"),  # two-digit year
    ("ร.10/2566", "01/09/2566", "อีเมล", "อาจจะ", "เรื่องทุจริต"),
]


def bad_register_rows() -> list[list[str]]:
    with (REGISTERS / "complaints.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[1]
    at = {name: header.index(name) for name in header}
    for n, (ident, received, channel, corruption, _column) in enumerate(BAD_ROWS):
        row = [""] * len(header)
        row[at["ลำดับ"]] = str(7 + n)
        row[at["เลขที่เรื่อง"]] = ident
        row[at["วันที่รับเรื่อง"]] = received
        row[at["ช่องทาง"]] = channel
        row[at["เรื่องทุจริต"]] = corruption
        rows.insert(3 + 2 * n, row)  # between the good rows
    return rows


def test_a_register_with_bad_rows_rejects_exactly_those_rows(tmp_path: Path) -> None:
    rows = bad_register_rows()
    register = tmp_path / "complaints.csv"
    with register.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    rejects = tmp_path / "rejects.jsonl"
    out = tmp_path / "out.jsonl"
    mapping = REGISTERS / "complaints.yaml"
    done = run("import", "table", register, "--mapping", mapping, "-o", out, "--rejects", rejects)
    assert done.returncode == 3
    assert [r["complaint_id"] for r in read_jsonl(out)] == [f"ร.{n}/2566" for n in range(1, 7)]
    got = [(r["line"], r["column"]) for r in read_jsonl(rejects)]
    bad_lines = [n + 1 for n, row in enumerate(rows) if row[0] in {"7", "8", "9", "10", "11"}]
    assert got == [(line, bad[4]) for line, bad in zip(bad_lines, BAD_ROWS, strict=True)]
    reasons = [r["reason"] for r in read_jsonl(rejects)]
    assert "not a leap year" in reasons[0]
    assert reasons[1] == "not one of the values listed in the mapping's choices"
    assert reasons[2].startswith("complaint_id:")
    assert "two-digit year" in reasons[3]
    assert "นกพิราบ" not in done.stderr + rejects.read_text()
    assert "นำเข้า 6 เรื่อง ปฏิเสธ 5 แถว" in done.stderr


def test_an_xlsx_rejection_names_the_sheet_and_row(tmp_path: Path) -> None:
    rows = bad_register_rows()
    register = tmp_path / "complaints.xlsx"
    book = xlsxwriter.Workbook(str(register))
    sheet = book.add_worksheet("ทะเบียนร้องเรียน")
    for r, row in enumerate(rows):
        for c, cell in enumerate(row):
            if cell:
                sheet.write_string(r, c, cell)
    sheet.write_datetime(2, 2, date(2566, 5, 11), book.add_format({"num_format": "d/m/yyyy"}))
    book.close()
    tally_rejects: list[Any] = []
    with (tmp_path / "out.jsonl").open("wb") as out:
        tally = import_table(
            register, load_mapping(REGISTERS / "complaints.yaml"), out, Tally(tally_rejects.append)
        )
    assert (tally.records, tally.rejected) == (6, 5)
    first = tally_rejects[0]
    assert (first.sheet, first.row, first.column) == ("ทะเบียนร้องเรียน", 4, "วันที่รับเรื่อง")
    assert first.to_json()["row"] == 4 and "line" not in first.to_json()
    # a date cell typed with a B.E. year (11/5/2566 in a C.E. calendar) is read as B.E.
    assert read_jsonl(tmp_path / "out.jsonl")[0]["received_at"] == "2023-05-11"


def test_several_bad_cells_of_one_row_are_each_named_and_the_row_counted_once(
    tmp_path: Path,
) -> None:
    rows = bad_register_rows()[:3]
    rows[2][2] = "31/04/2566"  # no 31 April
    rows[2][4] = "บางที"
    register = tmp_path / "r.csv"
    with register.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    seen: list[Any] = []
    with (tmp_path / "out.jsonl").open("wb") as out:
        tally = import_table(
            register, load_mapping(REGISTERS / "complaints.yaml"), out, Tally(seen.append)
        )
    assert tally.rejected == 1 and tally.records == 0
    assert [(r.row, r.column) for r in seen] == [(3, "วันที่รับเรื่อง"), (3, "เรื่องทุจริต")]


def test_register_privacy_names_addresses_and_descriptions_never_leak(tmp_path: Path) -> None:
    secrets = ["นายลับสุด ยอดซ่อน", "123 ถนนลับเฉพาะ", "เรื่องราวลับที่บรรยายไว้", "นางปิดบัง มิดชิด"]
    rows = bad_register_rows()[:2]
    header = rows[1]
    at = {name: header.index(name) for name in header}

    def row(ident: str, **cells: str) -> list[str]:
        values = ["" for _ in header]
        values[at["เลขที่เรื่อง"]] = ident
        values[at["วันที่รับเรื่อง"]] = "01/09/2566"
        values[at["ช่องทาง"]] = "อีเมล"
        values[at["เรื่องทุจริต"]] = "ไม่ใช่"
        for name, value in cells.items():
            values[at[name]] = value
        return values

    rows += [
        row("ก1", ชื่อผู้ร้องเรียน=secrets[0], ที่อยู่ผู้ร้องเรียน=secrets[1], รายละเอียดเรื่อง=secrets[2]),
        row("ก2", วันที่รับเรื่อง=secrets[0]),  # a name typed in the date column
        row("ก3", ช่องทาง=secrets[3], ชื่อผู้ร้องเรียน=secrets[3]),
        row("ก4", เรื่องทุจริต=secrets[1], ปกปิดชื่อผู้ร้อง=secrets[0], วันที่ส่งต่อผู้บังคับบัญชา="๑/๙/๒๕๖๖"),
        row(secrets[3] * 20, ชื่อผู้ร้องเรียน=secrets[0]),  # an over-long id made of a name
    ]
    register = tmp_path / "r.csv"
    with register.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    mapping = REGISTERS / "complaints.yaml"
    done = run("import", "table", register, "--mapping", mapping, "-o", out, "--rejects", rejects)
    assert done.returncode == 3
    assert [r["complaint_id"] for r in read_jsonl(out)] == ["ก1"]
    seen = done.stdout + done.stderr + out.read_text() + rejects.read_text()
    assert not [s for s in secrets if s in seen]
    assert len(read_jsonl(rejects)) >= 4


def test_output_dash_writes_records_to_stdout() -> None:
    done = run(
        "import", "table", REGISTERS / "cases.csv", "--mapping", REGISTERS / "cases.yaml",
        "--output", "-",
    )  # fmt: skip
    assert done.returncode == 0
    assert [json.loads(line)["case_id"] for line in done.stdout.splitlines()] == [
        "ว.1/2566", "ว.2/2566", "ว.3/2566", "ว.4/2566",
    ]  # fmt: skip
    assert "นำเข้า 4 เรื่อง" in done.stderr


@pytest.mark.parametrize(
    ("mapping_text", "message"),
    [
        ("type: complaint\nfields: {complaint_id: {column: a}}\n", "complaint needs agency"),
        (
            "type: disciplinary_case\nfields: {case_id: {column: a}, agency: {value: x}, "
            "respondent_category: {value: civil_servant}, policy_clauses: {value: [1]}, "
            "colour: {column: b}}\n",
            "has no field colour",
        ),
        (
            "type: disciplinary_case\nfields: {case_id: {column: a}, agency: {value: x}, "
            "respondent_category: {value: civil_servant}, policy_clauses: {value: [1]}}\n"
            "events: [{kind: accepted, column: b}]\n",
            "has no event kind accepted",
        ),
        (
            "type: complaint\nfields: {complaint_id: {column: a, value: b}}\n",
            "either column or value",
        ),
        ("type: complaint\nfields: {complaint_id: {column: a, form: choice}}\n", "choices"),
        ("type: memo\nfields: {}\n", "type"),
        ("type: complaint\nfields: [\n", "not valid YAML"),
    ],
)
def test_bad_mappings_exit_2_before_writing(
    tmp_path: Path, mapping_text: str, message: str
) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text(mapping_text, "utf-8")
    out = tmp_path / "out.jsonl"
    done = run("import", "table", REGISTERS / "cases.csv", "--mapping", mapping, "-o", out)
    assert done.returncode == 2
    assert message in " ".join(done.stderr.split())
    assert not out.exists()


@pytest.mark.parametrize("encoding", ["rot13", "hex", "uu_codec"])
def test_a_codec_that_is_no_text_encoding_is_a_bad_mapping(tmp_path: Path, encoding: str) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text(f"encoding: {encoding}\n" + (REGISTERS / "cases.yaml").read_text("utf-8"))
    out = tmp_path / "out.jsonl"
    done = run("import", "table", REGISTERS / "cases.csv", "--mapping", mapping, "-o", out)
    assert done.returncode == 2, done.stderr
    assert f"{encoding} is not a text encoding" in done.stderr and not out.exists()


def test_a_utf8_register_read_as_utf16_is_a_usage_error(tmp_path: Path) -> None:
    mapping = tmp_path / "map.yaml"
    mapping.write_text("encoding: utf-16\n" + (REGISTERS / "cases.yaml").read_text("utf-8"))
    out = tmp_path / "out.jsonl"
    done = run("import", "table", REGISTERS / "cases.csv", "--mapping", mapping, "-o", out)
    assert done.returncode == 2 and "not utf-16 text" in done.stderr, done.stderr
    assert not out.exists()


def test_rejects_never_go_over_the_output_or_an_input(tmp_path: Path) -> None:
    register, mapping = tmp_path / "cases.csv", tmp_path / "cases.yaml"
    register.write_bytes((REGISTERS / "cases.csv").read_bytes())
    mapping.write_bytes((REGISTERS / "cases.yaml").read_bytes())
    kept = {p: p.read_bytes() for p in (register, mapping)}
    out = tmp_path / "x.jsonl"
    for rejects, said in ((out, "is the --rejects file"), (register, "is the input file"),
                          (mapping, "is the input file")):  # fmt: skip
        done = run("import", "table", register, "--mapping", mapping, "-o", out,
                   "--rejects", rejects)  # fmt: skip
        assert done.returncode == 2, done.stderr
        assert said in done.stderr and len(done.stderr.splitlines()) == 1
        assert not out.exists() and {p: p.read_bytes() for p in kept} == kept
    dump = write_csv(tmp_path / "dump.csv", DUMP_HEADER, [dump_row("T-1")])
    done = run("import", "traffy", dump, "-o", out, "--rejects", out)
    assert done.returncode == 2 and "is the --rejects file" in done.stderr
    assert not out.exists()


def test_a_mapping_that_is_a_fifo_is_refused_not_waited_on(tmp_path: Path) -> None:
    fifo = tmp_path / "map.yaml"
    os.mkfifo(fifo)
    done = run("import", "table", REGISTERS / "cases.csv", "--mapping", fifo, "-o", "-")
    assert done.returncode == 2 and "not a regular file" in done.stderr


def test_a_cell_longer_than_the_csv_modules_limit_is_read(tmp_path: Path) -> None:
    """Python's csv refuses cells over 131,072 characters as a broken file; a Traffy comment
    or a register's note can be longer, and SPEC §13 makes each row a record or a rejection."""
    long = "ก" * 180_000
    dump = write_csv(
        tmp_path / "dump.csv", DUMP_HEADER, [dump_row("T-1", comment=long), dump_row("T-2")]
    )
    done = run("import", "traffy", dump, "-o", tmp_path / "t.jsonl")
    assert done.returncode == 0, done.stderr
    assert [r["complaint_id"] for r in read_jsonl(tmp_path / "t.jsonl")] == ["T-1", "T-2"]
    with (REGISTERS / "cases.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[1][0] = long  # an id (at most 200 characters): this row is rejected
    rows[2][rows[0].index("ชื่อผู้ถูกกล่าวหา")] = long  # a name: masked as ever
    register = tmp_path / "long.csv"
    with register.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    out, rejects = tmp_path / "out.jsonl", tmp_path / "rejects.jsonl"
    done = run("import", "table", register, "--mapping", REGISTERS / "cases.yaml", "-o", out,
               "--rejects", rejects)  # fmt: skip
    assert done.returncode == 3, done.stderr
    assert [(r["line"], r["column"]) for r in read_jsonl(rejects)] == [(2, "เลขที่เรื่อง")]
    assert len(read_jsonl(out)) == 3 and long not in out.read_text() + done.stderr


def test_a_register_without_a_mapped_column_exits_2(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    done = run(
        "import", "table", REGISTERS / "cases.csv", "--mapping", REGISTERS / "complaints.yaml",
        "-o", out,
    )  # fmt: skip
    assert done.returncode == 2
    assert "has no column" in done.stderr and "วันที่รับเรื่อง" in done.stderr
    assert not out.exists()
    other = tmp_path / "cases.ods"
    other.write_bytes(b"")
    done = run("import", "table", other, "--mapping", REGISTERS / "cases.yaml", "-o", out)
    assert done.returncode == 2 and ".csv or .xlsx" in done.stderr


def test_a_thai_excel_csv_in_cp874_is_read_when_the_mapping_says_so(tmp_path: Path) -> None:
    text = (REGISTERS / "cases.csv").read_text("utf-8-sig")
    register = tmp_path / "cases.csv"
    register.write_bytes(text.encode("cp874"))
    mapping = tmp_path / "cases.yaml"
    out = tmp_path / "out.jsonl"
    mapping.write_text((REGISTERS / "cases.yaml").read_text("utf-8"), "utf-8")
    done = run("import", "table", register, "--mapping", mapping, "-o", out)
    assert done.returncode == 2 and "encoding" in done.stderr and not out.exists()
    mapping.write_text("encoding: cp874\n" + mapping.read_text("utf-8"), "utf-8")
    done = run("import", "table", register, "--mapping", mapping, "-o", out)
    assert done.returncode == 0, done.stderr
    assert len(read_jsonl(out)) == 4


def test_mapping_schema_is_published() -> None:
    done = run("schema", "mapping")
    assert done.returncode == 0
    schema = json.loads(done.stdout)
    assert set(schema["properties"]) >= {"type", "fields", "events", "sheet", "header_row"}
    assert load_mapping(REGISTERS / "complaints.yaml").type == "complaint"


def peak_import_memory(run_import: Any, *args: Any) -> int:
    """Peak bytes Python allocated while `run_import(*args)` ran."""
    tracemalloc.start()
    try:
        run_import(*args)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_memory_does_not_grow_with_the_rows(tmp_path: Path) -> None:
    """The table importer streams; the Traffy importer holds one entry per distinct ticket,
    so many observations of the same tickets cost no more than a few."""
    mapping = load_mapping(REGISTERS / "complaints.yaml")
    with (REGISTERS / "complaints.csv").open(encoding="utf-8-sig", newline="") as handle:
        sample = list(csv.reader(handle))
    peaks: dict[str, list[int]] = {"table": [], "traffy": []}
    for rows in (1_000, 10_000):
        register = tmp_path / f"register-{rows}.csv"
        with register.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle).writerows(sample[:2] + [sample[2 + n % 6] for n in range(rows)])
        traffy = write_csv(
            tmp_path / f"traffy-{rows}.csv",
            DUMP_HEADER,
            [dump_row(f"T-{n % 50}", comment="ข้อความ" * 40) for n in range(rows)],
        )
        with (tmp_path / "out.jsonl").open("wb") as out:
            peaks["table"].append(peak_import_memory(import_table, register, mapping, out, Tally()))
            peaks["traffy"].append(peak_import_memory(import_traffy, [traffy], out, Tally()))
    for name, (small, large) in peaks.items():
        assert large - small < 256 * 1024, (name, small, large)


def test_a_bom_is_no_part_of_the_first_header_whatever_the_encoding(tmp_path: Path) -> None:
    mapping = tmp_path / "cases.yaml"
    mapping.write_text("encoding: utf-8\n" + (REGISTERS / "cases.yaml").read_text("utf-8"), "utf-8")
    done = run("import", "table", REGISTERS / "cases.csv", "--mapping", mapping, "-o", "-")
    assert done.returncode == 0, done.stderr
    assert len(done.stdout.splitlines()) == 4


def test_output_into_a_missing_folder_is_a_usage_error(tmp_path: Path) -> None:
    done = run(
        "import", "table", REGISTERS / "cases.csv", "--mapping", REGISTERS / "cases.yaml",
        "-o", tmp_path / "no" / "out.jsonl",
    )  # fmt: skip
    assert done.returncode == 2 and "--output" in done.stderr


def test_an_unreadable_workbook_or_a_missing_sheet_is_a_usage_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    done = run("import", "table", broken, "--mapping", REGISTERS / "cases.yaml", "-o", "-")
    assert done.returncode == 2 and "not a readable .xlsx workbook" in done.stderr
    done = run(
        "import", "table", REGISTERS / "cases.xlsx", "--mapping", REGISTERS / "complaints.yaml",
        "-o", "-",
    )  # fmt: skip
    assert done.returncode == 2
    assert "no sheet ทะเบียนร้องเรียน; the workbook has ทะเบียนวินัย" in done.stderr
    assert done.stdout == ""


def test_a_workbook_that_unpacks_to_too_much_is_refused_before_it_is_read(tmp_path: Path) -> None:
    # A zip bomb: a few hundred kB that unpack to hundreds of MB of shared strings would take
    # gigabytes of memory; it is refused from the sizes its parts declare, exit 2, nothing read.
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", b"<si>" * (300 << 18))  # 300 MB of XML
    assert bomb.stat().st_size < 2 << 20
    done = run("import", "table", bomb, "--mapping", REGISTERS / "cases.yaml", "-o", "-")
    assert done.returncode == 2 and "unpacks to more than 256 MB" in done.stderr
    assert done.stdout == ""
