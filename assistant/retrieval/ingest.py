"""Incremental ingest: only new or changed chunks are embedded; the switch to the new index is atomic."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from assistant.errors import IngestError, KnowledgeDirectoryError, KnowledgeFileError
from assistant.knowledge.chunker import ChunkingPolicy, chunk_document
from assistant.knowledge.loader import load_knowledge
from assistant.models import Chunk
from assistant.retrieval.embedder import Embedder
from assistant.retrieval.vector_store import ChromaVectorStore

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
    """Builds the next index generation from a knowledge directory, reusing unchanged vectors."""

    def __init__(
        self,
        store: ChromaVectorStore,
        embedder: Embedder,
        policy: ChunkingPolicy | None = None,
        before_activate: Callable[[str], None] | None = None,
    ) -> None:
        self._store = store
        self._embedder = embedder
        self._policy = policy or ChunkingPolicy()
        self._before_activate = before_activate

    def ingest(self, directory: Path, progress: ProgressSink | None = None) -> IngestReport:
        started = time.perf_counter()
        progress = progress or ProgressSink()
        loaded = load_knowledge(directory)
        for problem in loaded.problems:
            logger.warning("skipped knowledge file %s", problem)
        if not loaded.documents:
            raise KnowledgeDirectoryError(f"no readable Markdown page in {directory}")
        chunks = _unique([chunk for document in loaded.documents for chunk in chunk_document(document, self._policy)])
        report = IngestReport(documents=len(loaded.documents), chunks=len(chunks), problems=loaded.problems)

        previous = self._previous_vectors()
        wanted = {(chunk.chunk_id, chunk.content_hash) for chunk in chunks}
        if previous is not None and wanted == previous[0]:
            report.generation = self._store.active_name()
            report.reused = len(chunks)
            report.seconds = time.perf_counter() - started
            return report

        known = previous[1] if previous else {}
        missing = [chunk for chunk in chunks if chunk.content_hash not in known]
        vectors = self._embed(missing, progress)
        known = {**known, **dict(zip((c.content_hash for c in missing), vectors, strict=True))}
        matrix = np.stack([known[chunk.content_hash] for chunk in chunks])

        try:
            progress.start(len(chunks), "indexing")
            name = self._store.write(chunks, matrix, self._embedder.name, progress.advance)
            if self._before_activate is not None:
                self._before_activate(name)
            self._store.activate(name)
        except Exception as error:
            self._store.drop_inactive()
            raise IngestError(f"ingest failed, the previous index is still answering: {error}") from error
        finally:
            progress.close()

        report.embedded = len(missing)
        report.reused = len(chunks) - len(missing)
        report.removed = len(previous[0] - wanted) if previous else 0
        report.changed = True
        report.generation = name
        report.seconds = time.perf_counter() - started
        return report

    def _previous_vectors(self) -> tuple[set[tuple[str, str]], dict[str, np.ndarray]] | None:
        """The active generation's (id, hash) pairs and vectors by content hash, if it used our model."""
        self._store.drop_inactive()
        name = self._store.active_name()
        if name is None:
            return None
        generation = self._store.load(name)
        if generation.embedding_model != self._embedder.name:
            logger.info("embedding model changed (%s -> %s): re-embedding everything",
                        generation.embedding_model, self._embedder.name)
            return {(c.chunk_id, c.content_hash) for c in generation.chunks}, {}
        pairs = {(chunk.chunk_id, chunk.content_hash) for chunk in generation.chunks}
        vectors = {chunk.content_hash: generation.embeddings[i] for i, chunk in enumerate(generation.chunks)}
        return pairs, vectors

    def _embed(self, chunks: list[Chunk], progress: ProgressSink) -> np.ndarray:
        if not chunks:
            return np.zeros((0, 0), dtype=np.float32)
        progress.start(len(chunks), "embedding")
        parts = []
        try:
            for start in range(0, len(chunks), 256):
                batch = chunks[start:start + 256]
                parts.append(self._embedder.encode([chunk.embedding_text for chunk in batch]))
                progress.advance(len(batch))
        finally:
            progress.close()
        return np.concatenate(parts)


def _unique(chunks: list[Chunk]) -> list[Chunk]:
    seen: set[str] = set()
    unique = []
    for chunk in chunks:
        if chunk.chunk_id not in seen:
            seen.add(chunk.chunk_id)
            unique.append(chunk)
    return unique
