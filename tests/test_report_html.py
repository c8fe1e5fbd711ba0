"""The HTML report at scale: rows in blocks the browser lays out only when seen, each rule's
words once, explanations folded, a page for phones and for A4 paper, nothing fetched."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from compliance.cli import app
from compliance.engine.rulebook import load_rulebook
from compliance.report.html import CHUNK


def test_many_findings_make_a_light_page(tmp_path: Path) -> None:
    records = tmp_path / "many.jsonl"
    lines = [
        json.dumps(
            {
                "type": "complaint",
                "complaint_id": f"C-{i:04d}",
                "agency": "เขตหนึ่ง" if i % 2 else "เขตสอง",
                "received_at": f"2023-08-{1 + i % 28:02d}",
                "channel": "letter",
                "corruption": False,
            },
            ensure_ascii=False,
        )
        for i in range(450)
    ]
    records.write_text("\n".join(lines) + "\n", "utf-8")
    result = CliRunner().invoke(
        app, ["audit", str(records), "--as-of", "2023-09-15", "--format", "html"]
    )
    page = result.stdout
    blocks = page.split('<div class="k">')[1:]
    assert len(blocks) >= 4 and all(b.count('<tr class="f"') <= CHUNK for b in blocks)
    assert page.count('<tr class="f"') == page.count("<details>") + page.count("<td>ข้อมูล")
    rule = load_rulebook([]).by_id["CMP-3.2"]
    assert page.count(rule.citation_th) == 1  # once, in the rules section
    assert page.count('href="#r-CMP-3.2"') == page.count('data-r="CMP-3.2"')
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "@page{size:A4" in page and "counter(page)" in page
    assert "thead{display:table-header-group" in page and "break-inside:avoid" in page
    assert page.index("'Sarabun'") < page.index("sans-serif")
    assert re.search(r'<input id="q"', page) and '<select id="fs"' in page
    assert "http" not in page and "<script src" not in page
    footer = page[page.index("<footer>") :]
    assert "สร้างเมื่อ" in footer and "sha256:" in footer and "(เวลากรุงเทพฯ)" in footer
    assert "sha256:" not in page[: page.index("<footer>")]
