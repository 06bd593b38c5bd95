"""The last ingest's figures, kept in the data directory so a server can report an ingest another process ran."""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

from assistant.errors import AssistantError
from assistant.retrieval.ingest import IngestReport

FILE_NAME = "last-ingest.json"


class IngestRecordError(AssistantError):
    """The last-ingest file exists but cannot be read as one."""


@dataclass(frozen=True)
class IngestRecord:
    """When the last ingest finished, how long it took, and what it did (counts only: no page text or names)."""

    finished_at: float
    seconds: float
    documents: int
    chunks: int
    embedded: int
    changed: bool
    problems: int


class IngestRecordFile:
    """Writes the record after every ingest (`assistant ingest`, or an ingest inside the server) and reads it when
    Prometheus scrapes. The write replaces the file atomically, so a reader never sees half of it."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE_NAME

    def write(self, report: IngestReport, finished_at: float | None = None) -> IngestRecord:
        record = IngestRecord(finished_at=time.time() if finished_at is None else finished_at,
                              seconds=report.seconds, documents=report.documents, chunks=report.chunks,
                              embedded=report.embedded, changed=report.changed, problems=len(report.problems))
        self.path.parent.mkdir(parents=True, exist_ok=True)
        staged = self.path.with_name(f".{FILE_NAME}.{os.getpid()}")
        staged.write_text(json.dumps(asdict(record)), encoding="utf-8")
        staged.replace(self.path)
        return record

    def read(self) -> IngestRecord | None:
        """The last record, or None before the first ingest."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        try:
            return IngestRecord(**json.loads(text))
        except (ValueError, TypeError) as error:
            raise IngestRecordError(f"{self.path} is not an ingest record: {error}") from error
