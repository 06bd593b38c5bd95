"""Hybrid search: dense and lexical (BM25) scores, fused by rank, and ranked by page."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from assistant.models import SearchHit
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
    passage_dense_share: float = 0.5


@dataclass
class SearchResult:
    """Ranked hits (the best passage of each page, best page first) and the signals behind them."""

    hits: list[SearchHit]
    query: str
    query_vector: np.ndarray | None
    snapshot: IndexSnapshot


class HybridSearcher:
    """Searches the active index generation."""

    def __init__(self, index: KnowledgeIndex, embedder: SentenceTransformerEmbedder,
                 weights: FusionWeights | None = None) -> None:
        self._index = index
        self._embedder = embedder
        self._weights = weights or FusionWeights()

    @property
    def index(self) -> KnowledgeIndex:
        return self._index

    def search(self, text: str, filters: SearchFilters | None = None, limit: int = 10,
               mode: SearchMode = SearchMode.HYBRID) -> SearchResult:
        filters = filters or SearchFilters()
        snapshot = self._index.snapshot()
        query = expand_abbreviations(text)
        allowed = snapshot.mask(filters.audiences, filters.languages)
        weights = self._weights
        query_vector = self._embedder.encode_query(query)
        dense = _dense_scores(snapshot, query_vector, allowed)
        lexical = _lexical_scores(snapshot, query, allowed)
        rankings = []
        if mode in (SearchMode.HYBRID, SearchMode.DENSE):
            rankings.append((dense, weights.dense))
        if mode in (SearchMode.HYBRID, SearchMode.BM25):
            rankings.append((lexical, weights.lexical))
        fused = _fuse(rankings, weights)
        hits = _best_passage_per_page(snapshot, fused, dense, lexical, weights, mode, limit)
        return SearchResult(hits=hits, query=query, query_vector=query_vector, snapshot=snapshot)


def _dense_scores(snapshot: IndexSnapshot, vector: np.ndarray, allowed: np.ndarray | None) -> np.ndarray:
    """Cosine per passage or card: the best of its own vector and its windows' vectors."""
    similarities = snapshot.embeddings @ vector
    scores = np.full(len(snapshot.chunks), -np.inf, dtype=np.float32)
    np.maximum.at(scores, snapshot.owners, similarities)
    scores[snapshot.owners != np.arange(len(snapshot.owners))] = -np.inf
    if allowed is not None:
        scores[~allowed] = -np.inf
    return scores


def _lexical_scores(snapshot: IndexSnapshot, query: str, allowed: np.ndarray | None) -> np.ndarray:
    scores = np.zeros(len(snapshot.chunks), dtype=np.float32)
    scores[snapshot.lexical_rows] = snapshot.lexical.scores(query)
    if allowed is not None:
        scores[~allowed] = 0.0
    return scores


def _fuse(rankings: list[tuple[np.ndarray, float]], weights: FusionWeights) -> dict[int, float]:
    """Reciprocal rank fusion over each retriever's top candidates."""
    fused: dict[int, float] = {}
    for scores, weight in rankings:
        count = min(weights.candidates, len(scores))
        top = np.argpartition(-scores, count - 1)[:count]
        top = top[np.argsort(-scores[top])]
        for rank, row in enumerate(int(r) for r in top if np.isfinite(scores[r]) and scores[r] > 0):
            fused[row] = fused.get(row, 0.0) + weight / (weights.rrf_k + rank + 1)
    return fused


def _best_passage_per_page(snapshot: IndexSnapshot, fused: dict[int, float], dense: np.ndarray,
                           lexical: np.ndarray, weights: FusionWeights, mode: SearchMode,
                           limit: int) -> list[SearchHit]:
    """Pages in order of their best fused row; each page is represented by its best passage."""
    pages: dict[str, float] = {}
    for row, score in sorted(fused.items(), key=lambda item: item[1], reverse=True):
        pages.setdefault(snapshot.chunks[row].path, score)
        if len(pages) >= limit:
            break
    dense_share = {SearchMode.DENSE: 1.0, SearchMode.BM25: 0.0}.get(mode, weights.passage_dense_share)
    hits = []
    for path, score in pages.items():
        rows = snapshot.passage_rows.get(path)
        if rows is None or not len(rows):
            continue
        page_dense = np.where(np.isfinite(dense[rows]), dense[rows], 0.0)
        page_lexical = lexical[rows] / (lexical[rows].max() or 1.0)
        best = int(rows[np.argmax(dense_share * page_dense + (1 - dense_share) * page_lexical)])
        hits.append(SearchHit(chunk=snapshot.chunks[best], score=score,
                              dense_score=float(page_dense.max()), lexical_score=float(lexical[best])))
    return hits
