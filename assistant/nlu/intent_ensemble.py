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

With `out_of_scope_is_intent`, out-of-scope is pooled like any intent (the training data has
examples of it, as `nlu_data/` does) and can win the pool; the threshold then rejects what is
merely unsure as well, and calibration maximises macro F1 over every label, out-of-scope included.

Rows without a Rasa ranking may use their own parameters (`without_rasa`): the dense
distribution alone is shaped differently from the pooled one, so its threshold differs too.
This is how live routing keeps intents while Rasa is down.

`calibrate` picks w, the similarity weight and the threshold on a validation set: the highest
out-of-scope recall whose in-scope accuracy stays within `max_accuracy_drop` of the best
accuracy any weight reaches without rejecting anything.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

import numpy as np

from assistant.nlu.dense_intents import (
    DenseIntentClassifier,
    IntentModelError,
    in_scope_distribution,
)
from assistant.nlu.intent_prediction import IntentPrediction

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
class EnsembleParameters:
    """The three numbers calibration chooses: Rasa's weight in the pool, the similarity weight, the threshold."""

    rasa_weight: float = 0.0
    similarity_weight: float = 0.0
    threshold: float = -math.inf

    def as_dict(self) -> dict[str, float | None]:
        """Plain JSON values; no threshold (-inf, nothing rejected) is None."""
        values: dict[str, float | None] = {key: float(value) for key, value in asdict(self).items()}
        if values["threshold"] == -math.inf:
            values["threshold"] = None
        return values

    @classmethod
    def from_dict(cls, values: dict) -> EnsembleParameters:
        try:
            threshold = -math.inf if values["threshold"] is None else float(values["threshold"])
            return cls(float(values["rasa_weight"]), float(values["similarity_weight"]), threshold)
        except (KeyError, TypeError, ValueError) as error:
            raise IntentModelError(f"ensemble parameters need rasa_weight, similarity_weight and threshold: "
                                   f"{error}") from error


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
        without_rasa: EnsembleParameters | None = None,
        out_of_scope_is_intent: bool = False,
    ) -> None:
        if not dense.is_fitted:
            raise IntentModelError("the ensemble needs a trained dense intent classifier")
        self.dense = dense
        self.rasa_weight = rasa_weight
        self.similarity_weight = similarity_weight
        self.threshold = threshold
        self.ranking_length = ranking_length
        self.without_rasa = without_rasa
        """Similarity weight and threshold for texts without a Rasa ranking; None uses the main ones."""
        self.out_of_scope_is_intent = out_of_scope_is_intent
        self.calibration: CalibrationResult | None = None

    @classmethod
    def from_parameters(cls, dense: DenseIntentClassifier, with_rasa: EnsembleParameters,
                        without_rasa: EnsembleParameters | None = None, *,
                        out_of_scope_is_intent: bool = False) -> IntentEnsemble:
        return cls(dense, rasa_weight=with_rasa.rasa_weight, similarity_weight=with_rasa.similarity_weight,
                   threshold=with_rasa.threshold, without_rasa=without_rasa,
                   out_of_scope_is_intent=out_of_scope_is_intent)

    @property
    def parameters(self) -> EnsembleParameters:
        """The parameters used for texts with a Rasa ranking."""
        return EnsembleParameters(self.rasa_weight, self.similarity_weight, self.threshold)

    @property
    def labels(self) -> list[str]:
        """The pooled labels (the in-scope intents, and out-of-scope with `out_of_scope_is_intent`), in the column
        order of every distribution here."""
        return self.dense.labels if self.out_of_scope_is_intent else self.dense.in_scope_labels

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
        probabilities = self.dense.probabilities_from_embeddings(vectors)
        if self.out_of_scope_is_intent:
            dense, labels = probabilities, self.dense.labels
        else:
            dense, labels = in_scope_distribution(probabilities, self.dense.labels, self.out_of_scope_label)
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

    def embed(self, text: str) -> np.ndarray:
        """One text's vector for `classify` (the live path embeds while Rasa parses)."""
        return self.dense.embed([text])[0]

    def classify(self, text: str, rasa_ranking: RasaRanking | None = None, *,
                 vector: np.ndarray | None = None) -> IntentPrediction:
        """One text's prediction (the live path: Rasa's ranking for it, or None when Rasa is down); `vector` is
        `embed(text)` when the caller already has it."""
        vectors = self.dense.embed([text]) if vector is None else vector.reshape(1, -1)
        return self.predict_scores(self.scores_from_embeddings(vectors, [rasa_ranking]))[0]

    def predict_scores(self, scores: EnsembleScores) -> list[IntentPrediction]:
        combined = self.combine(scores)
        outside = self.out_of_scope_score(combined, scores.similarity, self.similarity_weight) < self.threshold
        if self.without_rasa is not None and not scores.has_rasa.all():
            alone = self.out_of_scope_score(combined, scores.similarity, self.without_rasa.similarity_weight)
            outside = np.where(scores.has_rasa, outside, alone < self.without_rasa.threshold)
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
        if self.out_of_scope_is_intent:
            return self._calibrate_for_macro_f1(scores, labels, outside, policy)
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

    def _calibrate_for_macro_f1(self, scores: EnsembleScores, labels: Sequence[str], outside: np.ndarray,
                                policy: CalibrationPolicy) -> CalibrationResult:
        """The weights and threshold with the best macro F1 over every label; a text is out of scope when the
        pool's best label is out-of-scope or its score is below the threshold. Ties go to the lower threshold."""
        column = {label: i for i, label in enumerate(self.labels)}
        truth = np.array([column[label] for label in labels])
        rejected_as = column[self.out_of_scope_label]
        rasa_weights = policy.rasa_weights if scores.has_rasa.any() else (0.0,)
        best: tuple | None = None
        for rasa_weight in rasa_weights:
            pooled = self.combine(scores, rasa_weight)
            best_label = pooled.argmax(axis=1)
            for similarity_weight in policy.similarity_weights:
                score = self.out_of_scope_score(pooled, scores.similarity, similarity_weight)
                for threshold in _candidate_thresholds(score):
                    predicted = np.where(score < threshold, rejected_as, best_label)
                    key = (_macro_f1(truth, predicted, len(column)), -threshold)
                    if best is None or key > best[0]:
                        best = (key, rasa_weight, similarity_weight, threshold, predicted)
        assert best is not None  # the grids are never empty
        _, rasa_weight, similarity_weight, threshold, predicted = best
        self.rasa_weight, self.similarity_weight, self.threshold = rasa_weight, similarity_weight, float(threshold)
        flagged = predicted == rejected_as
        self.calibration = CalibrationResult(
            rasa_weight=rasa_weight,
            similarity_weight=similarity_weight,
            threshold=float(threshold),
            in_scope_accuracy=float((predicted == truth)[~outside].mean()),
            in_scope_accuracy_without_rejection=float((self.combine(scores, rasa_weight).argmax(axis=1)
                                                       == truth)[~outside].mean()),
            oos_recall=float(flagged[outside].mean()) if outside.any() else None,
            oos_precision=float(outside[flagged].mean()) if flagged.any() else None,
            in_scope_examples=int((~outside).sum()),
            out_of_scope_examples=int(outside.sum()),
        )
        return self.calibration

    def calibrate_without_rasa(
        self, scores: EnsembleScores, labels: Sequence[str], policy: CalibrationPolicy | None = None
    ) -> CalibrationResult:
        """Choose `without_rasa` on the dense side of `scores` alone (as if Rasa were down for every text)."""
        alone = IntentEnsemble(self.dense, out_of_scope_is_intent=self.out_of_scope_is_intent)
        dense_only = EnsembleScores(scores.dense, scores.similarity, scores.rasa, np.zeros(len(scores), dtype=bool))
        result = alone.calibrate_scores(dense_only, labels, policy)
        self.without_rasa = EnsembleParameters(0.0, result.similarity_weight, result.threshold)
        return result


def _candidate_thresholds(score: np.ndarray, count: int = 200) -> np.ndarray:
    """No threshold (-inf) and thresholds at up to `count` quantiles of the scores."""
    return np.concatenate([[-math.inf], np.unique(np.quantile(score, np.linspace(0.0, 0.6, count)))])


def _macro_f1(truth: np.ndarray, predicted: np.ndarray, classes: int) -> float:
    """Macro F1 over the labels present in `truth`."""
    hits = np.bincount(truth[predicted == truth], minlength=classes)
    support = np.bincount(truth, minlength=classes)
    chosen = np.bincount(predicted, minlength=classes)
    present = support > 0
    return float(np.mean(2.0 * hits[present] / (support[present] + chosen[present])))


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
