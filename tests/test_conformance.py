"""SPEC §6 worked examples (copied from shared/conformance) as project tests."""

from __future__ import annotations

import json
import subprocess
from datetime import date

import pytest

from compliance.audit import audit

from .conftest import DATA, ROOT

CONFORMANCE = DATA / "conformance"
EXPECTED = [
    json.loads(line)
    for line in (CONFORMANCE / "expected-2023-09-01.jsonl").read_text("utf-8").splitlines()
    if line.strip()
]


@pytest.fixture(scope="module")
def findings() -> dict[tuple[str, str, int], dict[str, object]]:
    report = audit([CONFORMANCE / "records.jsonl"], as_of=date(2023, 9, 1))
    return {
        (f.rule_id, f.subject_id, f.instance): f.model_dump(mode="json") for f in report.findings
    }


@pytest.mark.parametrize(
    "expected", EXPECTED, ids=lambda e: f"{e['rule_id']}:{e['subject_id']}#{e['instance']}"
)
def test_expected_finding(
    findings: dict[tuple[str, str, int], dict[str, object]], expected: dict[str, object]
) -> None:
    key = (str(expected["rule_id"]), str(expected["subject_id"]), int(expected["instance"]))  # type: ignore[call-overload]
    actual = findings[key]
    for field in ("status", "due_date", "done_on", "days_late"):
        assert actual[field] == expected[field], field


def test_nothing_unexpected(findings: dict[tuple[str, str, int], dict[str, object]]) -> None:
    expected = {(e["rule_id"], e["subject_id"], e["instance"]) for e in EXPECTED}
    assert set(findings) == expected


SHARED_RUNNER = ROOT.parent / "shared" / "conformance" / "run"


@pytest.mark.skipif(not SHARED_RUNNER.exists(), reason="shared/ is not beside this checkout")
def test_installed_command_passes_the_shared_runner() -> None:
    done = subprocess.run(["bash", str(SHARED_RUNNER)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "18/18 expected findings match, 0 problems" in done.stdout
