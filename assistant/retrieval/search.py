"""Hybrid search: dense (chromadb) and lexical (BM25) candidates, fused and ranked by page."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from assistant.models import Chunk, SearchHit
from assistant.retrieval.embedder import SentenceTransformerEmbedder
from assistant.retrieval.knowledge_index import IndexSnapshot, KnowledgeIndex
from assistant.retrieval.text_analysis import expand_abbreviations

logger = logging.getLogger(__name__)


class SearchMode(StrEnum):
    """Which retrievers take part; `hybrid` is the product's, the others exist for evaluation."""

    HYBRID = "hybrid"
    DENSE = "dense"
    BM25 = "bm25"


@dataclass(frozen=True)
class SearchFilters:
    """Who is asking and in which language: restricts the chunks a search may return."""

    audiences: tuple[str, ...] | None = None
    languages: tuple[str, ...] | None = None


@dataclass(frozen=True)
class FusionWeights:
    """How the signals combine. Defaults were chosen on the handbook dev set (see README)."""

    rrf_k: float = 60.0
    dense: float = 1.0
    lexical: float = 1.0
    candidates: int = 50


@dataclass
class SearchResult:
    """Ranked hits (best chunk of the best page first) and the scores behind them."""

    hits: list[SearchHit]
    query: str
    snapshot: IndexSnapshot | None = None
    top_dense: float = 0.0
    top_lexical: float = 0.0
    extras: dict = field(default_factory=dict)


class HybridSearcher:
    """Searches the active index generation."""

    def __init__(self, index: KnowledgeIndex, embedder: SentenceTransformerEmbedder,
                 weights: FusionWeights | None = None) -> None:
        self._index = index
        self._embedder = embedder
        self._weights = weights or FusionWeights()

    def search(self, text: str, filters: SearchFilters | None = None, limit: int = 10,
               mode: SearchMode = SearchMode.HYBRID) -> SearchResult:
        filters = filters or SearchFilters()
        snapshot = self._index.snapshot()
        query = expand_abbreviations(text)
        mask = snapshot.mask(filters.audiences, filters.languages)
        weights = self._weights
        dense: dict[int, float] = {}
        lexical: dict[int, float] = {}
        query_vector = None
        if mode in (SearchMode.HYBRID, SearchMode.DENSE):
            query_vector = self._embedder.encode_query(query)
            dense = self._dense(snapshot, query_vector, mask, weights.candidates)
        if mode in (SearchMode.HYBRID, SearchMode.BM25):
            lexical = dict(snapshot.lexical.search(query, weights.candidates, mask))
        fused = self._fuse(dense, lexical, weights)
        hits = _rank_by_page(snapshot, fused, dense, lexical, limit)
        return SearchResult(
            hits=hits,
            query=query,
            snapshot=snapshot,
            top_dense=max(dense.values(), default=0.0),
            top_lexical=max(lexical.values(), default=0.0),
            extras={"query_vector": query_vector},
        )

    def _dense(self, snapshot: IndexSnapshot, vector: np.ndarray, mask: np.ndarray | None,
               limit: int) -> dict[int, float]:
        similarities = snapshot.embeddings @ vector
        if mask is not None:
            similarities = np.where(mask, similarities, -np.inf)
        limit = min(limit, len(similarities))
        top = np.argpartition(-similarities, limit - 1)[:limit]
        return {int(row): float(similarities[row]) for row in top if np.isfinite(similarities[row])}

    @staticmethod
    def _fuse(dense: dict[int, float], lexical: dict[int, float], weights: FusionWeights) -> dict[int, float]:
        fused: dict[int, float] = {}
        for scores, weight in ((dense, weights.dense), (lexical, weights.lexical)):
            for rank, row in enumerate(sorted(scores, key=scores.__getitem__, reverse=True)):
                fused[row] = fused.get(row, 0.0) + weight / (weights.rrf_k + rank + 1)
        return fused


def _rank_by_page(snapshot: IndexSnapshot, fused: dict[int, float], dense: dict[int, float],
                  lexical: dict[int, float], limit: int) -> list[SearchHit]:
    """Order pages by their best chunk; each page's section chunks follow in score order."""
    by_page: dict[str, list[int]] = {}
    for row in sorted(fused, key=fused.__getitem__, reverse=True):
        by_page.setdefault(snapshot.chunks[row].path, []).append(row)
    hits: list[SearchHit] = []
    for rows in by_page.values():
        passages = [row for row in rows if snapshot.chunks[row].kind == "section"] or rows
        for row in passages[: max(1, limit)]:
            hits.append(_hit(snapshot.chunks[row], fused[row], dense.get(row, 0.0), lexical.get(row, 0.0)))
            break
        if len(hits) >= limit:
            break
    return hits


def _hit(chunk: Chunk, score: float, dense: float, lexical: float) -> SearchHit:
    return SearchHit(chunk=chunk, score=score, dense_score=dense, lexical_score=lexical)
