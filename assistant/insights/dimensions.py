"""Tags a staff question with its employee-experience dimension and whether a customer was waiting.

Forrester's EX index groups what shapes an employee's experience as empowerment (the authority to act),
enablement (knowledge, tools, processes) and inspiration (purpose, values, recognition). The classifier
is trained on `nlu_data/ex_dimensions.yml` at start (a few seconds): logistic regressions over the
question's MiniLM embedding joined with its character 3-5-gram TF-IDF vector (which carries Italian,
as the embedding model reads English only).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import numpy as np
import yaml
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold

from assistant.errors import ConfigurationError
from assistant.retrieval.embedder import Embedder

CUSTOMER_KINDS = {"customer": True, "internal": False}
EX_DIMENSIONS_FILE = "ex_dimensions.yml"
"""The labelled questions, in the NLU data folder (Rasa ignores it)."""


class Dimension(StrEnum):
    """The three headings of the EX index."""

    EMPOWERMENT = "empowerment"
    ENABLEMENT = "enablement"
    INSPIRATION = "inspiration"


class DimensionDataError(ConfigurationError):
    """The labelled question file is missing or malformed."""


@dataclass(frozen=True)
class LabelledQuestion:
    text: str
    language: str
    dimension: Dimension
    customer_interaction: bool


@dataclass(frozen=True)
class DimensionTag:
    """A question's dimension and customer flag, with the classifier's confidence in each."""

    dimension: Dimension
    confidence: float
    customer_interaction: bool
    customer_confidence: float


def load_labelled_questions(path: Path) -> list[LabelledQuestion]:
    """Read the YAML: dimension -> language -> customer|internal -> questions. Raises `DimensionDataError`."""
    try:
        document = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise DimensionDataError(f"cannot read the EX dimension questions {path}: {error}") from error
    if not isinstance(document, dict):
        raise DimensionDataError(f"{path}: expected a mapping of dimensions")
    questions = []
    for dimension in Dimension:
        by_language = document.get(dimension.value)
        if not isinstance(by_language, dict):
            raise DimensionDataError(f"{path}: no questions for {dimension.value}")
        for language, kinds in by_language.items():
            if not isinstance(kinds, dict) or set(kinds) - set(CUSTOMER_KINDS):
                raise DimensionDataError(f"{path}: {dimension.value}.{language} needs customer or internal lists")
            for kind, texts in kinds.items():
                if not isinstance(texts, list) or not all(isinstance(text, str) and text.strip() for text in texts):
                    raise DimensionDataError(f"{path}: {dimension.value}.{language}.{kind} must be a list of questions")
                questions += [LabelledQuestion(text.strip(), str(language), dimension, CUSTOMER_KINDS[kind])
                              for text in texts]
    return questions


class DimensionClassifier:
    """Fitted on labelled questions; `tag` labels new ones (English and Italian)."""

    def __init__(self, embedder: Embedder, regularisation: float = 4.0) -> None:
        self._embedder = embedder
        self._regularisation = regularisation
        self._wording: TfidfVectorizer | None = None
        self._dimension: LogisticRegression | None = None
        self._customer: LogisticRegression | None = None

    def fit(self, questions: Sequence[LabelledQuestion]) -> DimensionClassifier:
        texts = [question.text for question in questions]
        self._wording = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True, min_df=2)
        features = self._features(texts, fit=True)
        self._dimension = LogisticRegression(C=self._regularisation, max_iter=2000).fit(
            features, [question.dimension.value for question in questions])
        self._customer = LogisticRegression(C=self._regularisation, max_iter=2000).fit(
            features, [question.customer_interaction for question in questions])
        return self

    def tag(self, texts: Sequence[str]) -> list[DimensionTag]:
        if self._dimension is None or self._customer is None:
            raise ConfigurationError("the EX dimension classifier has not been fitted")
        if not texts:
            return []
        features = self._features(list(texts), fit=False)
        dimension_probabilities = self._dimension.predict_proba(features)
        customer_probabilities = self._customer.predict_proba(features)
        customer_column = list(self._customer.classes_).index(True)
        tags = []
        for row, customer in zip(dimension_probabilities, customer_probabilities[:, customer_column], strict=True):
            best = int(np.argmax(row))
            tags.append(DimensionTag(Dimension(self._dimension.classes_[best]), round(float(row[best]), 3),
                                     bool(customer >= 0.5), round(float(max(customer, 1 - customer)), 3)))
        return tags

    def _features(self, texts: list[str], *, fit: bool) -> sparse.csr_matrix:
        meaning = sparse.csr_matrix(np.asarray(self._embedder.encode(texts), dtype=np.float32))
        lowered = [text.lower() for text in texts]
        wording = self._wording.fit_transform(lowered) if fit else self._wording.transform(lowered)
        return sparse.hstack([meaning, wording], format="csr")


def cross_validate(embedder: Embedder, questions: Sequence[LabelledQuestion], folds: int = 5,
                   seed: int = 0) -> dict[str, object]:
    """Stratified k-fold accuracy of the dimension and of the customer flag, overall and per language."""
    labels = [question.dimension.value for question in questions]
    predicted: list[DimensionTag | None] = [None] * len(questions)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, held in splitter.split(np.zeros(len(labels)), labels):
        model = DimensionClassifier(embedder).fit([questions[i] for i in train])
        for index, tag in zip(held, model.tag([questions[i].text for i in held]), strict=True):
            predicted[index] = tag

    def accuracy(selected: list[int], attribute: str) -> float:
        right = sum(getattr(predicted[i], attribute) == getattr(questions[i], attribute) for i in selected)
        return round(right / len(selected), 3) if selected else 0.0

    everything = list(range(len(questions)))
    languages = sorted({question.language for question in questions})
    return {
        "questions": len(questions),
        "folds": folds,
        "dimension_accuracy": accuracy(everything, "dimension"),
        "customer_accuracy": accuracy(everything, "customer_interaction"),
        "by_language": {language: {"questions": sum(q.language == language for q in questions),
                                   "dimension_accuracy": accuracy([i for i in everything
                                                                   if questions[i].language == language], "dimension"),
                                   "customer_accuracy": accuracy([i for i in everything
                                                                  if questions[i].language == language],
                                                                 "customer_interaction")}
                        for language in languages},
    }
