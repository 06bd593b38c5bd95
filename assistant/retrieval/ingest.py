"""Incremental ingest: only new or changed chunks are embedded; the switch to the new index is atomic."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.errors import IngestError, KnowledgeDirectoryError, KnowledgeFileError
from assistant.models import Chunk
from assistant.pages.chunker import ChunkingPolicy, chunk_document
from assistant.pages.loader import load_pages
from assistant.pages.values import ValuesCatalog, with_why
from assistant.retrieval.embedder import Embedder
from assistant.retrieval.vector_store import ChromaVectorStore, record_id

logger = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """What an ingest run did."""

    documents: int = 0
    chunks: int = 0
    embedded: int = 0
    reused: int = 0
    removed: int = 0
    changed: bool = False
    generation: str | None = None
    seconds: float = 0.0
    problems: list[KnowledgeFileError] = field(default_factory=list)


class ProgressSink:
    """Receives progress: `start(total, label)`, `advance(n)`, `close()`. The CLI shows a bar."""

    def start(self, total: int, label: str) -> None: ...

    def advance(self, count: int) -> None: ...

    def close(self) -> None: ...


class Ingestor:
    """Builds the next index generation from a knowledge directory, reusing unchanged vectors.

    `before_activate` runs with the staged generation's name just before it becomes active; `after_ingest` runs
    after every successful ingest, changed or not (the composition root calibrates the answerability decision for
    the generation now active there)."""

    def __init__(
        self,
        store: ChromaVectorStore,
        embedder: Embedder,
        policy: ChunkingPolicy | None = None,
        before_activate: Callable[[str], None] | None = None,
        after_ingest: Callable[[IngestReport], None] | None = None,
    ) -> None:
        self._store = store
        self._embedder = embedder
        self._policy = policy or ChunkingPolicy()
        self._before_activate = before_activate
        self._after_ingest = after_ingest

    def ingest(self, directory: Path, progress: ProgressSink | None = None) -> IngestReport:
        report = self._ingest(directory, progress)
        if self._after_ingest is not None:
            self._after_ingest(report)
        return report

    def _ingest(self, directory: Path, progress: ProgressSink | None) -> IngestReport:
        started = time.perf_counter()
        progress = progress or ProgressSink()
        loaded = load_pages(directory)
        for problem in loaded.problems:
            logger.warning("skipped knowledge file %s", problem)
        if not loaded.documents:
            raise KnowledgeDirectoryError(f"no readable Markdown page in {directory}")
        values = ValuesCatalog.from_documents(loaded.documents)
        for document in loaded.documents:
            for warning in document.warnings:
                logger.warning("knowledge file %s: %s", document.path, warning)
        chunks = _unique([chunk for document in loaded.documents
                          for chunk in with_why(chunk_document(document, self._policy), values.why_for(document))])
        report = IngestReport(documents=len(loaded.documents), chunks=len(chunks), problems=loaded.problems)

        self._store.clean_up()
        live = self._store.live_records(self._embedder.name)
        live_ids = {record.record_id for record in live}
        wanted = {record_id(chunk): chunk for chunk in chunks}
        report.removed = len({record.chunk_id for record in live} - {chunk.chunk_id for chunk in chunks})
        if live and wanted.keys() == live_ids:
            report.generation = self._store.active_name()
            report.reused = len(chunks)
            report.seconds = time.perf_counter() - started
            return report

        added = [chunk for record, chunk in wanted.items() if record not in live_ids]
        retired = sorted(live_ids - wanted.keys())
        vectors, embedded = self._vectors_for(added, live, progress)

        try:
            progress.start(len(added), "indexing")
            generation = self._store.stage(self._embedder.name, added, vectors, retired, progress.advance)
            if self._before_activate is not None:
                self._before_activate(generation.name)
            self._store.activate(generation)
        except Exception as error:
            self._store.clean_up()
            raise IngestError(f"ingest failed, the previous index is still answering: {error}") from error
        finally:
            progress.close()

        report.embedded = embedded
        report.reused = len(chunks) - embedded
        report.changed = True
        report.generation = generation.name
        report.seconds = time.perf_counter() - started
        return report

    def _vectors_for(self, added: list[Chunk], live, progress: ProgressSink) -> tuple[np.ndarray, int]:
        """Vectors for the new records: copied when the same text is already stored, else embedded."""
        if not added:
            return np.zeros((0, 0), dtype=np.float32), 0
        stored_by_hash = {record.content_hash: record.record_id for record in live}
        reusable = {chunk.content_hash: stored_by_hash[chunk.content_hash]
                    for chunk in added if chunk.content_hash in stored_by_hash}
        stored = self._store.vectors(self._embedder.name, sorted(set(reusable.values())))
        known = {content_hash: stored[record] for content_hash, record in reusable.items() if record in stored}
        missing = _unique_by_hash([chunk for chunk in added if chunk.content_hash not in known])
        fresh = self._embed(missing, progress)
        known.update(zip((chunk.content_hash for chunk in missing), fresh, strict=True))
        return np.stack([known[chunk.content_hash] for chunk in added]), len(missing)

    def _embed(self, chunks: list[Chunk], progress: ProgressSink) -> np.ndarray:
        """Vectors in the order of `chunks`; texts go to the model shortest first (less padding per batch)."""
        if not chunks:
            return np.zeros((0, 0), dtype=np.float32)
        texts = [chunk.embedding_text for chunk in chunks]
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        progress.start(len(chunks), "embedding")
        parts = []
        try:
            for start in range(0, len(order), 256):
                part = order[start:start + 256]
                parts.append(self._embedder.encode([texts[i] for i in part]))
                progress.advance(len(part))
        finally:
            progress.close()
        vectors = np.empty_like(np.concatenate(parts))
        vectors[order] = np.concatenate(parts)
        return vectors


def _unique(chunks: list[Chunk]) -> list[Chunk]:
    seen: set[str] = set()
    unique = []
    for chunk in chunks:
        if chunk.chunk_id not in seen:
            seen.add(chunk.chunk_id)
            unique.append(chunk)
    return unique


def _unique_by_hash(chunks: list[Chunk]) -> list[Chunk]:
    seen: set[str] = set()
    unique = []
    for chunk in chunks:
        if chunk.content_hash not in seen:
            seen.add(chunk.content_hash)
            unique.append(chunk)
    return unique
