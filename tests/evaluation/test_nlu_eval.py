"""The dense intent classifier, the ensemble and its out-of-scope calibration, on real CLINC150 data.

The data is a small slice of CLINC150 (10 intents, 20 training examples each, plus out-of-scope
examples) embedded with the real MiniLM model, so the whole module runs in seconds.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from assistant.evaluation.nlu_eval import (
    LabelledTexts,
    load_banking77,
    load_clinc,
    score_out_of_scope,
    write_rasa_nlu_yaml,
)
from assistant.nlu.dense_intents import DenseIntentClassifier, IntentModelError
from assistant.nlu.intent_ensemble import CalibrationPolicy, IntentEnsemble, ranking_distribution
from assistant.nlu.intent_prediction import OUT_OF_SCOPE, IntentPrediction

SHARED_DATASETS = Path(__file__).resolve().parents[2].parent / "shared" / "datasets"
CLINC_FILE = SHARED_DATASETS / "clinc150" / "data_full.json"
BANKING77_DIR = SHARED_DATASETS / "banking77"

INTENTS = 10
TRAIN_PER_INTENT = 20
HELD_OUT_PER_INTENT = 10


def _take(data: LabelledTexts, labels: list[str], per_label: int) -> LabelledTexts:
    counts: dict[str, int] = {}
    texts, kept = [], []
    for text, label in zip(data.texts, data.labels, strict=True):
        if label in labels and counts.get(label, 0) < per_label:
            counts[label] = counts.get(label, 0) + 1
            texts.append(text)
            kept.append(label)
    return LabelledTexts(texts, kept)


def _as_oos(texts: list[str]) -> LabelledTexts:
    return LabelledTexts(list(texts), [OUT_OF_SCOPE] * len(texts))


@pytest.fixture(scope="module")
def clinc_slice() -> dict[str, LabelledTexts]:
    """10 CLINC150 intents from different domains; out of scope: CLINC's oos texts plus 10 other intents."""
    if not CLINC_FILE.is_file():
        pytest.skip(f"{CLINC_FILE} is absent: the shared datasets are not beside the project")
    data = load_clinc(CLINC_FILE)
    every_intent = sorted(set(data["train"].labels))
    chosen = every_intent[::15][:INTENTS]
    others = [intent for intent in every_intent if intent not in chosen][::14][:10]
    other_test = _take(data["test"], others, 5)
    return {
        "train": _take(data["train"], chosen, TRAIN_PER_INTENT) + _as_oos(data["oos_train"].texts[:20]),
        "val": _take(data["val"], chosen, HELD_OUT_PER_INTENT) + _as_oos(data["oos_val"].texts[:40]),
        "test": _take(data["test"], chosen, HELD_OUT_PER_INTENT)
        + _as_oos(data["oos_test"].texts[:50] + other_test.texts),
    }


@pytest.fixture(scope="module")
def dense(embedder, clinc_slice) -> DenseIntentClassifier:
    return DenseIntentClassifier(embedder).fit(clinc_slice["train"].texts, clinc_slice["train"].labels)


@pytest.fixture
def calibrated(dense, clinc_slice) -> IntentEnsemble:
    ensemble = IntentEnsemble(dense)
    ensemble.calibrate(clinc_slice["val"].texts, clinc_slice["val"].labels)
    return ensemble


def _metrics(predictions: list[IntentPrediction], truth: list[str]) -> dict[str, float]:
    return score_out_of_scope([prediction.label() for prediction in predictions], truth)


def test_dense_classifier_learns_the_intents(dense, clinc_slice) -> None:
    test = clinc_slice["test"]
    assert dense.in_scope_labels == sorted(set(clinc_slice["train"].labels) - {OUT_OF_SCOPE})
    assert OUT_OF_SCOPE in dense.labels

    predictions = dense.predict(test.texts)
    inside = [i for i, label in enumerate(test.labels) if label != OUT_OF_SCOPE]
    accuracy = np.mean([predictions[i].intent == test.labels[i] for i in inside])
    assert accuracy >= 0.9
    # No threshold yet: nothing is flagged, and the ranking is best first over in-scope intents.
    assert not any(prediction.is_out_of_scope for prediction in predictions)
    first = predictions[0]
    assert first.ranking[0] == (first.intent, first.confidence)
    assert all(name != OUT_OF_SCOPE for name, _ in first.ranking)
    assert [score for _, score in first.ranking] == sorted((score for _, score in first.ranking), reverse=True)


def test_calibrated_threshold_flags_out_of_scope_texts(calibrated, clinc_slice) -> None:
    calibration = calibrated.calibration
    assert calibration is not None
    assert calibration.rasa_weight == 0.0  # no Rasa rankings were given
    assert math.isfinite(calibrated.threshold)
    assert calibration.in_scope_accuracy >= calibration.in_scope_accuracy_without_rejection - 0.01
    assert calibration.oos_recall is not None and calibration.oos_recall >= 0.7

    test = clinc_slice["test"]
    metrics = _metrics(calibrated.predict(test.texts), test.labels)
    assert metrics["in_scope_accuracy"] >= 0.9
    assert metrics["oos_recall"] >= 0.6
    assert metrics["oos_precision"] >= 0.9

    flagged = calibrated.predict(["what is the boiling point of tungsten in kelvin"])[0]
    assert flagged.is_out_of_scope and flagged.accepted_intent is None
    assert flagged.label() == OUT_OF_SCOPE and flagged.intent in calibrated.labels
    kept = calibrated.predict(["please roll a six sided die for me"])[0]
    assert kept.accepted_intent == "roll_dice"


def test_calibration_without_out_of_scope_examples_keeps_accuracy(dense, clinc_slice) -> None:
    val = clinc_slice["val"]
    inside = [i for i, label in enumerate(val.labels) if label != OUT_OF_SCOPE]
    ensemble = IntentEnsemble(dense)
    policy = CalibrationPolicy(max_accuracy_drop=0.05)
    result = ensemble.calibrate([val.texts[i] for i in inside], [val.labels[i] for i in inside], policy=policy)
    assert result.oos_recall is None and result.out_of_scope_examples == 0
    assert result.similarity_weight == policy.fallback_similarity_weight
    assert result.in_scope_accuracy >= result.in_scope_accuracy_without_rejection - 0.05
    # The highest threshold that keeps the accuracy: it does reject the least certain texts.
    assert math.isfinite(result.threshold)
    scores = ensemble.predict([val.texts[i] for i in inside])
    assert any(prediction.is_out_of_scope for prediction in scores)


def test_rasa_ranking_is_pooled_with_the_dense_probabilities(dense, clinc_slice) -> None:
    text = "what is my credit score"
    ensemble = IntentEnsemble(dense, rasa_weight=0.0)
    alone = ensemble.predict([text])[0]
    assert alone.intent == "credit_score"

    # A Rasa ranking that insists on another intent moves the pooled answer once it has weight.
    insisting = [("uber", 0.999), ("credit_score", 0.0005)]
    assert ensemble.predict([text], [insisting])[0].intent == "credit_score"
    ensemble.rasa_weight = 0.9
    assert ensemble.predict([text], [insisting])[0].intent == "uber"
    # Without a ranking for a row (Rasa down), that row falls back to the dense classifier.
    assert ensemble.predict([text], [None])[0].intent == "credit_score"


def test_ranking_distribution_spreads_unreported_mass_and_drops_unknown_names() -> None:
    labels = ["a", "b", "c", "d"]
    rankings = [[("a", 0.5), ("oos", 0.3)], None, [("b", 1.0)]]
    distribution, present = ranking_distribution(rankings, labels)
    assert present.tolist() == [True, False, True]
    np.testing.assert_allclose(distribution.sum(axis=1), 1.0)
    # Row 0: "a" 0.5, the unreported 0.2 split over b, c, d, "oos" dropped, then renormalised.
    np.testing.assert_allclose(distribution[0], np.array([0.5, 0.2 / 3, 0.2 / 3, 0.2 / 3]) / 0.7)
    np.testing.assert_allclose(distribution[1], 0.25)
    assert distribution[2].argmax() == 1 and distribution[2, 0] < 1e-5


def test_clear_errors_for_misuse(embedder, tmp_path) -> None:
    with pytest.raises(IntentModelError, match="not been trained"):
        DenseIntentClassifier(embedder).predict(["hello"])
    with pytest.raises(IntentModelError, match="at least two"):
        DenseIntentClassifier(embedder).fit(["hi", "hello"], ["greet", "greet"])
    with pytest.raises(IntentModelError, match="no embedder"):
        DenseIntentClassifier().fit(["hi", "bye"], ["greet", "goodbye"])


def test_score_out_of_scope_counts_rejected_in_scope_texts_as_wrong() -> None:
    truth = ["a", "a", "b", "oos", "oos"]
    predicted = ["a", "oos", "b", "oos", "b"]
    metrics = score_out_of_scope(predicted, truth)
    assert metrics == {"in_scope_accuracy": 2 / 3, "oos_recall": 0.5, "oos_precision": 0.5}


def test_clinc_to_rasa_yaml(tmp_path, clinc_slice) -> None:
    import yaml

    path = write_rasa_nlu_yaml(clinc_slice["train"], tmp_path / "nlu.yml")
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    blocks = {block["intent"]: block["examples"].splitlines() for block in document["nlu"]}
    assert set(blocks) == set(clinc_slice["train"].labels)
    assert len(blocks[OUT_OF_SCOPE]) == 20
    assert all(line.startswith("- ") for lines in blocks.values() for line in lines)


def test_loaders_read_the_shared_datasets() -> None:
    if not (CLINC_FILE.is_file() and BANKING77_DIR.is_dir()):
        pytest.skip("the shared datasets are not beside the project")
    clinc = load_clinc(CLINC_FILE)
    assert {split: len(data) for split, data in clinc.items()} == {
        "train": 15000, "val": 3000, "test": 4500, "oos_train": 100, "oos_val": 100, "oos_test": 1000,
    }  # fmt: skip
    assert len(set(clinc["train"].labels)) == 150
    banking = load_banking77(BANKING77_DIR)
    assert (len(banking["train"]), len(banking["test"])) == (10003, 3080)
    assert len(set(banking["test"].labels)) == 77


@pytest.mark.model  # fine-tunes the real MiniLM
def test_encoder_tuning_trains_only_the_top_layers(clinc_slice, tmp_path) -> None:
    from assistant.evaluation.intent_models.encoder_tuning import (
        EncoderTuning,
        TunedSentenceEncoder,
        fine_tune_encoder,
        torch_threads,
    )
    from assistant.retrieval.embedder import default_model_path

    train = clinc_slice["train"]
    with torch_threads(1):
        encoder = fine_tune_encoder(
            default_model_path(), train.texts, train.labels, EncoderTuning(layers=1, epochs=1, batch_size=16)
        )
        vectors = encoder.encode(train.texts[:4])
    assert vectors.shape == (4, 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-5)
    assert all(not parameter.requires_grad for parameter in encoder.model.parameters())

    from sentence_transformers import SentenceTransformer

    original = SentenceTransformer(default_model_path(), device="cpu")[0].auto_model.encoder.layer
    tuned = encoder.model[0].auto_model.encoder.layer
    changed = [
        not all(np.array_equal(a.detach().numpy(), b.detach().numpy())
                for a, b in zip(old.parameters(), new.parameters(), strict=True))
        for old, new in zip(original, tuned, strict=True)
    ]  # fmt: skip
    assert changed == [False] * (len(changed) - 1) + [True]

    loaded = TunedSentenceEncoder.load(encoder.save(tmp_path / "tuned"))
    np.testing.assert_allclose(loaded.encode(train.texts[:4]), vectors, atol=1e-5)


def test_unreadable_datasets_raise_a_typed_error(tmp_path) -> None:
    from assistant.evaluation.nlu_eval import DatasetError

    with pytest.raises(DatasetError, match="cannot read CLINC150"):
        load_clinc(tmp_path / "missing.json")
    wrong = tmp_path / "wrong.json"
    wrong.write_text('{"train": []}', encoding="utf-8")
    with pytest.raises(DatasetError, match="splits"):
        load_clinc(wrong)
    with pytest.raises(DatasetError, match="cannot read BANKING77"):
        load_banking77(tmp_path)
