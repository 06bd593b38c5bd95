"""The active index generation held in memory: chunks, their vectors and the BM25 index."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from assistant.errors import IndexNotReadyError
from assistant.models import Chunk
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.vector_store import ChromaVectorStore


@dataclass(frozen=True)
class IndexSnapshot:
    """An immutable view of one generation; searches hold a reference, so a reload never disturbs them."""

    name: str
    chunks: list[Chunk]
    embeddings: np.ndarray
    lexical: LexicalIndex
    rows: dict[str, int]
    languages: frozenset[str]
    owners: np.ndarray
    """For each row, the row that scores for it: a window's passage, else the row itself."""
    lexical_rows: np.ndarray
    """Global row of each document in the lexical index (windows are not indexed twice)."""
    passage_rows: dict[str, np.ndarray]
    """Each page's passage rows, in page order."""

    @classmethod
    def build(cls, name: str, chunks: list[Chunk], embeddings: np.ndarray) -> IndexSnapshot:
        rows = {chunk.chunk_id: row for row, chunk in enumerate(chunks)}
        owners = np.array([rows.get(chunk.parent_id, row) if chunk.parent_id else row
                           for row, chunk in enumerate(chunks)], dtype=np.int64)
        lexical_rows = np.array([row for row, chunk in enumerate(chunks) if chunk.kind != "window"],
                                dtype=np.int64)
        passages: dict[str, list[int]] = {}
        for row, chunk in enumerate(chunks):
            if chunk.kind == "section":
                passages.setdefault(chunk.path, []).append(row)
        return cls(
            name=name,
            chunks=chunks,
            embeddings=embeddings,
            lexical=LexicalIndex([chunks[row] for row in lexical_rows]),
            rows=rows,
            languages=frozenset(chunk.language for chunk in chunks),
            owners=owners,
            lexical_rows=lexical_rows,
            passage_rows={path: np.array(found, dtype=np.int64) for path, found in passages.items()},
        )

    def mask(self, audiences: tuple[str, ...] | None, languages: tuple[str, ...] | None) -> np.ndarray | None:
        if audiences is None and languages is None:
            return None
        allowed = np.ones(len(self.chunks), dtype=bool)
        for row, chunk in enumerate(self.chunks):
            if audiences is not None and chunk.audience not in audiences:
                allowed[row] = False
            elif languages is not None and chunk.language not in languages:
                allowed[row] = False
        return allowed


class KnowledgeIndex:
    """Follows the store's active generation, reloading (at most every `check_seconds`) when it changes."""

    def __init__(self, store: ChromaVectorStore, check_seconds: float = 2.0) -> None:
        self._store = store
        self._check_seconds = check_seconds
        self._snapshot: IndexSnapshot | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    @property
    def store(self) -> ChromaVectorStore:
        return self._store

    def snapshot(self) -> IndexSnapshot:
        """The current generation; raises `IndexNotReadyError` before the first ingest."""
        now = time.monotonic()
        if self._snapshot is not None and now - self._checked_at < self._check_seconds:
            return self._snapshot
        with self._lock:
            if self._snapshot is None or time.monotonic() - self._checked_at >= self._check_seconds:
                self._refresh()
        if self._snapshot is None:
            raise IndexNotReadyError("the knowledge index is empty: run `assistant ingest` first")
        return self._snapshot

    def reload(self) -> None:
        """Re-read the active generation now (after an ingest in this process)."""
        with self._lock:
            self._refresh()

    def _refresh(self) -> None:
        name = self._store.active_name()
        self._checked_at = time.monotonic()
        if name is None or (self._snapshot is not None and self._snapshot.name == name):
            return
        generation = self._store.load(name)
        self._snapshot = IndexSnapshot.build(name, generation.chunks, generation.embeddings)
