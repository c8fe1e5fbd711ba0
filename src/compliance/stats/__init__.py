"""Statistics for publishing (SPEC §11): complaint counts, progress and on-time rates."""

from compliance.stats.accumulator import StatsAccumulator
from compliance.stats.period import StatsPeriod, date_span, fiscal_period

__all__ = ["StatsAccumulator", "StatsPeriod", "date_span", "fiscal_period"]
