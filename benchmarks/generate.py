"""Deterministic generator of realistic records for the benchmark: disciplinary cases and
complaints in Thai, every event kind, a mix of on-time, late and missing steps.

    python benchmarks/generate.py 100000 out.jsonl [--seed 2566]

The same count and seed always give the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any, get_args

from compliance.records import Channel, Measure, RespondentCategory

AGENCIES = [
    f"สำนักงานเขต{d}"
    for d in (
        "บางพลัด",
        "ดินแดง",
        "บางกอกน้อย",
        "จตุจักร",
        "ห้วยขวาง",
        "บางรัก",
        "ปทุมวัน",
        "คลองเตย",
        "ลาดพร้าว",
        "บางเขน",
        "ดอนเมือง",
        "สาทร",
        "ราชเทวี",
        "พญาไท",
        "บางซื่อ",
        "หนองแขม",
    )
]
UNITS = ["ฝ่ายโยธา", "ฝ่ายเทศกิจ", "ฝ่ายรายได้", "ฝ่ายทะเบียน", "ฝ่ายการคลัง", "ฝ่ายปกครอง"]
FIRST = ["สมชาย", "สมศรี", "ประเสริฐ", "วิไลวรรณ", "ธนากร", "พิมพ์ชนก", "อนุชา", "กัญญารัตน์"]
LAST = ["ใจดี", "ศรีสุข", "วงศ์ไทย", "บุญมา", "แก้วประเสริฐ", "ทองคำ", "รุ่งเรือง"]
CHANNELS = list(get_args(Channel))
CATEGORIES = list(get_args(RespondentCategory))
MEASURES = list(get_args(Measure))
START = date(2022, 10, 1)


def _day(rng: random.Random, base: date, low: int, high: int) -> date:
    return base + timedelta(days=rng.randint(low, high))


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST)} {rng.choice(LAST)}"


def make_case(rng: random.Random, n: int) -> dict[str, Any]:
    """A case that walks part of the guideline's procedure, with some steps late or missing."""
    events: list[dict[str, Any]] = []
    ordered = _day(rng, START, 0, 300)

    def add(kind: str, day: date, chance: float = 1.0, **extra: Any) -> date | None:
        if rng.random() > chance:
            return None
        events.append({"kind": kind, "date": day.isoformat(), **extra})
        return day

    add("fact_finding_ordered", ordered, id=f"ค.{n}/2566")
    add("fact_finding_order_reported", _day(rng, ordered, 1, 10), 0.9)
    concluded = add("fact_finding_concluded", _day(rng, ordered, 20, 60), 0.8)
    if concluded:
        add("fact_finding_result_reported", _day(rng, concluded, 1, 12), 0.85)
        investigation = add("investigation_ordered", _day(rng, concluded, 5, 20), 0.7)
        if investigation:
            add(
                "interim_measure_ordered",
                _day(rng, investigation, 0, 3),
                0.5,
                id=f"M{n}",
                measure=rng.choice(MEASURES),
            )
            if events[-1]["kind"] == "interim_measure_ordered":
                add(
                    "interim_measure_reported",
                    _day(rng, investigation, 3, 12),
                    0.8,
                    refers_to=f"M{n}",
                )
            for k in range(1, rng.randint(1, 6)):
                add("progress_reported", _day(rng, investigation, 30 * k - 5, 30 * k + 6), 0.85)
            received = add("investigation_report_received", _day(rng, investigation, 90, 180), 0.6)
            if received:
                considered = add(
                    "report_considered", _day(rng, received, 10, 55), 0.8, note=f"กรณี{_name(rng)}"
                )
                if considered:
                    add("case_file_reported", _day(rng, considered, 3, 20), 0.5)
                    add("forwarded_to_permanent_secretary", _day(rng, considered, 3, 20), 0.4)
                    add("order_copy_sent", _day(rng, considered, 3, 20), 0.4)
                    add("result_notified", _day(rng, considered, 5, 40), 0.4)
                    review = add("review_received", _day(rng, considered, 10, 30), 0.4)
                    if review:
                        add("review_completed", _day(rng, review, 20, 60), 0.7)
                    add("case_closed", _day(rng, considered, 60, 120), 0.3)
    rng.shuffle(events)
    return {
        "type": "disciplinary_case",
        "case_id": f"BM-{n:08d}",
        "agency": f"{rng.choice(AGENCIES)} {rng.choice(UNITS)}",
        "respondent_category": rng.choice(CATEGORIES),
        "policy_clauses": rng.choice([[1], [2], [3], [1, 3], [4], [2, 5]]),
        "respondent_name": _name(rng),
        "events": events,
    }


def make_complaint(rng: random.Random, n: int) -> dict[str, Any]:
    """A complaint with some of accepted, forwarded, delay, progress, resolution, notification."""
    received = _day(rng, START, 0, 330)
    named = rng.random() < 0.6
    events: list[dict[str, Any]] = []
    if rng.random() < 0.8:
        events.append({"kind": "accepted", "date": _day(rng, received, 0, 3).isoformat()})
        if named and rng.random() < 0.5:
            events.append(
                {
                    "kind": "forwarded",
                    "date": _day(rng, received, 1, 5).isoformat(),
                    "identity_redacted": rng.random() < 0.9,
                }
            )
        if rng.random() < 0.2:
            events.append(
                {"kind": "delay_explained", "date": _day(rng, received, 10, 16).isoformat()}
            )
            events.append(
                {"kind": "progress_notified", "date": _day(rng, received, 20, 30).isoformat()}
            )
        if rng.random() < 0.85:
            resolved = _day(rng, received, 1, 30)
            events.append({"kind": "resolved", "date": resolved.isoformat()})
            if named and rng.random() < 0.7:
                events.append(
                    {"kind": "result_notified", "date": _day(rng, resolved, 0, 20).isoformat()}
                )
            events.append({"kind": "closed", "date": _day(rng, resolved, 1, 5).isoformat()})
    else:
        events.append({"kind": "rejected", "date": _day(rng, received, 1, 20).isoformat()})
    hour = rng.randint(0, 23)
    complainant = (
        {
            "name": _name(rng),
            "address": f"{rng.randint(1, 999)} ถนนจรัญสนิทวงศ์",
            "position": None,
            "contact": f"08{rng.randint(10000000, 99999999)}",
        }
        if named
        else {}
    )
    return {
        "type": "complaint",
        "complaint_id": f"CM-{n:08d}",
        "agency": f"{rng.choice(AGENCIES)} {rng.choice(UNITS)}",
        "received_at": f"{received.isoformat()}T{hour:02d}:{rng.randint(0, 59):02d}:00+07:00",
        "channel": rng.choice(CHANNELS),
        "corruption": rng.random() < 0.2,
        "complainant": complainant,
        "evidence": {
            "clear_evidence": rng.random() < 0.5,
            "witnesses_identified": rng.random() < 0.5,
        },
        "events": events,
    }


def generate(count: int, path: Path, seed: int = 2566) -> None:
    """Write `count` records (one case for every four complaints) to a .jsonl file."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            record = make_case(rng, n) if n % 5 == 0 else make_complaint(rng, n)
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int)
    parser.add_argument("output", type=Path)
    parser.add_argument("--seed", type=int, default=2566)
    args = parser.parse_args()
    generate(args.count, args.output, args.seed)


if __name__ == "__main__":
    main()
