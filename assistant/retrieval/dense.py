"""Dense scores for hybrid search: exact over every vector in memory, or from the Chroma server's HNSW index.

Both give each passage (and page card) the cosine of its best row, its own or one it owns (windows, questions), and
-inf to rows a search may not return; the composition root picks one from the settings.
"""

from __future__ import annotations

from typing import Protocol

import numpy as np

from assistant.retrieval.passage_index import IndexSnapshot
from assistant.retrieval.vector_store import ChromaVectorStore


class DenseScorer(Protocol):
    """Cosine per owner row of a snapshot for a query vector, -inf where the search may not return a row."""

    def scores(self, snapshot: IndexSnapshot, vector: np.ndarray, audiences: tuple[str, ...] | None,
               languages: tuple[str, ...] | None, allowed: np.ndarray | None) -> np.ndarray: ...


def owner_scores(snapshot: IndexSnapshot, similarities: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
    """Each owner row's best similarity among its rows; -inf for rows that own nothing or may not be returned."""
    scores = np.full(len(snapshot.chunks), -np.inf, dtype=np.float32)
    if not len(snapshot.chunks):
        return scores
    if allowed is not None:
        # Before taking each owner's best: a row left out (a phrasing, for calibration probes) speaks for nobody.
        similarities = np.where(allowed, similarities, np.float32(-np.inf))
    scores[snapshot.owner_rows] = np.maximum.reduceat(similarities[snapshot.owner_order], snapshot.owner_starts)
    if allowed is not None:
        scores[~allowed] = -np.inf
    return scores


class ExactDenseScorer:
    """Every row's cosine from the snapshot's matrix (the embedded store): exact, and what the figures in
    docs/evaluation.md were measured with."""

    def scores(self, snapshot: IndexSnapshot, vector: np.ndarray, audiences: tuple[str, ...] | None,
               languages: tuple[str, ...] | None, allowed: np.ndarray | None) -> np.ndarray:
        if not len(snapshot.chunks):
            return np.full(0, -np.inf, dtype=np.float32)
        return owner_scores(snapshot, snapshot.embeddings @ vector, allowed)


class ServerDenseScorer:
    """The `candidates` nearest rows from the Chroma server's HNSW index (cosine space), filtered there by
    generation, audience and language; a row the server did not return scores `floor` (0.0), or, with `floor` None,
    the lowest cosine the server did return (an upper bound of the row's own).

    A passage none of whose rows came back still competes on BM25. On the handbook, 100 candidates with 0.0 gave
    exact search's Recall@5 and MRR to the third decimal; the lowest returned cosine moved one question into the top
    five (docs/retrieval.md), a change of ranking, not parity, so it is not the default."""

    def __init__(self, store: ChromaVectorStore, candidates: int = 100, floor: float | None = 0.0) -> None:
        self._store = store
        self._candidates = candidates
        self._floor = floor

    def scores(self, snapshot: IndexSnapshot, vector: np.ndarray, audiences: tuple[str, ...] | None,
               languages: tuple[str, ...] | None, allowed: np.ndarray | None) -> np.ndarray:
        if not len(snapshot.chunks):
            return np.full(0, -np.inf, dtype=np.float32)
        neighbours = self._store.nearest(snapshot.name, vector, self._candidates, audiences, languages)
        lowest = min((neighbour.similarity for neighbour in neighbours), default=0.0)
        similarities = np.full(len(snapshot.chunks), lowest if self._floor is None else self._floor,
                               dtype=np.float32)
        for neighbour in neighbours:
            row = snapshot.rows.get(neighbour.chunk_id)
            if row is not None:
                similarities[row] = neighbour.similarity
        return owner_scores(snapshot, similarities, allowed)
