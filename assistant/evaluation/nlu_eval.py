"""`assistant eval nlu`: intent classification and out-of-scope detection on CLINC150 (and BANKING77).

The method under test is the product's: Rasa DIET on lean sparse features and the dense
classifier (MiniLM with its top two layers fine-tuned on the training intents, then logistic
regression and nearest-example similarity), pooled by `IntentEnsemble`, whose weights and
out-of-scope threshold are calibrated on CLINC150's validation split (`val` + `oos_val`).
Every component trains on `train` + `oos_train` (out-of-scope as one more class); the scores
are on `test` and `oos_test`.

Rasa trains in its own environment (a `rasa train nlu` child process, in parallel with the
dense side) and parses in-process through `scripts/rasa_batch_parse.py`, so parse times are Rasa's own.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

import numpy as np

from assistant.errors import AssistantError
from assistant.evaluation.intent_models.encoder_tuning import EncoderTuning, fine_tune_encoder, torch_threads
from assistant.nlu.dense_intents import DenseIntentClassifier, SentenceEncoder
from assistant.nlu.errors import RasaTrainingError
from assistant.nlu.intent_ensemble import CalibrationPolicy, IntentEnsemble, RasaRanking
from assistant.nlu.intent_prediction import OUT_OF_SCOPE
from assistant.nlu.rasa_environment import rasa_environment, require_executable, tail_lines
from assistant.nlu.rasa_training import RasaTrainer
from assistant.retrieval.embedder import default_model_path

# It runs under Rasa's Python 3.10, so it lives with the project's scripts, outside this package.
BATCH_PARSE_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "rasa_batch_parse.py"

# Lean on purpose: DIET with word 1-2-grams and char 2-4-grams, no transformer layers (the
# intent alone needs none) and no entity head trains CLINC150 in minutes instead of the
# 48 minutes the default pipeline took for 40 epochs. `ranking_length: 0` reports every
# intent, so the ensemble sees Rasa's whole distribution.
CLINC_RASA_CONFIG = """\
recipe: default.v1
language: en
assistant_id: clinc150_evaluation
pipeline:
  - name: WhitespaceTokenizer
  - name: CountVectorsFeaturizer
    ngram_range: [1, 2]
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 2
    max_ngram: 4
  - name: DIETClassifier
    epochs: {epochs}
    entity_recognition: false
    number_of_transformer_layers: 0
    constrain_similarities: true
    model_confidence: softmax
    ranking_length: 0
    batch_size: [64, 256]
    random_seed: 1
"""

DEFAULT_TUNING = EncoderTuning()

Progress = Callable[[str], None]


def stderr_progress(stream: TextIO | None = None) -> Progress:
    """A progress printer that writes time-stamped lines to stderr."""
    started = time.monotonic()

    def report(message: str) -> None:
        print(f"[nlu eval {time.monotonic() - started:7.1f} s] {message}", file=stream or sys.stderr, flush=True)

    return report


# -- data ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledTexts:
    """Parallel lists of texts and their intent labels."""

    texts: list[str]
    labels: list[str]

    def __len__(self) -> int:
        return len(self.texts)

    def __add__(self, other: LabelledTexts) -> LabelledTexts:
        return LabelledTexts(self.texts + other.texts, self.labels + other.labels)


class DatasetError(AssistantError):
    """An evaluation data set is missing or not in the expected format."""


CLINC_SPLITS = ("train", "val", "test", "oos_train", "oos_val", "oos_test")


def load_clinc(path: Path) -> dict[str, LabelledTexts]:
    """CLINC150's `data_full.json`: every split as `LabelledTexts` (out-of-scope labelled "oos")."""
    try:
        with open(path, encoding="utf-8") as handle:
            raw = json.load(handle)
        missing = [split for split in CLINC_SPLITS if split not in raw]
        if missing:
            raise DatasetError(f"{path} is not CLINC150's data_full.json: splits {missing} are missing")
        return {
            split: LabelledTexts([str(text) for text, _ in raw[split]], [str(label) for _, label in raw[split]])
            for split in CLINC_SPLITS
        }
    except (OSError, json.JSONDecodeError, TypeError, ValueError) as error:
        raise DatasetError(f"cannot read CLINC150 from {path}: {error}") from error


def load_banking77(directory: Path) -> dict[str, LabelledTexts]:
    """BANKING77's `train.csv` and `test.csv` (header `text,category`)."""
    splits = {}
    for split in ("train", "test"):
        path = Path(directory) / f"{split}.csv"
        try:
            with open(path, encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle))
            splits[split] = LabelledTexts([row["text"] for row in rows], [row["category"] for row in rows])
        except (OSError, KeyError, csv.Error) as error:
            raise DatasetError(f"cannot read BANKING77 from {path}: {error!r}") from error
    return splits


def write_rasa_nlu_yaml(data: LabelledTexts, path: Path) -> Path:
    """Training examples as Rasa 3.x NLU YAML, one `intent:` block per label.

    Rasa reads each `- ` line of the block scalar literally (apart from its `[value](entity)`
    markup, which CLINC150 never uses), so texts are only collapsed onto one line.
    """
    by_intent: dict[str, list[str]] = {}
    for text, label in zip(data.texts, data.labels, strict=True):
        line = " ".join(text.split())
        if line:
            by_intent.setdefault(label, []).append(line)
    lines = ['version: "3.1"', "nlu:"]
    for intent, examples in by_intent.items():
        lines.append(f"- intent: {intent}")
        lines.append("  examples: |")
        lines.extend(f"    - {example}" for example in examples)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# -- Rasa ---------------------------------------------------------------------------------


def train_rasa(
    data: LabelledTexts,
    *,
    rasa_executable: Path,
    work_dir: Path,
    config: str,
    timeout_seconds: float = 1800.0,
    env: Mapping[str, str] | None = None,
) -> tuple[Path, float]:
    """Train a Rasa NLU model on `data` with `config` in `work_dir`; (model path, seconds)."""
    data_dir = Path(work_dir) / "rasa_data"
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "config.yml").write_text(config, encoding="utf-8")
    write_rasa_nlu_yaml(data, data_dir / "nlu.yml")
    trainer = RasaTrainer(
        rasa_executable, data_dir, Path(work_dir) / "rasa_models", timeout_seconds=timeout_seconds, env=env
    )
    started = time.monotonic()
    result = trainer.train(force=True)
    return result.model_path, time.monotonic() - started


def rasa_thread_environment(threads: int | None) -> dict[str, str] | None:
    """The environment for Rasa children limited to `threads` TensorFlow and BLAS threads."""
    if threads is None:
        return None
    count = str(threads)
    return rasa_environment(
        extra={
            "TF_INTRA_OP_PARALLELISM_THREADS": count,
            "TF_INTER_OP_PARALLELISM_THREADS": count,
            "OMP_NUM_THREADS": count,
        }
    )


def rasa_python(rasa_executable: Path) -> Path:
    """The Python interpreter of the environment `rasa_executable` belongs to."""
    return require_executable(Path(rasa_executable).absolute().parent / "python")


def parse_with_rasa(
    model_path: Path,
    texts: Sequence[str],
    *,
    rasa_executable: Path,
    work_dir: Path,
    ranking_length: int = 0,
    timeout_seconds: float = 1800.0,
    env: Mapping[str, str] | None = None,
) -> tuple[list[RasaRanking], list[float]]:
    """Parse every text with the model in one Rasa process; (rankings, per-text parse ms)."""
    if not BATCH_PARSE_SCRIPT.exists():
        raise RasaTrainingError(f"{BATCH_PARSE_SCRIPT} is missing: run the NLU evaluation from a project checkout")
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    texts_path = work_dir / "rasa_parse_input.json"
    out_path = work_dir / "rasa_parse_output.json"
    texts_path.write_text(json.dumps(list(texts)), encoding="utf-8")
    command = [
        str(rasa_python(rasa_executable)), str(BATCH_PARSE_SCRIPT),
        str(model_path), str(texts_path), str(out_path), str(ranking_length),
    ]  # fmt: skip
    try:
        completed = subprocess.run(
            command,
            cwd=work_dir,
            env=rasa_environment(env),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=timeout_seconds,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        output = (exc.output or b"").decode("utf-8", errors="replace")
        reason = f"parsing timed out after {timeout_seconds:.0f} s"
        raise RasaTrainingError(reason, tail_lines(output), command) from exc
    if completed.returncode != 0 or not out_path.is_file():
        output = completed.stdout.decode("utf-8", errors="replace")
        raise RasaTrainingError(f"batch parse exit code {completed.returncode}", tail_lines(output), command)
    results = json.loads(out_path.read_text(encoding="utf-8"))
    if len(results) != len(texts):
        raise RasaTrainingError(f"batch parse returned {len(results)} results for {len(texts)} texts", "", command)
    rankings = [[(str(name), float(confidence)) for name, confidence in item["ranking"]] for item in results]
    return rankings, [float(item["ms"]) for item in results]


# -- scoring ------------------------------------------------------------------------------


def score_out_of_scope(
    predicted: Sequence[str], truth: Sequence[str], out_of_scope_label: str = OUT_OF_SCOPE
) -> dict[str, float]:
    """CLINC150's metrics: in-scope accuracy (a rejected in-scope text is wrong), oos recall and precision."""
    predicted = np.asarray(predicted, dtype=object)
    truth = np.asarray(truth, dtype=object)
    inside = truth != out_of_scope_label
    flagged = predicted == out_of_scope_label
    true_flags = int((flagged & ~inside).sum())
    return {
        "in_scope_accuracy": float((predicted[inside] == truth[inside]).mean()) if inside.any() else 0.0,
        "oos_recall": float(flagged[~inside].mean()) if (~inside).any() else 0.0,
        "oos_precision": float(true_flags / flagged.sum()) if flagged.any() else 0.0,
    }


def _labels_from_ranking(rankings: Sequence[RasaRanking], labels: Sequence[str]) -> list[str]:
    allowed = set(labels)
    out = []
    for ranking in rankings:
        best = next((name for name, _ in ranking if name in allowed), OUT_OF_SCOPE)
        out.append(best)
    return out


def _percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if len(values) else 0.0


def _time_single_texts(
    ensemble: IntentEnsemble, texts: Sequence[str], rankings: Sequence[RasaRanking]
) -> list[float]:
    """Milliseconds per text for the dense side of a parse: embed one text, classify, combine."""
    times = []
    for text, ranking in zip(texts, rankings, strict=True):
        started = time.perf_counter()
        ensemble.predict([text], [ranking])
        times.append((time.perf_counter() - started) * 1000.0)
    return times


def _encoder_for(
    embedder: SentenceEncoder,
    encoder_model_path: str | Path | None,
    fine_tune: EncoderTuning | None,
    training: LabelledTexts,
    report: Progress,
) -> tuple[SentenceEncoder, float]:
    """`embedder` as it is, or a copy of the encoder model tuned on `training`; (encoder, seconds)."""
    if fine_tune is None:
        return embedder, 0.0
    started = time.monotonic()
    base = str(encoder_model_path or default_model_path())
    report(f"fine-tuning the top {fine_tune.layers} layers of {base} for {fine_tune.epochs} epochs")
    encoder = fine_tune_encoder(base, training.texts, training.labels, fine_tune, progress=report)
    seconds = time.monotonic() - started
    report(f"encoder tuned in {seconds:.1f} s")
    return encoder, seconds


# -- CLINC150 -----------------------------------------------------------------------------


def run_clinc_evaluation(
    clinc_path: Path,
    *,
    rasa_executable: Path,
    work_dir: Path,
    embedder: SentenceEncoder,
    encoder_model_path: str | Path | None = None,
    fine_tune: EncoderTuning | None = DEFAULT_TUNING,
    use_rasa: bool = True,
    rasa_epochs: int = 30,
    policy: CalibrationPolicy | None = None,
    latency_sample: int = 1000,
    threads_per_component: int | None = 1,
    progress: Progress | None = None,
) -> dict:
    """Train on CLINC150 `train` + `oos_train`, calibrate on `val` + `oos_val`, score `test` + `oos_test`.

    The dense side fine-tunes the top layers of the encoder at `encoder_model_path` (the
    bundled MiniLM by default) unless `fine_tune` is None, in which case it uses `embedder`
    frozen. Rasa trains at the same time in its own process. Returns the keys of
    `assistant eval nlu --json`: `in_scope_accuracy`, `oos_recall`, `oos_precision`,
    `train_seconds` (wall time until both components are trained), `parse_ms_p50`,
    `parse_ms_p95` (per message: Rasa's in-process parse plus the dense side, one text at a
    time), and extras: the calibration, each component's own figures, the wall time.

    `threads_per_component` limits torch (in this process) and TensorFlow (in Rasa's) to that
    many threads each: on 2 cores, Rasa and the encoder then train side by side without
    fighting over both cores (None leaves the libraries' defaults).
    """
    with torch_threads(threads_per_component):
        return _run_clinc_evaluation(
            Path(clinc_path),
            rasa_executable=Path(rasa_executable),
            work_dir=Path(work_dir),
            embedder=embedder,
            encoder_model_path=encoder_model_path,
            fine_tune=fine_tune,
            use_rasa=use_rasa,
            rasa_epochs=rasa_epochs,
            policy=policy,
            latency_sample=latency_sample,
            rasa_env=rasa_thread_environment(threads_per_component),
            report=progress or stderr_progress(),
        )


def _run_clinc_evaluation(
    clinc_path: Path,
    *,
    rasa_executable: Path,
    work_dir: Path,
    embedder: SentenceEncoder,
    encoder_model_path: str | Path | None,
    fine_tune: EncoderTuning | None,
    use_rasa: bool,
    rasa_epochs: int,
    policy: CalibrationPolicy | None,
    latency_sample: int,
    rasa_env: Mapping[str, str] | None,
    report: Progress,
) -> dict:
    started = time.monotonic()
    work_dir = Path(work_dir)
    work_dir.mkdir(parents=True, exist_ok=True)
    data = load_clinc(clinc_path)
    training = data["train"] + data["oos_train"]
    validation = data["val"] + data["oos_val"]
    test = data["test"] + data["oos_test"]
    report(f"CLINC150: {len(training)} training, {len(validation)} validation, {len(test)} test texts")

    with ThreadPoolExecutor(max_workers=1) as pool:
        rasa_future = None
        if use_rasa:
            report(f"training Rasa DIET ({rasa_epochs} epochs) in the background")
            rasa_future = pool.submit(
                train_rasa,
                training,
                rasa_executable=rasa_executable,
                work_dir=work_dir,
                config=CLINC_RASA_CONFIG.format(epochs=rasa_epochs),
                env=rasa_env,
            )
        dense_started = time.monotonic()
        encoder, tuning_seconds = _encoder_for(
            embedder, encoder_model_path, fine_tune, training, report
        )
        report("embedding the training texts")
        dense = DenseIntentClassifier(encoder)
        train_vectors = dense.embed(training.texts)
        report("fitting the dense intent classifier")
        dense.fit_embeddings(train_vectors, training.labels)
        dense_train_seconds = time.monotonic() - dense_started
        report(f"dense classifier trained in {dense_train_seconds:.1f} s; embedding validation and test texts")
        validation_vectors = dense.embed(validation.texts)
        test_vectors = dense.embed(test.texts)
        rasa_model, rasa_train_seconds = (None, 0.0)
        if rasa_future is not None:
            report("waiting for Rasa training to finish")
            rasa_model, rasa_train_seconds = rasa_future.result()
            report(f"Rasa trained in {rasa_train_seconds:.1f} s ({rasa_model.name})")
    train_seconds = time.monotonic() - started

    rasa_validation: list[RasaRanking] | None = None
    rasa_test: list[RasaRanking] | None = None
    rasa_ms: list[float] = []
    if rasa_model is not None:
        report(f"parsing {len(validation) + len(test)} texts with Rasa in-process")
        rankings, rasa_ms_all = parse_with_rasa(
            rasa_model,
            validation.texts + test.texts,
            rasa_executable=rasa_executable,
            work_dir=work_dir,
            env=rasa_env,
        )
        rasa_validation, rasa_test = rankings[: len(validation)], rankings[len(validation) :]
        rasa_ms = rasa_ms_all[len(validation) :]

    ensemble = IntentEnsemble(dense)
    report("calibrating the ensemble on the validation split")
    calibration = ensemble.calibrate_scores(
        ensemble.scores_from_embeddings(validation_vectors, rasa_validation), validation.labels, policy
    )
    report(
        f"calibrated: rasa_weight={calibration.rasa_weight} similarity_weight={calibration.similarity_weight} "
        f"threshold={calibration.threshold:.4f}"
    )
    test_scores = ensemble.scores_from_embeddings(test_vectors, rasa_test)
    predictions = ensemble.predict_scores(test_scores)
    metrics = score_out_of_scope([p.label(OUT_OF_SCOPE) for p in predictions], test.labels)

    # Rasa's share, measured: the same calibration with the dense classifier alone.
    dense_alone = IntentEnsemble(dense)
    dense_alone.calibrate_scores(
        ensemble.scores_from_embeddings(validation_vectors), validation.labels,
        replace(policy or CalibrationPolicy(), rasa_weights=(0.0,)),
    )  # fmt: skip
    components = {
        "dense_no_rejection": score_out_of_scope(
            [p.intent for p in IntentEnsemble(dense).predict_scores(test_scores)], test.labels
        ),
        "dense_alone_calibrated": score_out_of_scope(
            [p.label(OUT_OF_SCOPE) for p in dense_alone.predict_scores(test_scores)], test.labels
        ),
    }
    if rasa_test is not None:
        components["rasa_top_intent"] = score_out_of_scope(
            _labels_from_ranking(rasa_test, [*dense.in_scope_labels, OUT_OF_SCOPE]), test.labels
        )

    report(f"timing single-message parses on {min(latency_sample, len(test))} test texts")
    step = max(1, len(test) // max(1, latency_sample))
    sample = list(range(0, len(test), step))[:latency_sample]
    dense_ms = _time_single_texts(
        ensemble, [test.texts[i] for i in sample], [rasa_test[i] if rasa_test else None for i in sample]
    )
    per_message = [dense_ms[j] + (rasa_ms[i] if rasa_ms else 0.0) for j, i in enumerate(sample)]

    result = {
        "in_scope_accuracy": metrics["in_scope_accuracy"],
        "oos_recall": metrics["oos_recall"],
        "oos_precision": metrics["oos_precision"],
        "train_seconds": round(train_seconds, 1),
        "parse_ms_p50": round(_percentile(per_message, 50), 2),
        "parse_ms_p95": round(_percentile(per_message, 95), 2),
        "rasa_train_seconds": round(rasa_train_seconds, 1),
        "dense_train_seconds": round(dense_train_seconds, 1),
        "encoder_tuning_seconds": round(tuning_seconds, 1),
        "rasa_parse_ms_p50": round(_percentile(rasa_ms, 50), 2),
        "rasa_parse_ms_p95": round(_percentile(rasa_ms, 95), 2),
        "dense_parse_ms_p50": round(_percentile(dense_ms, 50), 2),
        "dense_parse_ms_p95": round(_percentile(dense_ms, 95), 2),
        "calibration": {
            key: value for key, value in calibration.as_dict().items() if key != "candidates"
        },
        "components": components,
        "test_examples": {"in_scope": len(data["test"]), "out_of_scope": len(data["oos_test"])},
        "wall_seconds": round(time.monotonic() - started, 1),
    }
    report(
        f"in-scope accuracy {result['in_scope_accuracy']:.4f}, oos recall {result['oos_recall']:.4f}, "
        f"oos precision {result['oos_precision']:.4f}"
    )
    return result


# -- BANKING77 ----------------------------------------------------------------------------


def run_banking77_evaluation(
    directory: Path,
    *,
    embedder: SentenceEncoder,
    encoder_model_path: str | Path | None = None,
    fine_tune: EncoderTuning | None = None,
    threads_per_component: int | None = 1,
    progress: Progress | None = None,
) -> dict:
    """The dense classifier on BANKING77: train on `train.csv`, accuracy on `test.csv`.

    BANKING77 has no out-of-scope class and no validation split, so this scores intent
    accuracy only (published full-data figures are about 0.93). By default the frozen
    `embedder` is used; pass `fine_tune` to tune the encoder first, as the CLINC150 run does.
    """
    report = progress or stderr_progress()
    started = time.monotonic()
    data = load_banking77(directory)
    report(f"BANKING77: {len(data['train'])} training, {len(data['test'])} test texts")
    with torch_threads(threads_per_component):
        encoder, tuning_seconds = _encoder_for(embedder, encoder_model_path, fine_tune, data["train"], report)
        dense = DenseIntentClassifier(encoder).fit(data["train"].texts, data["train"].labels)
        train_seconds = time.monotonic() - started
        predictions = dense.predict(data["test"].texts)
    truth = data["test"].labels
    accuracy = float(np.mean([p.intent == label for p, label in zip(predictions, truth, strict=True)]))
    report(f"BANKING77 accuracy {accuracy:.4f}")
    return {
        "banking77_accuracy": accuracy,
        "banking77_fine_tuned": fine_tune is not None,
        "banking77_train_seconds": round(train_seconds, 1),
        "banking77_encoder_tuning_seconds": round(tuning_seconds, 1),
        "banking77_wall_seconds": round(time.monotonic() - started, 1),
    }
