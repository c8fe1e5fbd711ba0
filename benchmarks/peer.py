"""The peer: CMP-3.2 (resolve a complaint within 15 days) written as one DuckDB SQL query over
the same .jsonl file, timed beside the audit and checked against the audit's own findings.

    python benchmarks/peer.py FILE [REPORT]     # time the query; with REPORT, check it too

It is a yardstick, not a second implementation: one rule, no rejections, no duplicate ids, no
words, no extensions — what a columnar engine does for the arithmetic alone. The check proves
the yardstick measures the same work: the set of (subject_id, status, due_date, days_late) of
the query equals the audit report's CMP-3.2 findings. Needs the `bench` extra (duckdb).
"""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

import orjson

AS_OF = "2023-09-30"
WARN_DAYS = 3  # the audit's default

# CMP-3.2 as the rule book says (rules/abp/complaints.yaml) and the engine judges it: triggered
# by the Bangkok date of receipt; 15 calendar days, an authority's period (a last day that is
# a holiday still ends it); satisfied by the first resolved / delay_explained / rejected event
# on or after the trigger; events after as_of unknown; a complaint received after as_of not
# judged; the first `closed` event freezes an undone duty as missing (SPEC §15).
CMP_3_2 = """
WITH complaints AS (
    SELECT complaint_id AS subject_id,
           CAST(timezone('Asia/Bangkok', CAST(received_at AS TIMESTAMPTZ)) AS DATE) AS trigger_date,
           events
    FROM read_json(?, format = 'newline_delimited',
                   columns = {type: 'VARCHAR', complaint_id: 'VARCHAR', received_at: 'VARCHAR',
                              events: 'STRUCT(kind VARCHAR, "date" DATE)[]'})
    WHERE type = 'complaint'
),
judged AS (
    SELECT c.subject_id, c.trigger_date, c.trigger_date + 15 AS due_date,
           (SELECT min(e.date) FROM unnest(c.events) AS t(e)
             WHERE e.kind IN ('resolved', 'delay_explained', 'rejected')
               AND e.date >= c.trigger_date AND e.date <= CAST($as_of AS DATE)) AS done_on,
           (SELECT min(e.date) FROM unnest(c.events) AS t(e)
             WHERE e.kind = 'closed' AND e.date <= CAST($as_of AS DATE)) AS closed_on
    FROM complaints c
    WHERE c.trigger_date <= CAST($as_of AS DATE)
)
SELECT subject_id,
       CASE WHEN done_on IS NOT NULL AND done_on <= due_date THEN 'met'
            WHEN done_on IS NOT NULL THEN 'late'
            WHEN closed_on IS NOT NULL THEN 'missing'
            WHEN CAST($as_of AS DATE) > due_date THEN 'overdue'
            WHEN due_date - CAST($as_of AS DATE) <= $warn THEN 'due_soon'
            ELSE 'pending' END AS status,
       due_date,
       CASE WHEN done_on IS NOT NULL AND done_on > due_date THEN done_on - due_date
            WHEN done_on IS NULL AND closed_on IS NOT NULL AND closed_on > due_date
                 THEN closed_on - due_date
            WHEN done_on IS NULL AND closed_on IS NULL AND CAST($as_of AS DATE) > due_date
                 THEN CAST($as_of AS DATE) - due_date
            END AS days_late
FROM judged
"""

Row = tuple[str, str, date, int | None]


def peer_rows(path: Path, as_of: str = AS_OF) -> list[Row]:
    """CMP-3.2's findings by DuckDB: (subject_id, status, due_date, days_late)."""
    import duckdb  # noqa: PLC0415 (the bench extra: only this script needs it)

    query = CMP_3_2.replace("read_json(?", f"read_json('{_sql_text(str(path))}'")
    with duckdb.connect() as connection:
        rows = connection.execute(query, {"as_of": as_of, "warn": WARN_DAYS}).fetchall()
    return [(r[0], r[1], r[2], r[3]) for r in rows]


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


def report_rows(report: Path, rule_id: str = "CMP-3.2") -> list[Row]:
    """The same facts from an audit's JSON report, read line by line: the report writes one
    finding a line, so only the rule's lines are parsed (a 1M-record report is gigabytes)."""
    marker = b'{"rule_id":"' + rule_id.encode() + b'",'
    rows = []
    with report.open("rb") as handle:
        for line in handle:
            if line.startswith(marker):
                finding: dict[str, Any] = orjson.loads(line.rstrip(b"\r\n").removesuffix(b","))
                rows.append(
                    (
                        finding["subject_id"],
                        finding["status"],
                        date.fromisoformat(finding["due_date"]),
                        finding["days_late"],
                    )
                )
    return rows


def check(path: Path, report: Path) -> int:
    """The number of CMP-3.2 findings both give; SystemExit if the two sets differ."""
    ours, theirs = report_rows(report), peer_rows(path)
    if len(ours) != len(set(ours)) or set(ours) != set(theirs):
        only_ours, only_peer = set(ours) - set(theirs), set(theirs) - set(ours)
        raise SystemExit(
            f"DuckDB peer disagrees with the audit on CMP-3.2: {len(only_ours)} findings only "
            f"in the report, {len(only_peer)} only in the peer; e.g. "
            f"{sorted(only_ours)[:2]} / {sorted(only_peer)[:2]}"
        )
    return len(ours)


def main() -> None:
    path = Path(sys.argv[1])
    start = time.perf_counter()
    rows = peer_rows(path)
    print(f"DuckDB CMP-3.2: {len(rows):,} findings in {time.perf_counter() - start:.3f} s")
    if len(sys.argv) > 2:
        print(f"same as the audit's report: {check(path, Path(sys.argv[2])):,} findings")


if __name__ == "__main__":
    main()
