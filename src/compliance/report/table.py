"""Terminal table (rich), in Thai with B.E. dates; colours only when writing to a terminal.

Rejected records first (they were not audited), what falls due in the next 7 days, then the
findings most urgent first with a section per urgency group, and the summary line."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console
from rich.text import Text

from compliance.report.base import UPCOMING_TH, CollectingRenderer, thai_day, visible
from compliance.report.terminal import (
    ThaiCell,
    finding_cells,
    finding_table,
    fit_columns,
    para,
)
from compliance.report.words import GROUP_TH, left_th, reason_th, rule_ref, urgency_group


class TableRenderer(CollectingRenderer):
    """Findings that need action (or all) as a table, most urgent first."""

    def finish(self, summary: dict[str, Any]) -> None:
        text = io.TextIOWrapper(self.out, encoding="utf-8", write_through=True)
        terminal = text.isatty()
        console = Console(
            file=text,
            force_terminal=terminal,
            no_color=not terminal,
            width=None if terminal else 180,
            highlight=False,
            markup=False,
            emoji=False,
        )
        as_of = self.as_of()
        for r in self.rejects:
            rid = f" ({r.record_id})" if r.record_id else ""
            reasons = "; ".join(reason_th(e) for e in r.errors)
            console.print(
                Text.assemble(
                    ("ปฏิเสธ", "bold red"), " ", visible(f"{r.source} บรรทัด {r.line}{rid}")
                ),
                para(f"  {reasons}"),
            )
        upcoming = self.upcoming_ordered()
        if upcoming:
            console.print(Text(UPCOMING_TH, style="bold"))
            if self.upcoming_note():
                console.print(para(self.upcoming_note()))
            for f in upcoming:
                console.print(
                    para(
                        f"  {thai_day(f.due_date)} ({left_th(f, as_of)}) {f.subject_id} "
                        f"{rule_ref(f)} · {f.agency}"
                    )
                )
        if self.shown:
            table, layout = finding_table(console.width)
            group = ""
            for f in self.ordered():
                if urgency_group(f) != group:
                    if group:
                        table.add_section()
                    group = urgency_group(f)
                    table.add_row(ThaiCell(f"— {GROUP_TH[group]}", "bold"))
                table.add_row(*finding_cells(f, as_of, layout))
            fit_columns(table, console)
            console.print(table)
        console.print(para(self.summary_line(summary)))
        text.detach()
