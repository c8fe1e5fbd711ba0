"""JSON report (SPEC §7), streamed: findings are written as they are produced, record by
record, and the summary comes last."""

from __future__ import annotations

from typing import Any

import orjson

from compliance.findings import Finding
from compliance.readers import Rejected
from compliance.render.base import Renderer
from compliance.report import finding_json


class JsonRenderer(Renderer):
    """`{"as_of": …, …, "findings": [ … ], "rejected": [ … ], "summary": { … }}`."""

    def start(self, header: dict[str, Any]) -> None:
        head = orjson.dumps(header)[:-1]  # drop the closing brace: members follow
        self.out.write(head + b',\n"findings": [')
        self._first = True
        self._rejects: list[Rejected] = []

    def finding(self, finding: Finding) -> None:
        self.out.write((b"\n" if self._first else b",\n") + orjson.dumps(finding_json(finding)))
        self._first = False

    def rejected(self, rejected: Rejected) -> None:
        self._rejects.append(rejected)

    def finish(self, summary: dict[str, Any]) -> None:
        rejects = orjson.dumps([r.to_json() for r in self._rejects])
        self.out.write(b'\n],\n"rejected": ' + rejects + b',\n"summary": ')
        self.out.write(orjson.dumps(summary) + b"}\n")
