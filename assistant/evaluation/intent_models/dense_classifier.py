"""Intent classification from dense sentence embeddings: MiniLM vectors -> logistic regression.

Training on a few hundred examples takes well under a second once the texts are embedded, so
the assistant can fit it from `nlu_data/` at start-up; on CLINC150's 15,000 examples it takes
about half a minute on 2 cores.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
from sklearn.linear_model import LogisticRegression

from assistant.errors import AssistantError
from assistant.evaluation.intent_models.prediction import OUT_OF_SCOPE, IntentPrediction


class SentenceEncoder(Protocol):
    """Turns texts into vectors, one row per text (the retrieval embedder is one)."""

    def encode(self, texts: list[str]) -> np.ndarray: ...


class IntentModelError(AssistantError):
    """An intent model cannot be trained, used or loaded as asked."""


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as float32."""
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


def in_scope_distribution(
    probabilities: np.ndarray, labels: Sequence[str], out_of_scope_label: str = OUT_OF_SCOPE
) -> tuple[np.ndarray, list[str]]:
    """The probabilities of the in-scope labels only, renormalised to sum to one per row."""
    keep = [i for i, label in enumerate(labels) if label != out_of_scope_label]
    kept = np.asarray(probabilities, dtype=np.float64)[:, keep]
    kept = kept / np.maximum(kept.sum(axis=1, keepdims=True), 1e-12)
    return kept, [labels[i] for i in keep]


def predictions_from_distribution(
    probabilities: np.ndarray, labels: Sequence[str], threshold: float, *, ranking_length: int = 5
) -> list[IntentPrediction]:
    """One `IntentPrediction` per row of in-scope probabilities; below `threshold` is out of scope."""
    predictions = []
    for row in np.asarray(probabilities):
        order = np.argsort(-row)[: max(1, ranking_length)]
        best = int(order[0])
        confidence = float(row[best])
        predictions.append(
            IntentPrediction(
                intent=labels[best],
                confidence=confidence,
                is_out_of_scope=confidence < threshold,
                ranking=tuple((labels[int(i)], float(row[i])) for i in order),
            )
        )
    return predictions


class DenseIntentClassifier:
    """A multinomial logistic regression on normalised sentence embeddings.

    Examples labelled `out_of_scope_label` (if any) are trained as one more class: it pulls
    probability away from the in-scope intents for texts that look like them. `predict` then
    reports the best in-scope intent and flags it out of scope when its probability (renormalised
    over the in-scope intents) is below `threshold`. The ensemble calibrates that threshold;
    0.0 never flags anything.

    The embedder is injected so the app and the tests share one loaded model; it is not saved
    with the classifier, so `load` needs one again.
    """

    def __init__(
        self,
        embedder: SentenceEncoder | None = None,
        *,
        regularization: float = 10.0,
        max_iter: int = 1000,
        out_of_scope_label: str = OUT_OF_SCOPE,
        threshold: float = 0.0,
    ) -> None:
        self.embedder = embedder
        self.regularization = regularization
        self.max_iter = max_iter
        self.out_of_scope_label = out_of_scope_label
        self.threshold = threshold
        self._model: LogisticRegression | None = None
        self._labels: list[str] = []
        self._examples = np.zeros((0, 0), dtype=np.float32)

    @property
    def is_fitted(self) -> bool:
        return self._model is not None

    @property
    def labels(self) -> list[str]:
        """Every class the model knows, in the column order of `probabilities`."""
        return list(self._labels)

    @property
    def in_scope_labels(self) -> list[str]:
        return [label for label in self._labels if label != self.out_of_scope_label]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """The normalised embeddings of `texts` from the injected embedder."""
        if self.embedder is None:
            raise IntentModelError("this intent classifier has no embedder; pass one to use texts")
        texts = list(texts)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return normalise_rows(self.embedder.encode(texts))

    def fit(self, texts: Sequence[str], labels: Sequence[str]) -> DenseIntentClassifier:
        """Embed `texts` and train on them."""
        return self.fit_embeddings(self.embed(texts), labels)

    def fit_embeddings(self, vectors: np.ndarray, labels: Sequence[str]) -> DenseIntentClassifier:
        """Train on precomputed embeddings (an evaluation embeds each text once and reuses it)."""
        labels = [str(label) for label in labels]
        if len(labels) != len(vectors):
            raise IntentModelError(f"{len(vectors)} examples but {len(labels)} labels")
        in_scope = {label for label in labels if label != self.out_of_scope_label}
        if len(in_scope) < 2:
            raise IntentModelError("an intent classifier needs examples of at least two in-scope intents")
        vectors = normalise_rows(vectors)
        model = LogisticRegression(C=self.regularization, max_iter=self.max_iter)
        model.fit(vectors, labels)
        self._model = model
        self._labels = [str(label) for label in model.classes_]
        self._examples = vectors[[label != self.out_of_scope_label for label in labels]]
        return self

    def probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Class probabilities, one row per text, columns in the order of `labels`."""
        return self.probabilities_from_embeddings(self.embed(texts))

    def probabilities_from_embeddings(self, vectors: np.ndarray) -> np.ndarray:
        model = self._require_model()
        if len(vectors) == 0:
            return np.zeros((0, len(self._labels)))
        return model.predict_proba(normalise_rows(vectors))

    def max_similarity(self, vectors: np.ndarray, *, batch_size: int = 2048) -> np.ndarray:
        """The cosine similarity of each vector to its nearest in-scope training example.

        Out-of-scope texts tend to be far from every training example even when the
        classifier is confident, so the ensemble uses this as a second out-of-scope signal.
        """
        self._require_model()
        vectors = normalise_rows(vectors)
        if len(vectors) == 0:
            return np.zeros(0)
        best = np.empty(len(vectors))
        for start in range(0, len(vectors), batch_size):
            block = vectors[start : start + batch_size] @ self._examples.T
            best[start : start + batch_size] = block.max(axis=1)
        return best

    def in_scope_probabilities(self, texts: Sequence[str]) -> np.ndarray:
        """Probabilities over `in_scope_labels` only, renormalised per row."""
        probabilities = self.probabilities(texts)
        return in_scope_distribution(probabilities, self._labels, self.out_of_scope_label)[0]

    def predict(self, texts: Sequence[str]) -> list[IntentPrediction]:
        """The best in-scope intent of each text, flagged out of scope below `threshold`."""
        return self.predict_embeddings(self.embed(texts))

    def predict_embeddings(self, vectors: np.ndarray) -> list[IntentPrediction]:
        distribution, labels = in_scope_distribution(
            self.probabilities_from_embeddings(vectors), self._labels, self.out_of_scope_label
        )
        return predictions_from_distribution(distribution, labels, self.threshold)

    def _require_model(self) -> LogisticRegression:
        if self._model is None:
            raise IntentModelError("the intent classifier has not been trained yet")
        return self._model
