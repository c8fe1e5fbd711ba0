"""The README's Python example runs and prints what its comments say; its quick start commands
are the ones CI runs."""

from __future__ import annotations

import contextlib
import io
import os
import re

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
