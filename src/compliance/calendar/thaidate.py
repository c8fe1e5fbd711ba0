"""Thai dates: Buddhist Era, Thai digits, Thai names, parsing of every input form, fiscal years.

Babel gives the Thai month and weekday names; it has no Buddhist calendar, so the B.E. year
(C.E. + 543) and Thai digits are added here. Parsing follows SPEC §3.1: any year >= 2400 is
B.E., date-times with an offset are converted to Asia/Bangkok before the date is taken, and
two-digit years, impossible dates and unknown forms are refused with a message that says what
was wrong. Error messages never repeat the input text itself (it may be personal data put in
the wrong field); they describe it.
"""

from __future__ import annotations

import calendar as _stdcal
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from babel.dates import get_day_names, get_month_names
from dateutil.parser import isoparse
from pydantic import GetCoreSchemaHandler
from pydantic_core import core_schema

from compliance.errors import ANY_DATE, FAST_DATE, ComplianceError

BANGKOK = ZoneInfo("Asia/Bangkok")
BE_OFFSET = 543
BE_THRESHOLD = 2400  # SPEC §3.1: any year >= 2400 is Buddhist Era

_THAI_DIGITS = "๐๑๒๓๔๕๖๗๘๙"
_TO_ASCII = str.maketrans(_THAI_DIGITS, "0123456789")
_TO_THAI = str.maketrans("0123456789", _THAI_DIGITS)

MONTHS_TH: dict[int, str] = dict(get_month_names("wide", locale="th"))
MONTHS_TH_ABBR: dict[int, str] = dict(get_month_names("abbreviated", locale="th"))
MONTHS_EN: dict[int, str] = dict(get_month_names("wide", locale="en"))
# Babel numbers weekdays Monday=0, as date.weekday() does.
WEEKDAYS_TH: dict[int, str] = dict(get_day_names("wide", locale="th"))
WEEKDAYS_TH_ABBR: dict[int, str] = dict(get_day_names("abbreviated", locale="th"))
WEEKDAYS_EN: dict[int, str] = dict(get_day_names("wide", locale="en"))


class DateParseError(ComplianceError, ValueError):
    """A date text that is not one of the accepted forms; the message describes, never echoes.

    A ValueError too, so that pydantic validators turn it into a field error."""


def to_be(year_ce: int) -> int:
    """Common Era year to Buddhist Era year."""
    return year_ce + BE_OFFSET


def to_ce(year_be: int) -> int:
    """Buddhist Era year to Common Era year."""
    return year_be - BE_OFFSET


def thai_digits(text: str | int) -> str:
    """Arabic digits to Thai digits (๐–๙); other characters are kept."""
    return str(text).translate(_TO_THAI)


def arabic_digits(text: str) -> str:
    """Thai digits to Arabic digits; other characters are kept."""
    return text.translate(_TO_ASCII)


# --- parsing ---------------------------------------------------------------------------------

_MONTH_LOOKUP: dict[str, int] = {}
for _m, _name in MONTHS_TH.items():
    _MONTH_LOOKUP[_name] = _m
for _m, _name in MONTHS_TH_ABBR.items():
    _MONTH_LOOKUP[_name] = _m
    _MONTH_LOOKUP[_name.replace(".", "")] = _m  # "เมย" as typed without dots
_MONTH_ALTERNATION = "|".join(sorted((re.escape(k) for k in _MONTH_LOOKUP), key=len, reverse=True))

_WEEKDAY_ALTERNATION = "|".join(re.escape(n) for n in WEEKDAYS_TH.values())
# Digits are ASCII only ([0-9], never \d): Thai digits are translated first; Arabic-Indic,
# fullwidth, Devanagari... digits, which \d and int() would take, are not a SPEC §3.1 form.
_ISO_DATE = re.compile(r"([0-9]+)-([0-9]{1,2})-([0-9]{1,2})")
_ISO_DATETIME = re.compile(r"([0-9]{4})(-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}[ -~]*)")
_SLASHED = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]+)")
_THAI_TEXT = re.compile(
    rf"(?:(?:{_WEEKDAY_ALTERNATION})\s*)?(?:ที่\s*|วันที่\s*)?"
    rf"([0-9]{{1,2}})\s*({_MONTH_ALTERNATION})\s*(?:(?:พ\.ศ\.|พ\.ศ|พศ)\s*)?([0-9]+)"
)


def _year_ce(digits: str) -> int:
    if len(digits) != 4:
        if len(digits) == 2:
            raise DateParseError(
                "two-digit year is ambiguous: write all four digits (e.g. 2566 or 2023)"
            )
        raise DateParseError(f"a year must have four digits, not {len(digits)}")
    year = int(digits)
    return to_ce(year) if year >= BE_THRESHOLD else year


# Dates a record, a rule or --as-of may hold (C.E.; B.E. 2443-2942). The years up to 2399 are
# those the C.E. form can write; the same ceiling holds for B.E. dates, and nothing the BMA
# records predates 1900. Outside, a date is a typo (0001, 9999) and would make a record with
# centuries of monthly reports, one finding each.
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(BE_THRESHOLD - 1, 12, 31)
_RANGE = (
    f"out of range: dates from 1 January {FIRST_DAY.year} to 31 December {LAST_DAY.year} "
    f"(B.E. {to_be(FIRST_DAY.year)}-{to_be(LAST_DAY.year)}) are accepted"
)


def _in_range(day: date) -> date:
    if not FIRST_DAY <= day <= LAST_DAY:
        raise DateParseError(_RANGE)
    return day


def _make_date(year_ce: int, month: int, day: int, year_be_given: bool) -> date:
    if not FIRST_DAY.year <= year_ce <= LAST_DAY.year:
        raise DateParseError(_RANGE)
    if not 1 <= month <= 12:
        raise DateParseError(f"there is no month {month}")
    try:
        return date(year_ce, month, day)
    except ValueError:
        last = _stdcal.monthrange(year_ce, month)[1]
        era = f"B.E. {to_be(year_ce)} = {year_ce}" if year_be_given else f"{year_ce}"
        leap = " (not a leap year)" if month == 2 and day == 29 else ""
        raise DateParseError(
            f"day {day} does not exist in {MONTHS_EN[month]} {era}{leap}; the month has {last} days"
        ) from None


def parse_date(value: str | date | datetime) -> date:
    """Parse any SPEC §3.1 date form to a Gregorian date (Bangkok date for date-times)."""
    if isinstance(value, str):
        if len(value) == 10 and value[4] == value[7] == "-" and "1900" <= value[:4] < "2400":
            try:  # fast path: the canonical ISO form, C.E. (not a week date: 2023-W01-1)
                return date.fromisoformat(value)
            except ValueError:
                pass  # fall through for the precise message
    elif isinstance(value, datetime):
        return bangkok_date(_in_range_moment(value))
    elif isinstance(value, date):
        return _in_range(value)
    else:
        raise DateParseError(f"expected a date as text, got {type(value).__name__}")
    text = " ".join(arabic_digits(value).split())
    if not text:
        raise DateParseError("empty date")
    if m := _ISO_DATE.fullmatch(text):
        return _make_date(_year_ce(m[1]), int(m[2]), int(m[3]), int(m[1]) >= BE_THRESHOLD)
    if _ISO_DATETIME.fullmatch(text):
        moment = parse_moment(text)
        assert isinstance(moment, datetime)
        return bangkok_date(moment)  # representable: parse_moment checked it
    if m := _SLASHED.fullmatch(text):
        return _make_date(_year_ce(m[3]), int(m[2]), int(m[1]), int(m[3]) >= BE_THRESHOLD)
    if m := _THAI_TEXT.fullmatch(text):
        return _make_date(_year_ce(m[3]), _MONTH_LOOKUP[m[2]], int(m[1]), int(m[3]) >= BE_THRESHOLD)
    if any(ch.isdigit() and not ch.isascii() for ch in text):
        raise DateParseError("digits must be 0-9 or Thai digits (๐-๙); other scripts' are refused")
    raise DateParseError(
        "not a recognised date: use YYYY-MM-DD (C.E. or B.E.), DD/MM/YYYY, "
        "'24 เมษายน 2566' or an ISO date-time"
    )


def parse_moment(value: str | date | datetime) -> date | datetime:
    """Like parse_date, but an ISO date-time keeps its time (made aware: naive is Bangkok)."""
    if isinstance(value, str):
        # "\0": CPython's parser stops reading at a NUL, so it would take "…+07:00\0" whole
        if (
            len(value) > 10
            and value[10] in "T "
            and "1901" <= value[:4] < "2399"
            and "\0" not in value
        ):
            try:  # fast path: C.E. ISO date-time (the C parser; ASCII digits only)
                moment = datetime.fromisoformat(value)
            except ValueError:
                pass  # fall through for dateutil's wider ISO support and the precise message
            else:  # years 1901-2398: the Bangkok date is in range whatever the offset
                return moment if moment.tzinfo else moment.replace(tzinfo=BANGKOK)
        text = arabic_digits(value).strip()
        if m := _ISO_DATETIME.fullmatch(text):
            year = int(m[1])
            try:
                moment = isoparse((str(to_ce(year)) if year >= BE_THRESHOLD else m[1]) + m[2])
            except (ValueError, OverflowError):
                raise DateParseError("not a valid ISO date-time") from None
            return _in_range_moment(moment)
    elif isinstance(value, datetime):
        return _in_range_moment(value)
    return parse_date(value)


def _in_range_moment(moment: datetime) -> datetime:
    """`moment` made aware (naive is Bangkok time), if its Bangkok date is in range. The
    conversion itself can fail: 0001-01-01T00:00:00+14:00 is in year 0 in Bangkok."""
    aware = moment if moment.tzinfo else moment.replace(tzinfo=BANGKOK)
    try:
        _in_range(aware.astimezone(BANGKOK).date())
    except (OverflowError, ValueError):
        raise DateParseError(_RANGE) from None
    return aware


class _SpecDate:
    """A date in any SPEC §3.1 form. The canonical C.E. ISO form, which nearly every system
    sends, is read by pydantic's own parser without a Python call (a sixth of the time spent
    validating a record); anything else, and any year from 2400 on (B.E.), by `parse_date`."""

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: object, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        fast = core_schema.chain_schema(  # exactly YYYY-MM-DD: pydantic alone takes more forms
            [
                core_schema.str_schema(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"),
                core_schema.date_schema(ge=FIRST_DAY, le=LAST_DAY, strict=False),
            ]
        )
        full = core_schema.no_info_before_validator_function(parse_date, core_schema.date_schema())
        return core_schema.union_schema([(fast, FAST_DATE), (full, ANY_DATE)], mode="left_to_right")


# A pydantic field type for a date in any SPEC §3.1 form (records, rules, holidays files).
InputDate = Annotated[date, _SpecDate]


# Bangkok has kept UTC+07:00 since 1 April 1920 (before: local mean time, +06:42:04), so a
# moment given at +07:00 in a later year is already in Bangkok's wall time.
_ICT = timedelta(hours=7)
_LMT_UNTIL = 1920


def bangkok_date(moment: datetime) -> date:
    """The calendar date in Bangkok of a moment; a naive date-time is Bangkok time already."""
    if moment.tzinfo is None:
        return moment.date()
    if moment.year > _LMT_UNTIL and moment.utcoffset() == _ICT:
        return moment.date()  # already Bangkok's wall time: skips a zone lookup (~2 µs)
    return moment.astimezone(BANGKOK).date()


def today_bangkok(now: datetime | None = None) -> date:
    """Today's date in Asia/Bangkok (not UTC): the default audit date."""
    return (now or datetime.now(tz=BANGKOK)).astimezone(BANGKOK).date()


# --- formatting ------------------------------------------------------------------------------

DateStyle = Literal["long", "short", "medium", "weekday"]
FORMATTED_DAYS = 16384  # dates whose words a formatter keeps (ten thousand days and more)


@lru_cache(maxsize=FORMATTED_DAYS)
def format_thai(day: date, style: DateStyle = "long", thai_numerals: bool = False) -> str:
    """Format a date for people: long `24 เมษายน 2566`, medium `24 เม.ย. 2566`,
    short `24 เม.ย. 66`, weekday `วันจันทร์ที่ 24 เมษายน 2566`."""
    be = to_be(day.year)
    if style == "long":
        text = f"{day.day} {MONTHS_TH[day.month]} {be}"
    elif style == "medium":
        text = f"{day.day} {MONTHS_TH_ABBR[day.month]} {be}"
    elif style == "short":
        text = f"{day.day} {MONTHS_TH_ABBR[day.month]} {be % 100:02d}"
    else:
        text = f"{WEEKDAYS_TH[day.weekday()]}ที่ {day.day} {MONTHS_TH[day.month]} {be}"
    return thai_digits(text) if thai_numerals else text


@lru_cache(maxsize=FORMATTED_DAYS)
def format_english(day: date) -> str:
    """English form used beside the Thai one in explanations: `Thu 13 Apr 2023`."""
    return f"{day:%a} {day.day} {day:%b %Y}"


# --- fiscal year -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FiscalPeriod:
    """A Thai government fiscal year (1 Oct–30 Sep, named by the B.E. year it ends in) or half."""

    year_be: int
    half: Literal[1, 2] | None
    start: date
    end: date

    def label_th(self) -> str:
        """`ปีงบประมาณ พ.ศ. 2566 ครึ่งปีแรก (1 ต.ค. 2565 – 31 มี.ค. 2566)`."""
        half = {None: "", 1: " ครึ่งปีแรก", 2: " ครึ่งปีหลัง"}[self.half]
        span = f"{format_thai(self.start, 'medium')} – {format_thai(self.end, 'medium')}"
        return f"ปีงบประมาณ พ.ศ. {self.year_be}{half} ({span})"


def fiscal_year(day: date) -> FiscalPeriod:
    """The fiscal year containing `day`."""
    end_ce = day.year + 1 if day.month >= 10 else day.year
    return FiscalPeriod(to_be(end_ce), None, date(end_ce - 1, 10, 1), date(end_ce, 9, 30))


def fiscal_half(day: date) -> FiscalPeriod:
    """The half of the fiscal year containing `day`: first Oct–Mar, second Apr–Sep."""
    year = fiscal_year(day)
    if 4 <= day.month <= 9:
        return FiscalPeriod(year.year_be, 2, date(year.end.year, 4, 1), year.end)
    return FiscalPeriod(year.year_be, 1, year.start, date(year.end.year, 3, 31))
