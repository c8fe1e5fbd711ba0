"""The formats of `compliance stats`: JSON (SPEC §11), and tables for people — terminal,
Markdown, CSV, a printable Thai HTML page with inline SVG charts, and an xlsx workbook.

Every format is made from the published result (`StatsAccumulator.result(min_count)`) and
nothing else, so whatever was suppressed there stays suppressed here: a figure derived from
a suppressed count (a total, a rate) is itself withheld ("–") rather than recomputed.
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import orjson
from rich.console import Console
from rich.table import Table as RichTable
from rich.text import Text

from compliance.calendar.thaidate import format_thai
from compliance.report.base import STATUS_TH, html_text, visible
from compliance.report.csvout import csv_bytes
from compliance.report.markdown import md
from compliance.stats.accumulator import CHANNELS, DUE_STATUSES, OUTCOMES, RULE_STATUSES

FORMATS = ("json", "table", "markdown", "html", "csv", "xlsx")

CHANNEL_TH = {
    "hotline_1555": "สายด่วน 1555",
    "phone": "โทรศัพท์",
    "letter": "หนังสือ",
    "in_person": "ด้วยตนเอง",
    "email": "อีเมล",
    "website": "เว็บไซต์",
    "social_media": "สื่อสังคมออนไลน์",
    "traffy_fondue": "Traffy Fondue",
    "other": "อื่น ๆ",
}
OUTCOME_TH = {
    "resolved": "แก้ไขแล้ว",
    "rejected": "ไม่รับไว้พิจารณา",
    "closed": "ยุติเรื่อง",
    "in_progress": "อยู่ระหว่างดำเนินการ",
}
WITHHELD = "–"  # a figure derived from a suppressed count

Cell = int | float | str | None


@dataclass
class StatsTable:
    """One table of the human formats (one xlsx sheet). `percent` columns hold rates (0–1)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    percent: frozenset[int] = frozenset()


def _total(values: Sequence[Any]) -> Cell:
    """A sum of published counts; withheld when a suppressed count makes it uncertain."""
    hidden = [v for v in values if isinstance(v, str)]
    known = sum(v for v in values if isinstance(v, int))
    if not hidden:
        return known
    if len(hidden) == 1 and known == 0:
        return hidden[0]  # one count below N and nothing else: the sum is below N too
    return WITHHELD


def _rate(counts: Mapping[str, Any]) -> Cell:
    due = _total([counts.get(s, 0) for s in DUE_STATUSES])
    met = counts.get("met", 0)
    if not isinstance(due, int) or not isinstance(met, int):
        return WITHHELD
    return round(met / due, 4) if due else None


def shown_statuses(blocks: Iterable[Mapping[str, Any]]) -> list[str]:
    """The status columns of a table: met, late and overdue always, the others when some
    block has them (a status no block has would be a column of zeros)."""
    found = {s for block in blocks for s in block}
    return [s for s in RULE_STATUSES if s in found or s in DUE_STATUSES[:3]]


def build_tables(result: Mapping[str, Any], titles: Mapping[str, str]) -> list[StatsTable]:
    """The tables every human format shows, from the published result."""
    c = result["complaints"]
    co = c["corruption_only"]
    both = ["ทั้งหมด", "เฉพาะเรื่องทุจริต"]
    summary = StatsTable("summary", "สรุปเรื่องร้องเรียน", ["รายการ", *both])
    summary.rows = [
        ["เรื่องร้องเรียนที่ได้รับ", c["received"], co["received"]],
        ["ไม่ระบุชื่อหรือที่อยู่ผู้ร้อง", c["anonymous"], None],
        ["เรื่องร้องเรียนการทุจริตและประพฤติมิชอบ", c["corruption"], co["received"]],
        [
            "ดำเนินการแล้วเสร็จ",
            _total([c["outcome"].get(o, 0) for o in OUTCOMES[:3]]),
            _total([co["outcome"].get(o, 0) for o in OUTCOMES[:3]]),
        ],
        [
            "อยู่ระหว่างดำเนินการ",
            c["outcome"].get("in_progress", 0),
            co["outcome"].get("in_progress", 0),
        ],
        ["ระยะเวลาแก้ไข (มัธยฐาน, วัน)", c["median_days_to_resolve"], co["median_days_to_resolve"]],
    ]
    channels = StatsTable("channels", "เรื่องร้องเรียนจำแนกตามช่องทาง", ["ช่องทาง", *both])
    channels.rows = [
        [CHANNEL_TH[k], c["by_channel"].get(k, 0), co["by_channel"].get(k, 0)] for k in CHANNELS
    ]
    outcome = StatsTable("outcome", "ผลการดำเนินการเรื่องร้องเรียน", ["ผล", *both])
    outcome.rows = [
        [OUTCOME_TH[k], c["outcome"].get(k, 0), co["outcome"].get(k, 0)] for k in OUTCOMES
    ]
    timeliness = StatsTable("timeliness", "การดำเนินการภายใน 15 วัน (CMP-3.2)", ["สถานะ", *both])
    shown = shown_statuses([c["timeliness"]])
    timeliness.rows = [
        [STATUS_TH[s], c["timeliness"].get(s, 0), co["timeliness"].get(s, 0)] for s in shown
    ]
    statuses = shown_statuses(result["rules"].values())
    rules = StatsTable(
        "rules",
        "การดำเนินการตามกำหนดเวลา จำแนกตามกฎ (ครบกำหนดในช่วงเวลา)",
        ["กฎ", "ชื่อ", *(STATUS_TH[s] for s in statuses), "อัตราทันกำหนด"],
        percent=frozenset({2 + len(statuses)}),
    )
    for rule_id, counts in result["rules"].items():
        rules.rows.append(
            [
                rule_id,
                titles.get(rule_id, ""),
                *(counts.get(s, 0) for s in statuses),
                counts["on_time_rate"],
            ]
        )
    agencies = StatsTable(
        "agency_complaints",
        "เรื่องร้องเรียนจำแนกตามหน่วยงาน",
        [
            "หน่วยงาน",
            "ได้รับ",
            "ทุจริต",
            "ไม่ระบุตัวผู้ร้อง",
            *(OUTCOME_TH[o] for o in OUTCOMES),
            "ทันกำหนด 15 วัน",
            "มัธยฐาน (วัน)",
        ],
    )
    offices = StatsTable(
        "agency_rules",
        "การดำเนินการตามกำหนดเวลา จำแนกตามหน่วยงาน (ทุกกฎรวมกัน)",
        ["หน่วยงาน", *(STATUS_TH[s] for s in DUE_STATUSES), "อัตราทันกำหนด"],
        percent=frozenset({1 + len(DUE_STATUSES)}),
    )
    for agency, block in result["by_agency"].items():
        a = block["complaints"]
        agencies.rows.append(
            [
                agency,
                a["received"],
                a["corruption"],
                a["anonymous"],
                *(a["outcome"].get(o, 0) for o in OUTCOMES),
                a["timeliness"].get("met", 0),
                a["median_days_to_resolve"],
            ]
        )
        sums = {s: _total([r.get(s, 0) for r in block["rules"].values()]) for s in DUE_STATUSES}
        offices.rows.append([agency, *(sums[s] for s in DUE_STATUSES), _rate(sums)])
    return [summary, channels, outcome, timeliness, rules, agencies, offices]


def _text(value: Cell, percent: bool = False) -> str:
    """A cell for people: counts with thousands separators, rates in per cent."""
    if value is None:
        return WITHHELD if not percent else "ไม่มี"
    if isinstance(value, str):
        return value
    if percent:
        return f"{value * 100:.2f}%"
    if isinstance(value, float):
        return f"{value:.1f}"
    return f"{value:,}"


def _heading(result: Mapping[str, Any]) -> tuple[str, str]:
    period = result["period"]
    as_of = format_thai(date.fromisoformat(result["as_of"]))
    return f"สถิติเรื่องร้องเรียนและการดำเนินการตามกำหนดเวลา {period['label_th']}", (f"ข้อมูล ณ วันที่ {as_of}")


def _note(min_count: int) -> str:
    base = (
        "นับเฉพาะจำนวน ไม่มีข้อมูลระบุตัวบุคคล · อัตราทันกำหนด = ทันกำหนด ÷ (ทันกำหนด + ล่าช้า "
        "+ เลยกำหนด + ไม่ได้ดำเนินการ + ไม่เป็นไปตามเงื่อนไข) ของรายการที่ครบกำหนดในช่วงเวลา"
    )
    if min_count > 0:
        base += (
            f" · จำนวนที่น้อยกว่า {min_count} แสดงเป็น “<{min_count}” และค่าที่คำนวณจากจำนวนดังกล่าว"
            f"แสดงเป็น “{WITHHELD}” หรือ “<{min_count}”"
        )
    return base


# --- JSON, CSV -----------------------------------------------------------------------------


def render_json(result: Mapping[str, Any]) -> bytes:
    """SPEC §11's JSON, UTF-8, indented."""
    return orjson.dumps(result, option=orjson.OPT_INDENT_2) + b"\n"


CSV_COLUMNS = ("scope", "agency", "block", "rule", "key", "value")


def render_csv(result: Mapping[str, Any]) -> bytes:
    """Long form: one row per figure of the JSON (scope all / corruption_only / agency)."""
    rows: list[Sequence[object]] = [CSV_COLUMNS]
    period = result["period"]
    for key, value in (
        ("from", period["from"]),
        ("to", period["to"]),
        ("label_th", period["label_th"]),
        ("as_of", result["as_of"]),
        ("rules_digest", result["rules_digest"]),
    ):
        rows.append(("period", "", "period", "", key, value))

    def complaints(scope: str, agency: str, block: Mapping[str, Any]) -> None:
        for key, value in block.items():
            if isinstance(value, dict):
                if key == "corruption_only":
                    continue
                for sub, count in value.items():
                    rows.append((scope, agency, key, "", sub, count))
            else:
                rows.append((scope, agency, "complaints", "", key, value))

    def rules(scope: str, agency: str, block: Mapping[str, Any]) -> None:
        for rule_id, counts in block.items():
            for key, value in counts.items():
                rows.append((scope, agency, "rules", rule_id, key, value))

    complaints("all", "", result["complaints"])
    complaints("corruption_only", "", result["complaints"]["corruption_only"])
    rules("all", "", result["rules"])
    for agency, block in result["by_agency"].items():
        complaints("agency", agency, block["complaints"])
        rules("agency", agency, block["rules"])
    return csv_bytes(rows)


def _csv(value: Cell) -> str:
    return "" if value is None else str(value)


# --- terminal table, Markdown --------------------------------------------------------------


def render_table(
    result: Mapping[str, Any],
    titles: Mapping[str, str],
    min_count: int,
    terminal: bool,
    width: int | None,
) -> str:
    """The tables for a terminal (rich); plain text when not writing to one."""
    title, as_of = _heading(result)
    return tables_text(
        title, as_of, build_tables(result, titles), _note(min_count), terminal, width
    )


def tables_text(
    title: str,
    subtitle: str,
    tables: Sequence[StatsTable],
    note: str,
    terminal: bool,
    width: int | None,
) -> str:
    """Tables under a heading for a terminal (rich); plain text when not writing to one."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=terminal,
        no_color=not terminal,
        width=width or 160,
        highlight=False,
    )
    console.print(Text(title, style="bold"))
    console.print(Text(subtitle))
    for table in tables:
        rich = RichTable(title=table.title, title_justify="left")
        for i, column in enumerate(table.columns):
            left = i == 0 or column == "ชื่อ"
            rich.add_column(column, justify="left" if left else "right", overflow="fold")
        for row in table.rows:
            rich.add_row(*(Text(visible(_text(v, i in table.percent))) for i, v in enumerate(row)))
        console.print(rich)
    console.print(Text(note))
    return buffer.getvalue()


def render_markdown(result: Mapping[str, Any], titles: Mapping[str, str], min_count: int) -> bytes:
    """GitHub-flavoured Markdown: a heading per table."""
    title, as_of = _heading(result)
    return tables_markdown(title, as_of, build_tables(result, titles), _note(min_count))


def tables_markdown(title: str, subtitle: str, tables: Sequence[StatsTable], note: str) -> bytes:
    """Tables under a heading as GitHub-flavoured Markdown."""
    lines = [f"# {title}", "", subtitle, ""]
    for table in tables:
        lines += [f"## {table.title}", ""]
        lines.append("| " + " | ".join(md(c) for c in table.columns) + " |")
        aligns = ["---" if i == 0 or c == "ชื่อ" else "---:" for i, c in enumerate(table.columns)]
        lines.append("| " + " | ".join(aligns) + " |")
        for row in table.rows:
            cells = (md(_text(v, i in table.percent)) for i, v in enumerate(row))
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    lines += [f"_{md(note)}_", ""]
    return "\n".join(lines).encode("utf-8")


# --- HTML with SVG charts --------------------------------------------------------------------

STYLE = """
@page{size:A4;margin:15mm 12mm}
body{font-family:'Sarabun','TH Sarabun New','Noto Sans Thai','Loma','Tahoma',sans-serif;
margin:1.5rem;color:#1a1a1a;font-size:11pt;line-height:1.4}
h1{font-size:16pt;margin:0 0 .3rem}h2{font-size:13pt;margin:1.2rem 0 .4rem}
p.meta{margin:.1rem 0;color:#333}
table{border-collapse:collapse;margin:.4rem 0 1rem;width:100%}
th,td{border:1px solid #999;padding:.2rem .45rem;vertical-align:top}
th{background:#e8eef5;text-align:center;font-weight:600;font-size:9.5pt}th.w{min-width:13em}td.n{text-align:right;white-space:nowrap}
thead{display:table-header-group}tr{break-inside:avoid;page-break-inside:avoid}
figure{margin:.6rem 0 1rem;break-inside:avoid;page-break-inside:avoid}
figcaption{font-weight:600;margin-bottom:.2rem}svg{max-width:100%;height:auto}
svg text{font-family:'Sarabun','TH Sarabun New','Noto Sans Thai','Loma','Tahoma',sans-serif}
section.charts{display:block}p.note{font-size:9pt;color:#444}
@media print{body{margin:0}h2{break-after:avoid;page-break-after:avoid}}
"""


def _bar_chart(caption: str, items: Sequence[tuple[str, Cell]], percent: bool, colour: str) -> str:
    """A horizontal bar chart as inline SVG: a label, a bar and its value per item; an item
    without a number (withheld or none) gets its text and no bar."""
    label_w, bar_w, row_h, pad = 330, 290, 22, 6
    width = label_w + bar_w + 80
    height = pad * 2 + row_h * max(1, len(items))
    numbers = [v for _, v in items if isinstance(v, int | float) and not isinstance(v, bool)]
    top = 1.0 if percent else max([*numbers, 1])
    e = html_text
    parts = [
        f"<figure><figcaption>{e(caption)}</figcaption>"
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{e(caption)}">'
    ]
    for i, (label, value) in enumerate(items):
        y = pad + i * row_h
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 15}" font-size="12" text-anchor="end">'
            f"{e(_short(label))}</text>"
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="{row_h - 6}" fill="#f1f1f1"/>'
        )
        if isinstance(value, int | float) and not isinstance(value, bool):
            length = round(bar_w * value / top, 1) if top else 0
            parts.append(
                f'<rect x="{label_w}" y="{y + 3}" width="{length}" height="{row_h - 6}" '
                f'fill="{colour}"/>'
            )
        parts.append(
            f'<text x="{label_w + bar_w + 6}" y="{y + 15}" font-size="12">'
            f"{e(_text(value, percent))}</text>"
        )
    parts.append("</svg></figure>")
    return "".join(parts)


def _short(label: str, room: int = 40) -> str:
    """A chart label that fits its column: Thai vowel and tone marks take no width."""
    width = 0
    for i, char in enumerate(label):
        width += 0 if unicodedata.category(char) == "Mn" else 1
        if width > room:
            return label[:i].rstrip() + "…"
    return label


def html_head(title: str, subtitle: str) -> list[str]:
    """The start of a statistics page, up to its heading: the house style inline."""
    e = html_text
    return [
        "<!DOCTYPE html>",
        '<html lang="th"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f'<p class="meta">{e(subtitle)}</p>',
    ]


def html_table(table: StatsTable) -> str:
    """One table with its heading; numbers right-aligned, the header repeated on each page."""
    e = html_text
    parts = [f"<h2>{e(table.title)}</h2><table><thead><tr>"]
    for i, col in enumerate(table.columns):
        wide = ' class="w"' if i == 0 or col == "ชื่อ" else ""
        parts.append(f"<th{wide}>{e(col)}</th>")
    parts.append("</tr></thead><tbody>")
    for row in table.rows:
        cells = []
        for i, v in enumerate(row):
            kind = ' class="n"' if i > 0 and table.columns[i] != "ชื่อ" else ""
            cells.append(f"<td{kind}>{e(_text(v, i in table.percent))}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def render_html(result: Mapping[str, Any], titles: Mapping[str, str], min_count: int) -> bytes:
    """A self-contained page (no scripts, no requests) that prints on A4."""
    e = html_text
    title, as_of = _heading(result)
    tables = {t.key: t for t in build_tables(result, titles)}
    c = result["complaints"]
    charts = [
        _bar_chart(
            "เรื่องร้องเรียนจำแนกตามช่องทาง",
            [(CHANNEL_TH[k], c["by_channel"].get(k, 0)) for k in CHANNELS],
            False,
            "#2f6fa8",
        ),
        _bar_chart(
            "ผลการดำเนินการเรื่องร้องเรียน",
            [(OUTCOME_TH[k], c["outcome"].get(k, 0)) for k in OUTCOMES],
            False,
            "#3c8d5a",
        ),
        _bar_chart(
            "อัตราการดำเนินการทันกำหนด จำแนกตามกฎ",
            [(r, v["on_time_rate"]) for r, v in result["rules"].items()],
            True,
            "#a8632f",
        ),
        _bar_chart(
            "อัตราการดำเนินการทันกำหนด จำแนกตามหน่วยงาน",
            [(str(row[0]), row[-1]) for row in tables["agency_rules"].rows],
            True,
            "#7a4fa0",
        ),
    ]
    parts = [
        *html_head(title, as_of),
        f'<p class="meta"><small>ชุดกฎ {e(str(result["rules_digest"]))}</small></p>',
    ]

    def table_html(table: StatsTable) -> None:
        parts.append(html_table(table))

    for key in ("summary", "channels"):
        table_html(tables[key])
    parts.append(charts[0])
    table_html(tables["outcome"])
    parts.append(charts[1])
    table_html(tables["timeliness"])
    table_html(tables["rules"])
    parts.append(charts[2])
    table_html(tables["agency_complaints"])
    table_html(tables["agency_rules"])
    parts.append(charts[3])
    parts.append(f'<p class="note">{e(_note(min_count))}</p>')
    parts.append("</body></html>\n")
    return "\n".join(parts).encode("utf-8")


# --- xlsx --------------------------------------------------------------------------------------


def render_xlsx(result: Mapping[str, Any], titles: Mapping[str, str], min_count: int) -> bytes:
    """One sheet per table; counts as numbers, rates as numbers in per-cent format, "<N" as
    text."""
    title, as_of = _heading(result)
    subtitle = f"{result['period']['label_th']} · {as_of}"
    return tables_xlsx(title, subtitle, build_tables(result, titles), _note(min_count))


def tables_xlsx(title: str, subtitle: str, tables: Sequence[StatsTable], note: str) -> bytes:
    """One sheet per table (named by its key); counts as numbers, rates as numbers in
    per-cent format, "<N" as text."""
    import xlsxwriter  # type: ignore[import-untyped]  # noqa: PLC0415 (only for xlsx)

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    bold = book.add_format({"bold": True})
    header = book.add_format({"bold": True, "bg_color": "#E8EEF5", "border": 1, "text_wrap": True})
    number = book.add_format({"border": 1, "num_format": "#,##0"})
    decimal = book.add_format({"border": 1, "num_format": "0.0"})
    percent = book.add_format({"border": 1, "num_format": "0.00%"})
    text = book.add_format({"border": 1, "align": "right"})
    label = book.add_format({"border": 1})
    for table in tables:
        sheet = book.add_worksheet(table.key)
        sheet.write_string(0, 0, table.title, bold)
        sheet.write_string(1, 0, subtitle)
        for col, name in enumerate(table.columns):
            sheet.write_string(3, col, name, header)
            sheet.set_column(col, col, 36 if col == 0 or name == "ชื่อ" else 14)
        for r, row in enumerate(table.rows, start=4):
            for col, value in enumerate(row):
                if isinstance(value, bool) or value is None:
                    sheet.write_blank(r, col, None, label)
                elif isinstance(value, int):
                    sheet.write_number(r, col, value, number)
                elif isinstance(value, float):
                    fmt = percent if col in table.percent else decimal
                    sheet.write_number(r, col, value, fmt)
                elif col == 0 or table.columns[col] == "ชื่อ":
                    sheet.write_string(r, col, value, label)
                else:
                    sheet.write_string(r, col, value, text)
        sheet.freeze_panes(4, 1)
        sheet.write_string(len(table.rows) + 5, 0, note)
    book.set_properties({"title": title})
    book.close()
    return buffer.getvalue()


Renderer = Callable[[Mapping[str, Any], Mapping[str, str], int], bytes]
BYTE_RENDERERS: dict[str, Renderer] = {
    "json": lambda result, titles, n: render_json(result),
    "csv": lambda result, titles, n: render_csv(result),
    "markdown": render_markdown,
    "html": render_html,
    "xlsx": render_xlsx,
}


# --- line chart (trends) -----------------------------------------------------------------------

PALETTE = (
    "#2f6fa8", "#a8632f", "#3c8d5a", "#7a4fa0", "#b23b3b", "#2a9d9d",
    "#c18a00", "#6b6b6b", "#d1609a", "#4b5fc1", "#7f8f2a", "#8c5a3c",
)  # fmt: skip


@dataclass(frozen=True)
class Series:
    """One line of a chart: a name, a value per x label (a rate 0–1, or a cell without a
    number, which leaves a gap), a colour; `bold` for the line that sums the others."""

    name: str
    values: Sequence[Cell]
    colour: str
    bold: bool = False
    dashed: bool = False


def _number(value: Cell) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


def line_chart(caption: str, labels: Sequence[str], series: Sequence[Series]) -> str:
    """Rates (0–100 %) over `labels` as an inline SVG line chart with a legend. A value that is
    not a number (none due, withheld) breaks its line rather than being drawn as zero."""
    left, right, top, plot_h, axis_h = 52, 24, 22, 220, 44
    step = max(58, min(90, 660 // max(1, len(labels))))
    plot_w = step * max(1, len(labels) - 1) if len(labels) > 1 else step
    per_row, item_w, item_h = 4, 180, 20
    legend_rows = -(-len(series) // per_row)
    width = max(left + plot_w + right, per_row * item_w + left)
    height = top + plot_h + axis_h + legend_rows * item_h + 8
    e = html_text

    def x(i: int) -> float:
        return left + (step * i if len(labels) > 1 else plot_w / 2)

    def y(rate: float) -> float:
        return round(top + plot_h * (1 - rate), 1)

    parts = [
        f"<figure><figcaption>{e(caption)}</figcaption>"
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{e(caption)}">'
    ]
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(
            f'<line x1="{left}" y1="{y(tick)}" x2="{left + plot_w}" y2="{y(tick)}" '
            f'stroke="{"#999" if tick == 0 else "#e3e3e3"}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y(tick) + 4}" font-size="11" text-anchor="end">'
            f"{round(tick * 100)}%</text>"
        )
    for i, label in enumerate(labels):
        month, _, year = label.partition(" ")  # "ต.ค. 2565": the year on a second line
        parts.append(
            f'<text x="{x(i)}" y="{top + plot_h + 17}" font-size="11" text-anchor="middle">'
            f'{e(month)}<tspan x="{x(i)}" dy="14">{e(year)}</tspan></text>'
        )
    for line in sorted(series, key=lambda s: s.bold):  # the bold line on top
        stroke = 3 if line.bold else 1.6
        dash = ' stroke-dasharray="5 3"' if line.dashed else ""
        runs: list[list[tuple[float, float]]] = [[]]
        for i, value in enumerate(line.values):
            rate = _number(value)
            if rate is None:
                runs.append([])
            else:
                runs[-1].append((x(i), y(rate)))
        for points in runs:
            if len(points) > 1:
                path = " ".join(f"{px},{py}" for px, py in points)
                parts.append(
                    f'<polyline points="{path}" fill="none" stroke="{line.colour}" '
                    f'stroke-width="{stroke}"{dash}/>'
                )
            for px, py in points:
                parts.append(
                    f'<circle cx="{px}" cy="{py}" r="{3.5 if line.bold else 2.5}" '
                    f'fill="{line.colour}"/>'
                )
        if line.bold:  # the summary line carries its values
            for i, value in enumerate(line.values):
                rate = _number(value)
                if rate is not None:
                    parts.append(
                        f'<text x="{x(i)}" y="{y(rate) - 8}" font-size="10.5" font-weight="600" '
                        f'text-anchor="middle">{e(_text(value, True))}</text>'
                    )
    legend_top = top + plot_h + axis_h
    for n, line in enumerate(series):
        lx = left + (n % per_row) * item_w
        ly = legend_top + (n // per_row) * item_h + 10
        dash = ' stroke-dasharray="5 3"' if line.dashed else ""
        weight = ' font-weight="600"' if line.bold else ""
        parts.append(
            f'<line x1="{lx}" y1="{ly}" x2="{lx + 22}" y2="{ly}" stroke="{line.colour}" '
            f'stroke-width="{3 if line.bold else 2}"{dash}/>'
            f'<text x="{lx + 28}" y="{ly + 4}" font-size="11"{weight}>'
            f"{e(_short(line.name, 24))}</text>"
        )
    parts.append("</svg></figure>")
    return "".join(parts)
