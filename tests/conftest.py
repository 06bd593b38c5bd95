"""Session-wide fixtures: one embedding model, one indexed copy of the demo knowledge, one Assistant.

Everything is real: the MiniLM model, chromadb on disk, SQLite. Expensive parts are built
once per session and shared; tests that change the index build their own in tmp_path.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.privacy import Redactor
from assistant.retrieval.embedder import SentenceTransformerEmbedder
from assistant.settings import Settings
from benchmarks.standins.chroma_server import ChromaServer, chroma_executable
from connectors.app.services import Services, build_services
from tests.support.environment import clear_settings_from_environment, settings_variables

PROJECT_ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE_DIR = PROJECT_ROOT / "knowledge"
SHARED_DIR = PROJECT_ROOT.parent / "shared"
HANDBOOK_DIR = SHARED_DIR / "datasets" / "tts_handbook"
HANDBOOK_QUESTIONS = SHARED_DIR / "eval" / "handbook_dev.jsonl"
COMPANY_QUESTIONS = PROJECT_ROOT / "tests" / "data" / "company_questions.jsonl"
MULTILINGUAL_CACHE_DIR = Path(tempfile.gettempdir()) / f"assistant-tests-multilingual-{os.getuid()}"
"""One cache of the demo knowledge's multilingual vectors for every test and test run (they cost about half a minute
to compute); each vector is keyed by model and text, so a stale entry is never used for a changed text."""


def pytest_configure(config: pytest.Config) -> None:
    # Before any fixture or test module reads a setting: the suite must not depend on the caller's environment.
    clear_settings_from_environment()


# A test that uses one of these fixtures, directly or through another fixture, gets the marker. A fixture that
# reaches a part only for one of its parameters marks that parameter instead (`pytest.param(..., marks=...)`).
MARKS_BY_FIXTURE = {
    "model": frozenset({"embedder", "redactor", "company_services", "assistant_service", "intent_models_dir",
                        "multilingual_embedder", "intent_spaces", "server_services"}),
    "rasa": frozenset({"rasa_executable", "rasa_model", "rasa_server"}),
    "postgres": frozenset({"postgres_admin", "postgres_url"}),
    "browser": frozenset({"chromium_path", "browser"}),
}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark tests by what they need, so `make test-fast` can leave out the model, Rasa, PostgreSQL and the browser."""
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        for marker, needs in MARKS_BY_FIXTURE.items():
            if fixtures & needs:
                item.add_marker(marker)


@pytest.fixture(autouse=True)
def _no_settings_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with no settings variables, whatever an earlier test or fixture set, and a `Settings()`
    built in the test's process reads no `.env` file from the working directory."""
    for name in settings_variables():
        monkeypatch.delenv(name)
    monkeypatch.setitem(Settings.model_config, "env_file", None)
    yield


def make_settings(data_dir: Path, knowledge_dir: Path = KNOWLEDGE_DIR, **overrides) -> Settings:
    """Settings for a test: explicit values only, no `.env` file and no ASSISTANT_* leaking in."""
    overrides.setdefault("multilingual_cache_dir", MULTILINGUAL_CACHE_DIR)
    # Never the checkout's models/ folder: what `assistant train` left there must not change a test's routing.
    overrides.setdefault("models_dir", data_dir / "models")
    return Settings(_env_file=None, knowledge_dir=knowledge_dir, data_dir=data_dir, hash_salt="test-salt",
                    **overrides)


def require_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared datasets are not beside the project")
    return path


@pytest.fixture(scope="session")
def embedder() -> SentenceTransformerEmbedder:
    model = SentenceTransformerEmbedder()
    model.warm_up()
    return model


@pytest.fixture(scope="session")
def redactor() -> Redactor:
    return Redactor()


@pytest.fixture(scope="session")
def company_services(tmp_path_factory, embedder, redactor) -> Iterator[Services]:
    """The demo knowledge indexed once, with a real interaction store in SQLite."""
    data_dir = tmp_path_factory.mktemp("company-data")
    services = build_services(make_settings(data_dir), embedder=embedder, redactor=redactor)
    services.ingestor().ingest(KNOWLEDGE_DIR)
    # As `assistant ingest` does: otherwise the first question anywhere in the session pays for the build (tens of
    # seconds on a cold machine, past an HTTP client's timeout).
    services.warm_crosslingual()
    yield services
    services.close()


@pytest.fixture(scope="session")
def assistant_service(company_services):
    """The real Assistant over the demo knowledge (channels' tests use it)."""
    return company_services.assistant


@pytest.fixture(scope="session")
def chroma_server(tmp_path_factory) -> Iterator[ChromaServer]:
    """A real `chroma run` server on 127.0.0.1 (a free port, a temporary path), started once for the session once
    its heartbeat answers, and stopped at the end. It holds one index (the pointer is per server): the demo
    knowledge, which `server_services` ingests; a test that stops a server or changes its index starts its own."""
    if chroma_executable() is None:
        pytest.skip("no `chroma` command beside this Python: the chromadb package is not installed")
    server = ChromaServer(tmp_path_factory.mktemp("chroma-server") / "data").start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def server_services(tmp_path_factory, embedder, redactor, chroma_server) -> Iterator[Services]:
    """The demo knowledge indexed into the session's Chroma server (`ASSISTANT_CHROMA_URL`), answered as a
    replica answers: dense search on the server, no vector matrix in this process."""
    data_dir = tmp_path_factory.mktemp("server-data")
    services = build_services(make_settings(data_dir, chroma_url=chroma_server.url), embedder=embedder,
                              redactor=redactor)
    services.ingestor().ingest(KNOWLEDGE_DIR)
    yield services
    services.close()


@pytest.fixture
def knowledge_copy(tmp_path) -> Path:
    """A private copy of the demo knowledge a test may edit."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target
