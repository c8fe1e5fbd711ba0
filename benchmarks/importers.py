"""Memory and time of `compliance import` on large synthetic inputs (not run by the tests).

    python benchmarks/importers.py                 # 100k and 1M rows
    python benchmarks/importers.py --sizes 200000

For each size it writes, in a temporary folder, a Traffy dump CSV (every row a distinct
ticket, with free-text columns as long as real ones) and a complaints register in the layout
of fixtures/registers/complaints.csv, then runs each import in a fresh process and prints the
wall time and the peak resident memory (the child's ru_maxrss). The table importer should
stay flat; the Traffy importer grows with the number of distinct tickets (one offset each).
"""

from __future__ import annotations

import argparse
import csv
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGISTERS = ROOT / "fixtures" / "registers"
DUMP_HEADER = [
    "ticket_id", "type", "organization", "comment", "coords", "photo", "photo_after",
    "address", "subdistrict", "district", "province", "timestamp", "state", "star",
    "count_reopen", "last_activity",
]  # fmt: skip
STATES = ["รอรับเรื่อง", "กำลังดำเนินการ", "ส่งต่อ(ใหม่)", "เสร็จสิ้น"]


def write_traffy(path: Path, rows: int) -> None:
    rng = random.Random(1)
    comment = "ทางเท้าชำรุด รถจักรยานยนต์ขึ้นทางเท้า " * 4
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(DUMP_HEADER)
        for n in range(rows):
            day = 1 + n % 28
            out.writerow(
                [
                    f"2023-{n:06X}", "{ถนน}", "เขตบางพลัด,ฝ่ายโยธา เขตบางพลัด", comment,
                    "100.5,13.7", "https://example.invalid/p.jpg", "", "99 ถนนสมมุติ", "บางพลัด",
                    "บางพลัด", "กรุงเทพมหานคร", f"2023-05-{day:02d} 13:27:54.482138+00",
                    rng.choice(STATES), "", "0", f"2023-06-{day:02d} 01:00:00.1+00",
                ]
            )  # fmt: skip


def write_register(path: Path, rows: int) -> None:
    with (REGISTERS / "complaints.csv").open(encoding="utf-8-sig", newline="") as handle:
        sample = list(csv.reader(handle))
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerows(sample[:2])
        body = sample[2:]
        for n in range(rows):
            row = list(body[n % len(body)])
            row[1] = f"ร.{n}/2566"
            out.writerow(row)


# A fresh parent per run: RUSAGE_CHILDREN's ru_maxrss is the largest child a process ever had.
PEAK = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], capture_output=True).returncode\n"
    "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, code)\n"
)


def measure(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak resident memory of the import in MB, its exit code."""
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", PEAK, *args], capture_output=True, text=True, check=True
    )
    elapsed = time.perf_counter() - start
    peak_kb, code = done.stdout.split()
    return elapsed, int(peak_kb) / 1024, int(code)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    options = parser.parse_args()
    command = [sys.executable, "-m", "compliance", "import"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for rows in options.sizes:
            traffy, register = folder / f"traffy-{rows}.csv", folder / f"register-{rows}.csv"
            write_traffy(traffy, rows)
            write_register(register, rows)
            out = folder / "out.jsonl"
            for name, args in (
                ("table", [*command, "table", str(register), "--mapping",
                           str(REGISTERS / "complaints.yaml"), "-o", str(out)]),
                ("traffy", [*command, "traffy", str(traffy), "-o", str(out)]),
            ):  # fmt: skip
                seconds, peak, code = measure(args)
                print(f"{name:7} {rows:>9,} rows {seconds:7.1f} s peak {peak:7.1f} MB exit {code}")


if __name__ == "__main__":
    main()
