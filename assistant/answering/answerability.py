"""Decides whether the knowledge base really answers a question.

A logistic model over a few retrieval signals, fitted on labelled questions
(`assistant eval calibrate`), stored as JSON beside this module. Its probability is the
answer's confidence; below the threshold the turn is a gap.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from pathlib import Path

from assistant.retrieval.search import SearchResult

DEFAULT_MODEL_PATH = Path(__file__).with_name("answerability.json")
FEATURES = ("score", "dense_margin")
"""What the fitted model uses: the top page's fused score and how far its cosine leads the next page's.
Chosen by cross-validated gap F1 on the handbook and demo question sets; more features overfit 120 questions."""
CANDIDATE_FEATURES = (*FEATURES, "dense", "coverage", "passage_coverage", "lexical", "known", "score_margin",
                      "lexical_mass", "rare_missing", "top3_dense")
REGULARISATION = 0.1


def answerability_features(result: SearchResult) -> dict[str, float]:
    """The signals the decision uses, all roughly in 0..1."""
    names = CANDIDATE_FEATURES
    if not result.hits:
        return dict.fromkeys(names, 0.0)
    top = result.hits[0]
    lexical = result.snapshot.lexical
    second = result.hits[1] if len(result.hits) > 1 else None
    language = top.chunk.language
    terms = set(lexical.query_terms(result.query))
    mass = sum(lexical.idf(term) for term in terms) or 1.0
    return {
        "dense": top.dense_score,
        "coverage": lexical.coverage(result.query, top.chunk.path, language),
        "passage_coverage": lexical.passage_coverage(result.query, top.chunk, language),
        "dense_margin": top.dense_score - (second.dense_score if second else 0.0),
        "lexical": 1.0 - math.exp(-top.lexical_score / 10.0),
        "known": lexical.known_share(result.query, language),
        "score": top.score,
        "score_margin": top.score - (second.score if second else 0.0),
        "lexical_mass": top.lexical_score / (2.2 * mass),
        "rare_missing": lexical.rarest_missing(result.query, top.chunk.path, language),
        "top3_dense": sum(hit.dense_score for hit in result.hits[:3]) / min(len(result.hits), 3),
    }


@dataclass
class AnswerabilityModel:
    """Logistic weights over `FEATURES`, and the probability below which a turn is a gap."""

    weights: dict[str, float] = field(default_factory=lambda: {"score": 12.0, "dense_margin": 10.0})
    bias: float = -6.5
    threshold: float = 0.5
    fitted_on: list[str] = field(default_factory=list)
    reference_midpoint: float | None = None
    """The probe midpoint (see `assistant.answering.kb_calibration`) averaged over the knowledge bases this model
    was fitted on; a knowledge base's own calibration shifts the decision by how far its midpoint lies from it.
    None: no calibration can be applied (a model fitted before calibration existed)."""

    def logit(self, features: dict[str, float]) -> float:
        """The model's log-odds that the question is answerable (before any knowledge base's shift)."""
        return self.bias + sum(weight * features.get(name, 0.0) for name, weight in self.weights.items())

    def probability(self, features: dict[str, float], shift: float = 0.0) -> float:
        """The answerability probability; `shift` is a knowledge base's calibration (subtracted from the log-odds:
        a positive shift asks more of this knowledge base's scores)."""
        return sigmoid(self.logit(features) - shift)

    def answerable(self, probability: float) -> bool:
        return probability >= self.threshold

    @classmethod
    def load(cls, path: Path | None = None) -> AnswerabilityModel:
        """The fit at `path` when that file exists, else the one shipped with the code (read-only)."""
        chosen = path if path is not None and path.exists() else DEFAULT_MODEL_PATH
        return cls(**json.loads(chosen.read_text(encoding="utf-8")))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(asdict(self), indent=2) + "\n", encoding="utf-8")


def sigmoid(value: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(min(value, 50.0), -50.0)))


def fit_answerability(samples: list[tuple[dict[str, float], bool]], sources: list[str],
                      features: tuple[str, ...] = FEATURES) -> AnswerabilityModel:
    """Fit the weights on (features, answerable) pairs; the threshold maximises gap F1 on them.

    Features are standardised before a strongly regularised logistic regression, then the
    scaling is folded back into plain weights so the stored model stays a dot product.
    """
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    rows = np.array([[sample[name] for name in features] for sample, _ in samples], dtype=float)
    labels = [int(answerable) for _, answerable in samples]
    mean, scale = rows.mean(axis=0), rows.std(axis=0)
    scale[scale == 0] = 1.0
    classifier = LogisticRegression(C=REGULARISATION, class_weight="balanced", max_iter=1000)
    classifier.fit((rows - mean) / scale, labels)
    weights = classifier.coef_[0] / scale
    model = AnswerabilityModel(
        weights={name: float(w) for name, w in zip(features, weights, strict=True)},
        bias=float(classifier.intercept_[0] - (weights * mean).sum()),
        fitted_on=sources,
    )
    probabilities = [model.probability(sample) for sample, _ in samples]
    model.threshold = _best_threshold(probabilities, labels)
    return model


def _best_threshold(probabilities: list[float], labels: list[int]) -> float:
    """Middle of the widest run of thresholds that give the best gap F1 (a gap is label 0)."""
    candidates = sorted({round(p, 4) for p in probabilities} | {0.5})
    scored = []
    for threshold in candidates:
        flagged = [p < threshold for p in probabilities]
        true_positive = sum(1 for f, y in zip(flagged, labels, strict=True) if f and y == 0)
        precision = true_positive / max(sum(flagged), 1)
        recall = true_positive / max(labels.count(0), 1)
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scored.append((round(f1, 6), threshold))
    best = max(f1 for f1, _ in scored)
    winners = [t for f1, t in scored if f1 == best]
    return (winners[0] + winners[-1]) / 2 if len(winners) > 1 else winners[0]
