"""Terminal table (rich), in Thai with B.E. dates; colours only when writing to a terminal."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

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
            # Cells are Text, not markup: ids and names may hold "[" (rich's markup bracket).
            table.add_row(
                Text(f.subject_id),
                Text(f"{f.rule_id} #{f.instance}"),
                Text(f"{STATUS_TH[f.status]} ({SEVERITY_TH[f.severity]})", STYLE[f.severity]),
                Text(thai_day(f.due_date)),
                Text(thai_day(f.done_on)),
                Text("" if f.days_late is None else str(f.days_late)),
                Text(citation_short(f)),
            )
        if self.shown:
            console.print(table)
        for r in self.rejects:
            rid = f" ({r.record_id})" if r.record_id else ""
            console.print(
                Text.assemble(
                    ("ปฏิเสธ", "red"), f" {r.source} บรรทัด {r.line}{rid}: {'; '.join(r.errors)}"
                )
            )
        console.print(Text(self.summary_line(summary)))
        text.detach()
