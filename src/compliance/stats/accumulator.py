"""Statistics of SPEC §11 as a streaming accumulator: records and their findings in, counts out.

Memory is O(agencies × rules), whatever the number of records: complaints are counted per
(agency, corruption) and rule instances per (agency, rule, status), and the median time to
resolve comes from a histogram of days (a few hundred distinct values at most), not a list.
Nothing of a record but these counts is kept, so no id, name or note can reach the output.

The accumulator is a function of (record, findings) pairs only, so statistics of any slice —
a half-year, or each month of stored runs — are one accumulator per slice, and accumulators
of parts can be merged.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, Protocol, get_args

from compliance.engine.findings import STATUSES
from compliance.records import Channel, Complaint, Record
from compliance.stats.period import StatsPeriod

TIMELINESS_RULE = "CMP-3.2"  # plan 3.2's 15-day response rule: every complaint's timeliness
OUTCOMES = ("resolved", "rejected", "closed", "in_progress")  # output order, as SPEC §11 shows
CHANNELS: tuple[str, ...] = get_args(Channel)
RULE_STATUSES = tuple(s for s in STATUSES if s != "inconsistent")
# Judged instances that had to be done by their due date: the on-time rate's denominator.
DUE_STATUSES = ("met", "late", "overdue", "missing", "breached")

Count = int | str  # a count, or "<N" when suppressed


class FindingFacts(Protocol):
    """What the statistics read of a finding (an engine `Finding`, or a stored one)."""

    @property
    def rule_id(self) -> str: ...
    @property
    def agency(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def due_date(self) -> date | None: ...
    @property
    def trigger_date(self) -> date | None: ...


class ComplaintCounts:
    """The complaint counts of one group (an agency's corruption or other complaints)."""

    __slots__ = ("anonymous", "by_channel", "outcome", "received", "resolve_days", "timeliness")

    def __init__(self) -> None:
        self.received = 0
        self.anonymous = 0
        self.by_channel: Counter[str] = Counter()
        self.outcome: Counter[str] = Counter()
        self.timeliness: Counter[str] = Counter()
        self.resolve_days: Counter[int] = Counter()  # days from receipt to first `resolved`

    def merge(self, other: ComplaintCounts) -> None:
        """Add another group's counts to these."""
        self.received += other.received
        self.anonymous += other.anonymous
        self.by_channel.update(other.by_channel)
        self.outcome.update(other.outcome)
        self.timeliness.update(other.timeliness)
        self.resolve_days.update(other.resolve_days)


def suppress(count: int, min_count: int) -> Count:
    """SPEC §11 `--min-count`: a non-zero count below N becomes "<N"."""
    return f"<{min_count}" if 0 < count < min_count else count


def median_of(histogram: Counter[int]) -> float | None:
    """The median of values given as value → how many (a .5 is kept); None when empty."""
    total = sum(histogram.values())
    if total == 0:
        return None
    low, high = (total - 1) // 2, total // 2  # 0-based positions of the middle value(s)
    seen, found = 0, list[int]()
    for value in sorted(histogram):
        seen += histogram[value]
        while len(found) < 2 and seen > (low, high)[len(found)]:
            found.append(value)
        if len(found) == 2:
            break
    return (found[0] + found[1]) / 2


class StatsAccumulator:
    """Counts for SPEC §11 over one period, judged as of one date."""

    def __init__(
        self,
        period: StatsPeriod,
        as_of: date,
        rule_ids: Sequence[str],
        rules_digest: str | None = None,
    ) -> None:
        self.period = period
        self.as_of = as_of
        self.rule_ids = tuple(rule_ids)
        self.rules_digest = rules_digest
        self._rule_set = frozenset(self.rule_ids)  # DATA-* are never among them
        self.complaints: dict[tuple[str, bool], ComplaintCounts] = {}
        self.rules: Counter[tuple[str, str, str]] = Counter()  # (agency, rule, status) → n

    # --- counting --------------------------------------------------------------------------

    def add(self, record: Record, findings: Iterable[FindingFacts], weight: int = 1) -> None:
        """Count one valid record and its findings (as `Audit.record` returns them).
        `weight=-1` takes back a record counted before (one found later to be a duplicate)."""
        start, end, rules, wanted = self.period.start, self.period.end, self.rules, self._rule_set
        timeliness = None
        for f in findings:
            rule_id = f.rule_id
            if rule_id not in wanted:
                continue
            if rule_id == TIMELINESS_RULE and timeliness is None:
                timeliness = f.status
            day = f.due_date if f.due_date is not None else f.trigger_date
            if day is not None and start <= day <= end:
                rules[f.agency, rule_id, f.status] += weight
        if isinstance(record, Complaint):
            self._add_complaint(record, timeliness, weight)

    def _add_complaint(self, record: Complaint, timeliness: str | None, weight: int) -> None:
        received = record.received_on
        if not (self.period.start <= received <= self.period.end and received <= self.as_of):
            return  # outside the period, or not yet received on as_of (not known then)
        key = (record.agency, record.corruption)
        counts = self.complaints.get(key)
        if counts is None:
            counts = self.complaints[key] = ComplaintCounts()
        counts.received += weight
        if record.anonymous:
            counts.anonymous += weight
        counts.by_channel[record.channel] += weight
        as_of = self.as_of
        rejected = closed = False
        resolved: date | None = None
        for event in record.events:
            if event.date > as_of:
                continue  # not known on as_of
            kind = event.kind
            if kind == "resolved":
                if resolved is None or event.date < resolved:
                    resolved = event.date
            elif kind == "rejected":
                rejected = True
            elif kind == "closed":
                closed = True
        if rejected:
            counts.outcome["rejected"] += weight
        elif resolved is not None:
            counts.outcome["resolved"] += weight
        elif closed:
            counts.outcome["closed"] += weight
        else:
            counts.outcome["in_progress"] += weight
        if resolved is not None:
            counts.resolve_days[(resolved - received).days] += weight
        if timeliness is not None:
            counts.timeliness[timeliness] += weight

    def empty(self) -> StatsAccumulator:
        """A new accumulator for the same period, as_of and rules (for a part of the input)."""
        return StatsAccumulator(self.period, self.as_of, self.rule_ids, self.rules_digest)

    def merge(self, other: StatsAccumulator) -> None:
        """Add the counts of an accumulator of the same period, as_of and rules."""
        for key, counts in other.complaints.items():
            mine = self.complaints.get(key)
            if mine is None:
                mine = self.complaints[key] = ComplaintCounts()
            mine.merge(counts)
        self.rules.update(other.rules)

    # --- the result ------------------------------------------------------------------------

    def result(self, min_count: int = 0) -> dict[str, Any]:
        """The SPEC §11 JSON; counts below `min_count` (and what is derived from them)
        suppressed."""
        everything, corruption = ComplaintCounts(), ComplaintCounts()
        per_agency: dict[str, ComplaintCounts] = {}
        for (agency, is_corruption), counts in self.complaints.items():
            if not counts.received:
                continue  # only ever taken back (a duplicate): the agency had none
            everything.merge(counts)
            if is_corruption:
                corruption.merge(counts)
            per_agency.setdefault(agency, ComplaintCounts()).merge(counts)
        rule_counts: dict[str, Counter[str]] = {r: Counter() for r in self.rule_ids}
        agency_rules: dict[str, dict[str, Counter[str]]] = {}
        for (agency, rule_id, status), n in self.rules.items():
            if not n:
                continue
            rule_counts[rule_id][status] += n
            agency_rules.setdefault(agency, {}).setdefault(rule_id, Counter())[status] += n
        n = min_count
        complaints = self._complaint_block(everything, corruption.received, n)
        complaints["corruption_only"] = self._complaint_block(corruption, None, n)
        by_agency = {}
        for agency in sorted(per_agency.keys() | agency_rules.keys()):
            mine = per_agency.get(agency) or ComplaintCounts()
            corrupt = self.complaints.get((agency, True))
            found = agency_rules.get(agency, {})
            by_agency[agency] = {
                "complaints": self._complaint_block(mine, corrupt.received if corrupt else 0, n),
                "rules": {r: _rule_block(found[r], n) for r in self.rule_ids if r in found},
            }
        return {
            "period": self.period.to_json(),
            "as_of": self.as_of.isoformat(),
            "rules_digest": self.rules_digest,
            "complaints": complaints,
            "by_agency": by_agency,
            "rules": {r: _rule_block(rule_counts[r], n) for r in self.rule_ids},
        }

    @staticmethod
    def _complaint_block(c: ComplaintCounts, corruption: int | None, n: int) -> dict[str, Any]:
        """A `complaints` block; `corruption` None for `corruption_only` (which has neither
        `anonymous` nor `corruption`)."""
        block: dict[str, Any] = {"received": suppress(c.received, n)}
        if corruption is not None:
            block["anonymous"] = suppress(c.anonymous, n)
            block["corruption"] = suppress(corruption, n)
        block["by_channel"] = _counts(c.by_channel, CHANNELS, n)
        block["outcome"] = _counts(c.outcome, OUTCOMES, n)
        block["timeliness"] = _counts(c.timeliness, RULE_STATUSES, n)
        resolved = sum(c.resolve_days.values())
        median: float | str | None = median_of(c.resolve_days)
        if 0 < resolved < n:  # the median of fewer than N resolutions would single them out
            median = f"<{n}"
        block["median_days_to_resolve"] = median
        return block


def _counts(counter: Counter[str], order: Sequence[str], n: int) -> dict[str, Count]:
    """Non-zero counts in a fixed order (SPEC §11: counts of zero may be omitted)."""
    return {key: suppress(counter[key], n) for key in order if counter[key]}


def _rule_block(counts: Counter[str], n: int) -> dict[str, Any]:
    """One rule's counts by status and its on-time rate."""
    block: dict[str, Any] = _counts(counts, RULE_STATUSES, n)
    due = sum(counts[s] for s in DUE_STATUSES)
    rate: float | str | None = round(counts["met"] / due, 4) if due else None
    if any(0 < counts[s] < n for s in DUE_STATUSES):
        rate = f"<{n}"  # a rate over suppressed counts would give them away (met 200, late 3)
    block["on_time_rate"] = rate
    return block
