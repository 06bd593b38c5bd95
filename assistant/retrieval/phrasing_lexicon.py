"""BM25 over the pages' `questions` phrasings, one index per language the phrasings are written in.

A cross-lingual question is compared with text in its own language wherever it can be: a page in English with an
Italian phrasing "posso cambiare il turno con un collega?" shares words ("turno", "collega") with an Italian question
about shift swaps. The multilingual model places such pages a few thousandths apart; the shared words separate them
(measured in docs/evaluation.md, "Cross-lingual answers": words and cosine fused).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import bm25s
import numpy as np

from assistant.models import Chunk
from assistant.retrieval.text_analysis import analyse

logging.getLogger("bm25s").setLevel(logging.NOTSET)  # see assistant.retrieval.lexical


class PhrasingLexicon:
    """For one asker language: each page's phrasings written in that language, as one BM25 document per page."""

    def __init__(self, language: str, pages: Sequence[int], texts: Sequence[Sequence[str]]) -> None:
        """`pages`: page numbers (the snapshot's `pages` order); `texts`: each page's phrasings in `language`."""
        self.language = language
        self.pages = np.asarray(pages, dtype=np.int64)
        terms = [analyse(" ".join(phrasings), language) for phrasings in texts]
        self._vocabulary = {term for page_terms in terms for term in page_terms}
        self._bm25 = bm25s.BM25(k1=1.2, b=0.75)
        if terms:
            self._bm25.index([page_terms or ["\x00empty"] for page_terms in terms], show_progress=False)

    @classmethod
    def from_units(cls, language: str, units: Sequence[tuple[int, Chunk, str]]) -> PhrasingLexicon:
        """From (page number, phrasing unit, the phrasing's language) triples; only those in `language` count."""
        by_page: dict[int, list[str]] = {}
        for page, unit, written_in in units:
            if written_in == language:
                by_page.setdefault(page, []).append(unit.text)
        pages = sorted(by_page)
        return cls(language, pages, [by_page[page] for page in pages])

    def scores(self, text: str, page_count: int) -> np.ndarray:
        """Each page's BM25 score for `text` (pages without phrasings in this language score 0)."""
        scores = np.zeros(page_count, dtype=np.float32)
        terms = [term for term in dict.fromkeys(analyse(text, self.language)) if term in self._vocabulary]
        if terms and len(self.pages):
            scores[self.pages] = np.asarray(self._bm25.get_scores(terms), dtype=np.float32)
        return scores


def word_evidence(bm25: np.ndarray, scale: float) -> np.ndarray:
    """A BM25 score mapped into [0, 1): 1 − exp(−score / scale), so a few shared rare words count and more add
    less and less."""
    return 1.0 - np.exp(-np.asarray(bm25, dtype=np.float32) / scale) if scale > 0 else np.zeros_like(bm25)

