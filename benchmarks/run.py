"""Throughput benchmark: the whole `compliance audit` against the parsing floor and a DuckDB
peer, same file; and what a service pays (import, microseconds per call).

    python benchmarks/run.py                       # 50k, 100k, 200k and 1M records, 3 runs each
    python benchmarks/run.py --sizes 100000 1000000 --repeat 5
    python benchmarks/run.py --sizes 100000 --baseline benchmarks/baseline-100k.json

For each size it generates (once, cached under benchmarks/data/) a deterministic file of
realistic records, then runs in fresh processes, taking turns:
- the floor: read every line and parse it with orjson, nothing else;
- the audit: `compliance audit FILE --as-of 2023-09-30 --format json --output TMP`, with
  `--jobs 1` and with `--jobs N` (N = CPUs);
- the peer: CMP-3.2 as one DuckDB SQL query (benchmarks/peer.py; the `bench` extra), whose
  findings are then checked to equal the audit report's CMP-3.2 findings.
It reports wall seconds (median of the timed runs), records per second, the audit/floor ratio,
the report's bytes per finding and the peak memory of the whole process tree (proportional
set size, sampled from /proc every 20 ms in one extra run, so that sampling never slows a
timed run). Then benchmarks/service.py, once per repetition in a fresh interpreter: import
seconds and microseconds per `Audit.check()` / `Audit.obligations()` call (medians). With
`--store`, benchmarks/store_bench.py's measure (the history store's added time and database
size after two runs) for the largest size. Everything is written with a description of the
machine, and how loaded it was, to the baseline file. Timing belongs here, never in the unit
tests.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402
from peer import check as check_peer  # noqa: E402

import compliance  # noqa: E402 (the package under test, wherever it is installed)

FLOOR = "import orjson,sys\nfor line in open(sys.argv[1],'rb'): orjson.loads(line)\n"
AS_OF = "2023-09-30"


def _tree_memory(root: int) -> int:
    """Proportional set size (bytes) of a process and all its descendants, from /proc: pages
    shared after fork are counted once across the tree, not once per process."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as handle:
                ppid = int(handle.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        children.setdefault(ppid, []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as handle:
                total += next(
                    int(line.split()[1]) * 1024 for line in handle if line.startswith("Pss:")
                )
        except (OSError, StopIteration):
            pass
        stack.extend(children.get(pid, ()))
    return total


def _seconds(command: list[str]) -> tuple[float, float]:
    """Wall seconds, and CPU seconds (user + system) of the process and its workers: on a
    machine shared with others the CPU time is the steadier of the two."""
    start, used = time.perf_counter(), _children_cpu()
    _check(subprocess.run(command, stdout=subprocess.DEVNULL, check=False).returncode, command)
    return round(time.perf_counter() - start, 3), round(_children_cpu() - used, 3)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _peak_memory(command: list[str]) -> float:
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_memory(process.pid))
        time.sleep(0.02)
    _check(process.returncode, command)
    return round(peak / 2**20, 1)


def _check(returncode: int | None, command: list[str]) -> None:
    """Exit codes 0 and 1 (findings) are a finished audit; anything else is not."""
    if returncode not in (0, 1):
        raise SystemExit(f"{command[0]} exited {returncode}")


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            model = next(
                line.split(":", 1)[1].strip() for line in handle if line.startswith("model name")
            )
    except (OSError, StopIteration):
        pass
    return {
        "platform": platform.platform(),
        "cpu": model,
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "compliance": version("compliance"),
        "pydantic": version("pydantic"),
        "orjson": version("orjson"),
        "measured_at": datetime.now(tz=UTC).isoformat(timespec="seconds"),
        "load_average_before": list(os.getloadavg()),
    }


def run_size(count: int, data_dir: Path, jobs: int, repeat: int) -> dict[str, Any]:
    """Floor and audit figures for one file size. The timed runs take turns (floor, audit with
    one process, audit with N, again and again), so a slow spell of the machine touches all of
    them alike; each figure is its median. Memory is sampled in one more run of each, apart:
    reading /proc every 20 ms costs CPU that a timed run would lose to it."""
    path = data_dir / f"records-{count}.jsonl"
    if not path.exists():
        generate(count, path)
    result: dict[str, Any] = {"records": count, "file_mib": round(path.stat().st_size / 2**20, 1)}
    with tempfile.TemporaryDirectory(dir=data_dir) as temp:
        out = Path(temp) / "report.json"
        commands = {"floor": [sys.executable, "-c", FLOOR, str(path)]}
        for job_count in dict.fromkeys((1, jobs)):
            commands[f"audit_jobs_{job_count}"] = [
                *("compliance", "audit", str(path), "--as-of", AS_OF, "--format", "json"),
                *("--fail-on", "never", "--jobs", str(job_count), "--output", str(out)),
            ]
        commands["duckdb_peer"] = [sys.executable, str(HERE / "peer.py"), str(path)]
        times: dict[str, list[float]] = {label: [] for label in commands}
        cpu: dict[str, list[float]] = {label: [] for label in commands}
        for _ in range(repeat):
            for label, command in commands.items():
                wall, used = _seconds(command)
                times[label].append(wall)
                cpu[label].append(used)
        for label, command in commands.items():
            result[label] = {
                "seconds": statistics.median(times[label]),
                "cpu_seconds": statistics.median(cpu[label]),
                "all_seconds": times[label],
                "peak_memory_mib": _peak_memory(command),
            }
        report_bytes = out.stat().st_size
        report_mib = round(report_bytes / 2**20, 1)
        findings = _findings_in(out)
        result["report"] = {
            "mib": report_mib,
            "findings": findings,
            "bytes_per_finding": round(report_bytes / max(findings, 1)),
        }
        result["duckdb_peer"]["cmp_3_2_findings_equal"] = check_peer(path, out)
    result["load_average_after"] = list(os.getloadavg())
    for label in commands:
        if label.startswith("audit"):
            figures = result[label]
            figures["report_mib"] = report_mib
            figures["records_per_second"] = round(count / figures["seconds"])
            figures["times_floor"] = round(figures["seconds"] / result["floor"]["seconds"], 1)
            figures["cpu_times_floor"] = round(
                figures["cpu_seconds"] / result["floor"]["cpu_seconds"], 1
            )
    return result


def _findings_in(report: Path) -> int:
    """The findings of a JSON report: it writes one a line."""
    with report.open("rb") as handle:
        return sum(1 for line in handle if line.startswith(b'{"rule_id":'))


def service(path: Path, repeat: int) -> dict[str, Any]:
    """benchmarks/service.py in `repeat` fresh interpreters: the median of each figure."""
    runs = []
    for _ in range(repeat):
        done = subprocess.run(
            [sys.executable, str(HERE / "service.py"), str(path)],
            capture_output=True,
            check=True,
            text=True,
        )
        runs.append(json.loads(done.stdout))

    def median(get: Any) -> float:
        return float(statistics.median(get(r) for r in runs))

    return {
        "import_compliance_s": median(lambda r: r["import_compliance_s"]),
        "import_audit_s": median(lambda r: r["import_audit_s"]),
        "import_audit_cpu_s": median(lambda r: r["import_audit_cpu_s"]),
        "first_audit_s": median(lambda r: r["first_audit_s"]),
        "heavy_modules_loaded": sorted({m for r in runs for m in r["heavy_modules_loaded"]}),
        **{
            f"{call}_{clock}": median(lambda r, c=call, k=clock: r[c][k])
            for call in ("check", "obligations")
            for clock in ("wall_us", "cpu_us")
        },
        "calls": runs[0]["calls"],
    }


def table(results: list[dict[str, Any]], jobs: int) -> str:
    """The performance doc's table."""
    lines = [
        f"| records | file | floor | audit, 1 process | audit, {jobs} processes | CPU time "
        f"× floor (1 / {jobs}) | DuckDB CMP-3.2 | report, bytes/finding | peak memory, PSS "
        f"(1 / {jobs}) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        one, many = r["audit_jobs_1"], r[f"audit_jobs_{jobs}"]
        lines.append(
            f"| {r['records']:,} | {r['file_mib']} MiB | {r['floor']['seconds']} s | "
            f"{one['seconds']} s ({one['records_per_second']:,}/s, {one['times_floor']}×) | "
            f"{many['seconds']} s ({many['records_per_second']:,}/s, {many['times_floor']}×) | "
            f"{one['cpu_times_floor']}× / {many['cpu_times_floor']}× | "
            f"{r['duckdb_peer']['seconds']} s | {r['report']['bytes_per_finding']:,} | "
            f"{one['peak_memory_mib']} / {many['peak_memory_mib']} MiB |"
        )
    return "\n".join(lines)


def compile_package() -> None:
    """Byte-compile the installed package before timing it, as a regular `pip install` does:
    with an editable install (or PYTHONDONTWRITEBYTECODE set) every timed run would otherwise
    compile its modules anew (~30 ms a run here)."""
    compileall.compile_dir(Path(compliance.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--sizes", type=int, nargs="+", default=[50_000, 100_000, 200_000, 1_000_000]
    )
    parser.add_argument("--repeat", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--data-dir", type=Path, default=HERE / "data")
    parser.add_argument("--baseline", type=Path, default=HERE / "baseline.json")
    parser.add_argument(
        "--store", action="store_true", help="also the history store's measure (largest size)"
    )
    args = parser.parse_args()
    args.data_dir.mkdir(parents=True, exist_ok=True)
    compile_package()
    described = machine()
    results = []
    for count in args.sizes:
        results.append(run_size(count, args.data_dir, args.jobs, args.repeat))
        print(json.dumps(results[-1]), flush=True)
    data = args.data_dir / f"records-{min(args.sizes)}.jsonl"
    figures: dict[str, Any] = {
        "machine": described,
        "as_of": AS_OF,
        "repeat": args.repeat,
        "results": results,
        "service": service(data, args.repeat),
    }
    print(json.dumps(figures["service"]), flush=True)
    by_size = {r["records"]: r for r in results}
    if len(by_size) > 1:  # memory stays flat: the largest file's peak over the smallest's
        small, large = by_size[min(by_size)], by_size[max(by_size)]
        figures["memory_ratio_largest_to_smallest"] = {
            label: round(large[label]["peak_memory_mib"] / small[label]["peak_memory_mib"], 2)
            for label in small
            if label.startswith("audit")
        }
    if args.store:
        from store_bench import measure  # noqa: PLC0415 (loads the store: only when asked)

        with tempfile.TemporaryDirectory(dir=args.data_dir) as temp:
            figures["store"] = measure(
                args.data_dir / f"records-{max(args.sizes)}.jsonl", Path(temp) / "history.db"
            )
    described["load_average_after"] = list(os.getloadavg())
    args.baseline.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    print(table(results, args.jobs))


if __name__ == "__main__":
    main()
