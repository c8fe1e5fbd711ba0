"""Record text is shown as written and never acts: no formula in a spreadsheet (OWASP CSV
injection), no HTML or table break in Markdown, no markup or escape sequence in a terminal, no
tag in HTML."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from compliance.cli import app
from compliance.report.base import html_text, visible
from compliance.report.csvout import csv_bytes, neutralise
from compliance.report.markdown import md

from .conftest import FIXTURES

AS_OF = ["--as-of", "2566-09-15"]
HOSTILE_AGENCIES = [
    '=HYPERLINK("x","y")',
    "+1+1",
    "-2+3",
    "@SUM(A1)",
    "\tเขต",
    "\rเขต",
    "<script>alert(1)</script>|เขต\n**ใหม่**",
    "เขต\x1b[31mแดง\u202eกลับ\u2066[bold]หนา[/]",
]


def complaint(cid: str, agency: str) -> dict[str, Any]:
    return {
        "type": "complaint",
        "complaint_id": cid,
        "agency": agency,
        "received_at": "2023-08-01",
        "channel": "letter",
        "corruption": False,
    }


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.jsonl"
    lines = [
        json.dumps(complaint(f"=C{i}", a), ensure_ascii=False)
        for i, a in enumerate(HOSTILE_AGENCIES)
    ]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def audit(path: Path, fmt: str) -> str:
    result = CliRunner().invoke(app, ["audit", str(path), *AS_OF, "--format", fmt])
    assert result.exit_code in (0, 1), result.output
    return result.stdout_bytes.decode("utf-8-sig")


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1", "@x", "\tx", "\rx"])
def test_neutralise_prefixes_what_starts_a_formula(cell: str) -> None:
    assert neutralise(cell) == "'" + cell
    assert neutralise("เขต=1") == "เขต=1" and neutralise("") == ""


def test_csv_cells_never_start_a_formula(hostile: Path) -> None:
    text = audit(hostile, "csv")
    rows = list(csv.reader(io.StringIO(text)))
    cells = [c for r in rows[1:] for c in r]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert '\'=HYPERLINK("x","y")' in cells and "'=C0" in cells
    assert all(line.startswith('"') for line in text.split("\r\n") if line)  # every cell quoted


def test_markdown_escapes_html_and_line_breaks(hostile: Path) -> None:
    text = audit(hostile, "markdown")
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert "\\|เขต" in text and "\\*\\*ใหม่\\*\\*" in text
    rows = [line for line in text.splitlines() if line.startswith("| =C")]
    assert rows and all(line.endswith("|") for line in rows)  # one line per finding
    assert not [
        line for line in text.splitlines() if "ใหม่" in line and not line.startswith(("|", "#", "-"))
    ]


def test_html_escapes_record_text(hostile: Path) -> None:
    page = audit(hostile, "html")
    assert page.count("<script>") == 1  # the page's own script, nothing from a record
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_terminal_shows_control_characters_and_markup_literally(hostile: Path) -> None:
    table = audit(hostile, "table")
    assert "\x1b" not in table and "\u202e" not in table and "\u2066" not in table
    assert "\\x1b" in table and "\\u202e" in table and "[bold]" in table
    assert visible("a\x1bb\u202ec\u2069") == "a\\x1bb\\u202ec\\u2069"


def test_explain_shows_ids_and_agency_literally(hostile: Path) -> None:
    result = CliRunner().invoke(app, ["explain", "=C7", str(hostile), *AS_OF])
    assert result.exit_code == 0, result.output
    assert "\x1b[31m" not in result.stdout and "[bold]หนา[/]" in result.stdout.replace("\n", "")


def test_errors_show_ids_literally(hostile: Path) -> None:
    result = CliRunner().invoke(app, ["explain", "X[bold]Y[/]\x1b", str(hostile), *AS_OF])
    assert result.exit_code == 2
    assert "no record with id X[bold]Y[/]\\x1b" in result.stderr.replace("\n", "")
    result = CliRunner().invoke(app, ["rules", "show", "R[red]"])
    assert result.exit_code == 2 and "no rule R[red]" in result.stderr


CONTROLS = {
    "\x00": "\\x00",
    "\x1b": "\\x1b",
    "\u202e": "\\u202e",
    "\x85": "\\x85",
    "\u2066": "\\u2066",
}


@pytest.fixture
def controls(tmp_path: Path) -> Path:
    """Ids and agencies holding NUL, ESC (a colour sequence), a right-to-left override."""
    path = tmp_path / "controls.jsonl"
    records = [
        complaint("a\x00b", "เขต\x00บางรัก"),
        complaint("a\x1b[31mb", "เขต\x1b[31mแดง\x85"),
        complaint("a\u202eb", "เขต\u202eกลับ\u2066ด้าน"),
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    return path


@pytest.mark.parametrize("fmt", ["csv", "html", "markdown", "table"])
def test_control_characters_never_reach_a_report_raw(controls: Path, fmt: str) -> None:
    text = audit(controls, fmt)
    assert not [c for c in CONTROLS if c in text]
    shown = text.replace("\\\\", "\\").replace("\\[", "[")  # Markdown's own escapes, undone
    if fmt != "table":  # the table breaks long cells across lines
        assert "a\\x00b" in shown and "a\\x1b[31mb" in shown and "a\\u202eb" in shown
        assert "เขต\\u202eกลับ\\u2066ด้าน" in shown and "เขต\\x1b[31mแดง\\x85" in shown


def test_csv_rows_of_control_characters_stay_rows(controls: Path) -> None:
    rows = list(csv.reader(io.StringIO(audit(controls, "csv"))))
    assert {r[2] for r in rows[1:]} == {"a\\x00b", "a\\x1b[31mb", "a\\u202eb"}


def test_bidi_marks_and_separators_are_shown_as_escapes() -> None:
    assert visible("a\u061cb\u2028c\u2029d\ufeffe") == "a\\u061cb\\u2028c\\u2029d\\ufeffe"


def test_thai_text_is_shown_byte_for_byte() -> None:
    """Combining marks (ั ิ ่ ้ ์ ๋), Thai digits, ZWSP and ZWJ are text, not controls."""
    thai = "สำนักงานเขตพระนคร ฝ่ายโยธา ๑๒๓ ก.ก. เรื่องที่ ๔/๒๕๖๖ กั้น ผู้ใหญ่ ก๋วยเตี๋ยว\u200b\u200d"
    assert visible(thai) == thai and html_text(thai) == thai and md(thai) == thai
    assert csv_bytes([[thai]]) == b"\xef\xbb\xbf" + thai.encode() + b"\r\n"


def test_the_fixtures_show_every_id_and_agency_as_written() -> None:
    """Ordinary reports are unchanged: each id and agency of the fixtures, verbatim."""
    files = [str(FIXTURES / "cases.jsonl"), str(FIXTURES / "complaints.jsonl")]
    records = [json.loads(x) for f in files for x in Path(f).read_text("utf-8").splitlines()]
    findings = json.loads(
        CliRunner().invoke(app, ["audit", *files, "--as-of", "2023-06-01"]).stdout_bytes
    )["findings"]
    for fmt in ("csv", "html"):
        result = CliRunner().invoke(
            app, ["audit", *files, "--as-of", "2023-06-01", "--all", "--format", fmt]
        )
        text = result.stdout_bytes.decode("utf-8-sig")
        assert "\\x" not in text and "\\u" not in text
        for record in records:
            assert record["agency"] in text
        assert all(f["subject_id"] in text for f in findings)


def test_statistics_and_digests_show_control_characters_escaped(
    controls: Path, tmp_path: Path
) -> None:
    # The statistics' and the store's own pages name agencies too: the same one way.
    for fmt in ("html", "table"):
        stats = CliRunner().invoke(
            app,
            ["stats", str(controls), "--fiscal-year", "2566", "--min-count", "0", *AS_OF,
             "--format", fmt],
        )  # fmt: skip
        assert stats.exit_code == 0, stats.output
        assert not [c for c in CONTROLS if c in stats.stdout], fmt
    store = str(tmp_path / "h.db")
    for day in ("2566-09-14", "2566-09-15"):
        run = ["audit", str(controls), "--as-of", day, "--store", store, "--fail-on", "never"]
        assert CliRunner().invoke(app, [*run, "--output", str(tmp_path / "r.json")]).exit_code == 0
    out = tmp_path / "digest"
    done = CliRunner().invoke(app, ["digest", "--store", store, "--output-dir", str(out)])
    assert done.exit_code == 0, done.output
    pages = [p.read_text("utf-8") for p in out.glob("*.html")]
    assert pages and not [c for page in pages for c in CONTROLS if c in page]
