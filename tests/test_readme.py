"""The README's Python example runs and prints what its comments say; its quick start commands
are the ones CI runs and print what it shows; it documents every command and the nightly job."""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import subprocess
import sys

import typer.core
import typer.main

from compliance.cli import app

from .conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")


def test_python_example_prints_what_it_says() -> None:
    block = re.search(r"```python\n(.*?)```", README, re.S)
    assert block is not None
    code = block.group(1)
    expected = [m.group(1).strip() for m in re.finditer(r"print\(.*\)\s+#\s*(.+)$", code, re.M)]
    out = io.StringIO()
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        with contextlib.redirect_stdout(out):
            exec(compile(code, "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    printed = out.getvalue().splitlines()
    assert printed == expected


def test_ci_runs_the_readme_test_command() -> None:
    command = "python3 -m pip install -e '.[test]' && python3 -m pytest"
    assert command in README
    ci = (ROOT / ".ci" / "run").read_text("utf-8")
    assert command in ci


def test_quick_start_audit_prints_what_the_readme_shows() -> None:
    """The main job of the quick start, as a user runs it after installing: exit 0, and the
    lines the README quotes (the first of the due-soon list, the summary) are the real ones."""
    line = next(ln for ln in README.splitlines() if ln.startswith("python3 -m pip install . && "))
    args = shlex.split(line.split(" && ", 1)[1])
    assert args[0] == "compliance"
    done = subprocess.run(
        [sys.executable, "-m", "compliance", *args[1:]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
        env={**os.environ, "COLUMNS": "160"},
    )
    assert done.returncode == 0, done.stderr
    printed = done.stdout.splitlines()
    assert printed[-1] in README  # the summary line
    assert printed[1] in README  # the first item due within 7 days


def test_the_command_line_section_names_every_command() -> None:
    group = typer.main.get_command(app)
    assert isinstance(group, typer.core.TyperGroup)
    names = set(group.commands)
    assert {"audit", "digest", "stats", "test", "import"} <= names
    missing = [n for n in sorted(names) if f"compliance {n} " not in README]
    assert not missing, f"README.md's command line section does not show: {missing}"


def test_nightly_job_records_history_and_writes_digests() -> None:
    """Issue #14: the README's nightly job audits into a store, then writes the digest."""
    nightly = README.split("### Running it nightly", 1)[1].split("\n## ", 1)[0]
    for form in ("#!/bin/sh", "[Service]"):
        block = nightly.split(form, 1)[1].split("```", 1)[0]
        assert "compliance audit" in block and "--store" in block
        assert "compliance digest --store" in block and "--output-dir" in block
