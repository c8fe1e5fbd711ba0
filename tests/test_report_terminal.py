"""The terminal: Thai words never cut, names never shortened with "…", ids whole, an agency
column, and `explain` opening with the record."""

from __future__ import annotations

import pytest
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from compliance.calendar.workcalendar import GovernmentCalendar
from compliance.cli import app
from compliance.report.terminal import ThaiCell, wrap_words

from .conftest import FIXTURES

ROYAL = "วันเฉลิมพระชนมพรรษาสมเด็จพระนางเจ้าสุทิดา พัชรสุธาพิมลลักษณ พระบรมราชินี"


def render(width: int, *args: str) -> str:
    result = CliRunner().invoke(app, list(args), env={"COLUMNS": str(width)})
    assert result.exit_code in (0, 1, 3), result.output
    return result.stdout


@pytest.mark.parametrize("width", [60, 80, 120])
@pytest.mark.parametrize("year", ["2566", "2024", "2025"])
def test_calendar_names_are_whole(width: int, year: str, calendar: GovernmentCalendar) -> None:
    text = render(width, "calendar", year)
    assert "…" not in text
    cells = [line.split("│") for line in text.splitlines() if line.startswith("│")]
    assert cells and all(len(c) == 7 for c in cells)
    joined = "".join(c[3].strip() for c in cells).replace(" ", "")
    for holiday in calendar.holidays_in(int(year) - 543 if int(year) > 2400 else int(year)):
        assert holiday.name_th.replace(" ", "") in joined  # every name in full
    sources = "".join(c[5].strip() for c in cells).replace(" ", "")
    assert "ประกาศวันหยุดราชการ(holidays)" in sources


KING = "วันเฉลิมพระชนมพรรษาพระบาทสมเด็จพระปรเมนทรรามาธิบดีศรีสินทรมหาวชิราลงกรณ พระวชิรเกล้าเจ้าอยู่หัว"


@pytest.mark.parametrize("width", [20, 25, 40])
def test_royal_names_break_only_between_their_words(width: int) -> None:
    for name, words in (
        (ROYAL, ["วันเฉลิมพระชนมพรรษา", "สมเด็จพระนางเจ้าสุทิดา", "พัชรสุธาพิมลลักษณ", "พระบรมราชินี"]),
        (KING, ["พระบาทสมเด็จ", "พระปรเมนทรรามาธิบดี", "ศรีสินทร", "มหาวชิราลงกรณ"]),
    ):
        lines = wrap_words(name, width)
        assert "".join(lines).replace(" ", "") == name.replace(" ", "")
        assert all(cell_len(line) <= width for line in lines)
        for word in words:
            assert any(word in line for line in lines), (word, lines)


def test_legal_terms_are_not_split_into_syllables() -> None:
    lines = wrap_words("ซึ่งแต่งตั้งคณะกรรมการสอบสวนความผิดทางวินัยอย่างร้ายแรง", 18)
    assert any("คณะกรรมการสอบสวน" in line for line in lines)
    assert any("ความผิดทางวินัย" in line for line in lines)


def test_an_id_is_never_broken() -> None:
    console = Console(width=30, file=None, record=True, color_system=None)
    with console.capture() as capture:
        console.print(ThaiCell("ABP-6.4-CONSIDER #1 BPL-2566-011 สำนักงานเขตบางพลัด"))
    out = capture.get()
    assert "ABP-6.4-CONSIDER" in out and "BPL-2566-011" in out


@pytest.mark.parametrize("width", [80, 120])
def test_audit_table_has_an_agency_column_and_whole_ids(width: int) -> None:
    inputs = [str(FIXTURES / "cases.jsonl"), str(FIXTURES / "complaints.jsonl")]
    text = render(width, "audit", *inputs, "--as-of", "2566-09-15", "--format", "table")
    assert "หน่วยงาน" in text and "…" not in text
    for rid in ("BPL-2566-007", "CMP-2566-0036", "CMP-3.2-NOTIFY"):
        assert rid in text


def test_rules_list_has_whole_words_and_explain_opens_with_the_record() -> None:
    text = render(80, "rules", "list")
    assert "…" not in text.replace(text.splitlines()[0], "")  # only the digest is shortened
    explained = render(
        80, "explain", "BPL-2566-023", str(FIXTURES / "cases.jsonl"), "--as-of", "2566-09-15"
    )
    head = explained[: explained.index("ABP-")]
    assert "เรื่องวินัย" in head and "หน่วยงาน: สำนักงานเขตบางพลัด" in head
    assert "1 ก.พ. 2566" in head and "รายงานความคืบหน้าผลการสอบสวนให้สำนักงาน ก.ก." in head
    assert "progress_reported" not in explained
