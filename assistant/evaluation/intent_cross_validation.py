"""`assistant eval intents`: k-fold cross-validation of the live intent ensemble on `nlu_data/`, and its calibration.

Rasa is trained k times, each model without the fold it then parses, so every example has an out-of-fold Rasa
ranking. The dense classifier is cheap, so it is cross-validated inside each training part as well:

- For test fold i, the dense classifier is trained on the other folds. The ensemble's three parameters (Rasa's
  weight, the similarity weight, the out-of-scope threshold) are calibrated on those other folds' examples, using
  dense scores from an inner k-fold split of them (never a model that saw the example) and their out-of-fold
  Rasa rankings. Those rankings come from models that did see fold i: calibration picks three numbers, so the leak
  is small, and it spares k x k Rasa trainings. Fold i is then predicted with its own clean Rasa ranking.
- The parameters the assistant ships (`calibrate_live`) are calibrated the same way on every example.

The same predictions give three rows: the ensemble, the ensemble while Rasa is down (dense alone, with its own
calibrated threshold), and Rasa alone (its top intent, as routing used before the ensemble).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

from assistant.errors import AssistantError
from assistant.nlu.dense_intents import DenseIntentClassifier
from assistant.nlu.intent_ensemble import (
    CalibrationPolicy,
    EnsembleScores,
    IntentEnsemble,
    RasaRanking,
    ranking_distribution,
)
from assistant.nlu.intent_model import EnsembleCalibration
from assistant.nlu.intent_prediction import IntentPrediction
from assistant.nlu.intent_spaces import ExampleVectors, IntentSpaces
from assistant.nlu.intents import Intent
from assistant.nlu.rasa_training import CONFIG_FILE, RasaTrainer
from assistant.nlu.training_data import NLU_FILE, Example, read_examples

OUT_OF_SCOPE = str(Intent.OUT_OF_SCOPE)


class CrossValidationError(AssistantError):
    """`nlu_data/` cannot be read or split for cross-validation."""


def assign_folds(examples: Sequence[Example], folds: int, seed: int = 0) -> np.ndarray:
    """A fold number per example, stratified by intent."""
    if folds < 2:
        raise CrossValidationError("cross-validation needs at least two folds")
    rng = np.random.default_rng(seed)
    assignment = np.zeros(len(examples), dtype=int)
    by_intent: dict[str, list[int]] = {}
    for index, example in enumerate(examples):
        by_intent.setdefault(example.intent, []).append(index)
    for indices in by_intent.values():
        shuffled = rng.permutation(indices)
        assignment[shuffled] = np.arange(len(shuffled)) % folds
    return assignment


def write_fold_data(nlu_data_dir: Path, target: Path, examples: Sequence[Example]) -> None:
    """A copy of `nlu_data_dir` whose nlu.yml holds only `examples` (config and regexes as they are)."""
    target.mkdir(parents=True, exist_ok=True)
    for path in nlu_data_dir.glob("*.yml"):
        if path.name != "nlu.yml":
            shutil.copy2(path, target / path.name)
    by_intent: dict[str, list[str]] = {}
    for example in examples:
        by_intent.setdefault(example.intent, []).append(example.raw)
    blocks = [{"intent": intent, "examples": "".join(f"- {raw}\n" for raw in raws)}
              for intent, raws in by_intent.items()]
    (target / "nlu.yml").write_text(yaml.safe_dump({"version": "3.1", "nlu": blocks}, allow_unicode=True,
                                                   sort_keys=False), encoding="utf-8")


@dataclass(frozen=True)
class OutOfFoldRasa:
    """Every example of `nlu_data/`, its fold, and the ranking of the Rasa model trained without that fold."""

    examples: list[Example]
    folds: np.ndarray
    rankings: list[RasaRanking]

    @property
    def texts(self) -> list[str]:
        return [example.text for example in self.examples]

    @property
    def labels(self) -> list[str]:
        return [example.intent for example in self.examples]


def rasa_out_of_fold(nlu_data_dir: Path, *, rasa_executable: Path, work_dir: Path, folds: int = 3, seed: int = 0,
                     progress: Callable[[str], None] | None = None) -> OutOfFoldRasa:
    """Train Rasa `folds` times and parse each held-out fold with the full ranking."""
    from assistant.evaluation.nlu_eval import parse_with_rasa

    nlu_data_dir = Path(nlu_data_dir)
    if not (nlu_data_dir / CONFIG_FILE).is_file():
        raise CrossValidationError(f"{nlu_data_dir} has no {CONFIG_FILE}")
    examples = read_examples(nlu_data_dir / NLU_FILE)
    assignment = assign_folds(examples, folds, seed)
    rankings: list[RasaRanking] = [[] for _ in examples]
    for fold in range(folds):
        held_out = np.flatnonzero(assignment == fold)
        kept = [examples[i] for i in np.flatnonzero(assignment != fold)]
        fold_dir = Path(work_dir) / f"fold-{fold}"
        write_fold_data(nlu_data_dir, fold_dir / "data", kept)
        if progress is not None:
            progress(f"Rasa fold {fold + 1}/{folds}: training on {len(kept)} examples")
        model = RasaTrainer(rasa_executable, fold_dir / "data", fold_dir / "models").train(force=True).model_path
        parsed, _ = parse_with_rasa(model, [examples[i].text for i in held_out], rasa_executable=rasa_executable,
                                    work_dir=fold_dir / "parse", ranking_length=0)
        for index, ranking in zip(held_out, parsed, strict=True):
            rankings[index] = ranking
    return OutOfFoldRasa(examples, assignment, rankings)


def _fit(vectors: ExampleVectors, labels: Sequence[str]) -> DenseIntentClassifier:
    """The dense classifier trained on these examples (each in both spaces, as `assistant train` does)."""
    return DenseIntentClassifier(out_of_scope_label=OUT_OF_SCOPE).fit_embeddings(*vectors.training_set(labels))


def _dense_out_of_fold(vectors: ExampleVectors, labels: Sequence[str], folds: np.ndarray
                       ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Probabilities over every label and nearest-example similarity of every row, each from a classifier trained
    without the row's fold; and the labels, in column order."""
    labels = list(labels)
    names = sorted(set(labels))
    probabilities = np.zeros((len(labels), len(names)))
    similarity = np.zeros(len(labels))
    for fold in np.unique(folds):
        test = np.flatnonzero(folds == fold)
        train = np.flatnonzero(folds != fold)
        classifier = _fit(vectors.subset(train), [labels[i] for i in train])
        columns = [names.index(name) for name in classifier.labels]
        messages = vectors.message_rows(test)
        probabilities[np.ix_(test, columns)] = classifier.probabilities_from_embeddings(messages)
        similarity[test] = classifier.max_similarity(messages)
    return probabilities, similarity, names


def _calibrated(vectors: ExampleVectors, labels: Sequence[str], rankings: Sequence[RasaRanking], folds: np.ndarray,
                policy: CalibrationPolicy) -> IntentEnsemble:
    """An ensemble trained on all these rows, its parameters calibrated on their out-of-fold scores."""
    dense, similarity, names = _dense_out_of_fold(vectors, labels, folds)
    rasa, has_rasa = ranking_distribution(rankings, names)
    ensemble = IntentEnsemble(_fit(vectors, labels), out_of_scope_is_intent=True)
    if ensemble.labels != names:
        raise CrossValidationError("an intent is missing from a training fold: add examples to it")
    scores = EnsembleScores(dense, similarity, rasa, has_rasa)
    ensemble.calibrate_scores(scores, labels, policy)
    ensemble.calibrate_without_rasa(scores, labels, policy)
    return ensemble


def calibrate_live(data: OutOfFoldRasa, vectors: ExampleVectors, policy: CalibrationPolicy | None = None
                   ) -> EnsembleCalibration:
    """The parameters the assistant uses, calibrated on every example's out-of-fold scores."""
    ensemble = _calibrated(vectors, data.labels, data.rankings, data.folds, policy or CalibrationPolicy())
    assert ensemble.without_rasa is not None and ensemble.calibration is not None
    return EnsembleCalibration(ensemble.parameters, ensemble.without_rasa, {
        "examples": len(data.examples), "folds": len(np.unique(data.folds)),
        "calibration_in_scope_accuracy": round(ensemble.calibration.in_scope_accuracy, 4),
        "calibration_oos_recall": round(ensemble.calibration.oos_recall or 0.0, 4),
    })


@dataclass(frozen=True)
class CrossValidatedPredictions:
    """Out-of-fold labels of every example: the ensemble with Rasa, without it, and Rasa alone."""

    truth: list[str]
    ensemble: list[IntentPrediction]
    without_rasa: list[IntentPrediction]
    rasa_alone: list[str]
    in_english_space: list[bool]
    """Whether each example, as a message, is read by the English model (else by the multilingual one)."""


def cross_validate(data: OutOfFoldRasa, vectors: ExampleVectors, policy: CalibrationPolicy | None = None
                   ) -> CrossValidatedPredictions:
    """Predict every fold with an ensemble trained and calibrated on the others (see the module docstring)."""
    policy = policy or CalibrationPolicy()
    labels = np.array(data.labels, dtype=object)
    ensemble_predictions: list[IntentPrediction | None] = [None] * len(labels)
    down_predictions: list[IntentPrediction | None] = [None] * len(labels)
    for fold in np.unique(data.folds):
        test = np.flatnonzero(data.folds == fold)
        train = np.flatnonzero(data.folds != fold)
        inner = assign_folds([data.examples[i] for i in train], len(np.unique(data.folds)), seed=int(fold) + 1)
        ensemble = _calibrated(vectors.subset(train), list(labels[train]), [data.rankings[i] for i in train], inner,
                               policy)
        messages = vectors.message_rows(test)
        with_rasa = ensemble.predict_scores(ensemble.scores_from_embeddings(
            messages, [data.rankings[i] for i in test]))
        without = ensemble.predict_scores(ensemble.scores_from_embeddings(messages, [None] * len(test)))
        for index, up, down in zip(test, with_rasa, without, strict=True):
            ensemble_predictions[index] = up
            down_predictions[index] = down
    rasa_alone = [ranking[0][0] if ranking else OUT_OF_SCOPE for ranking in data.rankings]
    return CrossValidatedPredictions(list(labels), list(ensemble_predictions), list(down_predictions), rasa_alone,
                                     [bool(flag) for flag in vectors.in_english_space])


def intent_report(truth: Sequence[str], predicted: Sequence[str]) -> dict:
    """Per-intent precision, recall, F1 and support, with accuracy, macro F1 and out-of-scope recall."""
    from sklearn.metrics import precision_recall_fscore_support

    names = sorted(set(truth))
    precision, recall, f1, support = precision_recall_fscore_support(truth, predicted, labels=names,
                                                                     zero_division=0)
    per_intent = {name: {"precision": round(float(p), 3), "recall": round(float(r), 3), "f1": round(float(f), 3),
                         "support": int(s)}
                  for name, p, r, f, s in zip(names, precision, recall, f1, support, strict=True)}
    return {
        "accuracy": round(float(np.mean([t == p for t, p in zip(truth, predicted, strict=True)])), 3),
        "macro_f1": round(float(np.mean(f1)), 3),
        "oos_recall": per_intent.get(OUT_OF_SCOPE, {}).get("recall"),
        "intents": per_intent,
    }


def cross_validation_report(predictions: CrossValidatedPredictions) -> dict[str, dict]:
    """`intent_report` for each of the three rows, and the ensemble's row split by the space a message is read in."""
    ensemble = [p.label(OUT_OF_SCOPE) for p in predictions.ensemble]
    by_space = {}
    for space, wanted in (("english", True), ("multilingual", False)):
        rows = [i for i, flag in enumerate(predictions.in_english_space) if flag == wanted]
        if rows:
            by_space[space] = intent_report([predictions.truth[i] for i in rows], [ensemble[i] for i in rows])
    return {
        "ensemble": intent_report(predictions.truth, ensemble),
        "ensemble_rasa_down": intent_report(predictions.truth,
                                            [p.label(OUT_OF_SCOPE) for p in predictions.without_rasa]),
        "rasa_alone": intent_report(predictions.truth, predictions.rasa_alone),
        "ensemble_by_space": by_space,
    }


def embed_examples(data: OutOfFoldRasa, spaces: IntentSpaces) -> ExampleVectors:
    """The examples' vectors in both spaces, as `assistant train` embeds them."""
    return spaces.examples(data.texts)


def run_intent_evaluation(nlu_data_dir: Path, *, rasa_executable: Path, spaces: IntentSpaces, work_dir: Path,
                          folds: int = 3, progress: Callable[[str], None] | None = None
                          ) -> tuple[dict, EnsembleCalibration]:
    """Cross-validate the ensemble on `nlu_data_dir` (three rows, see `cross_validation_report`) and calibrate the
    parameters the assistant would use; (report, calibration)."""
    data = rasa_out_of_fold(nlu_data_dir, rasa_executable=rasa_executable, work_dir=work_dir, folds=folds,
                            progress=progress)
    if progress is not None:
        progress(f"embedding {len(data.examples)} examples and cross-validating the ensemble")
    vectors = embed_examples(data, spaces)
    report = {"examples": len(data.examples), "folds": folds,
              **cross_validation_report(cross_validate(data, vectors))}
    calibration = calibrate_live(data, vectors)
    report["calibration"] = {"with_rasa": calibration.with_rasa.as_dict(),
                             "without_rasa": calibration.without_rasa.as_dict()}
    return report, calibration


ROWS = {"ensemble": "the ensemble (live routing)", "ensemble_rasa_down": "the ensemble while Rasa is down",
        "rasa_alone": "Rasa alone (top intent)"}


def format_report(report: dict) -> str:
    """The report as text: one summary line per row, then the ensemble's per-intent table."""
    lines = [f"{report['examples']} examples, {report['folds']}-fold cross-validation"]
    for key, title in ROWS.items():
        row = report[key]
        lines.append(f"  {title:<34} accuracy {row['accuracy']:.3f}  macro F1 {row['macro_f1']:.3f}  "
                     f"out_of_scope recall {row['oos_recall'] or 0.0:.3f}")
    for space, row in report.get("ensemble_by_space", {}).items():
        title = f"the ensemble, {space}-model messages"
        examples = sum(scores["support"] for scores in row["intents"].values())
        lines.append(f"  {title:<34} accuracy {row['accuracy']:.3f}  macro F1 {row['macro_f1']:.3f}  "
                     f"out_of_scope recall {row['oos_recall'] or 0.0:.3f}  ({examples} examples)")
    lines += ["", f"{'intent':<20} {'precision':>9} {'recall':>7} {'F1':>6} {'support':>8}"]
    for name, scores in report["ensemble"]["intents"].items():
        lines.append(f"{name:<20} {scores['precision']:>9.3f} {scores['recall']:>7.3f} {scores['f1']:>6.3f} "
                     f"{scores['support']:>8}")
    return "\n".join(lines)
