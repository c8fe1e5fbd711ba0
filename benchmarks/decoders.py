"""What validation could cost: the records' validator against plain parsing and msgspec.

    python benchmarks/decoders.py FILE [--lines 100000]

Validation is a third of an audit's time per record (docs/performance.md), so before the
design changes its shape this measures, on the same lines, in one process, taking turns
(median of five passes, microseconds a line):
- `orjson`: parsing only (the floor's work, no validation);
- `msgspec`: msgspec decoding into `Struct`s with the records' members and types (dates kept
  as text, no model validator, no duplicate-key guard): what a decoder of that kind costs at
  best, not a validator the audit could use as it is;
- `validator`: `records.RECORD_VALIDATOR.validate_json`, the audit's fast validator;
- `parse_record`: what the audit's reader does per line (the validator, the duplicate-key
  guard, the fallback for refused lines).
It also prints how many lines msgspec refused (they would fall back to pydantic). msgspec is
in the `bench` extra, with DuckDB; nothing in the package imports it.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from itertools import islice
from pathlib import Path
from typing import Annotated, Literal

import msgspec
import orjson

from compliance.records import RECORD_VALIDATOR
from compliance.records.readers import parse_record

PASSES = 5
Id = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]


class CaseEvent(msgspec.Struct, forbid_unknown_fields=True):
    kind: str
    date: str
    id: Id | None = None
    refers_to: Id | None = None
    note: str | None = None
    measure: Literal["suspension", "removal_pending", "work_suspension"] | None = None
    extends: Id | None = None
    days: Annotated[int, msgspec.Meta(ge=1, le=3650)] | None = None
    committee_finding: str | None = None


class DisciplinaryCase(
    msgspec.Struct, tag_field="type", tag="disciplinary_case", forbid_unknown_fields=True
):
    case_id: Id
    agency: Annotated[str, msgspec.Meta(min_length=1)]
    respondent_category: Literal["civil_servant", "bma_personnel", "other_worker"]
    policy_clauses: Annotated[
        list[Annotated[int, msgspec.Meta(ge=1, le=6)]], msgspec.Meta(min_length=1)
    ]
    civil_service_track: Literal["ordinary", "teacher"] | None = None
    respondent_name: str | None = None
    events: list[CaseEvent] = []


class ComplaintEvent(msgspec.Struct, forbid_unknown_fields=True):
    kind: str
    date: str
    id: Id | None = None
    refers_to: Id | None = None
    note: str | None = None
    identity_redacted: bool | None = None


class Complainant(msgspec.Struct, forbid_unknown_fields=True):
    name: str | None = None
    address: str | None = None
    position: str | None = None
    contact: str | None = None


class Evidence(msgspec.Struct, forbid_unknown_fields=True):
    clear_evidence: bool = False
    witnesses_identified: bool = False


class Complaint(msgspec.Struct, tag_field="type", tag="complaint", forbid_unknown_fields=True):
    complaint_id: Id
    agency: Annotated[str, msgspec.Meta(min_length=1)]
    received_at: str
    channel: str
    corruption: bool
    complainant: Complainant = msgspec.field(default_factory=Complainant)
    evidence: Evidence = msgspec.field(default_factory=Evidence)
    events: list[ComplaintEvent] = []


def _refused(decode: Callable[[bytes], object], lines: list[bytes]) -> int:
    refused = 0
    for line in lines:
        try:
            decode(line)
        except (msgspec.ValidationError, msgspec.DecodeError):
            refused += 1
    return refused


def measure(path: Path, count: int) -> dict[str, object]:
    with path.open("rb") as source:
        lines = [line for line in islice(source, count) if line.strip()]
    decoder = msgspec.json.Decoder(DisciplinaryCase | Complaint)

    def msgspec_pass() -> None:
        _refused(decoder.decode, lines)

    def orjson_pass() -> None:
        for line in lines:
            orjson.loads(line)

    def validator_pass() -> None:
        for line in lines:
            RECORD_VALIDATOR.validate_json(line)

    def reader_pass() -> None:
        for number, line in enumerate(lines, 1):
            parse_record("bench", number, line)

    passes: dict[str, Callable[[], None]] = {
        "orjson": orjson_pass,
        "msgspec": msgspec_pass,
        "validator": validator_pass,
        "parse_record": reader_pass,
    }
    times: dict[str, list[float]] = {name: [] for name in passes}
    for _ in range(PASSES):
        for name, run in passes.items():  # taking turns: a slow spell touches all alike
            started = time.perf_counter()
            run()
            times[name].append(time.perf_counter() - started)
    return {
        "lines": len(lines),
        "us_per_line": {
            name: round(statistics.median(t) / len(lines) * 1e6, 2) for name, t in times.items()
        },
        "msgspec_refused": _refused(decoder.decode, lines),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--lines", type=int, default=100_000)
    args = parser.parse_args()
    print(json.dumps(measure(args.file, args.lines), indent=2))


if __name__ == "__main__":
    main()
