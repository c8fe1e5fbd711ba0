"""The hot path is compiled by mypyc where the build can compile (setup.py), and the compiled
modules write exactly the report the plain-Python sources write."""

from __future__ import annotations

import ast
import importlib
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path
from typing import Any

import pytest

from .conftest import FIXTURES, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate


def _hot_modules() -> tuple[str, ...]:
    """setup.py's HOT: the modules the build compiles."""
    for node in ast.parse((ROOT / "setup.py").read_text("utf-8")).body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "HOT":
            names = ast.literal_eval(node.value)
            assert isinstance(names, tuple)
            return names
    raise AssertionError("setup.py defines no HOT")


HOT = _hot_modules()


def _compiled(name: str) -> bool:
    found = importlib.import_module(f"compliance.{name}").__file__ or ""
    return found.endswith(tuple(EXTENSION_SUFFIXES))


def _compiler() -> bool:
    command = (sysconfig.get_config_var("CC") or "cc").split()[0]
    return shutil.which(command) is not None


@pytest.mark.skipif(
    bool(os.environ.get("COMPLIANCE_PURE")) or not _compiler(),
    reason="a pure-Python build was asked for (COMPLIANCE_PURE) or there is no C compiler",
)
def test_the_installed_hot_path_is_compiled() -> None:
    # A build that fell back to plain Python still works, only slower: say so loudly here.
    plain = [name for name in HOT if not _compiled(name)]
    assert not plain, f"not compiled: {plain}; see 'compliance: building without' in pip's output"


def test_compiled_modules_are_built_from_the_current_sources() -> None:
    # Compiled modules do not follow edits of their sources, even in an editable install:
    # tests would run yesterday's code. Re-run the install after editing one of them.
    package = Path(importlib.import_module("compliance").__file__ or "").parent
    stale = [
        name
        for name in HOT
        for built in (package / f"{name}{suffix}" for suffix in EXTENSION_SUFFIXES)
        if built.exists()
        and built.stat().st_mtime < (ROOT / "src" / "compliance" / f"{name}.py").stat().st_mtime
    ]
    assert not stale, f"{stale} changed since they were compiled: re-run the pip install command"


@pytest.mark.skipif(not all(map(_compiled, HOT)), reason="the installed modules are not compiled")
def test_compiled_and_plain_python_write_the_same_report(tmp_path: Path) -> None:
    plain = tmp_path / "plain" / "compliance"
    shutil.copytree(
        ROOT / "src" / "compliance", plain, ignore=shutil.ignore_patterns("*.so", "__pycache__")
    )
    shutil.copytree(ROOT / "rules", plain / "rules", ignore=shutil.ignore_patterns("__pycache__"))
    generated = tmp_path / "generated.jsonl"
    generate(3000, generated)  # every event kind, on time, late and missing
    inputs = [str(FIXTURES / "cases.jsonl"), str(FIXTURES / "complaints.jsonl"), str(generated)]
    inputs += ["--fail-on", "never"]

    def audit(plain_python: bool, as_of: str, jobs: str) -> dict[str, Any]:
        env = dict(os.environ)
        if plain_python:
            env["PYTHONPATH"] = str(plain.parent)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "compliance",
                "audit",
                *inputs,
                "--as-of",
                as_of,
                "--jobs",
                jobs,
            ],
            capture_output=True,
            env=env,
            check=True,
        )
        report: dict[str, Any] = json.loads(done.stdout)
        del report["generated_at"]
        return report

    where = subprocess.run(
        [sys.executable, "-c", "import compliance.engine as e; print(e.__file__)"],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(plain.parent)},
        check=True,
    )
    assert where.stdout.strip() == str(plain / "engine.py")
    for as_of in ("2023-03-01", "2023-09-30"):
        expected = audit(True, as_of, "1")
        assert len(expected["findings"]) > 2000  # a real comparison, not of two empty lists
        assert audit(False, as_of, "1") == expected
        assert audit(False, as_of, "2") == expected
