"""Session fixtures for the Rasa tests: the executable, a trained model and a running server.

They fail (not skip) without `.venv-rasa`: `make test` installs it first, so its absence is a
broken setup that must not pass unnoticed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.nlu.rasa_supervisor import RasaSupervisor
from assistant.nlu.rasa_training import RasaTrainer
from tests.support.network import free_port

REPO = Path(__file__).resolve().parents[2]
NLU_DATA = REPO / "nlu_data"
REPO_MODELS = REPO / "models"
RASA_EXECUTABLE = REPO / ".venv-rasa" / "bin" / "rasa"
SERVER_READY_TIMEOUT = 300.0


@pytest.fixture(scope="session")
def rasa_executable() -> Path:
    """The Rasa executable of the project's second virtual environment."""
    if not (RASA_EXECUTABLE.is_file() and os.access(RASA_EXECUTABLE, os.X_OK)):
        pytest.fail(
            f"Rasa is not installed at {RASA_EXECUTABLE}: run `make rasa-env` (`make test` does it for you).",
            pytrace=False,
        )
    return RASA_EXECUTABLE


@pytest.fixture(scope="session")
def rasa_model(rasa_executable: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model of the current nlu_data/: the repository's if `assistant train` made one, else a fresh one."""
    existing = RasaTrainer(rasa_executable, NLU_DATA, REPO_MODELS).current_model()
    if existing is not None:
        return existing
    models_dir = tmp_path_factory.mktemp("rasa-models")
    return RasaTrainer(rasa_executable, NLU_DATA, models_dir).ensure_model()


@pytest.fixture(scope="session")
def rasa_server(
    rasa_executable: Path, rasa_model: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RasaSupervisor]:
    """A real `rasa run --enable-api` with `rasa_model` on a free port, stopped at session end."""
    log_path = tmp_path_factory.mktemp("rasa-server") / "rasa.log"
    supervisor = RasaSupervisor(rasa_executable, rasa_model, free_port(), log_path=log_path)
    supervisor.start()
    try:
        supervisor.wait_until_ready(SERVER_READY_TIMEOUT)
        yield supervisor
    finally:
        supervisor.stop()


@pytest.fixture(scope="session")
def multilingual_embedder():
    """multilingual-e5-small, the intent classifier's model (small and quick to load: no session-wide sharing needed
    beyond this)."""
    from assistant.retrieval.multilingual_embedder import MultilingualEmbedder

    return MultilingualEmbedder()


@pytest.fixture(scope="session")
def intent_spaces(embedder, multilingual_embedder):
    """How the dense intent half embeds messages: MiniLM (the search's model) for English, e5 for the rest."""
    from assistant.nlu.intent_spaces import IntentSpaces

    return IntentSpaces(embedder, multilingual_embedder)


@pytest.fixture(scope="session")
def intent_models_dir(tmp_path_factory: pytest.TempPathFactory, intent_spaces) -> Path:
    """A models directory holding the dense intent classifier of the current nlu_data/ (as `assistant train`
    leaves it)."""
    from assistant.nlu.intent_model import DenseIntentTrainer

    models_dir = tmp_path_factory.mktemp("intent-models")
    DenseIntentTrainer(NLU_DATA, models_dir, intent_spaces).ensure()
    return models_dir
