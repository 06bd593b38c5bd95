"""Hybrid search: dense and lexical (BM25) scores in one weighted sum, ranked by page."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from assistant.models import SearchHit
from assistant.retrieval.dense import DenseScorer, ExactDenseScorer
from assistant.retrieval.embedder import SentenceTransformerEmbedder
from assistant.retrieval.passage_index import IndexSnapshot, PassageIndex
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
    phrasings: bool = True
    """False: the pages' `questions` phrasings take no part (calibration probes search the pages' content only)."""


@dataclass(frozen=True)
class FusionWeights:
    """How the signals combine. Defaults were chosen on the handbook dev set (see README).

    A passage scores `dense * cosine + (1 - dense) * (1 - exp(-bm25 / lexical_scale))`: the
    cosine of its best window, and its BM25 score squashed into 0..1 on a fixed scale (not
    divided by the query's best score, so a query no passage matches well keeps low scores).
    A page scores as its best passage, and that passage represents it.
    """

    dense: float = 0.7
    lexical_scale: float = 10.0


@dataclass
class SearchResult:
    """Ranked hits (the best passage of each page, best page first) and the signals behind them."""

    hits: list[SearchHit]
    query: str
    query_vector: np.ndarray | None
    snapshot: IndexSnapshot


@dataclass(frozen=True)
class PreparedQuery:
    """A question made ready to search, as `search` makes it: short forms spelled out, spelling corrected against
    the index it was prepared on, and embedded (by `HybridSearcher.prepare`, many questions at once)."""

    text: str
    query: str
    vector: np.ndarray
    snapshot: IndexSnapshot


class HybridSearcher:
    """Searches the active index generation; `dense` scores the vectors (default: exact, in memory)."""

    def __init__(self, index: PassageIndex, embedder: SentenceTransformerEmbedder,
                 weights: FusionWeights | None = None, dense: DenseScorer | None = None) -> None:
        self._index = index
        self._embedder = embedder
        self._weights = weights or FusionWeights()
        self._dense = dense or ExactDenseScorer()

    @property
    def index(self) -> PassageIndex:
        return self._index

    def search(self, text: str, filters: SearchFilters | None = None, limit: int = 10,
               mode: SearchMode = SearchMode.HYBRID) -> SearchResult:
        filters = filters or SearchFilters()
        snapshot = self._index.snapshot()
        # Short forms spelled out, and words the corpus never uses corrected to close ones it does.
        query = snapshot.lexical.spelling.correct_text(expand_abbreviations(text))
        allowed = snapshot.mask(filters.audiences, filters.languages, filters.phrasings)
        query_vector = self._embedder.encode_query(query)
        dense = self._dense.scores(snapshot, query_vector, filters.audiences, filters.languages, allowed)
        lexical = lexical_scores(snapshot, query, allowed)
        share = {SearchMode.DENSE: 1.0, SearchMode.BM25: 0.0}.get(mode, self._weights.dense)
        combined = combine_scores(dense, lexical, share, self._weights)
        hits = _best_passage_per_page(snapshot, combined, dense, lexical, limit)
        return SearchResult(hits=hits, query=query, query_vector=query_vector, snapshot=snapshot)

    def prepare(self, texts: Sequence[str]) -> list[PreparedQuery]:
        """Many questions made ready to search at once: their query vectors are embedded in batches, which is
        several times faster than one by one (for rechecking thousands of gaps). The vectors come from the
        embedder's `encode_questions`, in float32 like `search`'s single-question vectors; padding in a batch can
        still move a cosine in the sixth decimal."""
        snapshot = self._index.snapshot()
        queries = [snapshot.lexical.spelling.correct_text(expand_abbreviations(text)) for text in texts]
        vectors = self._embedder.encode_questions(queries) if queries else np.zeros((0, 0), dtype=np.float32)
        return [PreparedQuery(text, query, vector, snapshot)
                for text, query, vector in zip(texts, queries, vectors, strict=True)]

    def search_prepared(self, prepared: PreparedQuery, filters: SearchFilters | None = None, limit: int = 10,
                        mode: SearchMode = SearchMode.HYBRID) -> SearchResult:
        """`search` for a prepared question, on the index generation it was prepared on, without embedding it."""
        filters = filters or SearchFilters()
        snapshot = prepared.snapshot
        allowed = snapshot.mask(filters.audiences, filters.languages, filters.phrasings)
        dense = self._dense.scores(snapshot, prepared.vector, filters.audiences, filters.languages, allowed)
        lexical = lexical_scores(snapshot, prepared.query, allowed)
        share = {SearchMode.DENSE: 1.0, SearchMode.BM25: 0.0}.get(mode, self._weights.dense)
        combined = combine_scores(dense, lexical, share, self._weights)
        hits = _best_passage_per_page(snapshot, combined, dense, lexical, limit)
        return SearchResult(hits=hits, query=prepared.query, query_vector=prepared.vector, snapshot=snapshot)


def lexical_scores(snapshot: IndexSnapshot, query: str, allowed: np.ndarray | None) -> np.ndarray:
    """Each row's BM25 score for `query` (0 for rows BM25 does not index, windows and phrasings, and rows not
    `allowed`)."""
    scores = np.zeros(len(snapshot.chunks), dtype=np.float32)
    scores[snapshot.lexical_rows] = snapshot.lexical.scores(query)
    if allowed is not None:
        scores[~allowed] = 0.0
    return scores


def combine_scores(dense: np.ndarray, lexical: np.ndarray, share: float, weights: FusionWeights) -> np.ndarray:
    """The weighted sum; rows the search may not return (windows, filtered rows) stay at -inf."""
    combined = (1.0 - share) * (1.0 - np.exp(-lexical / weights.lexical_scale))
    if share > 0.0:
        combined = combined + share * dense
    else:
        combined[~np.isfinite(dense)] = -np.inf
        combined[lexical <= 0.0] = -np.inf
    return combined


def _best_passage_per_page(snapshot: IndexSnapshot, combined: np.ndarray, dense: np.ndarray,
                           lexical: np.ndarray, limit: int) -> list[SearchHit]:
    """Pages in order of their best passage's score; each page is represented by that passage."""
    if not len(snapshot.page_passages):
        return []
    page_scores = np.maximum.reduceat(combined[snapshot.page_passages], snapshot.page_starts)
    count = min(limit, len(page_scores))
    top = np.argpartition(-page_scores, count - 1)[:count]
    hits = []
    for page in top[np.argsort(-page_scores[top], kind="stable")]:
        score = float(page_scores[page])
        if not np.isfinite(score):
            break
        rows = snapshot.passage_rows[snapshot.pages[page]]
        best = int(rows[np.argmax(combined[rows])])
        hits.append(SearchHit(chunk=snapshot.chunks[best], score=score,
                              dense_score=float(max(dense[best], 0.0)), lexical_score=float(lexical[best])))
    return hits
