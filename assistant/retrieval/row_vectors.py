"""Where an index snapshot's chunk vectors are: all in memory, or left in the Chroma server and fetched by row."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Protocol

import numpy as np

from assistant.errors import IndexUnavailableError
from assistant.models import Chunk
from assistant.retrieval.vector_store import ChromaVectorStore, record_id


class RowVectors(Protocol):
    """The embedding-model vectors of some rows of a snapshot, in the order asked for."""

    def take(self, rows: np.ndarray) -> np.ndarray: ...


class MatrixRows:
    """Every row's vector in one in-memory matrix (the embedded store's snapshot: exact search needs them all)."""

    def __init__(self, matrix: np.ndarray) -> None:
        self.matrix = matrix

    def take(self, rows: np.ndarray) -> np.ndarray:
        return self.matrix[rows]


class StoredRows:
    """Vectors left in the Chroma server, fetched for the rows asked for and the most recent `capacity` of them
    kept (the short answer asks for one passage's windows; a replica never holds the whole matrix)."""

    def __init__(self, store: ChromaVectorStore, generation: str, chunks: Sequence[Chunk],
                 capacity: int = 2048) -> None:
        self._store = store
        self._generation = generation
        self._chunks = chunks
        self._capacity = capacity
        self._cache: OrderedDict[int, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    @property
    def cached(self) -> int:
        """How many rows' vectors this process holds now."""
        return len(self._cache)

    def take(self, rows: np.ndarray) -> np.ndarray:
        wanted = [int(row) for row in rows]
        with self._lock:
            found = {row: self._cache[row] for row in wanted if row in self._cache}
        missing = sorted(set(wanted) - found.keys())
        if missing:
            ids = {record_id(self._chunks[row]): row for row in missing}
            fetched = self._store.vectors_by_id(self._generation, list(ids))
            absent = ids.keys() - fetched.keys()
            if absent:
                raise IndexUnavailableError(f"generation {self._generation} on the Chroma server no longer has "
                                            f"{len(absent)} of its vectors (a newer ingest removed them)")
            with self._lock:
                for record, vector in fetched.items():
                    found[ids[record]] = vector
                    self._cache[ids[record]] = vector
                for row in wanted:
                    if row in self._cache:
                        self._cache.move_to_end(row)
                while len(self._cache) > self._capacity:
                    self._cache.popitem(last=False)
        if not wanted:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([found[row] for row in wanted])
