"""The vectors of the dense intent half: MiniLM for English messages, multilingual-e5-small for the others.

The knowledge search embeds every question with MiniLM anyway, so an English message's intent vector costs nothing
more (the query batcher hands both callers one run of the model). Only messages in another language pay for e5,
which is about as slow as the whole search on 2 cores. The two models' vectors do not share a space, so a message's
vector is the two side by side with the unused half zero, and the classifier is trained on every example twice: once
in each half. Its English weights thus learn from every example MiniLM embedded (Italian ones too) and its
multilingual weights from every example e5 embedded, and a message meets only the weights of its own space.

Measured by 3-fold cross-validation on `nlu_data/` with the same out-of-fold Rasa rankings (895 examples): macro F1
0.895 and out_of_scope recall 0.820 this way, against 0.896 and 0.793 with e5 for every message (docs/nlu.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from assistant.retrieval.language import guess_language, language_guess_version


class QuestionEmbedder(Protocol):
    """An embedding model that embeds one question (cached) or many (its `name` is saved with the classifier)."""

    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def encode_query(self, text: str) -> np.ndarray: ...

    def encode_questions(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class ExampleVectors:
    """Labelled examples embedded in both spaces, and the space each one is read in as a message."""

    english: np.ndarray
    multilingual: np.ndarray
    in_english_space: np.ndarray
    """True where the example, as a message, would be embedded by the English model."""

    def __len__(self) -> int:
        return len(self.in_english_space)

    def subset(self, rows: Sequence[int] | np.ndarray) -> ExampleVectors:
        """The chosen examples only, in that order."""
        chosen = np.asarray(rows, dtype=int)
        return ExampleVectors(self.english[chosen], self.multilingual[chosen], self.in_english_space[chosen])

    def training_rows(self) -> tuple[np.ndarray, np.ndarray]:
        """Every example twice, once in each half; and, per training row, the example it came from."""
        every = np.arange(len(self))
        return np.vstack(self._in_each_half()), np.concatenate([every, every])

    def training_set(self, labels: Sequence[str]) -> tuple[np.ndarray, list[str]]:
        """`training_rows` with each row's label (`labels` holds one per example): what the classifier is fitted on."""
        rows, source = self.training_rows()
        return rows, [labels[i] for i in source]

    def message_rows(self, rows: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
        """The chosen examples (all by default) as live messages are embedded: each in its own space only."""
        chosen = self if rows is None else self.subset(rows)
        english, multilingual = chosen._in_each_half()
        return np.where(chosen.in_english_space[:, None], english, multilingual)

    def _in_each_half(self) -> tuple[np.ndarray, np.ndarray]:
        return (_english_half(self.english, self.multilingual.shape[1]),
                _multilingual_half(self.multilingual, self.english.shape[1]))


class IntentSpaces:
    """Embeds messages for the dense intent half (see the module docstring); `encode` is its `SentenceEncoder`."""

    def __init__(self, english: QuestionEmbedder, multilingual: QuestionEmbedder,
                 english_languages: Sequence[str] = ("en",)) -> None:
        self._english = english
        self._multilingual = multilingual
        self._english_languages = frozenset(english_languages)

    @property
    def name(self) -> str:
        """Both models' names and the language guess's version: a classifier trained with other models, or with
        examples that another version of the guess put in the other space, is stale."""
        return (f"{self._english.name} for {'/'.join(sorted(self._english_languages))}; {self._multilingual.name}; "
                f"language guess {language_guess_version()}")

    def in_english_space(self, text: str) -> bool:
        return guess_language(text) in self._english_languages

    def encode(self, texts: list[str]) -> np.ndarray:
        """Message vectors, one row per text: each embedded by its own language's model only."""
        rows = [self._message_vector(text) for text in texts]
        return np.stack(rows) if rows else np.zeros((0, 0), dtype=np.float32)

    def _message_vector(self, text: str) -> np.ndarray:
        english_dimension, multilingual_dimension = self.dimensions
        if self.in_english_space(text):
            return _english_half(self._english.encode_query(text).reshape(1, -1), multilingual_dimension)[0]
        return _multilingual_half(self._multilingual.encode_query(text).reshape(1, -1), english_dimension)[0]

    def examples(self, texts: Sequence[str]) -> ExampleVectors:
        """Training examples in both spaces (each model embeds them all in batches)."""
        texts = list(texts)
        return ExampleVectors(self._english.encode_questions(texts), self._multilingual.encode_questions(texts),
                              np.array([self.in_english_space(text) for text in texts], dtype=bool))

    @property
    def dimensions(self) -> tuple[int, int]:
        """The English and the multilingual model's vector sizes."""
        return self._english.dimension, self._multilingual.dimension


def _english_half(vectors: np.ndarray, multilingual_dimension: int) -> np.ndarray:
    """English-model rows, the multilingual half after them zero."""
    return np.pad(vectors, ((0, 0), (0, multilingual_dimension))).astype(np.float32, copy=False)


def _multilingual_half(vectors: np.ndarray, english_dimension: int) -> np.ndarray:
    """Multilingual-model rows, the English half before them zero."""
    return np.pad(vectors, ((0, 0), (english_dimension, 0))).astype(np.float32, copy=False)
