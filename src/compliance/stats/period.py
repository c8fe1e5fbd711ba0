"""The period a statistic covers: a fiscal year or half (SPEC §11), or any span of dates.

Thai fiscal years are named by the B.E. year they end in: ปีงบประมาณ พ.ศ. 2566 runs from
1 Oct 2022 to 30 Sep 2023. A year given in C.E. names the same fiscal year the same way
(2023 → 2566), as a year ≥ 2400 is B.E. everywhere else in the product (SPEC §3.1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from compliance.calendar.thaidate import (
    BE_THRESHOLD,
    fiscal_half,
    fiscal_year,
    format_thai,
    to_be,
    to_ce,
)

HALF_TH = {1: "รอบ 6 เดือนแรก", 2: "รอบ 6 เดือนหลัง"}


@dataclass(frozen=True, slots=True)
class StatsPeriod:
    """The inclusive span [start, end] and its Thai label (Arabic digits, as in the JSON)."""

    start: date
    end: date
    label_th: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end

    def to_json(self) -> dict[str, Any]:
        """SPEC §11's `period` member."""
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "label_th": self.label_th,
        }


def fiscal_year_be(year: int) -> int:
    """A fiscal year as given (B.E. from 2400 on, else C.E.) to its B.E. name."""
    return year if year >= BE_THRESHOLD else to_be(year)


def fiscal_period(year: int, half: int | None = None) -> StatsPeriod:
    """Fiscal year `year` (B.E. or C.E.), whole or one half (1 = Oct–Mar, 2 = Apr–Sep)."""
    year_be = fiscal_year_be(year)
    if half not in (None, 1, 2):
        raise ValueError("half must be 1 or 2")
    ends_ce = to_ce(year_be)
    if not 1900 <= ends_ce <= 2200:
        raise ValueError(f"fiscal year {year} is out of range")
    # thaidate's fiscal periods give the dates; the label is the plan's (OIT) wording.
    whole = fiscal_year(date(ends_ce, 9, 30))
    label = f"ปีงบประมาณ พ.ศ. {whole.year_be}"
    if half is None:
        return StatsPeriod(whole.start, whole.end, label)
    part = fiscal_half(whole.start if half == 1 else whole.end)
    return StatsPeriod(part.start, part.end, f"{label} {HALF_TH[half]}")


def date_span(start: date, end: date) -> StatsPeriod:
    """Any span of days, labelled `ช่วงวันที่ 1 ตุลาคม 2565 ถึง 31 มีนาคม 2566`."""
    if end < start:
        raise ValueError("--to is before --from")
    return StatsPeriod(start, end, f"ช่วงวันที่ {format_thai(start)} ถึง {format_thai(end)}")


def default_as_of(period: StatsPeriod, today: date) -> date:
    """SPEC §11: the end of the period, or today if the period has not ended yet."""
    return min(period.end, today)
