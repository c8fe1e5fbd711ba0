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
from compliance.report.csvout import neutralise
from compliance.report.terminal import visible

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
