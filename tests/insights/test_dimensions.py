"""EX dimensions: the labelled questions, clear errors for a broken file, new questions labelled, cross-validation."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assistant.errors import AssistantError
from assistant.insights.dimensions import (
    EX_DIMENSIONS_FILE,
    Dimension,
    DimensionClassifier,
    DimensionDataError,
    DimensionPrediction,
    LabelledQuestion,
    load_labelled_questions,
)
from benchmarks.factories import RememberingEmbedder

DATA = Path(__file__).resolve().parents[2] / "nlu_data" / EX_DIMENSIONS_FILE
GOOD_ENTRY = "{text: where is the first aid kit, language: en, dimension: enablement, customer_interaction: false}"

# Written for this test, not in the data file: (text, dimension, customer_interaction).
NEW_QUESTIONS = [
    ("is it ok if I give this lad the student discount without seeing his card? he's at the till",
     Dimension.EMPOWERMENT, True),
    ("who can approve me leaving two hours early on friday", Dimension.EMPOWERMENT, False),
    ("the handheld won't connect to the warehouse wifi, how do I fix it", Dimension.ENABLEMENT, False),
    ("how do I refund just one item off a receipt with five things on it? customer waiting",
     Dimension.ENABLEMENT, True),
    ("why does Verdello give every new colleague a plant on their first day?", Dimension.INSPIRATION, False),
    ("il cliente vuole uno sconto perché il tavolo ha un graffio, quanto posso fare senza chiedere?",
     Dimension.EMPOWERMENT, True),
    ("come si cambia il rotolo della bilancia al reparto frutta?", Dimension.ENABLEMENT, False),
    ("la signora al telefono chiede quando arriva il suo divano, dove guardo?", Dimension.ENABLEMENT, True),
    ("perché l'azienda ha scelto di usare solo energia rinnovabile nei negozi?", Dimension.INSPIRATION, False),
]



@pytest.fixture(scope="module")
def questions() -> list[LabelledQuestion]:
    return load_labelled_questions(DATA)


@pytest.fixture(scope="module")
def remembering(embedder) -> RememberingEmbedder:
    return RememberingEmbedder(embedder)


def test_the_labelled_set_is_large_balanced_and_bilingual(questions) -> None:
    total = len(questions)
    assert total >= 360
    by_dimension = Counter(question.dimension for question in questions)
    assert set(by_dimension) == set(Dimension) and min(by_dimension.values()) >= 100
    languages = Counter(question.language for question in questions)
    assert set(languages) == {"en", "it"}
    assert 0.55 <= languages["en"] / total <= 0.65 and 0.35 <= languages["it"] / total <= 0.45
    assert 0.35 <= sum(question.customer_interaction for question in questions) / total <= 0.45
    cells = Counter((q.dimension, q.language, q.customer_interaction) for q in questions)
    assert len(cells) == 12 and min(cells.values()) >= 15, "every dimension has both flags in both languages"
    assert any("[PERSON]" in question.text for question in questions)
    assert any("[EMAIL]" in question.text for question in questions)


def test_the_new_questions_here_are_not_in_the_data(questions) -> None:
    known = {question.text.casefold() for question in questions}
    assert not [text for text, _, _ in NEW_QUESTIONS if text.casefold() in known]


@pytest.mark.parametrize(("content", "message"), [
    ("questions: [\n", "is not valid YAML"),
    ("- just a list\n", "top level must be a mapping"),
    ("nlu:\n- intent: greet\n", r"unknown top-level keys \['nlu'\]"),
    (f"version: 2\nquestions: [{GOOD_ENTRY}]\n", "`version` must be 1, not 2"),
    ("version: 1\nquestions: []\n", "`questions` must be a non-empty list"),
    ("version: 1\nquestions: [just text]\n", r"questions\[0\] must be a mapping"),
    ("version: 1\nquestions: [{text: hi, language: en, dimension: enablement}]\n",
     r"questions\[0\] lacks customer_interaction"),
    (f"version: 1\nquestions: [{GOOD_ENTRY}, {{text: '  ', language: en, dimension: enablement, "
     "customer_interaction: false}]\n", r"questions\[1\]\.text must be a non-empty string"),
    ("version: 1\nquestions: [{text: hi, language: fr, dimension: enablement, customer_interaction: false}]\n",
     r"questions\[0\]\.language must be one of en, it, not 'fr'"),
    ("version: 1\nquestions: [{text: hi, language: en, dimension: motivation, customer_interaction: false}]\n",
     r"dimension must be one of empowerment, enablement, inspiration, not 'motivation'"),
    ("version: 1\nquestions: [{text: hi, language: en, dimension: enablement, customer_interaction: maybe}]\n",
     "customer_interaction must be true or false, not 'maybe'"),
    (f"version: 1\nquestions: [{GOOD_ENTRY}, {GOOD_ENTRY.replace('where', 'Where')}]\n",
     r"questions\[1\] repeats questions\[0\]"),
])
def test_a_broken_file_says_what_is_wrong(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "broken.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DimensionDataError, match=message) as raised:
        load_labelled_questions(path)
    assert isinstance(raised.value, AssistantError)
    assert str(path) in str(raised.value)


def test_a_missing_or_binary_file_is_a_data_error(tmp_path: Path) -> None:
    with pytest.raises(DimensionDataError, match="cannot be read"):
        load_labelled_questions(tmp_path / "absent.yml")
    binary = tmp_path / "binary.yml"
    binary.write_bytes(b"\xff\xfe\x00questions")
    with pytest.raises(DimensionDataError, match="not UTF-8"):
        load_labelled_questions(binary)


def test_a_fitted_classifier_labels_clear_new_questions(questions, remembering) -> None:
    texts = [question.text for question in questions]
    dimensions = [question.dimension for question in questions]
    flags = [question.customer_interaction for question in questions]
    classifier = DimensionClassifier(remembering).fit(texts, dimensions, flags)

    predictions = classifier.predict([text for text, _, _ in NEW_QUESTIONS])

    assert all(isinstance(prediction, DimensionPrediction) for prediction in predictions)
    assert [(p.dimension, p.customer_interaction) for p in predictions] == [(d, c) for _, d, c in NEW_QUESTIONS]
    assert all(1 / 3 < p.confidence <= 1 and 0.5 <= p.customer_confidence <= 1 for p in predictions)
    assert classifier.predict([]) == []
    # fit(questions) reads the labels from the LabelledQuestion records and learns the same model.
    same = DimensionClassifier(remembering).fit(questions).predict([text for text, _, _ in NEW_QUESTIONS])
    assert [p.dimension for p in same] == [p.dimension for p in predictions]


def test_misuse_is_refused(embedder) -> None:
    classifier = DimensionClassifier(embedder)
    with pytest.raises(RuntimeError, match="not been fitted"):
        classifier.predict(["how do I reset my password"])
    with pytest.raises(ValueError, match="one for one"):
        classifier.fit(["a", "b"], [Dimension.ENABLEMENT], [True, False])
    with pytest.raises(ValueError, match="at least two dimensions"):
        classifier.fit(["a", "b"], ["enablement", "enablement"], [True, False])
    with pytest.raises(TypeError, match="LabelledQuestion"):
        classifier.fit(["a", "b"])
    with pytest.raises(ValueError, match="needs the embedding"):
        DimensionClassifier(embedder, meaning=False, wording=False)


@pytest.mark.model
@pytest.mark.slow
def test_cross_validated_accuracy_on_the_real_data(questions, remembering) -> None:
    classifier = DimensionClassifier(remembering).fit(questions)
    before = classifier.predict([NEW_QUESTIONS[0][0]])

    report = classifier.cross_validate(questions, folds=5, seed=0)

    assert report["questions"] == len(questions) and report["folds"] == 5
    assert report["dimension"]["accuracy"] >= 0.80
    assert report["dimension"]["macro_f1"] >= 0.80
    assert report["customer_interaction"]["accuracy"] >= 0.80
    assert report["customer_interaction"]["accuracy"] > report["customer_interaction"]["majority_baseline"]
    for language in ("en", "it"):
        assert report["by_language"][language]["dimension"]["accuracy"] >= 0.75
    matrix = report["dimension"]["confusion_matrix"]
    assert matrix["labels"] == [member.value for member in Dimension]
    assert sum(map(sum, matrix["rows"])) == len(questions)
    assert classifier.predict([NEW_QUESTIONS[0][0]]) == before, "cross-validation leaves the fitted model alone"
