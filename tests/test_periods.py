"""The period calculator (กฎ ก.ก. ๒๕๖๕ ข้อ ๑๐๑, SPEC §4): worked examples and properties."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.calendar.periods import Period, PeriodCalculator
from compliance.calendar.thaidate import LAST_DAY
from compliance.calendar.workcalendar import GovernmentCalendar, OrganisationHolidays

CHAKRI_DAY = date(2023, 4, 6)


def test_authority_period_ends_on_a_holiday(calculator: PeriodCalculator) -> None:
    # Fact-finding order on Thu 6 Apr 2023 (Chakri Day): the 7th day is Thu 13 Apr (Songkran),
    # and an authority's period ends that day all the same (ข้อ ๑๐๑ วรรคสอง).
    result = calculator.deadline(CHAKRI_DAY, Period(7))
    assert result.day_one == date(2023, 4, 7)
    assert result.due == date(2023, 4, 13)
    assert not result.moved
    assert any("วรรคสอง" in line and "วันสงกรานต์" in line for line in result.explanation_th)
    assert any("paragraph 2" in line for line in result.explanation_en)


def test_other_actor_moves_past_songkran(calculator: PeriodCalculator) -> None:
    # 14 Apr Songkran, 15–16 weekend, 17 the in-lieu day: next working day Tue 18 Apr.
    result = calculator.deadline(CHAKRI_DAY, Period(7, actor="other"))
    assert result.nominal_last == date(2023, 4, 13)
    assert result.due == date(2023, 4, 18)
    assert result.moved
    assert any("วรรคสาม" in line and "18 เมษายน 2566" in line for line in result.explanation_th)


def test_labour_day_does_not_move_a_deadline(calculator: PeriodCalculator) -> None:
    # 24 Apr + 7 = Mon 1 May 2023: a government working day.
    result = calculator.deadline(date(2023, 4, 24), Period(7, actor="other"))
    assert result.due == date(2023, 5, 1) and not result.moved


def test_working_days_skip_every_non_working_day(calculator: PeriodCalculator) -> None:
    # From Wed 12 Apr 2023: 13, 14 Songkran, 15–16 weekend, 17 in lieu → 18, 19, 20 are 1–3.
    assert calculator.deadline(date(2023, 4, 12), Period(3, unit="working_days")).due == date(
        2023, 4, 20
    )


def test_recurring_schedule(calculator: PeriodCalculator) -> None:
    # SPEC §6 and the conformance example P-02: every 30 days from 1 Jun 2023.
    dues = [d.due for d in calculator.schedule(date(2023, 6, 1), Period(30), date(2023, 9, 1))]
    assert dues == [date(2023, 7, 1), date(2023, 7, 31), date(2023, 8, 30), date(2023, 9, 29)]
    assert "รอบที่ 2" in calculator.deadline(date(2023, 6, 1), Period(30), 2).explanation_th[0]


def test_unconfirmed_year_is_said(calendar: GovernmentCalendar) -> None:
    calc = PeriodCalculator(calendar)
    later = calendar.confirmed_through + 1
    result = calc.deadline(date(later, 3, 2), Period(5, unit="working_days"))
    assert result.unconfirmed_years == (later,)
    assert any("ยังไม่ได้รับการยืนยัน" in line for line in result.explanation_th)
    assert any("not yet confirmed" in line for line in result.explanation_en)
    # An authority's calendar-day period never depends on the holiday calendar.
    assert calc.deadline(date(later, 3, 2), Period(5)).unconfirmed_years == ()


def test_period_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        Period(0)


# --- properties ------------------------------------------------------------------------------

triggers = st.dates(min_value=date(2015, 1, 1), max_value=date(2030, 12, 31))
lengths = st.integers(min_value=1, max_value=120)
CAL = GovernmentCalendar()
CALC = PeriodCalculator(CAL)


def _following_run(day: date) -> date:
    """The last day of the run of non-working days that starts after `day` (or `day`)."""
    while not CAL.is_working_day(day + timedelta(days=1)):
        day += timedelta(days=1)
    return day


@given(
    triggers,
    lengths,
    st.sampled_from(["authority", "other"]),
    st.sampled_from(["days", "working_days"]),
)
def test_due_date_never_precedes_day_one(start: date, n: int, actor: str, unit: str) -> None:
    result = CALC.deadline(start, Period(n, unit, actor))  # type: ignore[arg-type]
    assert result.due >= start + timedelta(days=1)


@given(triggers, lengths)
def test_authority_days_is_always_trigger_plus_n(start: date, n: int) -> None:
    assert CALC.deadline(start, Period(n)).due == start + timedelta(days=n)


@given(triggers, lengths)
def test_other_actor_due_is_a_working_day_within_the_following_run(start: date, n: int) -> None:
    result = CALC.deadline(start, Period(n, actor="other"))
    nominal = start + timedelta(days=n)
    assert CAL.is_working_day(result.due)
    assert nominal <= result.due <= _following_run(nominal) + timedelta(days=1)
    assert result.moved == (result.due != nominal)


@given(triggers, st.integers(min_value=1, max_value=60), st.sampled_from(["authority", "other"]))
def test_working_days_count_exactly_n(start: date, n: int, actor: str) -> None:
    result = CALC.deadline(start, Period(n, "working_days", actor))  # type: ignore[arg-type]
    span = [start + timedelta(days=i) for i in range(1, (result.due - start).days + 1)]
    assert sum(CAL.is_working_day(d) for d in span) == n
    assert CAL.is_working_day(result.due)


@settings(max_examples=50)
@given(triggers, lengths, st.lists(triggers, max_size=10))
def test_authority_holidays_never_move_the_due_date(start: date, n: int, extra: list[date]) -> None:
    org = OrganisationHolidays.model_validate(
        {"holidays": [{"date": d.isoformat(), "name_th": "หยุด"} for d in extra]}
    )
    moved = PeriodCalculator(GovernmentCalendar(org)).deadline(start, Period(n))
    assert moved.due == CALC.deadline(start, Period(n)).due


@given(triggers, st.integers(min_value=1, max_value=40), st.integers(min_value=1, max_value=8))
def test_recurring_occurrences_advance_by_the_period(start: date, n: int, k: int) -> None:
    assert CALC.deadline(start, Period(n), k).due == start + timedelta(days=n * k)


def test_an_extension_never_leaves_the_supported_dates(calculator: PeriodCalculator) -> None:
    """Extensions add up without limit; one carrying the due date past LAST_DAY is refused
    (None) rather than overflowing `date` or showing a year no record may hold."""
    authority, other = Period(45), Period(45, actor="other")
    assert calculator.extend(LAST_DAY - timedelta(days=1), 1, authority) == LAST_DAY
    assert calculator.extend(LAST_DAY, 1, authority) is None
    assert calculator.extend(LAST_DAY, 3650, other) is None
    assert calculator.extend(date.max - timedelta(days=1), 3650, authority) is None
    # a plain period from the last day is fine: only its due date lies beyond, in range of date
    for unit in ("days", "working_days"):
        assert calculator.deadline(LAST_DAY, Period(3650, unit, "other")).due.year < 2420


@settings(max_examples=25, deadline=None)
@given(
    start=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    days=st.integers(1, 12),
    count=st.integers(1, 40),
)
def test_a_working_day_schedule_counts_on_from_the_period_before(
    calendar: GovernmentCalendar, start: date, days: int, count: int
) -> None:
    """Each occurrence of a schedule continues from the one before (linear, not quadratic)
    and is the same, words included, as one counted from the start by a fresh calculator."""
    period = Period(days, "working_days", "other")
    schedule = PeriodCalculator(calendar).schedule(start, period, start + timedelta(days=3650))
    fresh = PeriodCalculator(calendar)
    for occurrence in sorted({1, count % len(schedule) + 1, len(schedule)}):
        assert fresh.deadline(start, period, occurrence) == schedule[occurrence - 1]
