"""Monthly trends from the history store: `compliance stats --store URL` (SPEC §11 over §12).

The store keeps, per obligation key, its state at every run — not the records. So a month's
figures are what `compliance stats` would have said of that month on the day of the month's
last stored run: the SPEC §11 `rules` block for the obligations that **fell due in that
month** (their due date, else their trigger date), each in its state at that run, overall and
per agency. Complaints are known only through their `CMP-3.2` keys (the 15-day response, one
per complaint, triggered on the day of receipt), so a month's `complaints` are those received
in it up to the run's date, and their timeliness; channel, anonymity, corruption, outcome and
time to resolve are not stored and are not shown (they need the record files).

Counting, rounding and `--min-count` suppression are the accumulator's: each month is one
`StatsAccumulator` fed with the counts the store groups by (agency, rule, status). Only counts
and agency names leave the database; no key or subject id is ever read.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from compliance.calendar.thaidate import MONTHS_TH_ABBR, format_thai, to_be
from compliance.report.base import STATUS_TH, html_text
from compliance.report.csvout import csv_bytes
from compliance.stats.accumulator import (
    DUE_STATUSES,
    RULE_STATUSES,
    TIMELINESS_RULE,
    StatsAccumulator,
    _counts,
    _rule_block,
    suppress,
)
from compliance.stats.period import StatsPeriod
from compliance.stats.render import (
    PALETTE,
    Cell,
    Series,
    StatsTable,
    _note,
    _rate,
    _total,
    html_head,
    html_table,
    line_chart,
    render_json,
    shown_statuses,
    tables_markdown,
    tables_xlsx,
)

if TYPE_CHECKING:
    from sqlalchemy.engine import Connection

    from compliance.store.history_stats import StoredRun


@dataclass(frozen=True)
class Month:
    """One calendar month of the period, clipped to it; `key` is "2022-10"."""

    key: str
    label_th: str
    start: date
    end: date


def months_of(period: StatsPeriod) -> list[Month]:
    """The months the period touches, each clipped to the period, labelled `ต.ค. 2565`."""
    found = []
    first = period.start.replace(day=1)
    while first <= period.end:
        following = (first + timedelta(days=32)).replace(day=1)
        found.append(
            Month(
                f"{first.year:04d}-{first.month:02d}",
                f"{MONTHS_TH_ABBR[first.month]} {to_be(first.year)}",
                max(first, period.start),
                min(following - timedelta(days=1), period.end),
            )
        )
        first = following
    return found


def trend_result(
    conn: Connection, period: StatsPeriod, rule_ids: Sequence[str], min_count: int = 0
) -> dict[str, Any]:
    """The trend JSON: per month of `period` with a stored run, the statistics as of the
    month's last run (the last recorded when several share that date)."""
    from compliance.store import history_stats  # noqa: PLC0415 (SQLAlchemy only with --store)

    wanted = frozenset(rule_ids)
    last_run: dict[str, history_stats.StoredRun] = {}
    for run in history_stats.runs_between(conn, period.start, period.end):
        last_run[run.as_of.strftime("%Y-%m")] = run  # runs come by as_of, then recorded order
    months: list[dict[str, Any]] = []
    missing: list[str] = []
    for month in months_of(period):
        stored = last_run.get(month.key)
        if stored is None:
            missing.append(month.key)
            continue
        run = stored
        stats = StatsAccumulator(
            StatsPeriod(month.start, month.end, month.label_th), run.as_of, rule_ids
        )
        for agency, rule_id, status, n in history_stats.rule_counts(
            conn, run.id, month.start, month.end
        ):
            if rule_id in wanted:
                stats.rules[agency, rule_id, status] += n
        received = history_stats.timeliness_counts(
            conn, run.id, TIMELINESS_RULE, month.start, min(month.end, run.as_of)
        )
        months.append(_month_json(month, run, stats, received, min_count))
    return {
        "period": period.to_json(),
        "source": "store",
        "months": months,
        "months_without_run": missing,
    }


def _month_json(
    month: Month,
    run: StoredRun,
    stats: StatsAccumulator,
    received: Sequence[tuple[str, str, int]],
    n: int,
) -> dict[str, Any]:
    published = stats.result(n)
    overall: Counter[str] = Counter()
    per_agency: dict[str, Counter[str]] = {}
    for (agency, _rule, status), count in stats.rules.items():
        overall[status] += count
        per_agency.setdefault(agency, Counter())[status] += count
    timeliness: Counter[str] = Counter()
    agency_timeliness: dict[str, Counter[str]] = {}
    for agency, status, count in received:
        timeliness[status] += count
        agency_timeliness.setdefault(agency, Counter())[status] += count
    by_agency = {}
    for agency in sorted(per_agency.keys() | agency_timeliness.keys()):
        block = published["by_agency"].get(agency, {})
        by_agency[agency] = {
            "complaints": _complaints(agency_timeliness.get(agency, Counter()), n),
            "all_rules": _rule_block(per_agency.get(agency, Counter()), n),
            "rules": block.get("rules", {}),
        }
    return {
        "month": month.key,
        "label_th": month.label_th,
        "from": month.start.isoformat(),
        "to": month.end.isoformat(),
        "run": {"id": run.id, "as_of": run.as_of.isoformat(), "rules_digest": run.rules_digest},
        "complaints": _complaints(timeliness, n),
        "all_rules": _rule_block(overall, n),
        "rules": published["rules"],
        "by_agency": by_agency,
    }


def _complaints(timeliness: Counter[str], n: int) -> dict[str, Any]:
    """What the store tells of complaints: how many were received, and their 15-day status."""
    return {
        "received": suppress(sum(timeliness.values()), n),
        "timeliness": _counts(timeliness, RULE_STATUSES, n),
    }


# --- human formats ------------------------------------------------------------------------------


def _heading(result: Mapping[str, Any]) -> tuple[str, str]:
    title = f"แนวโน้มรายเดือน การดำเนินการตามกำหนดเวลาและเรื่องร้องเรียน {result['period']['label_th']}"
    runs = len(result["months"])
    return title, (
        f"จากประวัติการตรวจที่บันทึกไว้ {runs} เดือน · ตัวเลขของแต่ละเดือน ณ วันที่ตรวจครั้งสุดท้ายในเดือนนั้น"
    )


def _trend_note(result: Mapping[str, Any], min_count: int) -> str:
    note = (
        _note(min_count) + " · แต่ละเดือนนับรายการที่ครบกำหนดในเดือนนั้น"
        " · เรื่องร้องเรียนนับจากหน้าที่ตอบภายใน 15 วัน (CMP-3.2) ที่บันทึกไว้"
    )
    missing = result["months_without_run"]
    if missing:
        names = ", ".join(m.label_th for m in months_of(_period(result)) if m.key in missing)
        note += f" · เดือนที่ไม่มีการตรวจบันทึกไว้: {names}"
    return note


def _period(result: Mapping[str, Any]) -> StatsPeriod:
    p = result["period"]
    return StatsPeriod(date.fromisoformat(p["from"]), date.fromisoformat(p["to"]), p["label_th"])


def _as_of(month: Mapping[str, Any]) -> str:
    return format_thai(date.fromisoformat(month["run"]["as_of"]), "short")


def build_trend_tables(result: Mapping[str, Any], titles: Mapping[str, str]) -> list[StatsTable]:
    """The tables of the human formats, from the published trend."""
    months = result["months"]
    overview = StatsTable(
        "overview",
        "การดำเนินการตามกำหนดเวลารายเดือน (ทุกกฎรวมกัน)",
        ["เดือน", "ข้อมูล ณ", "ครบกำหนด", *(STATUS_TH[s] for s in DUE_STATUSES), "อัตราทันกำหนด"],
        percent=frozenset({3 + len(DUE_STATUSES)}),
    )
    for m in months:
        block = m["all_rules"]
        counts = [block.get(s, 0) for s in DUE_STATUSES]
        overview.rows.append(
            [m["label_th"], _as_of(m), _total(counts), *counts, block["on_time_rate"]]
        )
    shown = shown_statuses(m["complaints"]["timeliness"] for m in months)
    complaints = StatsTable(
        "complaints",
        "เรื่องร้องเรียนที่ได้รับรายเดือน และการดำเนินการภายใน 15 วัน (CMP-3.2)",
        ["เดือน", "ข้อมูล ณ", "ได้รับ", *(STATUS_TH[s] for s in shown), "อัตราทันกำหนด"],
        percent=frozenset({3 + len(shown)}),
    )
    for m in months:
        c = m["complaints"]
        t = c["timeliness"]
        complaints.rows.append(
            [m["label_th"], _as_of(m), c["received"], *(t.get(s, 0) for s in shown), _rate(t)]
        )
    labels = [m["label_th"] for m in months]
    rule_ids = list(months[0]["rules"]) if months else []
    rates = StatsTable(
        "rule_rates",
        "อัตราทันกำหนดรายเดือน จำแนกตามกฎ",
        ["กฎ", "ชื่อ", *labels],
        percent=frozenset(range(2, 2 + len(labels))),
    )
    for rule_id in rule_ids:
        rates.rows.append(
            [
                rule_id,
                titles.get(rule_id, ""),
                *(m["rules"][rule_id]["on_time_rate"] for m in months),
            ]
        )
    agencies = sorted({a for m in months for a in m["by_agency"]})
    offices = StatsTable(
        "agency_rates",
        "อัตราทันกำหนดรายเดือน จำแนกตามหน่วยงาน (ทุกกฎรวมกัน)",
        ["หน่วยงาน", *labels],
        percent=frozenset(range(1, 1 + len(labels))),
    )
    for agency in agencies:
        row: list[Cell] = [agency]
        for m in months:
            block = m["by_agency"].get(agency)
            row.append(block["all_rules"]["on_time_rate"] if block else None)
        offices.rows.append(row)
    statuses = shown_statuses(counts for m in months for counts in m["rules"].values())
    by_rule = StatsTable(
        "rule_counts",
        "จำนวนรายการที่ครบกำหนดในแต่ละเดือน จำแนกตามกฎและสถานะ",
        ["เดือน", "กฎ", *(STATUS_TH[s] for s in statuses), "อัตราทันกำหนด"],
        percent=frozenset({2 + len(statuses)}),
    )
    for m in months:
        for rule_id, block in m["rules"].items():
            if any(s in block for s in RULE_STATUSES):
                by_rule.rows.append(
                    [
                        m["label_th"],
                        rule_id,
                        *(block.get(s, 0) for s in statuses),
                        block["on_time_rate"],
                    ]
                )
    return [overview, complaints, rates, offices, by_rule]


def document(
    result: Mapping[str, Any], titles: Mapping[str, str], min_count: int
) -> tuple[str, str, list[StatsTable], str]:
    """Title, subtitle, tables and note: what every tabular format shows."""
    title, subtitle = _heading(result)
    return title, subtitle, build_trend_tables(result, titles), _trend_note(result, min_count)


CSV_COLUMNS = ("month", "run_as_of", "scope", "agency", "block", "rule", "key", "value")


def render_trend_csv(result: Mapping[str, Any]) -> bytes:
    """Long form: one row per figure of the JSON (UTF-8 with BOM, for Excel)."""
    rows: list[Sequence[object]] = [CSV_COLUMNS]
    period = result["period"]
    for key in ("from", "to", "label_th"):
        rows.append(("", "", "period", "", "period", "", key, period[key]))

    for m in result["months"]:
        head = (m["month"], m["run"]["as_of"])

        def blocks(scope: str, agency: str, b: Mapping[str, Any], m_head: tuple[str, str]) -> None:
            c = b["complaints"]
            rows.append((*m_head, scope, agency, "complaints", "", "received", c["received"]))
            for k, v in c["timeliness"].items():
                rows.append((*m_head, scope, agency, "timeliness", "", k, v))
            for k, v in b["all_rules"].items():
                rows.append((*m_head, scope, agency, "all_rules", "", k, v))
            for rule_id, counts in b["rules"].items():
                for k, v in counts.items():
                    rows.append((*m_head, scope, agency, "rules", rule_id, k, v))

        blocks("all", "", m, head)
        for agency, block in m["by_agency"].items():
            blocks("agency", agency, block, head)
    for key in result["months_without_run"]:
        rows.append((key, "", "all", "", "run", "", "run", ""))
    return csv_bytes(rows)


def render_trend_html(
    result: Mapping[str, Any], titles: Mapping[str, str], min_count: int
) -> bytes:
    """A self-contained Thai page (inline style and SVG, no scripts or requests), A4 print:
    the on-time rate per month as a line chart — all rules together, and each rule — then
    the tables."""
    e = html_text
    title, subtitle = _heading(result)
    tables = {t.key: t for t in build_trend_tables(result, titles)}
    by_month = {m["month"]: m for m in result["months"]}
    every = months_of(_period(result))
    labels = [m.label_th for m in every]

    def rates(pick: Any) -> list[Cell]:
        return [pick(by_month[m.key]) if m.key in by_month else None for m in every]

    series = [Series("ทุกกฎรวมกัน", rates(lambda m: m["all_rules"]["on_time_rate"]), "#1a1a1a", True)]
    rule_ids = list(result["months"][0]["rules"]) if result["months"] else []
    drawn = 0
    for rule_id in rule_ids:
        values = rates(lambda m, r=rule_id: m["rules"][r]["on_time_rate"])
        if not any(isinstance(v, int | float) for v in values):
            continue  # nothing fell due under this rule in any month: no line to draw
        colour = PALETTE[drawn % len(PALETTE)]
        series.append(Series(rule_id, values, colour, dashed=drawn >= len(PALETTE)))
        drawn += 1
    complaints = [
        Series(
            "ตอบภายใน 15 วัน (CMP-3.2)",
            rates(lambda m: _rate(m["complaints"]["timeliness"])),
            PALETTE[0],
            True,
        )
    ]
    parts = [
        *html_head(title, subtitle),
        line_chart("อัตราการดำเนินการทันกำหนดรายเดือน ทุกกฎรวมกันและจำแนกตามกฎ", labels, series),
        html_table(tables["overview"]),
        line_chart("เรื่องร้องเรียน: อัตราการดำเนินการภายใน 15 วันรายเดือน", labels, complaints),
        html_table(tables["complaints"]),
        html_table(tables["rule_rates"]),
        html_table(tables["agency_rates"]),
        html_table(tables["rule_counts"]),
        f'<p class="note">{e(_trend_note(result, min_count))}</p>',
        "</body></html>\n",
    ]
    return "\n".join(parts).encode("utf-8")


def render_trend(
    result: Mapping[str, Any], titles: Mapping[str, str], min_count: int, output_format: str
) -> bytes:
    """The trend in any byte format of `compliance stats` (all but the terminal table)."""
    if output_format == "json":
        return render_json(result)
    if output_format == "csv":
        return render_trend_csv(result)
    if output_format == "html":
        return render_trend_html(result, titles, min_count)
    if output_format == "markdown":
        return tables_markdown(*document(result, titles, min_count))
    return tables_xlsx(*document(result, titles, min_count))
