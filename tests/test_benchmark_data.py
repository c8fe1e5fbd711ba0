"""The benchmark's generator is deterministic and realistic (every event kind the default rules
read, valid records)."""

from __future__ import annotations

import sys
from pathlib import Path

from compliance.engine.rulebook import load_rulebook
from compliance.records.readers import Accepted, read_records

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import generate


def test_same_seed_same_bytes_every_kind_valid(tmp_path: Path) -> None:
    first, second = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    generate(3000, first)
    generate(3000, second)
    assert first.read_bytes() == second.read_bytes()
    items = list(read_records([first]))
    assert all(isinstance(i, Accepted) for i in items) and len(items) == 3000
    kinds = {e.kind for i in items if isinstance(i, Accepted) for e in i.record.events}
    named = {
        kind
        for rule in load_rulebook().rules
        for kind in [rule.trigger.event, *rule.satisfied_by, *rule.until, *rule.closed_by]
        if kind
    }
    assert named <= kinds  # every event the default rules read occurs
