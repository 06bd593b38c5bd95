"""BM25 search over chunk texts (bm25s), with stemming per language."""

from __future__ import annotations

import logging
import math
from collections import Counter

import bm25s
import numpy as np

from assistant.models import Chunk
from assistant.retrieval.text_analysis import SpellingCorrector, analyse, words

logger = logging.getLogger(__name__)
# bm25s pins its own logger to DEBUG when imported, so every index build printed a debug line even at
# ASSISTANT_LOG_LEVEL=INFO; unpinned, it follows the level the application configured.
logging.getLogger("bm25s").setLevel(logging.NOTSET)


class LexicalIndex:
    """An in-memory BM25 index. Built from chunks in a second or two; rebuilt when the index changes."""

    def __init__(self, chunks: list[Chunk]) -> None:
        self.chunks = chunks
        self._languages = sorted({chunk.language for chunk in chunks}) or ["en"]
        corpus = [self._document_terms(chunk) for chunk in chunks]
        self._document_frequency: Counter[str] = Counter(term for terms in corpus for term in set(terms))
        self._vocabulary = set(self._document_frequency)
        self._page_terms: dict[str, set[str]] = {}
        for chunk, terms in zip(chunks, corpus, strict=True):
            self._page_terms.setdefault(chunk.path, set()).update(terms)
        self._page_frequency: Counter[str] = Counter(term for terms in self._page_terms.values() for term in terms)
        self.spelling = SpellingCorrector(Counter(w for chunk in chunks for w in words(chunk.text)))
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        if chunks:
            # bm25s cannot index an empty document; a placeholder term keeps row numbers aligned.
            self._bm25.index([terms or ["\x00empty"] for terms in corpus], show_progress=False)

    @staticmethod
    def _document_terms(chunk: Chunk) -> list[str]:
        # Titles and section names name the topic: counting them twice lifts pages that are about it.
        heading = f"{chunk.title} {chunk.section}"
        return analyse(f"{heading} {heading} {chunk.text}", chunk.language)

    def query_terms(self, text: str) -> list[str]:
        """The query's terms in every language the index holds, kept only when the index knows them."""
        terms: list[str] = []
        for language in self._languages:
            for term in analyse(text, language):
                if term in self._vocabulary and term not in terms:
                    terms.append(term)
        return terms

    def idf(self, term: str) -> float:
        """Inverse document frequency; a term the index never saw gets the rarest term's weight."""
        count = len(self.chunks)
        frequency = self._document_frequency.get(term, 0)
        return math.log(1.0 + (count - frequency + 0.5) / (frequency + 0.5))

    def page_share(self, term: str) -> float:
        """Share of the pages that use `term` (the company's own name is on nearly every page)."""
        return self._page_frequency.get(term, 0) / max(len(self._page_terms), 1)

    def known_share(self, text: str, language: str = "en") -> float:
        """Share of the question's weight (idf) carried by terms the index knows at all."""
        terms = set(analyse(text, language))
        if not terms:
            return 0.0
        total = sum(self.idf(term) for term in terms)
        return sum(self.idf(term) for term in terms if term in self._vocabulary) / total

    def rarest_missing(self, text: str, path: str, language: str = "en") -> float:
        """The idf of the rarest question term missing from page `path`, over the largest idf possible."""
        page = self._page_terms.get(path, set())
        missing = [self.idf(term) for term in set(analyse(text, language)) if term not in page]
        return max(missing, default=0.0) / (self.idf("\x00never") or 1.0)

    def coverage(self, text: str, path: str, language: str = "en") -> float:
        """Share of the question's weight (idf) whose terms occur on page `path`. Unknown words count."""
        terms = set(analyse(text, language))
        if not terms:
            return 0.0
        page = self._page_terms.get(path, set())
        total = sum(self.idf(term) for term in terms)
        return sum(self.idf(term) for term in terms if term in page) / total

    def passage_coverage(self, text: str, chunk: Chunk, language: str = "en") -> float:
        """Like `coverage`, for one passage (with its title and section) rather than its whole page."""
        terms = set(analyse(text, language))
        if not terms:
            return 0.0
        passage = set(self._document_terms(chunk))
        total = sum(self.idf(term) for term in terms)
        return sum(self.idf(term) for term in terms if term in passage) / total

    def scores(self, text: str) -> np.ndarray:
        """BM25 score of every indexed document for `text` (zeros when no query term is known)."""
        terms = self.query_terms(text)
        if not terms or not self.chunks:
            return np.zeros(len(self.chunks), dtype=np.float32)
        return np.asarray(self._bm25.get_scores(terms), dtype=np.float32)

    def search(self, text: str, limit: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """(row, score) pairs, best first; rows index `self.chunks`. `mask` marks allowed rows."""
        terms = self.query_terms(text)
        if not terms or not self.chunks:
            return []
        limit = min(limit, len(self.chunks))
        rows, scores = self._bm25.retrieve(
            [terms], k=limit, show_progress=False, weight_mask=mask, n_threads=1
        )
        return [(int(row), float(score)) for row, score in zip(rows[0], scores[0], strict=True) if score > 0]
