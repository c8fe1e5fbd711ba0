"""Renderers: a report in JSON, table, CSV, Markdown, HTML or Excel."""

from __future__ import annotations

from typing import IO

from compliance.render.base import Renderer
from compliance.render.csvout import CsvRenderer
from compliance.render.html import HtmlRenderer
from compliance.render.jsonout import JsonRenderer
from compliance.render.markdown import MarkdownRenderer
from compliance.render.table import TableRenderer
from compliance.render.xlsx import XlsxRenderer

RENDERERS: dict[str, type[Renderer]] = {
    "json": JsonRenderer,
    "table": TableRenderer,
    "csv": CsvRenderer,
    "markdown": MarkdownRenderer,
    "html": HtmlRenderer,
    "xlsx": XlsxRenderer,
}


def make_renderer(name: str, out: IO[bytes], show_all: bool = False) -> Renderer:
    """The renderer for a `--format` name."""
    return RENDERERS[name](out, show_all)
