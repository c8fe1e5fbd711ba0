"""The period calculator: "within N days from X" → the last day, with its arithmetic in words.

กฎ ก.ก. ว่าด้วยการดำเนินการทางวินัย พ.ศ. ๒๕๖๕ ข้อ ๑๐๑ (SPEC §4):
- วรรคหนึ่ง: day X is not counted; day 1 is X+1, the last day X+N;
- วรรคสอง: an authority's period ends on its last day even if that is a government holiday;
- วรรคสาม: anyone else's period whose last day is a government holiday ends on the next
  government working day;
- a period in working days (วันทำการ) ends on the N-th working day after X.

Every result carries its explanation in Thai and English, and says when it relied on a calendar
year whose short-notice holidays are not yet confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Literal

from compliance.calendar.thaidate import LAST_DAY, format_english, format_thai, to_be
from compliance.calendar.workcalendar import GovernmentCalendar

Unit = Literal["days", "working_days"]
Actor = Literal["authority", "other"]

CLAUSE_TH = "กฎ ก.ก. ว่าด้วยการดำเนินการทางวินัย พ.ศ. ๒๕๖๕ ข้อ ๑๐๑"
CLAUSE_EN = "BMA disciplinary rule B.E. 2565, clause 101"
_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Period:
    """A period of `days` counted in `unit`, to be met by `actor`."""

    days: int
    unit: Unit = "days"
    actor: Actor = "authority"

    def __post_init__(self) -> None:
        if self.days < 1:
            raise ValueError("a period has at least one day")


@dataclass(frozen=True, slots=True)
class Deadline:
    """The last day of one period, and how it was reached."""

    start: date
    period: Period
    occurrence: int
    nominal_last: date
    due: date
    moved: bool
    unconfirmed_years: tuple[int, ...]
    explanation_th: tuple[str, ...]
    explanation_en: tuple[str, ...]

    @property
    def day_one(self) -> date:
        """The first counted day (X+1)."""
        return self.start + _ONE_DAY


class PeriodCalculator:
    """Computes deadlines on one calendar; results are cached (many records share dates)."""

    def __init__(self, calendar: GovernmentCalendar) -> None:
        self.calendar = calendar
        self._cache: dict[tuple[date, int, str, str, int], Deadline] = {}

    def deadline(self, start: date, period: Period, occurrence: int = 1) -> Deadline:
        """The `occurrence`-th period from `start` ("every N days" for occurrence > 1)."""
        key = (start, period.days, period.unit, period.actor, occurrence)  # no Python __hash__
        found = self._cache.get(key)
        if found is None:
            found = self._compute(start, period, occurrence)
            self._cache[key] = found
        return found

    def schedule(self, start: date, period: Period, until: date) -> list[Deadline]:
        """Recurring periods from `start` ("every N days from X") up to the first ending on or
        after `until`."""
        result: list[Deadline] = []
        occurrence = 1
        while True:
            current = self.deadline(start, period, occurrence)
            result.append(current)
            if current.due >= until:
                return result
            occurrence += 1

    def schedule_before(self, start: date, period: Period, end: date) -> list[Deadline]:
        """Recurring periods from `start` whose last day is before `end` (a schedule that an
        event — a report received, a closing — has ended)."""
        result: list[Deadline] = []
        occurrence = 1
        while (current := self.deadline(start, period, occurrence)).due < end:
            result.append(current)
            occurrence += 1
        return result

    def extend(self, due: date, days: int, period: Period) -> date | None:
        """An extension of `days` (SPEC §10.5): counted from the old last day, which is not
        counted again — new due = old due + days — and the actor rule of §4 applies to the new
        last day (an authority's counts even on a holiday; anyone else's moves to the next
        working day). None when the new last day would lie after `LAST_DAY`: extensions add up
        without limit, and a due date no record could hold would at last overflow `date`."""
        if (LAST_DAY - due).days < days:
            return None
        new_due = due + timedelta(days=days)
        if period.actor == "other" and not self.calendar.is_working_day(new_due):
            new_due = self.next_working_day(new_due)[0]
        return new_due if new_due <= LAST_DAY else None

    def next_working_day(self, day: date) -> tuple[date, list[date]]:
        """The first working day after `day`, and the non-working days skipped to reach it."""
        skipped = []
        current = day + _ONE_DAY
        while not self.calendar.is_working_day(current):
            skipped.append(current)
            current += _ONE_DAY
        return current, skipped

    def _counted_before(
        self, start: date, period: Period, occurrence: int, consulted: set[int]
    ) -> tuple[date, int]:
        """Where counting working days for `occurrence` may start: the last day of the latest
        earlier occurrence already computed and how many days it counted (its unconfirmed
        years added to `consulted`), else `start` and 0. A schedule asks for occurrences in
        order, so each is counted from the one before: counting every one from `start` made a
        daily schedule over centuries quadratic (minutes for one record)."""
        for earlier in range(occurrence - 1, 0, -1):
            found = self._cache.get((start, period.days, period.unit, period.actor, earlier))
            if found is not None:
                consulted.update(found.unconfirmed_years)
                return found.nominal_last, period.days * earlier
        return start, 0

    def _compute(self, start: date, period: Period, occurrence: int) -> Deadline:
        cal = self.calendar
        count = period.days * occurrence
        th: list[str] = []
        en: list[str] = []
        consulted: set[int] = set()
        day_one = start + _ONE_DAY
        every_th = f"รอบที่ {occurrence} ของทุก {period.days} วัน: " if occurrence > 1 else ""
        every_en = f"period {occurrence} of every {period.days} days: " if occurrence > 1 else ""
        th.append(
            f"{every_th}เริ่มนับแต่วันที่ {format_thai(start)} โดยไม่นับวันแรก "
            f"วันที่ 1 ของระยะเวลาคือ {format_thai(day_one)} ({CLAUSE_TH} วรรคหนึ่ง)"
        )
        en.append(
            f"{every_en}counted from {format_english(start)}, which is not counted; "
            f"day 1 is {format_english(day_one)} ({CLAUSE_EN}, paragraph 1)"
        )
        if period.unit == "working_days":
            nominal, counted = self._counted_before(start, period, occurrence, consulted)
            while counted < count:
                nominal += _ONE_DAY
                consulted.add(nominal.year)
                if cal.is_working_day(nominal):
                    counted += 1
            skipped = (nominal - start).days - count
            th.append(
                f"นับเฉพาะวันทำการ {count} วัน (ข้ามวันหยุดราชการ "
                f"{skipped} วัน) วันทำการสุดท้ายคือ{_weekday_long(nominal)}"
            )
            en.append(
                f"counting {count} government working days (skipping {skipped} non-working "
                f"days), the last is {format_english(nominal)}"
            )
            due, moved = nominal, False
        else:
            nominal = start + timedelta(days=count)
            th.append(f"ครบ {count} วันใน{_weekday_long(nominal)}")
            en.append(f"{count} days end on {format_english(nominal)}")
            due, moved = nominal, False
            if not cal.is_working_day(nominal):
                reason_th, reason_en = cal.why_not_working(nominal)
                if period.actor == "authority":
                    th.append(
                        f"วันสุดท้ายตรงกับวันหยุดราชการ ({reason_th}) แต่ผู้ต้องกระทำการเป็น"
                        f"ผู้ซึ่งต้องใช้อำนาจ จึงนับวันสุดท้ายรวมด้วยแม้เป็นวันหยุดราชการ "
                        f"ไม่เลื่อนกำหนด ({CLAUSE_TH} วรรคสอง)"
                    )
                    en.append(
                        f"the last day is a government non-working day ({reason_en}), but the "
                        f"actor is an authority, so the period still ends that day "
                        f"({CLAUSE_EN}, paragraph 2)"
                    )
                else:
                    consulted.add(nominal.year)
                    due, skipped_days = self.next_working_day(nominal)
                    consulted.update(d.year for d in skipped_days)
                    consulted.add(due.year)
                    moved = True
                    th.append(
                        f"วันสุดท้ายตรงกับวันหยุดราชการ ({reason_th}) จึงเลื่อนไปสิ้นสุดใน"
                        f"วันทำงานถัดจากวันหยุดนั้น คือ{_weekday_long(due)} ({CLAUSE_TH} วรรคสาม)"
                    )
                    en.append(
                        f"the last day is a government non-working day ({reason_en}), so the "
                        f"period ends on the next working day, {format_english(due)} "
                        f"({CLAUSE_EN}, paragraph 3)"
                    )
            elif period.actor == "other":
                consulted.add(nominal.year)
        unconfirmed = tuple(sorted(y for y in consulted if not cal.is_confirmed(y)))
        if unconfirmed:
            years_th = ", ".join(str(to_be(y)) for y in unconfirmed)
            years_en = ", ".join(str(y) for y in unconfirmed)
            th.append(
                f"หมายเหตุ: วันหยุดราชการปี พ.ศ. {years_th} ยังไม่ได้รับการยืนยัน (ปฏิทินยืนยันถึง "
                f"พ.ศ. {to_be(cal.confirmed_through)}) วันหยุดพิเศษที่ประกาศภายหลัง"
                f"อาจทำให้กำหนดนี้เปลี่ยน"
            )
            en.append(
                f"note: government holidays of {years_en} are not yet confirmed (calendar "
                f"confirmed through {cal.confirmed_through}); a later special day off may "
                f"change this date"
            )
        return Deadline(
            start, period, occurrence, nominal, due, moved, unconfirmed, tuple(th), tuple(en)
        )


def _weekday_long(day: date) -> str:
    return format_thai(day, "weekday")
