"""Starting and training the NLU parts from settings: the Rasa service and the intent ensemble's dense half."""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.health import PartHealth
from assistant.nlu.circuit_breaker import CircuitBreakingNLU
from assistant.nlu.intent_ensemble import IntentEnsemble
from assistant.nlu.intent_model import (
    DenseIntentTrainer,
    DenseTrainingResult,
    EnsembleCalibration,
    load_intent_ensemble,
)
from assistant.nlu.intent_spaces import IntentSpaces, QuestionEmbedder
from assistant.nlu.rasa_client import RasaNLUClient
from assistant.nlu.rasa_supervisor import RasaSupervisor
from assistant.nlu.rasa_training import RasaTrainer
from assistant.settings import Settings

logger = logging.getLogger(__name__)


def trainer(settings: Settings) -> RasaTrainer:
    return RasaTrainer(settings.rasa_executable, settings.nlu_data_dir, settings.models_dir)


def train_nlu_model(settings: Settings) -> Path:
    """Train when `nlu_data/` changed since the last model; return the model's path."""
    return trainer(settings).ensure_model()


def intent_spaces(settings: Settings, embedder: QuestionEmbedder, multilingual: QuestionEmbedder) -> IntentSpaces:
    """How the dense half embeds a message: with the search's model (`embedder`) in the languages it reads well
    (`ASSISTANT_EMBEDDING_LANGUAGES`), else with the multilingual model."""
    return IntentSpaces(embedder, multilingual, english_languages=settings.embedding_languages)


def intent_trainer(settings: Settings, spaces: IntentSpaces) -> DenseIntentTrainer:
    return DenseIntentTrainer(settings.nlu_data_dir, settings.models_dir, spaces)


def train_intent_classifier(settings: Settings, spaces: IntentSpaces) -> DenseTrainingResult:
    """Train the ensemble's dense half when `nlu_data/` (or an embedding model) changed since the last one."""
    return intent_trainer(settings, spaces).ensure()


def live_intent_ensemble(settings: Settings, spaces: IntentSpaces) -> IntentEnsemble | None:
    """The ensemble live routing uses: None when switched off or not trained yet (then Rasa alone routes)."""
    if not settings.intent_ensemble:
        return None
    ensemble = load_intent_ensemble(intent_trainer(settings, spaces),
                                    EnsembleCalibration.load(settings.intent_ensemble_file))
    if ensemble is None:
        logger.warning("no dense intent classifier for the current nlu_data/: run `assistant train`; "
                       "routing on Rasa alone until then")
    return ensemble


class NLURuntime:
    """The NLU client the pipeline uses, plus the supervised Rasa child process when we own it."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.supervisor: RasaSupervisor | None = None
        base_url = settings.rasa_url
        if base_url is None:
            model = trainer(settings).current_model()
            if model is None:
                logger.warning("no NLU model for the current nlu_data/: run `assistant train`; answering "
                               "from retrieval only until then")
            else:
                log_path = settings.data_dir / "rasa.log"
                self.supervisor = RasaSupervisor(settings.rasa_executable, model, settings.rasa_port,
                                                 log_path=log_path.absolute())
                base_url = self.supervisor.base_url
        self.client = (
            CircuitBreakingNLU(RasaNLUClient(base_url, settings.rasa_timeout_seconds)) if base_url else None
        )

    def start(self) -> None:
        """Start the child process in the background; the assistant answers (degraded) meanwhile."""
        if self.supervisor is not None:
            self.supervisor.start()

    def stop(self) -> None:
        if self.supervisor is not None:
            self.supervisor.stop()
        if self.client is not None:
            self.client.backend.close()

    def health(self) -> PartHealth:
        """The NLU part of `/healthz` (asks Rasa now, so a recovery shows without traffic)."""
        if self.client is None:
            return PartHealth("nlu", ok=False, reason="no NLU model trained (run `assistant train`)")
        status = self.client.status()
        return PartHealth("nlu", ok=status.ok, reason=status.reason, details={"model": status.model})
