"""The dense half of the live intent ensemble: trained from `nlu_data/` beside the Rasa model, loaded for routing.

Its vectors come from two models (`IntentSpaces`): English messages are read through MiniLM, the vector the knowledge
search computes for them anyway, and the others through the multilingual model (multilingual-e5-small), which a
third of the staff need because they write in Italian. See `assistant/nlu/intent_spaces.py` and docs/nlu.md.

`assistant train` fits a logistic regression on every `nlu_data/` example, embedded in both spaces, and saves it as
`nlu-<hash>.intents.npz`, the hash being the Rasa model's, so the two halves always come from the same data. How the
halves are pooled (Rasa's weight, the out-of-scope threshold, and the parameters used while Rasa is
down) was calibrated on out-of-fold predictions by `assistant eval intents` and ships in `intent_ensemble.json`.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from assistant.nlu.dense_intents import DenseIntentClassifier, IntentModelError
from assistant.nlu.intent_ensemble import EnsembleParameters, IntentEnsemble
from assistant.nlu.intent_spaces import IntentSpaces
from assistant.nlu.intents import Intent
from assistant.nlu.rasa_training import hash_nlu_data, model_file
from assistant.nlu.training_data import NLU_FILE, read_examples

logger = logging.getLogger(__name__)

INTENTS_SUFFIX = ".intents.npz"
DEFAULT_CALIBRATION_PATH = Path(__file__).with_name("intent_ensemble.json")


@dataclass(frozen=True)
class EnsembleCalibration:
    """The pooling parameters with Rasa and without it, and how they were chosen (`provenance`)."""

    with_rasa: EnsembleParameters
    without_rasa: EnsembleParameters
    provenance: dict = field(default_factory=dict, compare=False)

    @classmethod
    def load(cls, path: Path | None = None) -> EnsembleCalibration:
        """The calibration at `path` when that file exists, else the one shipped with the code."""
        chosen = path if path is not None and path.exists() else DEFAULT_CALIBRATION_PATH
        try:
            values = json.loads(chosen.read_text(encoding="utf-8"))
            return cls(EnsembleParameters.from_dict(values["with_rasa"]),
                       EnsembleParameters.from_dict(values["without_rasa"]), values.get("provenance", {}))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise IntentModelError(f"cannot read the intent ensemble calibration {chosen}: {error}") from error

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        document = {"with_rasa": self.with_rasa.as_dict(), "without_rasa": self.without_rasa.as_dict(),
                    "provenance": self.provenance}
        path.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class DenseTrainingResult:
    """Where the dense intent classifier for the current data is, and whether this call trained it."""

    path: Path
    trained: bool
    duration_seconds: float


class DenseIntentTrainer:
    """Trains `nlu_data/nlu.yml` into `models_dir/nlu-<hash>.intents.npz` when no file matches the data and model."""

    def __init__(self, nlu_data_dir: Path, models_dir: Path, spaces: IntentSpaces) -> None:
        self.nlu_data_dir = Path(nlu_data_dir)
        self.models_dir = Path(models_dir)
        self.spaces = spaces

    @property
    def embedding_model(self) -> str:
        """What the saved classifier must have been trained with (read at each use, see `IntentSpaces.name`)."""
        return self.spaces.name

    def path(self) -> Path:
        """Where the classifier for the data as it is now lives."""
        return model_file(self.models_dir, hash_nlu_data(self.nlu_data_dir), INTENTS_SUFFIX)

    def current(self, path: Path | None = None) -> DenseIntentClassifier | None:
        """The saved classifier for the current data and embedding model, or None (missing, stale or unreadable);
        `path` is `self.path()` when the caller already has it (it hashes every NLU data file)."""
        path = path or self.path()
        if not path.is_file():
            return None
        try:
            classifier = DenseIntentClassifier.load(path, self.spaces)
        except IntentModelError as error:
            logger.warning("ignoring the intent classifier %s: %s", path, error)
            return None
        if classifier.metadata.get("embedding_model") != self.embedding_model:
            logger.warning("the intent classifier %s was trained with %s, not %s: run `assistant train`", path,
                           classifier.metadata.get("embedding_model"), self.embedding_model)
            return None
        return classifier

    def ensure(self) -> DenseTrainingResult:
        """Train unless a classifier for the current data and embedding model exists."""
        started = time.monotonic()
        path = self.path()
        if self.current(path) is not None:
            return DenseTrainingResult(path, trained=False, duration_seconds=0.0)
        examples = read_examples(self.nlu_data_dir / NLU_FILE)
        vectors = self.spaces.examples([example.text for example in examples])
        classifier = DenseIntentClassifier(self.spaces, out_of_scope_label=Intent.OUT_OF_SCOPE)
        classifier.fit_embeddings(*vectors.training_set([example.intent for example in examples]))
        partial = path.with_name(f".{path.name}.partial")
        classifier.save(partial, metadata={"embedding_model": self.embedding_model})
        partial.replace(path)  # readers never see half a file
        duration = time.monotonic() - started
        logger.info("trained the dense intent classifier %s on %d examples in %.1f s", path.name, len(examples),
                    duration)
        return DenseTrainingResult(path, trained=True, duration_seconds=duration)


def load_intent_ensemble(trainer: DenseIntentTrainer, calibration: EnsembleCalibration) -> IntentEnsemble | None:
    """The live ensemble for the current data, or None when its dense half has not been trained yet."""
    dense = trainer.current()
    if dense is None:
        return None
    return IntentEnsemble.from_parameters(dense, calibration.with_rasa, calibration.without_rasa,
                                          out_of_scope_is_intent=True)
