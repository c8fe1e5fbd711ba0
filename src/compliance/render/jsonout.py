"""JSON report (SPEC §7), streamed: findings are written as they are produced, record by
record, and the summary comes last."""

from __future__ import annotations

from typing import Any

import orjson

from compliance.findings import Finding
from compliance.readers import Rejected
from compliance.render.base import Renderer
from compliance.report import finding_bytes

FLUSH_BYTES = 1 << 20


class JsonRenderer(Renderer):
    """`{"as_of": …, …, "findings": [ … ], "rejected": [ … ], "summary": { … }}`."""

    def start(self, header: dict[str, Any]) -> None:
        head = orjson.dumps(header)[:-1]  # drop the closing brace: members follow
        self._chunks: list[bytes] = [head + b',\n"findings": [']
        self._size = 0
        self._separator = b"\n"
        self._rejects: list[Rejected] = []

    def finding(self, finding: Finding) -> None:
        self.serialised(finding_bytes(finding))

    def serialised(self, findings: bytes) -> None:
        """Findings already serialised (by a worker process): JSON objects joined by ",\n"."""
        if not findings:
            return
        chunk = self._separator + findings
        self._separator = b",\n"
        self._chunks.append(chunk)
        self._size += len(chunk)
        if self._size >= FLUSH_BYTES:
            self._flush()

    def _flush(self) -> None:
        """Write in large pieces: one system call per megabyte, not per finding."""
        self.out.write(b"".join(self._chunks))
        self._chunks.clear()
        self._size = 0

    def rejected(self, rejected: Rejected) -> None:
        self._rejects.append(rejected)

    def finish(self, summary: dict[str, Any]) -> None:
        self._flush()
        rejects = orjson.dumps([r.to_json() for r in self._rejects])
        self.out.write(b'\n],\n"rejected": ' + rejects + b',\n"summary": ')
        self.out.write(orjson.dumps(summary) + b"}\n")
