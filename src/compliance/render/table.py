"""Terminal table (rich), in Thai with B.E. dates; colours only when writing to a terminal."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.table import Table

from compliance.messages import citation_short
from compliance.render.base import SEVERITY_TH, STATUS_TH, CollectingRenderer, thai_day

STYLE = {"violation": "bold red", "advisory": "magenta", "warning": "yellow", "info": "green"}


class TableRenderer(CollectingRenderer):
    """Findings that need action (or all) as a table, then rejections and the summary."""

    def finish(self, summary: dict[str, Any]) -> None:
        text = io.TextIOWrapper(self.out, encoding="utf-8", write_through=True)
        terminal = text.isatty()
        console = Console(
            file=text,
            force_terminal=terminal,
            no_color=not terminal,
            width=None if terminal else 180,
            highlight=False,
        )
        table = Table(title="ผลการตรวจกำหนดเวลา", show_lines=False)
        for column in ("เรื่อง", "กฎ", "สถานะ", "ครบกำหนด", "ดำเนินการ", "ช้า", "ข้อกำหนด"):
            table.add_column(column, overflow="fold")
        for f in self.shown:
            table.add_row(
                f.subject_id,
                f"{f.rule_id} #{f.instance}",
                f"[{STYLE[f.severity]}]{STATUS_TH[f.status]} ({SEVERITY_TH[f.severity]})[/]",
                thai_day(f.due_date),
                thai_day(f.done_on),
                "" if f.days_late is None else str(f.days_late),
                citation_short(f),
            )
        if self.shown:
            console.print(table)
        for r in self.rejects:
            rid = f" ({r.record_id})" if r.record_id else ""
            console.print(
                f"[red]ปฏิเสธ[/] {r.source} บรรทัด {r.line}{rid}: {'; '.join(r.errors)}", markup=True
            )
        console.print(self.summary_line(summary))
        text.detach()
