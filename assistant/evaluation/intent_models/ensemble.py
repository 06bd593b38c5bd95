"""Rasa's intent ranking and the dense classifier combined, with a calibrated out-of-scope decision.

How a batch of texts is scored:

1. The dense classifier gives probabilities over the in-scope intents (renormalised without
   the out-of-scope class) and, for each text, the cosine similarity to its nearest in-scope
   training example.
2. Rasa's ranking (name, confidence pairs, possibly only the top few) becomes a distribution
   over the same intents: unreported intents share the unreported mass evenly.
3. The two distributions are pooled log-linearly: p ∝ p_dense^(1 - w) · p_rasa^w, with
   w = `rasa_weight`. A text without a Rasa ranking (Rasa down) uses the dense one alone.
4. The out-of-scope score is log(max p) + `similarity_weight` · similarity; below `threshold`
   the text is out of scope.

`calibrate` picks w, the similarity weight and the threshold on a validation set: the highest
out-of-scope recall whose in-scope accuracy stays within `max_accuracy_drop` of the best
accuracy any weight reaches without rejecting anything.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from assistant.evaluation.intent_models.dense_classifier import (
    DenseIntentClassifier,
    IntentModelError,
    in_scope_distribution,
)
from assistant.evaluation.intent_models.prediction import IntentPrediction

PROBABILITY_FLOOR = 1e-6

RasaRanking = Sequence[tuple[str, float]]
"""Rasa's `intent_ranking` as (intent name, confidence) pairs; None when Rasa gave no answer."""


def ranking_distribution(
    rankings: Sequence[RasaRanking | None], labels: Sequence[str], *, floor: float = PROBABILITY_FLOOR
) -> tuple[np.ndarray, np.ndarray]:
    """Rasa rankings as rows of probabilities over `labels`, and which rows had a ranking.

    Rasa reports only its top intents (10 by default); the mass it did not report is shared
    evenly by the labels it did not name. Names outside `labels` (an out-of-scope class,
    `nlu_fallback`) count towards the reported mass and are then dropped, and each row is
    renormalised over `labels`.
    """
    column = {label: i for i, label in enumerate(labels)}
    distribution = np.full((len(rankings), len(labels)), 1.0 / max(len(labels), 1))
    present = np.zeros(len(rankings), dtype=bool)
    for row, ranking in enumerate(rankings):
        if not ranking:
            continue
        present[row] = True
        values = np.zeros(len(labels))
        named = np.zeros(len(labels), dtype=bool)
        reported = 0.0
        for name, confidence in ranking:
            confidence = max(float(confidence), 0.0)
            reported += confidence
            index = column.get(name)
            if index is not None:
                values[index] = confidence
                named[index] = True
        unnamed = int((~named).sum())
        if unnamed:
            values[~named] = max(1.0 - reported, 0.0) / unnamed
        values = np.maximum(values, floor)
        distribution[row] = values / values.sum()
    return distribution, present


@dataclass(frozen=True)
class EnsembleScores:
    """The components' opinions on a batch of texts, before they are combined.

    `dense` and `rasa` are rows of probabilities over the ensemble's in-scope labels;
    `has_rasa` says which rows had a Rasa ranking; `similarity` is each text's cosine
    similarity to the nearest in-scope training example.
    """

    dense: np.ndarray
    similarity: np.ndarray
    rasa: np.ndarray
    has_rasa: np.ndarray

    def __len__(self) -> int:
        return len(self.dense)


@dataclass(frozen=True)
class CalibrationPolicy:
    """How `IntentEnsemble.calibrate` chooses its weights and threshold.

    Out-of-scope recall is maximised subject to in-scope accuracy (a rejected in-scope text
    counts as wrong) of at least the best accuracy without rejection minus
    `max_accuracy_drop`. Without out-of-scope examples in the calibration set, the
    threshold is the highest that keeps that accuracy, with `fallback_similarity_weight`.
    """

    max_accuracy_drop: float = 0.01
    rasa_weights: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6)
    similarity_weights: tuple[float, ...] = (0.0, 1.0, 2.0, 4.0, 8.0)
    fallback_similarity_weight: float = 0.0


@dataclass(frozen=True)
class CalibrationResult:
    """What calibration chose and how it scored on the calibration set."""

    rasa_weight: float
    similarity_weight: float
    threshold: float
    in_scope_accuracy: float
    in_scope_accuracy_without_rejection: float
    oos_recall: float | None
    oos_precision: float | None
    in_scope_examples: int
    out_of_scope_examples: int
    candidates: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


class IntentEnsemble:
    """Combines the dense classifier with Rasa's ranking and decides what is out of scope."""

    def __init__(
        self,
        dense: DenseIntentClassifier,
        *,
        rasa_weight: float = 0.0,
        similarity_weight: float = 0.0,
        threshold: float = -math.inf,
        ranking_length: int = 5,
    ) -> None:
        if not dense.is_fitted:
            raise IntentModelError("the ensemble needs a trained dense intent classifier")
        self.dense = dense
        self.rasa_weight = rasa_weight
        self.similarity_weight = similarity_weight
        self.threshold = threshold
        self.ranking_length = ranking_length
        self.calibration: CalibrationResult | None = None

    @property
    def labels(self) -> list[str]:
        """The in-scope intents, in the column order of every distribution here."""
        return self.dense.in_scope_labels

    @property
    def out_of_scope_label(self) -> str:
        return self.dense.out_of_scope_label

    # -- scoring -------------------------------------------------------------------------

    def scores(self, texts: Sequence[str], rasa_rankings: Sequence[RasaRanking | None] | None = None
               ) -> EnsembleScores:
        """Embed `texts` once and collect every component's opinion on them."""
        return self.scores_from_embeddings(self.dense.embed(texts), rasa_rankings)

    def scores_from_embeddings(
        self, vectors: np.ndarray, rasa_rankings: Sequence[RasaRanking | None] | None = None
    ) -> EnsembleScores:
        if rasa_rankings is not None and len(rasa_rankings) != len(vectors):
            raise IntentModelError(f"{len(vectors)} texts but {len(rasa_rankings)} Rasa rankings")
        dense, labels = in_scope_distribution(
            self.dense.probabilities_from_embeddings(vectors), self.dense.labels, self.out_of_scope_label
        )
        rasa, has_rasa = ranking_distribution(rasa_rankings or [None] * len(vectors), labels)
        return EnsembleScores(dense, self.dense.max_similarity(vectors), rasa, has_rasa)

    def combine(self, scores: EnsembleScores, rasa_weight: float | None = None) -> np.ndarray:
        """The pooled in-scope distribution, one row per text."""
        weight = self.rasa_weight if rasa_weight is None else rasa_weight
        log_dense = np.log(np.maximum(scores.dense, PROBABILITY_FLOOR))
        if weight == 0.0 or not scores.has_rasa.any():
            pooled = log_dense
        else:
            log_rasa = np.log(np.maximum(scores.rasa, PROBABILITY_FLOOR))
            weights = np.where(scores.has_rasa, weight, 0.0)[:, None]
            pooled = (1.0 - weights) * log_dense + weights * log_rasa
        pooled = np.exp(pooled - pooled.max(axis=1, keepdims=True))
        return pooled / pooled.sum(axis=1, keepdims=True)

    @staticmethod
    def out_of_scope_score(
        combined: np.ndarray, similarity: np.ndarray, similarity_weight: float
    ) -> np.ndarray:
        """Higher means more clearly in scope: log of the top probability plus weighted similarity."""
        return np.log(np.maximum(combined.max(axis=1), PROBABILITY_FLOOR)) + similarity_weight * similarity

    def predict(
        self, texts: Sequence[str], rasa_rankings: Sequence[RasaRanking | None] | None = None
    ) -> list[IntentPrediction]:
        """The intent, confidence and out-of-scope decision for each text."""
        return self.predict_scores(self.scores(texts, rasa_rankings))

    def predict_scores(self, scores: EnsembleScores) -> list[IntentPrediction]:
        combined = self.combine(scores)
        outside = self.out_of_scope_score(combined, scores.similarity, self.similarity_weight) < self.threshold
        labels = self.labels
        predictions = []
        for row, is_outside in zip(combined, outside, strict=True):
            order = np.argsort(-row)[: max(1, self.ranking_length)]
            predictions.append(
                IntentPrediction(
                    intent=labels[int(order[0])],
                    confidence=float(row[order[0]]),
                    is_out_of_scope=bool(is_outside),
                    ranking=tuple((labels[int(i)], float(row[i])) for i in order),
                )
            )
        return predictions

    # -- calibration ---------------------------------------------------------------------

    def calibrate(
        self,
        texts: Sequence[str],
        labels: Sequence[str],
        rasa_rankings: Sequence[RasaRanking | None] | None = None,
        policy: CalibrationPolicy | None = None,
    ) -> CalibrationResult:
        """Choose the weights and threshold on labelled validation texts (see `CalibrationPolicy`)."""
        return self.calibrate_scores(self.scores(texts, rasa_rankings), labels, policy)

    def calibrate_scores(
        self, scores: EnsembleScores, labels: Sequence[str], policy: CalibrationPolicy | None = None
    ) -> CalibrationResult:
        policy = policy or CalibrationPolicy()
        labels = [str(label) for label in labels]
        if len(labels) != len(scores):
            raise IntentModelError(f"{len(scores)} scored texts but {len(labels)} labels")
        outside = np.array([label == self.out_of_scope_label for label in labels])
        known = set(self.labels)
        unknown = sorted({label for label in labels if label not in known} - {self.out_of_scope_label})
        if unknown:
            raise IntentModelError(f"calibration labels the classifier never saw: {unknown[:5]}")
        if outside.all():
            raise IntentModelError("calibration needs in-scope examples")
        column = {label: i for i, label in enumerate(self.labels)}
        truth = np.array([column.get(label, -1) for label in labels])
        rasa_weights = policy.rasa_weights if scores.has_rasa.any() else (0.0,)
        similarity_weights = (
            policy.similarity_weights if outside.any() else (policy.fallback_similarity_weight,)
        )

        pooled = {weight: self.combine(scores, weight) for weight in rasa_weights}
        correct = {
            weight: (combined.argmax(axis=1) == truth)[~outside] for weight, combined in pooled.items()
        }
        best_accuracy = max(float(flags.mean()) for flags in correct.values())
        floor = best_accuracy - policy.max_accuracy_drop

        best: tuple | None = None
        candidates = []
        for rasa_weight in rasa_weights:
            for similarity_weight in similarity_weights:
                score = self.out_of_scope_score(pooled[rasa_weight], scores.similarity, similarity_weight)
                choice = _best_threshold(
                    score[~outside], correct[rasa_weight], score[outside], floor
                )
                if choice is None:
                    continue
                threshold, accuracy, recall, precision = choice
                candidates.append(
                    {
                        "rasa_weight": rasa_weight,
                        "similarity_weight": similarity_weight,
                        "threshold": threshold,
                        "in_scope_accuracy": accuracy,
                        "oos_recall": recall,
                    }
                )
                key = (recall or 0.0, accuracy)
                if best is None or key > best[0]:
                    best = (key, rasa_weight, similarity_weight, threshold, accuracy, recall, precision)
        if best is None:  # unreachable: "reject nothing" always meets the floor for the best weight
            raise IntentModelError("no calibration candidate met the accuracy floor")
        _, rasa_weight, similarity_weight, threshold, accuracy, recall, precision = best
        self.rasa_weight = rasa_weight
        self.similarity_weight = similarity_weight
        self.threshold = threshold
        self.calibration = CalibrationResult(
            rasa_weight=rasa_weight,
            similarity_weight=similarity_weight,
            threshold=threshold,
            in_scope_accuracy=accuracy,
            in_scope_accuracy_without_rejection=float(correct[rasa_weight].mean()),
            oos_recall=recall,
            oos_precision=precision,
            in_scope_examples=int((~outside).sum()),
            out_of_scope_examples=int(outside.sum()),
            candidates=candidates,
        )
        return self.calibration


def _best_threshold(
    inside: np.ndarray, correct: np.ndarray, outside: np.ndarray, accuracy_floor: float
) -> tuple[float, float, float | None, float | None] | None:
    """The threshold with the best out-of-scope recall whose in-scope accuracy meets the floor.

    A text is out of scope when its score is below the threshold. With out-of-scope examples,
    ties in recall go to the higher accuracy, then to the middle of the tied interval; without
    any, the highest threshold that meets the floor wins. Returns (threshold, accuracy,
    recall, precision).
    """
    values = np.unique(np.concatenate([inside, outside]))
    # Candidate thresholds sit between neighbouring scores, plus one below everything.
    thresholds = np.concatenate([[values[0] - 1.0], (values[:-1] + values[1:]) / 2.0, [values[-1] + 1.0]])
    kept_correct = np.sort(inside[correct])
    sorted_outside = np.sort(outside)
    # In-scope accuracy: correctly classified texts whose score is at or above the threshold.
    accuracy = (len(kept_correct) - np.searchsorted(kept_correct, thresholds, side="left")) / len(inside)
    feasible = np.flatnonzero(accuracy >= accuracy_floor - 1e-12)
    if len(feasible) == 0:
        return None
    if len(outside):
        rejected_outside = np.searchsorted(sorted_outside, thresholds, side="left")
        recall = rejected_outside / len(outside)
        # Best recall, then best accuracy. The thresholds that tie on both form one interval
        # (recall rises and accuracy falls with the threshold); its middle leaves room on
        # either side instead of sitting just above the highest out-of-scope score.
        best_recall = recall[feasible].max()
        tied = feasible[recall[feasible] == best_recall]
        tied = tied[accuracy[tied] == accuracy[tied].max()]
        threshold = float((thresholds[tied[0]] + thresholds[tied[-1]]) / 2.0)
        caught = int((outside < threshold).sum())
        flagged = caught + int((inside < threshold).sum())
        precision = caught / flagged if flagged else None
        return threshold, float(accuracy[tied[0]]), caught / len(outside), precision
    pick = int(feasible[-1])
    return float(thresholds[pick]), float(accuracy[pick]), None, None
