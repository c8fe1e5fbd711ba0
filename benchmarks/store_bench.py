"""History store benchmark: what `audit --store` adds to an audit (SPEC §12).

    python benchmarks/store_bench.py                   # 1,000,000 records, SQLite
    python benchmarks/store_bench.py --records 100000 --store /tmp/h.db

It generates (once, cached under benchmarks/data/) the benchmark's deterministic records,
then records two nightly runs (as of 2023-09-30 and 2023-10-01) into a new SQLite store as
`audit --store` does: the JSON report and the store are two sinks of one run (`--jobs`
processes). The time spent inside the store sink's calls is the store's added time; the rest
is the audit's. The target: the store adds at
most half the audit's time. It prints a JSON document with both times per run, the status rows
each run added and the database size after the two runs. Timing belongs here, never in tests.
`measure(records, store)` returns the same document for benchmarks/run.py.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

from compliance.audit import Audit  # noqa: E402
from compliance.engine.findings import Finding  # noqa: E402
from compliance.records.readers import check_inputs  # noqa: E402
from compliance.report.jsonout import JsonRenderer  # noqa: E402
from compliance.store.db import open_store  # noqa: E402
from compliance.store.queries import list_runs  # noqa: E402
from compliance.store.sink import StoreSink  # noqa: E402

NIGHTS = (date(2023, 9, 30), date(2023, 10, 1))


def _clocks() -> tuple[float, float]:
    """Wall time, and the CPU time of this thread (the audit and the sink share it; on a
    loaded machine CPU time is the fairer comparison)."""
    return time.perf_counter(), time.thread_time()


class TimedSink(StoreSink):
    """The sink, with the time spent in its calls added up (wall, CPU)."""

    wall = cpu = 0.0

    def _add(self, began: tuple[float, float]) -> None:
        wall, cpu = _clocks()
        self.wall += wall - began[0]
        self.cpu += cpu - began[1]

    def start(self, header: Mapping[str, Any]) -> None:
        began = _clocks()
        super().start(header)
        self._add(began)

    def finding(self, finding: Finding) -> None:
        began = _clocks()
        super().finding(finding)
        self._add(began)

    def finish(self, summary: Mapping[str, Any]) -> None:
        began = _clocks()
        super().finish(summary)
        self._add(began)


def one_run(records: Path, store: str, as_of: date, report: Path, jobs: int = 2) -> dict[str, Any]:
    """One audit as `audit --store` runs it; the sink's share timed apart."""
    paths = check_inputs([records])
    began = _clocks()
    run = Audit(as_of)
    sink = TimedSink(store, paths)
    with report.open("wb") as out:
        run.run(paths, [JsonRenderer(out, words="actionable", rulebook=run.rulebook), sink], jobs)
    ended = _clocks()
    audit_wall = ended[0] - began[0] - sink.wall
    audit_cpu = ended[1] - began[1] - sink.cpu
    return {
        "as_of": as_of.isoformat(),
        "findings": sum(run.summary.by_status.values()),
        "audit_seconds": round(audit_wall, 2),
        "store_seconds": round(sink.wall, 2),
        "audit_cpu_seconds": round(audit_cpu, 2),
        "store_cpu_seconds": round(sink.cpu, 2),
        "store_share_of_audit": round(sink.wall / audit_wall, 3),
        "store_cpu_share_of_audit": round(sink.cpu / audit_cpu, 3),
    }


def measure(records: Path, store: Path) -> dict[str, Any]:
    """Two nightly runs into a new SQLite store; times and the database size."""
    for leftover in store.parent.glob(store.name + "*"):
        leftover.unlink()
    url = str(store)
    with tempfile.TemporaryDirectory() as scratch:
        runs = [one_run(records, url, day, Path(scratch) / "report.json") for day in NIGHTS]
    with open_store(url, write=False) as conn:
        for result, recorded in zip(runs, list_runs(conn), strict=True):
            result["status_rows_added"] = recorded.changes
    size = sum(p.stat().st_size for p in store.parent.glob(store.name + "*"))
    return {
        "records": sum(1 for _ in records.open("rb")),
        "runs": runs,
        "database_mib_after_two_runs": round(size / 2**20, 1),
        "target_met_wall": all(r["store_share_of_audit"] <= 0.5 for r in runs),
        "target_met_cpu": all(r["store_cpu_share_of_audit"] <= 0.5 for r in runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--data-dir", type=Path, default=HERE / "data")
    parser.add_argument("--store", type=Path, default=None, help="SQLite file (default: temp)")
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    records = args.data_dir / f"records-{args.records}.jsonl"
    if not records.exists():
        generate(args.records, records)
    with tempfile.TemporaryDirectory() as scratch:
        store = args.store or Path(scratch) / "history.db"
        result = measure(records, store)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
