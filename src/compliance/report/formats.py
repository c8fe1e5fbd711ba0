"""Renderers: a report in JSON, table, CSV, Markdown, HTML or Excel."""

from __future__ import annotations

from typing import IO

from compliance.engine.rulebook import RuleBook
from compliance.report.base import Renderer
from compliance.report.csvout import CsvRenderer
from compliance.report.html import HtmlRenderer
from compliance.report.jsonout import JsonRenderer
from compliance.report.markdown import MarkdownRenderer
from compliance.report.serialise import DEFAULT_WORDS, Words
from compliance.report.table import TableRenderer
from compliance.report.xlsx import XlsxRenderer

RENDERERS: dict[str, type[Renderer]] = {
    "json": JsonRenderer,
    "table": TableRenderer,
    "csv": CsvRenderer,
    "markdown": MarkdownRenderer,
    "html": HtmlRenderer,
    "xlsx": XlsxRenderer,
}


def make_renderer(
    name: str,
    out: IO[bytes],
    show_all: bool = False,
    words: Words = DEFAULT_WORDS,
    rulebook: RuleBook | None = None,
) -> Renderer:
    """The renderer for a `--format` name (`words`: the JSON report's, SPEC §14, with the
    rules' constant words from `rulebook`; the human formats always show their words)."""
    if name == "json":
        return JsonRenderer(out, show_all, words, rulebook)
    return RENDERERS[name](out, show_all)
