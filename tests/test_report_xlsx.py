"""`--format xlsx`: a workbook whose dates are real date cells shown in B.E., with the ISO date
beside each, an autofilter, a frozen header, a findings sheet and a summary sheet."""

from __future__ import annotations

import re
import zipfile
from datetime import date
from pathlib import Path

from python_calamine import CalamineWorkbook
from typer.testing import CliRunner

from compliance.cli import app
from compliance.report.xlsx import BE_DATE_FORMAT

from .conftest import FIXTURES

INPUTS = [str(FIXTURES / "cases.jsonl"), str(FIXTURES / "complaints.jsonl")]
AS_OF = ["--as-of", "2566-09-15"]


def test_workbook_has_date_cells_iso_text_filter_and_frozen_header(tmp_path: Path) -> None:
    out = tmp_path / "report.xlsx"
    result = CliRunner().invoke(
        app, ["audit", *INPUTS, *AS_OF, "--format", "xlsx", "--output", str(out)]
    )
    assert result.exit_code == 1, result.output
    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == ["ผลการตรวจ", "สรุป"]
    rows = book.get_sheet_by_name("ผลการตรวจ").to_python()
    header = rows[0]
    due, iso = header.index("วันครบกำหนด"), header.index("วันครบกำหนด (ISO)")
    assert iso == due + 1
    dated = [r for r in rows[1:] if r[iso]]
    assert dated and all(isinstance(r[due], date) for r in dated)
    assert all(r[due].isoformat() == r[iso] and isinstance(r[iso], str) for r in dated)
    assert any(r[header.index("ช้า (วัน)")] == 115 for r in rows[1:])  # a number, not text
    summary = book.get_sheet_by_name("สรุป").to_python()
    assert summary[0][0].startswith("ตรวจ ณ วันที่ 15 กันยายน 2566")
    with zipfile.ZipFile(out) as archive:
        styles = archive.read("xl/styles.xml").decode("utf-8")
        sheet = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert f'formatCode="{BE_DATE_FORMAT}"' in styles
    assert re.search(r'<autoFilter ref="A1:R\d+"/>', sheet)
    assert 'state="frozen"' in sheet and 'ySplit="1"' in sheet


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    records = tmp_path / "r.jsonl"
    records.write_text(
        '{"type": "complaint", "complaint_id": "=1+1", "agency": "=HYPERLINK(\\"x\\")", '
        '"received_at": "2023-08-01", "channel": "letter", "corruption": false}\n',
        "utf-8",
    )
    out = tmp_path / "r.xlsx"
    CliRunner().invoke(
        app, ["audit", str(records), *AS_OF, "--format", "xlsx", "--output", str(out)]
    )
    with zipfile.ZipFile(out) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in sheet  # no formula cell anywhere
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("ผลการตรวจ").to_python()
    assert rows[1][2] == "=1+1"


def test_xlsx_goes_to_a_pipe_but_not_without_output_on_a_terminal() -> None:
    result = CliRunner().invoke(app, ["audit", *INPUTS, *AS_OF, "--format", "xlsx"])
    assert result.stdout_bytes.startswith(b"PK")  # not a terminal: the workbook is piped


def test_no_personal_data_in_the_workbook(tmp_path: Path) -> None:
    records = tmp_path / "p.jsonl"
    records.write_text(
        '{"type": "complaint", "complaint_id": "P1", "agency": "เขตทดสอบ", '
        '"received_at": "2023-08-01", "channel": "letter", "corruption": true, '
        '"complainant": {"name": "SECRET-NAME-PLANTED", "address": "SECRET-ADDR-PLANTED", '
        '"position": null, "contact": "SECRET-CONTACT-PLANTED"}, '
        '"events": [{"kind": "accepted", "date": "2023-08-02", "note": "SECRET-NOTE-PLANTED"}]}\n',
        "utf-8",
    )
    out = tmp_path / "p.xlsx"
    result = CliRunner().invoke(
        app, ["audit", str(records), *AS_OF, "--format", "xlsx", "--all", "--output", str(out)]
    )
    assert result.exit_code in (0, 1), result.output
    with zipfile.ZipFile(out) as archive:
        text = "".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    assert "P1" in text and "SECRET" not in text
