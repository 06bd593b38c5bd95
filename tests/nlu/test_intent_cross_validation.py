"""Cross-validation of the intent ensemble: the scoring, the nested calibration, and one real run with Rasa."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from assistant.evaluation.intent_cross_validation import (
    OUT_OF_SCOPE,
    OutOfFoldRasa,
    assign_folds,
    calibrate_live,
    cross_validate,
    cross_validation_report,
    embed_examples,
    format_report,
    intent_report,
    run_intent_evaluation,
    write_fold_data,
)
from assistant.nlu.training_data import read_examples

NLU_DATA = Path(__file__).resolve().parents[2] / "nlu_data"


def test_the_intent_report_counts_as_a_reader_would() -> None:
    truth = ["greet", "greet", "thanks", OUT_OF_SCOPE, OUT_OF_SCOPE]
    predicted = ["greet", "thanks", "thanks", OUT_OF_SCOPE, "greet"]
    report = intent_report(truth, predicted)
    assert report["accuracy"] == 0.6
    assert report["oos_recall"] == 0.5
    assert report["intents"]["greet"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert report["intents"]["thanks"]["precision"] == 0.5 and report["intents"]["thanks"]["recall"] == 1.0
    assert report["macro_f1"] == round((0.5 + 2 / 3 + 2 / 3) / 3, 3)


@pytest.fixture(scope="module")
def slice_of_nlu_data(intent_spaces):
    """20 examples per intent, with the vectors of the real embedding models."""
    examples = read_examples(NLU_DATA / "nlu.yml")
    per_intent: dict[str, list] = {}
    for example in examples:
        per_intent.setdefault(example.intent, []).append(example)
    chosen = [example for group in per_intent.values() for example in group[:20]]
    data = OutOfFoldRasa(chosen, assign_folds(chosen, 3), [[] for _ in chosen])
    return data, embed_examples(data, intent_spaces)


def test_a_sure_and_right_rasa_lifts_the_ensemble_above_the_dense_side_alone(slice_of_nlu_data) -> None:
    data, vectors = slice_of_nlu_data
    without = cross_validation_report(cross_validate(data, vectors))
    oracle = OutOfFoldRasa(data.examples, data.folds, [[(label, 0.9)] for label in data.labels])
    with_oracle = cross_validation_report(cross_validate(oracle, vectors))
    # No ranking at all: the pooled row is the dense side alone, calibrated the same way.
    assert without["ensemble"] == without["ensemble_rasa_down"]
    assert without["rasa_alone"]["accuracy"] == pytest.approx(
        np.mean([label == OUT_OF_SCOPE for label in data.labels]), abs=1e-3)
    assert with_oracle["rasa_alone"]["accuracy"] == 1.0
    assert with_oracle["ensemble"]["macro_f1"] > without["ensemble"]["macro_f1"]
    assert with_oracle["ensemble_rasa_down"] == without["ensemble_rasa_down"]
    calibration = calibrate_live(oracle, vectors)
    assert calibration.with_rasa.rasa_weight > 0.0 and calibration.without_rasa.rasa_weight == 0.0
    assert calibration.provenance["examples"] == len(data.examples)


@pytest.mark.slow  # trains Rasa twice on a slice of nlu_data
def test_a_real_run_on_a_slice_of_nlu_data(tmp_path, rasa_executable, intent_spaces) -> None:
    examples = read_examples(NLU_DATA / "nlu.yml")
    per_intent: dict[str, list] = {}
    for example in examples:
        per_intent.setdefault(example.intent, []).append(example)
    data_dir = tmp_path / "nlu_data"
    write_fold_data(NLU_DATA, data_dir, [example for group in per_intent.values() for example in group[:12]])
    messages: list[str] = []
    report, calibration = run_intent_evaluation(data_dir, rasa_executable=rasa_executable, spaces=intent_spaces,
                                                work_dir=tmp_path / "work", folds=2, progress=messages.append)
    assert report["examples"] == 12 * len(per_intent) and report["folds"] == 2
    assert sum("training on" in message for message in messages) == 2
    for row in ("ensemble", "ensemble_rasa_down", "rasa_alone"):
        assert set(report[row]["intents"]) == set(per_intent)
        assert report[row]["macro_f1"] > 1 / len(per_intent)  # better than chance, even on 6 examples per intent
    assert report["calibration"]["with_rasa"] == calibration.with_rasa.as_dict()
    text = format_report(report)
    assert "out_of_scope recall" in text and "ask_policy" in text
