"""The government working calendar of SPEC §4.5 and `compliance calendar`."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from compliance.calendar.workcalendar import GovernmentCalendar
from compliance.errors import ConfigurationError

from .conftest import FIXTURES

ANNOUNCED_2023 = [
    date(2023, 1, 2),
    date(2023, 1, 3),
    date(2023, 3, 6),
    date(2023, 4, 6),
    date(2023, 4, 13),
    date(2023, 4, 14),
    date(2023, 4, 17),
    date(2023, 5, 4),
    date(2023, 5, 5),
    date(2023, 5, 17),
    date(2023, 6, 5),
    date(2023, 7, 28),
    date(2023, 7, 31),
    date(2023, 8, 1),
    date(2023, 8, 2),
    date(2023, 8, 14),
    date(2023, 10, 13),
    date(2023, 10, 23),
    date(2023, 12, 5),
    date(2023, 12, 11),
    date(2023, 12, 29),
]


def test_2023_weekday_holidays_are_exactly_the_announced_21(calendar: GovernmentCalendar) -> None:
    weekday_holidays = [h.day for h in calendar.holidays_in(2023) if h.day.weekday() < 5]
    assert weekday_holidays == ANNOUNCED_2023
    day, non_working = date(2023, 1, 1), []
    while day.year == 2023:
        if not calendar.is_working_day(day) and day.weekday() < 5:
            non_working.append(day)
        day += timedelta(days=1)
    assert non_working == ANNOUNCED_2023


def test_labour_day_is_a_government_working_day(calendar: GovernmentCalendar) -> None:
    assert calendar.is_working_day(date(2023, 5, 1))
    # 2027: Labour Day is a Saturday; the package's in-lieu Monday is not a government holiday.
    assert calendar.is_working_day(date(2027, 5, 3))
    assert all(
        "Labor" not in h.name_en for y in (2022, 2023, 2027) for h in calendar.holidays_in(y)
    )


def test_weekends_and_names(calendar: GovernmentCalendar) -> None:
    assert not calendar.is_working_day(date(2023, 4, 15))  # Saturday (and Songkran)
    assert calendar.why_not_working(date(2023, 4, 17)) == (
        "ชดเชยวันสงกรานต์",
        "Songkran Festival (in lieu)",
    )
    assert calendar.why_not_working(date(2023, 9, 2)) == ("วันเสาร์", "Saturday")


def test_confirmed_year_comes_from_the_package(calendar: GovernmentCalendar) -> None:
    assert calendar.is_confirmed(2023)
    assert calendar.confirmed_through >= 2026
    assert not calendar.is_confirmed(calendar.confirmed_through + 1)


def test_organisation_file_adds_and_removes_days() -> None:
    cal = GovernmentCalendar.from_file(FIXTURES / "holidays-bma.yaml")
    assert not cal.is_working_day(date(2027, 5, 14))
    found = cal.holiday(date(2027, 5, 14))
    assert found is not None and found.source == "organisation"
    assert cal.is_working_day(date(2027, 10, 25))  # the package's in-lieu day, declared working
    assert cal.confirmed_through == 2027
    assert cal.extra_file_digest is not None and cal.extra_file_digest.startswith("sha256:")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("holidays:\n  - date: 2023-02-30\n    name_th: x\n", r"holidays\[0\]\.date: .*February"),
        ("holidays:\n  - date: 2023-02-03\n", r"holidays\[0\]\.name_th: Field required"),
        ("holiday:\n  - date: 2023-02-03\n", r"holiday: Extra inputs are not permitted"),
        ("working_days: [{date: 03/02/66}]\n", r"working_days\[0\]\.date: two-digit year"),
        ("holidays: [\n", "holidays file is not valid YAML"),
        (
            "holidays: [{date: 2023-06-05, name_th: x}]\nworking_days: [{date: 2566-06-05}]\n",
            r"2023-06-05 is both a holiday and a working day",
        ),
        ("confirmed_through: -5\n", r"confirmed_through: .*greater than or equal to 1900"),
    ],
)
def test_invalid_holidays_file_is_a_clear_error(
    tmp_path: Path, content: str, expected: str
) -> None:
    path = tmp_path / "h.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ConfigurationError, match=expected) as info:
        GovernmentCalendar.from_file(path)
    assert str(path) in str(info.value)


def test_a_holiday_listed_twice_is_one_day_off_with_both_names(tmp_path: Path) -> None:
    path = tmp_path / "h.yaml"
    path.write_text(
        "holidays:\n  - {date: 2023-05-15, name_th: ก, name_en: A}\n"
        "  - {date: 2566-05-15, name_th: ข, name_en: B}\n",
        encoding="utf-8",
    )
    found = GovernmentCalendar.from_file(path).holiday(date(2023, 5, 15))
    assert found is not None and (found.name_th, found.name_en) == ("ก; ข", "A; B")


def test_calendar_command_takes_every_year_a_record_may_hold() -> None:
    # Dates run 1900–2399 C.E. everywhere (SPEC §3.1's B.E. threshold is 2400): so does the
    # calendar, whose far years are empty and unconfirmed rather than refused.
    done = subprocess.run(
        ["compliance", "calendar", "2942", "--format", "json"], capture_output=True, check=True
    )
    assert json.loads(done.stdout)["year"] == 2399
    before = subprocess.run(["compliance", "calendar", "1899"], capture_output=True, check=False)
    assert before.returncode == 2 and b"1900" in before.stderr


def test_calendar_command_json_shape() -> None:
    done = subprocess.run(
        ["compliance", "calendar", "2023", "--format", "json"], capture_output=True, check=True
    )
    data = json.loads(done.stdout)
    assert data["year"] == 2023 and data["confirmed"] is True
    listed = {h["date"]: h for h in data["holidays"]}
    for day in ANNOUNCED_2023:
        assert listed[day.isoformat()]["name_th"]
    assert "2023-05-01" not in listed
    assert listed["2023-04-15"]["name_th"] == "วันสงกรานต์"  # weekend holidays are listed too
    assert set(listed["2023-04-13"]) == {"date", "name_th", "name_en"}


def test_calendar_command_bad_holidays_file_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "h.yaml"
    bad.write_text("holidays: 3\n", encoding="utf-8")
    done = subprocess.run(
        ["compliance", "calendar", "2566", "--holidays", str(bad)],
        capture_output=True,
        check=False,
    )
    assert done.returncode == 2
    assert b"holidays" in done.stderr


def test_thailand_loaded_alone_is_the_packages_calendar() -> None:
    """The calendar loads the package's Thailand module on its own, to skip importing ~250
    countries at every start: it must not import them, and must give exactly what
    `country_holidays("TH")` gives."""
    code = """
import sys
from datetime import date
from compliance.calendar.workcalendar import GovernmentCalendar, thailand
assert not GovernmentCalendar().is_working_day(date(2023, 4, 13))
assert "holidays.countries" not in sys.modules
import holidays
for language in ("th", "en_US"):
    for year in range(2015, 2031):
        kwargs = dict(years=year, categories=("public", "government"), language=language)
        ours = thailand()(**kwargs)
        theirs = holidays.country_holidays("TH", **kwargs)
        assert type(ours) is not type(theirs)  # really two loads of the module
        assert dict(ours) == dict(theirs), (language, year)
print("same")
"""
    result = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "same"
