"""The JSON report is a contract (SPEC §7, §14): the same inputs and as_of give the same bytes,
with one process or two, release after release. These digests pin the findings, rejections and
summary of the fixtures and of 100,000 generated records (the header — generated_at, package
versions — aside). A change that alters them must be one the SPEC asks for: update the digest
in the same commit and say why in its message."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import FIXTURES, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate

PINNED = {
    "fixtures": "57644fe02c4ca290d668c84fbc36c9c665898d4967d54778593e66836deb3f65",
    "kk2565": "d17084a887e7a13397a8c7fc55744fc46e7567e842fcef42b83cb8c29f1710c4",
    "generated-100k": "115cff18cfb3c98169bea2e54b855b08641dbd12964c5513c71964bd295774d6",
}
START = b'\n"findings": ['


def report_digest(*args: str) -> tuple[int, str]:
    """The sha256 of a report from its findings on, streamed (a 100k report is ~300 MB)."""
    process = subprocess.Popen(
        [sys.executable, "-m", "compliance", "audit", *args, "--format", "json"],
        stdout=subprocess.PIPE,
    )
    assert process.stdout is not None
    digest, head, found = hashlib.sha256(), b"", False
    for chunk in iter(lambda: process.stdout.read(1 << 20), b""):  # type: ignore[union-attr]
        if found:
            digest.update(chunk)
            continue
        head += chunk
        at = head.find(START)
        if at >= 0:
            found = True
            digest.update(head[at:])
    return process.wait(), digest.hexdigest()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pinned") / "records.jsonl"
    generate(100_000, path)
    return path


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_fixtures_report_is_pinned(jobs: str) -> None:
    inputs = [str(FIXTURES / "cases.jsonl"), str(FIXTURES / "complaints.jsonl")]
    code, digest = report_digest(*inputs, "--as-of", "2023-09-15", "--jobs", jobs)
    assert code == 1 and digest == PINNED["fixtures"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_the_kk2565_report_is_pinned(jobs: str) -> None:
    inputs = [str(FIXTURES / "cases.jsonl"), str(FIXTURES / "cases-kk2565.jsonl")]
    code, digest = report_digest(*inputs, "--as-of", "2023-11-01", "--pack", "all", "--jobs", jobs)
    assert code in (0, 1) and digest == PINNED["kk2565"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_generated_100k_report_is_pinned(generated: Path, jobs: str) -> None:
    code, digest = report_digest(str(generated), "--as-of", "2023-09-30", "--jobs", jobs)
    assert code == 1 and digest == PINNED["generated-100k"]
