"""The Thai government working calendar of SPEC §4.5.

A government non-working day (วันหยุดราชการ) is a Saturday, a Sunday, or a government holiday:
the `holidays` package's Thailand calendar, categories public + government (in-lieu and bridge
days included), minus National Labour Day and its in-lieu day — the package's own source says
"only observed by financial and private sectors" — plus the days an organisation adds in its
holidays file, minus the days it declares working.

The package knows short-notice days (bridge days, the Royal Ploughing Ceremony) only for years
it has data for. The last such year is `confirmed_through`; arithmetic that depended on a
non-working-day decision in a later year says so in its explanation.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path
from typing import Literal

import holidays  # the package alone: it does not import its countries
from holidays.holiday_base import HolidayBase
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from compliance.calendar.thaidate import FIRST_DAY, LAST_DAY, WEEKDAYS_EN, WEEKDAYS_TH, InputDate
from compliance.errors import ConfigurationError, format_validation_error
from compliance.yamlfile import load_yaml_file

# Names the package gives National Labour Day and its in-lieu day (Thai is its source language).
LABOUR_DAY_NAMES_TH = frozenset({"วันแรงงานแห่งชาติ", "ชดเชยวันแรงงานแห่งชาติ"})
_NAME_SEPARATOR = "; "


@dataclass(frozen=True, slots=True)
class Holiday:
    """One government holiday with its names and where it came from."""

    day: date
    name_th: str
    name_en: str
    source: Literal["holidays", "organisation"]


class _OrgHoliday(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)
    date: InputDate
    name_th: str = Field(min_length=1)
    name_en: str | None = None


class _OrgWorkingDay(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)
    date: InputDate
    reason_th: str | None = None
    reason_en: str | None = None


class OrganisationHolidays(BaseModel):
    """An organisation's holidays file: short-notice days off added, days declared working."""

    model_config = ConfigDict(extra="forbid", strict=True, defer_build=True)
    confirmed_through: int | None = Field(
        default=None,
        ge=FIRST_DAY.year,
        le=LAST_DAY.year,
        description="Last C.E. year whose short-notice days this file confirms, if later than "
        "the holidays package's.",
    )
    holidays: list[_OrgHoliday] = Field(default_factory=list)
    working_days: list[_OrgWorkingDay] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_meaning_a_day(self) -> OrganisationHolidays:
        # A day both off and working is a slip in the file: which one the organisation meant
        # decides due dates, so it is refused rather than guessed. (A holiday listed twice is
        # one day off with both names.)
        both = {h.date for h in self.holidays} & {w.date for w in self.working_days}
        if both:
            raise ValueError(f"{min(both).isoformat()} is both a holiday and a working day")
        return self


def load_organisation_holidays(path: Path) -> tuple[OrganisationHolidays, str]:
    """Read and validate a holidays file; returns it with its sha256 digest."""
    data, digest = load_yaml_file(path, "holidays file")
    try:
        return OrganisationHolidays.model_validate(data or {}), digest
    except ValidationError as exc:
        details = "; ".join(format_validation_error(exc))
        raise ConfigurationError(f"{path}: invalid holidays file: {details}") from None


@lru_cache(maxsize=1)
def thailand() -> type[HolidayBase]:
    """The holidays package's Thailand calendar (the class `country_holidays("TH")` makes).

    Loaded from its own module: `country_holidays` first imports `holidays.countries`, which
    imports every one of the package's ~250 countries — 90 ms at the start of every run, before
    any record is read — and Thailand's module needs none of them. Should the package ever lay
    its files out differently, the ordinary import is used."""
    name = "holidays.countries.thailand"
    module = sys.modules.get(name)  # already imported the ordinary way: take that one
    if module is None:
        path = Path(holidays.__file__).with_name("countries") / "thailand.py"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None or not path.is_file():  # another layout
            module = importlib.import_module(name)
        else:
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)
    found: type[HolidayBase] = module.Thailand
    return found


@lru_cache(maxsize=1)
def package_confirmed_through() -> int:
    """Last year for which the package holds the Royal Ploughing Ceremony date.

    That day is announced annually, so its presence marks a year whose government-only days
    the package has data for.
    """
    this_year = date.today().year
    for year in range(this_year + 5, 1999, -1):
        if thailand()(years=year, categories=("government",)):
            return year
    return 1999


class GovernmentCalendar:
    """Answers "is this a government working day?" and names every non-working day."""

    def __init__(
        self,
        organisation: OrganisationHolidays | None = None,
        extra_file_digest: str | None = None,
    ) -> None:
        self.organisation = organisation  # None: the package's calendar alone
        self.extra_file_digest = extra_file_digest
        self.holidays_version: str = version("holidays")
        self.confirmed_through = max(
            package_confirmed_through(), (organisation and organisation.confirmed_through) or 0
        )
        # a day listed twice is one day off with both names
        self._extra: dict[date, list[_OrgHoliday]] = {}
        for listed in organisation.holidays if organisation else ():
            self._extra.setdefault(listed.date, []).append(listed)
        self._working = {w.date: w for w in organisation.working_days} if organisation else {}
        self._years: dict[int, dict[date, Holiday]] = {}

    @classmethod
    def from_file(cls, path: Path | None) -> GovernmentCalendar:
        """The calendar with an organisation's holidays file, or the plain one for None."""
        if path is None:
            return cls()
        organisation, digest = load_organisation_holidays(path)
        return cls(organisation, digest)

    def _year(self, year: int) -> dict[date, Holiday]:
        table = self._years.get(year)
        if table is None:
            table = self._build_year(year)
            self._years[year] = table
        return table

    def _build_year(self, year: int) -> dict[date, Holiday]:
        categories = ("public", "government")
        thai = thailand()(years=year, categories=categories, language="th")
        english = thailand()(years=year, categories=categories, language="en_US")
        table: dict[date, Holiday] = {}
        for day, names in thai.items():
            names_th = names.split(_NAME_SEPARATOR)
            names_en = english.get(day, "").split(_NAME_SEPARATOR)
            # Names come in the same order in both languages; drop Labour Day's pair.
            kept = [
                (th, names_en[i] if i < len(names_en) else th)
                for i, th in enumerate(names_th)
                if th not in LABOUR_DAY_NAMES_TH
            ]
            if kept:
                table[day] = Holiday(
                    day,
                    _NAME_SEPARATOR.join(th for th, _ in kept),
                    _NAME_SEPARATOR.join(en for _, en in kept),
                    "holidays",
                )
        for day, entries in self._extra.items():
            if day.year == year:
                table[day] = Holiday(
                    day,
                    _NAME_SEPARATOR.join(e.name_th for e in entries),
                    _NAME_SEPARATOR.join(e.name_en or e.name_th for e in entries),
                    "organisation",
                )
        for day in self._working:
            table.pop(day, None)
        return table

    def holiday(self, day: date) -> Holiday | None:
        """The government holiday on `day`, if any (weekends are not listed as holidays)."""
        return self._year(day.year).get(day)

    def holidays_in(self, year: int) -> list[Holiday]:
        """Every government holiday of a year, weekend ones included, in date order."""
        return sorted(self._year(year).values(), key=lambda h: h.day)

    def is_working_day(self, day: date) -> bool:
        """A government working day: not a weekend, not a holiday, or declared working."""
        if day in self._working:
            return True
        return day.weekday() < 5 and day not in self._year(day.year)

    def is_confirmed(self, year: int) -> bool:
        """Whether short-notice days of `year` are known to this calendar."""
        return year <= self.confirmed_through

    def why_not_working(self, day: date) -> tuple[str, str]:
        """Thai and English reason a day is not a working day (holiday name or weekday)."""
        found = self.holiday(day)
        if found is not None:
            return found.name_th, found.name_en
        return WEEKDAYS_TH[day.weekday()], WEEKDAYS_EN[day.weekday()]

    def describe(self) -> dict[str, object]:
        """The report's `calendar` member (SPEC §7)."""
        return {
            "holidays_version": self.holidays_version,
            "extra_file_digest": self.extra_file_digest,
            "confirmed_through": self.confirmed_through,
        }

    def year_json(self, year: int) -> dict[str, object]:
        """`compliance calendar YEAR --format json` (SPEC §4.6)."""
        return {
            "year": year,
            "confirmed": self.is_confirmed(year),
            "holidays": [
                {"date": h.day.isoformat(), "name_th": h.name_th, "name_en": h.name_en}
                for h in self.holidays_in(year)
            ],
        }
