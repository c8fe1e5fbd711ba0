"""The shared source texts that rule packs quote (``../shared/reference/``) and the quote check.

A rule's ``text_th`` must be the law's own words: a reader compares it with the Gazette, so a
quote that drifted (an edited word, a precomposed "ำ" for the transcription's "ํา") is a bug.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from .conftest import ROOT

REFERENCE_DIR = ROOT.parent / "shared" / "reference"
ELISION = " … "


def misquoted(quotes: Iterable[tuple[str, str]], source: Path, *, exact: bool) -> list[str]:
    """The ids whose quote is not in the source text. A quote may elide with " … "; each part
    must then be in the source. ``exact=False`` compares modulo whitespace, for quotes written
    as folded YAML (which joins lines with spaces the source may not have)."""
    text = source.read_text("utf-8")
    if not exact:
        text = " ".join(text.split())
    wrong = []
    for rule_id, quote in quotes:
        parts = quote.split(ELISION)
        if not exact:
            parts = [" ".join(part.split()) for part in parts]
        if not all(part and part in text for part in parts):
            wrong.append(rule_id)
    return wrong
