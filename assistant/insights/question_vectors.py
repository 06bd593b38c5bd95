"""Gap questions embedded once: vectors kept in the interaction store, and a job that embeds new gaps as they come.

Embedding is most of a report's cost (MiniLM embeds about 400 short questions a second on 2 cores, so the 6,000
questions the themes embed for 100,000 gaps take some 15 s). A question's vector never changes for a given model,
so `StoredQuestionEmbedder` looks each one up in the store first and embeds only those it has never seen; and
`QuestionVectorWarmer`, run every minute by `assistant serve`, embeds the questions of new gaps in the background,
so the next report finds them ready. Vectors are stored as float16 and always handed out after that round trip,
so a report gives the same themes whether its vectors were just computed or read back.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping, Sequence
from typing import Protocol

import numpy as np

from assistant.interactions.errors import InteractionStoreError
from assistant.interactions.records import GapPosition
from assistant.retrieval.embedder import Embedder

logger = logging.getLogger(__name__)

_STORED_TYPE = np.dtype("<f2")


class QuestionVectorStore(Protocol):
    """Where vectors are kept: the interaction store (shared by every replica)."""

    def question_vectors(self, keys: Sequence[str]) -> dict[str, bytes]: ...

    def save_question_vectors(self, vectors: Mapping[str, bytes]) -> None: ...


class GapQuestionLog(Protocol):
    """The gap questions in the order they were recorded."""

    def gap_questions_after(self, after: GapPosition | None, limit: int) -> tuple[list[str], GapPosition | None]: ...


class StoredQuestionEmbedder:
    """An `Embedder` for questions that embeds each distinct text once per model, keeping vectors in `store`.

    `encode` and `encode_questions` are the same here: every text is taken to be a short question (gap questions,
    the EX-dimension training questions). `embedded` counts the texts this instance really sent to the model. The
    store is a cache: when it cannot be read or written, the texts are embedded without it (and a warning logged),
    so a database outage does not stop the EX-dimension classifier from training.
    """

    def __init__(self, embedder: Embedder, store: QuestionVectorStore) -> None:
        self._embedder = embedder
        self._store = store
        precision = getattr(embedder, "precision", "")
        self._model_key = f"{embedder.name}\n{getattr(precision, 'value', precision)}\n"
        self.embedded = 0

    @property
    def name(self) -> str:
        return self._embedder.name

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        return self.encode_questions(texts)

    def encode_questions(self, texts: list[str]) -> np.ndarray:
        """One row per text, in order: stored vectors where there are, the model's for the rest (then stored)."""
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        keys = {text: self._key(text) for text in texts}
        try:
            found = self._store.question_vectors(list(dict.fromkeys(keys.values())))
        except InteractionStoreError as error:
            logger.warning("embedding %d questions without stored vectors: %s", len(keys), error)
            found = {}
        missing = [text for text in dict.fromkeys(texts) if keys[text] not in found]
        if missing:
            fresh = {keys[text]: np.asarray(vector, dtype=_STORED_TYPE).tobytes()
                     for text, vector in zip(missing, self._embed(missing), strict=True)}
            self.embedded += len(missing)
            found.update(fresh)
            try:
                self._store.save_question_vectors(fresh)
            except InteractionStoreError as error:
                logger.warning("could not keep %d question vectors: %s", len(fresh), error)
        return np.stack([np.frombuffer(found[keys[text]], dtype=_STORED_TYPE) for text in texts]).astype(np.float32)

    def _embed(self, texts: list[str]) -> np.ndarray:
        encode = getattr(self._embedder, "encode_questions", None) or self._embedder.encode
        return np.asarray(encode(texts), dtype=np.float32)

    def _key(self, text: str) -> str:
        return hashlib.sha256((self._model_key + text).encode("utf-8")).hexdigest()


class QuestionVectorWarmer:
    """Embeds the questions of gaps recorded since its last run, up to `per_run` gaps a run (oldest first).

    The first run starts from the oldest gap kept, so a store that already holds many gaps is worked through a
    batch a minute without taking the cores from the people asking. Each process walks on its own; vectors
    another replica stored are found and not embedded again.
    """

    def __init__(self, log: GapQuestionLog, embedder: StoredQuestionEmbedder, *, per_run: int = 512) -> None:
        if per_run < 1:
            raise ValueError(f"per_run must be at least 1, got {per_run}")
        self._log = log
        self._embedder = embedder
        self._per_run = per_run
        self._position: GapPosition | None = None

    def run(self) -> int:
        """Embed the next gaps' questions; how many were new to the store."""
        questions, self._position = self._log.gap_questions_after(self._position, self._per_run)
        before = self._embedder.embedded
        if questions:
            self._embedder.encode_questions(list(dict.fromkeys(questions)))
        return self._embedder.embedded - before
