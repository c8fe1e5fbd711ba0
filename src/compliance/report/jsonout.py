"""JSON report (SPEC §7), streamed: findings are written as they are produced, record by
record, and the summary comes last."""

from __future__ import annotations

import io
import os
from typing import IO, Any

import orjson

from compliance.engine.findings import Finding
from compliance.engine.rulebook import RuleBook
from compliance.errors import AuditFailedError
from compliance.pipeline.sinks import Spooler
from compliance.records.readers import Rejected
from compliance.report.base import Renderer
from compliance.report.output import start_writeback
from compliance.report.serialise import Words, finding_bytes

FLUSH_BYTES = 1 << 20
WRITEBACK_BYTES = 16 << 20  # how much is written between requests to start writing to disk


class JsonRenderer(Renderer, Spooler):
    """`{"as_of": …, …, "findings": [ … ], "rejected": [ … ], "summary": { … }}`.

    `words` (SPEC §14): which findings carry their words; the rules' constant words are
    written once, in the header's `rules.words`, so that any finding can be read without the
    tool."""

    needs_words = False  # a --jobs run hands it the workers' bytes, words included

    def __init__(
        self,
        out: IO[bytes],
        show_all: bool = False,
        words: Words = "all",
        rulebook: RuleBook | None = None,
    ) -> None:
        super().__init__(out, show_all)
        self.words = words
        self.rulebook = rulebook

    def start(self, header: dict[str, Any]) -> None:
        rules = dict(header["rules"])
        rules["words"] = self.words
        if self.words != "all" and self.rulebook is not None:
            rules["texts"] = self.rulebook.texts()
        head = orjson.dumps({**header, "rules": rules})[:-1]  # members follow
        self._chunks: list[bytes] = [head + b',\n"findings": [']
        self._size = 0
        self._separator = b"\n"
        self._rejects: list[Rejected] = []
        self._unsynced = 0

    def finding(self, finding: Finding) -> None:
        piece = self._separator + finding_bytes(finding, self.words)
        self._separator = b",\n"
        self._chunks.append(piece)
        self._size += len(piece)
        if self._size >= FLUSH_BYTES:
            self._flush()

    def spooled(self, source: int, offset: int, length: int) -> None:
        """Findings a worker wrote to a file: `length` bytes at `offset` of the open file
        descriptor `source`, each finding preceded by ",\n". Copied by the kernel where the
        output allows it."""
        if length <= 0:
            return
        if self._separator == b"\n":  # the report's first finding: no comma before it
            offset, length = offset + 1, length - 1
            self._separator = b",\n"
        self._flush()
        self.out.flush()
        try:
            target = self.out.fileno()
        except (AttributeError, OSError, io.UnsupportedOperation):
            target = -1
        while length > 0:
            sent = 0
            if target >= 0:
                try:
                    sent = os.sendfile(target, source, offset, length)
                except OSError:
                    target = -1
            if target < 0:
                sent = self.out.write(os.pread(source, min(length, FLUSH_BYTES), offset))
            if sent <= 0:  # the part file was cut short under us
                raise AuditFailedError(
                    "a part of the audit written by a worker process was cut short; "
                    "no report was written"
                )
            offset += sent
            length -= sent
            self._written(sent)

    def spooled_bytes(self, data: memoryview) -> None:
        """Findings audited in this process, as `spooled` takes them from a worker's file."""
        if not data:
            return
        if self._separator == b"\n":  # the report's first finding: no comma before it
            data = data[1:]
            self._separator = b",\n"
        self._flush()
        self.out.write(data)
        self._written(len(data))

    def _flush(self) -> None:
        """Write in large pieces: one system call per megabyte, not per finding."""
        self.out.write(b"".join(self._chunks))
        self._chunks.clear()
        self._written(self._size)
        self._size = 0

    def _written(self, size: int) -> None:
        self._unsynced += size
        if self._unsynced >= WRITEBACK_BYTES:
            self.out.flush()
            start_writeback(self.out)
            self._unsynced = 0

    def rejected(self, rejected: Rejected) -> None:
        self._rejects.append(rejected)

    def finish(self, summary: dict[str, Any]) -> None:
        self._flush()
        rejects = orjson.dumps([r.to_json() for r in self._rejects])
        self.out.write(b'\n],\n"rejected": ' + rejects + b',\n"summary": ')
        self.out.write(orjson.dumps(summary) + b"}\n")
