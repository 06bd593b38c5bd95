"""A disk cache of passage vectors, keyed by model and text: for repeated evaluations, and for the multilingual
vectors, which are slow to compute and are rebuilt from it whenever a process loads a new index generation."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from pathlib import Path
from typing import Protocol

import numpy as np


class QueryEmbedder(Protocol):
    """An embedder that also embeds a single question (see `SentenceTransformerEmbedder`)."""

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray: ...

    def encode_query(self, text: str) -> np.ndarray: ...


class CachedEmbedder:
    """Wraps an embedder; `encode` reuses vectors computed before for the same model and text."""

    def __init__(self, inner: QueryEmbedder, directory: Path) -> None:
        self._inner = inner
        directory.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(directory / "vectors.sqlite3", check_same_thread=False)
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return self._inner.name

    @property
    def dimension(self) -> int:
        return self._inner.dimension

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self._inner.name}\x1f{text}".encode()).hexdigest()

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        keys = [self._key(text) for text in texts]
        found: dict[str, np.ndarray] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                part = keys[start:start + 500]
                marks = ",".join("?" * len(part))
                for key, blob in self._db.execute(f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part):
                    found[key] = np.frombuffer(blob, dtype=np.float32)
        missing = [i for i, key in enumerate(keys) if key not in found]
        if missing:
            vectors = self._inner.encode([texts[i] for i in missing], show_progress=show_progress)
            with self._lock, self._db:
                self._db.executemany("INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                                     [(keys[i], vectors[n].tobytes()) for n, i in enumerate(missing)])
            for n, i in enumerate(missing):
                found[keys[i]] = vectors[n]
        return np.stack([found[key] for key in keys]) if keys else np.zeros((0, 0), dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        return self._inner.encode_query(text)

    def encode_questions(self, texts: list[str]) -> np.ndarray:
        """Questions are embedded as the wrapped model embeds them (not cached: only passages are)."""
        return self._inner.encode_questions(texts)

    def clear_cache(self) -> None:
        """Forget the wrapped model's in-memory query vectors (the disk cache stays)."""
        clear = getattr(self._inner, "clear_cache", None)
        if clear is not None:
            clear()
