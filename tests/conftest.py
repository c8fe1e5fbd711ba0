"""Shared fixtures: the bundled fixture files and one calendar per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from compliance.calendar.periods import PeriodCalculator
from compliance.calendar.workcalendar import GovernmentCalendar

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def calendar() -> GovernmentCalendar:
    return GovernmentCalendar()


@pytest.fixture(scope="session")
def calculator(calendar: GovernmentCalendar) -> PeriodCalculator:
    return PeriodCalculator(calendar)
