"""Tags a staff question with its employee-experience dimension and whether a customer was being served.

Forrester's EX index groups what shapes an employee's experience under three headings: empowerment (the
authority and autonomy to act), enablement (the knowledge, tools and processes to do the work) and
inspiration (purpose, values, recognition). Every knowledge gap gets one of them, plus a second label,
`customer_interaction`, true when the question came up while serving someone.

The labelled questions live in `nlu_data/ex_dimensions.yml` (see its header). `DimensionClassifier` is
trained from them once per process, in a few seconds: two logistic regressions over the question's MiniLM
embedding joined with a character 2-5-gram TF-IDF vector of its wording, counted twice. The embedding carries
meaning in English; the character n-grams carry Italian (which the English-only MiniLM reads poorly), typos and
the cues of a waiting customer. Five-fold accuracy of the dimension over seeds 0-2 on 405 questions: embedding
alone 0.839 (Italian 0.702), n-grams alone 0.904, both at equal weight 0.931, n-grams x2 0.939, x3 0.937;
`benchmarks/ex_dimensions_cv.py --compare` prints them again with the machine they ran on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
import yaml
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from assistant.errors import ConfigurationError
from assistant.retrieval.embedder import Embedder

EX_DIMENSIONS_FILE = "ex_dimensions.yml"
"""The labelled questions' file name, in the NLU data folder (Rasa neither trains on it nor hashes it)."""
DATA_VERSION = 1
LANGUAGES = ("en", "it")
QUESTION_FIELDS = ("text", "language", "dimension", "customer_interaction")


class Dimension(StrEnum):
    """The three headings of the EX index."""

    EMPOWERMENT = "empowerment"
    ENABLEMENT = "enablement"
    INSPIRATION = "inspiration"


class DimensionDataError(ConfigurationError):
    """The labelled question file is missing, is not YAML, or does not follow the schema."""

    def __init__(self, path: Path | str, reason: str) -> None:
        super().__init__(f"EX dimension questions {path}: {reason}")
        self.path = str(path)
        self.reason = reason


@dataclass(frozen=True)
class LabelledQuestion:
    """One question of the labelled set."""

    text: str
    language: str
    dimension: Dimension
    customer_interaction: bool


@dataclass(frozen=True)
class DimensionPrediction:
    """A question's dimension and customer flag, each with the classifier's probability for it (0.5 to 1)."""

    dimension: Dimension
    confidence: float
    customer_interaction: bool
    customer_confidence: float


DimensionTag = DimensionPrediction
"""The name the gap-insights service uses for a prediction."""


def load_labelled_questions(path: Path | str) -> list[LabelledQuestion]:
    """The questions of a labelled-set file (`version: 1`, `questions: [{text, language, dimension,
    customer_interaction}]`). Raises `DimensionDataError`, naming the file and the faulty entry."""
    path = Path(path)
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise DimensionDataError(path, f"cannot be read ({error.strerror or error})") from error
    except UnicodeDecodeError as error:
        raise DimensionDataError(path, "is not UTF-8 text") from error
    except yaml.YAMLError as error:
        raise DimensionDataError(path, f"is not valid YAML: {error}") from error
    return parse_labelled_questions(document, path)


def parse_labelled_questions(document: object, source: Path | str = "<data>") -> list[LabelledQuestion]:
    """Checks an already-parsed document against the schema (see `load_labelled_questions`)."""
    if not isinstance(document, dict):
        raise DimensionDataError(source, "the top level must be a mapping with `version` and `questions`")
    unknown = sorted(str(key) for key in document if key not in ("version", "questions"))
    if unknown:
        raise DimensionDataError(source, f"unknown top-level keys {unknown}; only `version` and `questions` are read")
    if document.get("version") != DATA_VERSION:
        raise DimensionDataError(source, f"`version` must be {DATA_VERSION}, not {document.get('version')!r}")
    entries = document.get("questions")
    if not isinstance(entries, list) or not entries:
        raise DimensionDataError(source, "`questions` must be a non-empty list")
    questions: list[LabelledQuestion] = []
    first_seen: dict[str, int] = {}
    for index, entry in enumerate(entries):
        question = _parse_entry(entry, f"questions[{index}]", source)
        key = " ".join(question.text.casefold().split())
        if key in first_seen:
            raise DimensionDataError(source, f"questions[{index}] repeats questions[{first_seen[key]}]: "
                                             f"{question.text!r}")
        first_seen[key] = index
        questions.append(question)
    return questions


def _parse_entry(entry: object, where: str, source: Path | str) -> LabelledQuestion:
    if not isinstance(entry, dict):
        raise DimensionDataError(source, f"{where} must be a mapping with {', '.join(QUESTION_FIELDS)}")
    missing = [name for name in QUESTION_FIELDS if name not in entry]
    extra = sorted(str(name) for name in entry if name not in QUESTION_FIELDS)
    if missing or extra:
        problems = ([f"lacks {', '.join(missing)}"] if missing else []) + ([f"has unknown {extra}"] if extra else [])
        raise DimensionDataError(source, f"{where} {' and '.join(problems)}")
    text, language = entry["text"], entry["language"]
    dimension, customer = entry["dimension"], entry["customer_interaction"]
    if not isinstance(text, str) or not text.strip():
        raise DimensionDataError(source, f"{where}.text must be a non-empty string")
    if language not in LANGUAGES:
        raise DimensionDataError(source, f"{where}.language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    if dimension not in {member.value for member in Dimension}:
        choices = ", ".join(member.value for member in Dimension)
        raise DimensionDataError(source, f"{where}.dimension must be one of {choices}, not {dimension!r}")
    if not isinstance(customer, bool):
        raise DimensionDataError(source, f"{where}.customer_interaction must be true or false, not {customer!r}")
    return LabelledQuestion(" ".join(text.split()), language, Dimension(dimension), customer)


@dataclass
class _Fitted:
    wording: TfidfVectorizer | None
    dimension: LogisticRegression
    customer: LogisticRegression


class DimensionClassifier:
    """Predicts the EX dimension of staff questions, and whether a customer was being served, in English and Italian.

    `fit` learns from labelled questions, `predict` labels new ones, and `cross_validate` measures how well this
    configuration generalises on a labelled set (without changing the fitted model). The features are the
    embedder's vector (`meaning`) and a character 2-5-gram TF-IDF vector of the lower-cased text (`wording`, both
    blocks of unit length, the second multiplied by `wording_weight`); each label gets a logistic regression with
    inverse regularisation `regularisation`. The weight is the middle of a plateau (1.5 to 3 scored alike on three
    fold seeds), not a best fold's value.
    """

    def __init__(self, embedder: Embedder, *, meaning: bool = True, wording: bool = True,
                 wording_weight: float = 2.0, regularisation: float = 10.0) -> None:
        if not (meaning or wording):
            raise ValueError("the classifier needs the embedding, the character n-grams or both")
        self._embedder = embedder
        self._meaning = meaning
        self._wording = wording
        self._wording_weight = wording_weight
        self._regularisation = regularisation
        self._fitted: _Fitted | None = None

    def describe(self) -> str:
        """The configuration in a few words (the benchmark prints it)."""
        parts = (["MiniLM embedding"] if self._meaning else []) + (
            [f"char 2-5-gram TF-IDF x{self._wording_weight:g}"] if self._wording else [])
        return f"logistic regression (C={self._regularisation:g}) on {' + '.join(parts)}"

    @property
    def fitted(self) -> bool:
        return self._fitted is not None

    def fit(self, texts: Sequence[str] | Sequence[LabelledQuestion],
            dimensions: Sequence[Dimension | str] | None = None,
            customer_flags: Sequence[bool] | None = None) -> DimensionClassifier:
        """Learn from questions and their labels; returns the classifier.

        Either `fit(texts, dimensions, customer_flags)` with three parallel sequences, or `fit(questions)` with
        `LabelledQuestion`s (as `load_labelled_questions` returns them), whose labels are used.
        """
        texts, labels, flags = _training_columns(texts, dimensions, customer_flags)
        self._fitted = self._fit_rows(texts, self._vectors(texts), labels, flags)
        return self

    def predict(self, texts: Sequence[str]) -> list[DimensionPrediction]:
        """One prediction per text, in order."""
        if self._fitted is None:
            raise RuntimeError("the EX dimension classifier has not been fitted")
        texts = list(texts)
        if not texts:
            return []
        return self._predict_rows(self._fitted, texts, self._vectors(texts))

    tag = predict

    def cross_validate(self, data: Sequence[LabelledQuestion], folds: int = 5, seed: int = 0) -> dict[str, object]:
        """Stratified k-fold figures of this configuration on `data`; the classifier's own fit is left alone.

        Folds keep the mix of dimension, language and customer flag (falling back to the dimension alone when
        a combination is rarer than the number of folds). The report holds accuracy and macro-F1 of the
        dimension, per-dimension precision and recall, the confusion matrix (rows are the true dimension,
        columns the predicted one), the customer flag's accuracy against always guessing the commoner value,
        and the same figures per language.
        """
        questions = list(data)
        dimension_counts = Counter(question.dimension for question in questions)
        if folds < 2 or len(dimension_counts) < 2 or min(dimension_counts.values()) < folds:
            raise ValueError(f"{folds}-fold cross-validation needs at least two dimensions with {folds} questions each")
        texts = [question.text for question in questions]
        vectors = self._vectors(texts)
        strata = [f"{q.dimension}|{q.language}|{q.customer_interaction}" for q in questions]
        if min(Counter(strata).values()) < folds:
            strata = [question.dimension.value for question in questions]
        predicted: list[DimensionPrediction | None] = [None] * len(questions)
        splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
        for train, held_out in splitter.split(np.zeros((len(questions), 1)), strata):
            fitted = self._fit_rows([texts[i] for i in train], vectors[train],
                                    [questions[i].dimension for i in train],
                                    [questions[i].customer_interaction for i in train])
            rows = self._predict_rows(fitted, [texts[i] for i in held_out], vectors[held_out])
            for index, prediction in zip(held_out, rows, strict=True):
                predicted[index] = prediction
        done = [prediction for prediction in predicted if prediction is not None]
        report: dict[str, object] = {"model": self.describe(), "folds": folds, "seed": seed}
        report.update(_scores(questions, done, detailed=True))
        by_language: dict[str, object] = {}
        for language in sorted({question.language for question in questions}):
            rows = [i for i, question in enumerate(questions) if question.language == language]
            by_language[language] = _scores([questions[i] for i in rows], [done[i] for i in rows], detailed=False)
        report["by_language"] = by_language
        return report

    def _vectors(self, texts: list[str]) -> np.ndarray:
        if not self._meaning:
            return np.zeros((len(texts), 0), dtype=np.float32)
        return np.asarray(self._embedder.encode(texts), dtype=np.float32)

    def _features(self, fitted_wording: TfidfVectorizer | None, texts: list[str], vectors: np.ndarray,
                  *, fit: bool = False) -> sparse.csr_matrix:
        blocks = [sparse.csr_matrix(vectors)] if self._meaning else []
        if fitted_wording is not None:
            lowered = [text.lower() for text in texts]
            wording = fitted_wording.fit_transform(lowered) if fit else fitted_wording.transform(lowered)
            blocks.append(wording * self._wording_weight)
        return sparse.hstack(blocks, format="csr")

    def _fit_rows(self, texts: list[str], vectors: np.ndarray, dimensions: Sequence[Dimension],
                  flags: Sequence[bool]) -> _Fitted:
        wording = (TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2)
                   if self._wording else None)
        dimension_model = LogisticRegression(C=self._regularisation, max_iter=5000)
        customer_model = LogisticRegression(C=self._regularisation, max_iter=5000)
        with _one_blas_thread():
            features = self._features(wording, texts, vectors, fit=True)
            dimension_model.fit(features, [dimension.value for dimension in dimensions])
            customer_model.fit(features, np.asarray(flags, dtype=bool))
        return _Fitted(wording, dimension_model, customer_model)

    def _predict_rows(self, fitted: _Fitted, texts: list[str], vectors: np.ndarray) -> list[DimensionPrediction]:
        with _one_blas_thread():
            features = self._features(fitted.wording, texts, vectors)
            dimension_probabilities = fitted.dimension.predict_proba(features)
            customer_true = fitted.customer.predict_proba(features)[:, list(fitted.customer.classes_).index(True)]
        predictions = []
        for row, customer in zip(dimension_probabilities, customer_true, strict=True):
            best = int(np.argmax(row))
            predictions.append(DimensionPrediction(
                dimension=Dimension(fitted.dimension.classes_[best]),
                confidence=float(row[best]),
                customer_interaction=bool(customer >= 0.5),
                customer_confidence=float(max(customer, 1.0 - customer)),
            ))
        return predictions


def _one_blas_thread() -> threadpool_limits:
    """These problems are far too small for BLAS threads to help. Spinning beside torch's OpenMP threads on 2 cores
    they made cross-validation ten times slower (12.8 s against 1.2 s, once the embedding model had run)."""
    return threadpool_limits(limits=1, user_api="blas")


def _training_columns(texts, dimensions, customer_flags) -> tuple[list[str], list[Dimension], list[bool]]:
    if dimensions is None and customer_flags is None:
        questions = list(texts)
        if not all(isinstance(question, LabelledQuestion) for question in questions):
            raise TypeError("fit(texts) alone needs LabelledQuestion items; pass dimensions and customer_flags too")
        texts = [question.text for question in questions]
        dimensions = [question.dimension for question in questions]
        customer_flags = [question.customer_interaction for question in questions]
    elif dimensions is None or customer_flags is None:
        raise TypeError("fit needs both dimensions and customer_flags with the texts")
    texts, labels, flags = list(texts), [Dimension(value) for value in dimensions], [bool(f) for f in customer_flags]
    if not (len(texts) == len(labels) == len(flags)):
        raise ValueError(f"{len(texts)} texts, {len(labels)} dimensions and {len(flags)} customer flags: "
                         "they must match one for one")
    if len(set(labels)) < 2 or len(set(flags)) < 2:
        raise ValueError("training needs at least two dimensions and both customer_interaction values")
    return texts, labels, flags


def _scores(questions: Sequence[LabelledQuestion], predicted: Sequence[DimensionPrediction], *,
            detailed: bool) -> dict[str, object]:
    order = [member.value for member in Dimension]
    truth = [question.dimension.value for question in questions]
    guess = [prediction.dimension.value for prediction in predicted]
    flags = [question.customer_interaction for question in questions]
    flag_guesses = [prediction.customer_interaction for prediction in predicted]
    dimension: dict[str, object] = {
        "accuracy": round(float(accuracy_score(truth, guess)), 3),
        "macro_f1": round(float(f1_score(truth, guess, labels=order, average="macro", zero_division=0)), 3),
    }
    customer = {
        "accuracy": round(float(accuracy_score(flags, flag_guesses)), 3),
        "macro_f1": round(float(f1_score(flags, flag_guesses, average="macro", zero_division=0)), 3),
        "share_true": round(sum(flags) / len(flags), 3),
        "majority_baseline": round(max(sum(flags), len(flags) - sum(flags)) / len(flags), 3),
    }
    if detailed:
        precision, recall, f1, support = precision_recall_fscore_support(truth, guess, labels=order, zero_division=0)
        dimension["per_dimension"] = {
            label: {"precision": round(float(p), 3), "recall": round(float(r), 3), "f1": round(float(f), 3),
                    "questions": int(n)}
            for label, p, r, f, n in zip(order, precision, recall, f1, support, strict=True)
        }
        dimension["confusion_matrix"] = {"labels": order, "rows": confusion_matrix(truth, guess, labels=order).tolist()}
    return {"questions": len(questions), "dimension": dimension, "customer_interaction": customer}
