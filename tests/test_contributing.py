"""CONTRIBUTING.md stays true to the code: each "how to add" recipe names the files a developer
must touch — and the code still defines there what the recipe says it does — every path it
names exists, its layout table has a row for every module, and every dotted name the docs give
(`compliance.x.y`) still resolves."""

from __future__ import annotations

import importlib
import re

import pytest

from .conftest import ROOT

CONTRIBUTING = (ROOT / "CONTRIBUTING.md").read_text("utf-8")
PACKAGE = ROOT / "src" / "compliance"

# Per recipe: the files it must name, each with a name the code defines there and the recipe
# tells the developer to change (so moving the name breaks this test, not the recipe's reader).
RECIPES: dict[str, list[tuple[str, str]]] = {
    "(a) A rule pack with new event kinds": [
        ("rules/<pack>/<pack>.yaml", ""),
        ("rules/<pack>/tests/*.yaml", ""),
        ("src/compliance/records/case.py", "CASE_EVENTS"),
        ("src/compliance/engine/rulebook.py", "Scope"),
        ("src/compliance/engine/judge.py", "_plan_for"),
    ],
    "(b) A record type": [
        ("src/compliance/records/<type>.py", ""),
        ("src/compliance/records/__init__.py", "REGISTRY"),
        ("src/compliance/records/common.py", "RecordType"),
        ("src/compliance/records/readers.py", "field_names"),
        ("src/compliance/report/base.py", "SUBJECT_TH"),
        ("src/compliance/engine/rulebook.py", "Scope"),
        ("src/compliance/cli.py", "SCHEMAS"),
        ("src/compliance/importers/mapping.py", "MODELS"),
    ],
    "(c) An output format": [
        ("src/compliance/report/<format>.py", ""),
        ("src/compliance/report/formats.py", "RENDERERS"),
        ("src/compliance/report/base.py", "CollectingRenderer"),
        ("tests/test_cli.py", "FORMATS"),
    ],
    "(d) A sink": [
        ("src/compliance/pipeline/sinks.py", "Sink"),
        ("src/compliance/pipeline/sinks.py", "RecordSink"),
        ("src/compliance/cli.py", "audit_command"),
        ("src/compliance/errors.py", "AuditFailedError"),
    ],
}


def _section(title: str) -> str:
    match = re.search(rf"^### {re.escape(title)}\n(.*?)(?=^##)", CONTRIBUTING, re.S | re.M)
    assert match is not None, f"CONTRIBUTING.md has no section '### {title}'"
    return match.group(1)


def _defines(path: str, name: str) -> bool:
    source = (ROOT / path).read_text("utf-8")
    pattern = rf"^\s*(class |def )?{re.escape(name)}\b"
    return re.search(pattern, source, re.M) is not None


@pytest.mark.parametrize("title", list(RECIPES))
def test_each_recipe_names_the_files_to_touch(title: str) -> None:
    section = _section(title)
    files_part = section.split("Files to touch:", 1)
    assert len(files_part) == 2, f"{title}: no 'Files to touch:' list"
    for path, name in RECIPES[title]:
        assert f"`{path}`" in files_part[1], f"{title}: does not name {path}"
        if name:
            assert _defines(path, name), f"{path} no longer defines {name}: update the recipe"
            assert name in section, f"{title}: does not say what to change ({name}) in {path}"


def _named_paths() -> list[str]:
    """Every inline-code span outside code blocks that is a repository path."""
    prose = re.sub(r"^```.*?^```", "", CONTRIBUTING, flags=re.S | re.M)
    paths = []
    for span in re.findall(r"`([^`\n]+)`", prose):
        if any(c in span for c in " <>*…|()") or span.startswith(("../", "/", "~")):
            continue  # a command, a placeholder, a glob, or outside the repository
        if span.startswith(".") and "/" not in span:
            continue  # a file extension (`.jsonl`)
        if "/" in span or re.search(r"\.(py|ya?ml|md|toml|jsonl?|mako)$", span):
            paths.append(span)
    return paths


def test_every_path_it_names_exists() -> None:
    paths = _named_paths()
    assert len(paths) > 80  # the layout table alone names that many
    missing = [
        p for p in paths if not (ROOT / p).exists() and not (PACKAGE / p).exists()
    ]  # a bare module name (`audit.py`, `report/words.py`) is under src/compliance
    assert not missing, f"CONTRIBUTING.md names paths that do not exist: {missing}"


def test_the_layout_has_a_row_for_every_module() -> None:
    first_cells = re.findall(r"^\| ([^|]+) \|", CONTRIBUTING, re.M)
    rows = {path.strip("` ") for cell in first_cells for path in cell.split(",")}
    modules = sorted(
        str(p.relative_to(ROOT))
        for p in PACKAGE.rglob("*.py")
        if p.read_text("utf-8").strip()  # empty package markers need no row
    )
    missing = [m for m in modules if m not in rows]
    assert not missing, f"add a row for each to CONTRIBUTING.md's layout table: {missing}"


DOTTED = re.compile(r"`(compliance(?:\.\w+)+)")


def _resolves(dotted: str) -> bool:
    """Whether `compliance.x.y…` names a module, or something in one, that exists now."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        for name in parts[cut:]:
            if not hasattr(found, name):
                return False
            found = getattr(found, name)
        return True
    return False


def test_every_dotted_name_the_docs_give_exists() -> None:
    # The docs name modules and functions (`compliance.report.formats.make_renderer`); a module
    # moved or renamed must take the docs with it.
    docs = [ROOT / "README.md", ROOT / "CONTRIBUTING.md", *sorted((ROOT / "docs").glob("*.md"))]
    stale = [
        f"{doc.name}: {name}"
        for doc in docs
        for name in dict.fromkeys(DOTTED.findall(doc.read_text(encoding="utf-8")))
        if not _resolves(name)
    ]
    assert not stale, stale
