"""Thai dates: B.E./C.E., Thai digits, names, every input form of SPEC §3.1, fiscal years."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compliance.calendar.thaidate import (
    BANGKOK,
    DateParseError,
    arabic_digits,
    bangkok_date,
    fiscal_half,
    fiscal_year,
    format_thai,
    parse_date,
    parse_moment,
    thai_digits,
    to_be,
    to_ce,
    today_bangkok,
)

D = date(2023, 4, 24)


def test_era_conversion() -> None:
    assert to_be(2023) == 2566
    assert to_ce(2566) == 2023


def test_thai_digits_both_ways() -> None:
    assert thai_digits("24/04/2566") == "๒๔/๐๔/๒๕๖๖"
    assert arabic_digits("๒๔ เมษายน ๒๕๖๖") == "24 เมษายน 2566"


@given(
    st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2399, 12, 30)),
    st.sampled_from([7 * 60, 7 * 60, 0, -5 * 60, 14 * 60, 6 * 60 + 42, 7 * 60 + 1]),
)
def test_the_bangkok_date_of_any_moment_is_the_zone_s(moment: datetime, minutes: int) -> None:
    # A moment at +07:00 is read without the zone from 1921 on; the zone is the reference.
    aware = moment.replace(tzinfo=timezone(timedelta(minutes=minutes)))
    assert bangkok_date(aware) == aware.astimezone(BANGKOK).date()


@pytest.mark.parametrize(
    "text",
    [
        "2023-04-24",
        "2566-04-24",
        "24/04/2566",
        "24/4/2566",
        "24/04/2023",
        "24 เมษายน 2566",
        "๒๔ เมษายน ๒๕๖๖",
        "24 เม.ย. 2566",
        "24 เมย 2566",
        "24 เมษายน พ.ศ. 2566",
        "วันที่ 24 เมษายน พ.ศ. ๒๕๖๖",
        "วันจันทร์ที่ 24 เมษายน 2566",
        "  24   เม.ย.   2566 ",
        "2023-04-24T10:00:00+07:00",
        "2023-04-24T10:00:00",
        "2023-04-24 13:27:54.482138+00",
        "2566-04-24T10:00:00+07:00",
    ],
)
def test_every_input_form(text: str) -> None:
    assert parse_date(text) == D


def test_offset_date_time_takes_the_bangkok_date() -> None:
    # SPEC §3.1: 20:30 UTC on 11 May is 03:30 on 12 May in Bangkok.
    assert parse_date("2023-05-11T20:30:00+00:00") == date(2023, 5, 12)
    assert parse_date("2023-05-11T16:59:59Z") == date(2023, 5, 11)
    assert parse_date("2023-05-11T17:00:00Z") == date(2023, 5, 12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("24/04/66", "two-digit year"),
        ("24 เม.ย. 66", "two-digit year"),
        ("66-04-24", "two-digit year"),
        ("2566-02-29", "not a leap year"),
        ("2023-02-29", "not a leap year"),
        ("2023-04-31", "the month has 30 days"),
        ("2023-13-01", "no month 13"),
        ("yesterday", "not a recognised date"),
        ("", "empty date"),
        ("2023-05-11T25:00:00", "not a valid ISO date-time"),
        ("24 เมษา 2566", "not a recognised date"),
    ],
)
def test_refusals_say_what_was_wrong(text: str, expected: str) -> None:
    with pytest.raises(DateParseError, match=expected):
        parse_date(text)


@pytest.mark.parametrize("text", ["2023-06-01T12:00:00+07:00\0", "2023-06-01T12:00\0"])
def test_a_moment_with_a_nul_is_refused(text: str) -> None:
    # Python's own ISO parser stops at a NUL and would take the text as the moment before it;
    # an event's date refuses it already, so a complaint's received_at must too.
    with pytest.raises(DateParseError):
        parse_moment(text)


def test_refusals_do_not_echo_the_input() -> None:
    with pytest.raises(DateParseError) as info:
        parse_date("สมชาย ใจดี")
    assert "สมชาย" not in str(info.value)


def test_be_leap_message_names_both_eras() -> None:
    with pytest.raises(DateParseError, match=r"B\.E\. 2566 = 2023"):
        parse_date("2566-02-29")


def test_formats_for_people() -> None:
    assert format_thai(D) == "24 เมษายน 2566"
    assert format_thai(D, "short") == "24 เม.ย. 66"
    assert format_thai(D, "medium") == "24 เม.ย. 2566"
    assert format_thai(D, "weekday") == "วันจันทร์ที่ 24 เมษายน 2566"
    assert format_thai(D, thai_numerals=True) == "๒๔ เมษายน ๒๕๖๖"


def test_fiscal_year_and_halves() -> None:
    year = fiscal_year(D)
    assert (year.year_be, year.start, year.end) == (2566, date(2022, 10, 1), date(2023, 9, 30))
    # April belongs to the second half (Apr–Sep).
    half = fiscal_half(D)
    assert (half.half, half.start, half.end) == (2, date(2023, 4, 1), date(2023, 9, 30))
    first = fiscal_half(date(2023, 3, 31))
    assert (first.year_be, first.half, first.start, first.end) == (
        2566,
        1,
        date(2022, 10, 1),
        date(2023, 3, 31),
    )
    assert first.label_th() == "ปีงบประมาณ พ.ศ. 2566 ครึ่งปีแรก (1 ต.ค. 2565 – 31 มี.ค. 2566)"
    assert fiscal_year(date(2023, 10, 1)).year_be == 2567


def test_today_is_bangkok_not_utc() -> None:
    late_utc = datetime(2023, 5, 11, 23, 30, tzinfo=UTC)
    assert today_bangkok(late_utc) == date(2023, 5, 12)


dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31))


@given(dates, st.sampled_from(["long", "medium", "weekday"]), st.booleans())
def test_formatted_dates_parse_back(day: date, style: str, thai: bool) -> None:
    text = format_thai(day, style, thai_numerals=thai)  # type: ignore[arg-type]
    assert parse_date(text) == day


@given(dates, st.booleans())
def test_numeric_forms_parse_back(day: date, buddhist: bool) -> None:
    year = to_be(day.year) if buddhist else day.year
    assert parse_date(f"{year}-{day.month:02d}-{day.day:02d}") == day
    assert parse_date(f"{day.day:02d}/{day.month:02d}/{to_be(day.year)}") == day
    assert parse_date(thai_digits(f"{day.day}/{day.month}/{to_be(day.year)}")) == day
