"""EX dimensions: the labelled questions, clear errors for a broken file, and cross-validated accuracy."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assistant.insights.dimensions import (
    EX_DIMENSIONS_FILE,
    Dimension,
    DimensionClassifier,
    DimensionDataError,
    cross_validate,
    load_labelled_questions,
)

DATA = Path(__file__).resolve().parents[2] / "nlu_data" / EX_DIMENSIONS_FILE


@pytest.fixture(scope="module")
def questions():
    return load_labelled_questions(DATA)


def test_the_labelled_set_is_large_balanced_and_bilingual(questions) -> None:
    assert len(questions) >= 300
    by_dimension = Counter(question.dimension for question in questions)
    assert set(by_dimension) == set(Dimension) and min(by_dimension.values()) >= 100
    languages = Counter(question.language for question in questions)
    assert set(languages) == {"en", "it"} and languages["it"] >= 0.35 * len(questions)
    customer_share = sum(question.customer_interaction for question in questions) / len(questions)
    assert 0.3 <= customer_share <= 0.5
    assert len({question.text for question in questions}) == len(questions), "no question twice"


@pytest.mark.parametrize(("content", "message"), [
    ("empowerment: [\n", "cannot read"),
    ("- a list\n", "expected a mapping"),
    ("empowerment: {en: {customer: [ok]}}\nenablement: {en: {internal: [ok]}}\n", "no questions for inspiration"),
    ("empowerment: {en: {sometimes: [x]}}\n", "needs customer or internal lists"),
    ("empowerment: {en: {customer: ['', x]}}\n", "must be a list of questions"),
])
def test_a_broken_file_says_what_is_wrong(tmp_path, content: str, message: str) -> None:
    path = tmp_path / "dimensions.yml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DimensionDataError, match=message):
        load_labelled_questions(path)


def test_clear_new_questions_get_their_dimension(questions, embedder) -> None:
    classifier = DimensionClassifier(embedder).fit(questions)
    tags = classifier.tag([
        "am I allowed to refund a customer 200 euro without asking my manager?",
        "how do I reprint a delivery note from the back office system?",
        "why does the company plant wildflowers at every store?",
        "posso autorizzare io un reso senza scontrino?",
        "come si stampa l'etichetta di spedizione?",
    ])
    assert [tag.dimension for tag in tags] == [Dimension.EMPOWERMENT, Dimension.ENABLEMENT, Dimension.INSPIRATION,
                                               Dimension.EMPOWERMENT, Dimension.ENABLEMENT]
    assert tags[0].customer_interaction and not tags[2].customer_interaction


@pytest.mark.slow
def test_cross_validated_accuracy(questions, embedder) -> None:
    report = cross_validate(embedder, questions, folds=5)
    assert report["dimension_accuracy"] >= 0.80
    assert report["by_language"]["it"]["dimension_accuracy"] >= 0.75
    assert report["customer_accuracy"] >= 0.75
