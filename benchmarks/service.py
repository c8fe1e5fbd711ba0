"""A service's view of the package: import time, and microseconds per call of a kept `Audit`.

    python benchmarks/service.py FILE [--calls 2000]

Run in a fresh interpreter (benchmarks/run.py starts one per repetition): it times
`import compliance` and `from compliance import Audit` as a service starting up pays them,
builds one `Audit` (rules and calendar, once per process), then answers `check()` and
`obligations()` for the first `--calls` records of FILE, given as dicts, as a request would
bring them (validation included). Each figure is the median of five passes over those records:
wall time per call and the process's CPU time per call (the second is what a loaded machine
disturbs least). Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

PASSES = 5


def _per_call(call: Callable[[Any], object], records: list[dict[str, Any]]) -> dict[str, float]:
    for record in records[:200]:  # warm: the engine's caches, as in a running service
        call(record)
    walls, cpus = [], []
    for _ in range(PASSES):
        wall, cpu = time.perf_counter(), time.process_time()
        for record in records:
            call(record)
        walls.append((time.perf_counter() - wall) / len(records))
        cpus.append((time.process_time() - cpu) / len(records))
    return {
        "wall_us": round(statistics.median(walls) * 1e6, 1),
        "cpu_us": round(statistics.median(cpus) * 1e6, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("file", type=Path)
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    start, start_cpu = time.perf_counter(), time.process_time()
    import compliance  # noqa: PLC0415 (timed: what a service pays at start)

    imported = time.perf_counter()
    from compliance import Audit  # noqa: PLC0415 (timed likewise)

    api, api_cpu = time.perf_counter(), time.process_time()
    audit = Audit(date(2023, 9, 30))
    built = time.perf_counter()
    import orjson  # noqa: PLC0415 (after the timed imports)

    with args.file.open("rb") as handle:
        records = [orjson.loads(line) for line in islice(handle, args.calls)]
    heavy = ("rich", "typer", "pythainlp", "sqlalchemy", "xlsxwriter")
    result = {
        "import_compliance_s": round(imported - start, 3),
        "import_audit_s": round(api - start, 3),
        "import_audit_cpu_s": round(api_cpu - start_cpu, 3),
        "first_audit_s": round(built - api, 3),
        "heavy_modules_loaded": [m for m in heavy if m in sys.modules],
        "check": _per_call(audit.check, records),
        "obligations": _per_call(audit.obligations, records),
        "calls": len(records),
        "version": compliance.__name__,
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
