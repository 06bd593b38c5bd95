"""Faults on the Chroma server path, against a real `chroma run` server of this module's own (it is stopped here).

A stopped server: `/healthz` says `degraded` with the index's reason; `POST /v1/ask` still answers what needs no
index (a greeting) and says of a knowledge question that the knowledge cannot be searched just now (degraded, a
`knowledge_unavailable` gap, never a missing page); once the server is back, the same assistant answers again
without a restart. An ingest that fails or dies midway
leaves the previous generation answering: the server's pointer moves only at the end.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
import pytest

from assistant.errors import IngestError
from assistant.retrieval.ingest import Ingestor
from assistant.retrieval.vector_store import ChromaVectorStore
from benchmarks.standins.app_server import AppServer
from benchmarks.standins.chroma_server import ChromaServer, chroma_executable
from connectors.app.services import build_services
from connectors.channels.http.app import create_app
from tests.conftest import KNOWLEDGE_DIR, make_settings

QUESTION = "How long does a customer have to return a lawnmower?"
RETURNS = Path("en/customers/returns.md")
ORIGINAL = "returned within 30 days **only if unused**"
CHANGED = "within 21 days"


class FailingAfterFirstWrite:
    """A progress sink that raises once the first batch of new records has been written to the server, as if the
    ingest failed midway through staging."""

    def __init__(self) -> None:
        self.label = ""
        self.written = 0

    def start(self, total: int, label: str) -> None:
        self.label = label

    def advance(self, count: int) -> None:
        if self.label == "indexing":
            self.written += count
            raise RuntimeError("ingest stopped midway (test)")

    def close(self) -> None:
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    if chroma_executable() is None:
        pytest.skip("no `chroma` command beside this Python: the chromadb package is not installed")
    started = ChromaServer(tmp_path_factory.mktemp("chroma-faults") / "data").start()
    yield started
    started.stop()


@pytest.fixture(scope="module")
def services(server, embedder, redactor, tmp_path_factory):
    built = build_services(make_settings(tmp_path_factory.mktemp("faults-data"), chroma_url=server.url),
                           embedder=embedder, redactor=redactor)
    built.ingestor().ingest(KNOWLEDGE_DIR)
    yield built
    built.close()


@pytest.fixture(scope="module")
def api(services):
    with AppServer(create_app(services.api_ports())) as base_url, httpx.Client(base_url=base_url, timeout=60) as client:
        yield client


def _cited(body: dict) -> list[str]:
    return [citation["path"] for citation in body["citations"]]


def _says_the_knowledge_is_unavailable(response: httpx.Response) -> None:
    body = response.json()
    assert response.status_code == 200
    assert body["degraded"] is True and body["gap"] is True and body["gap_reason"] == "knowledge_unavailable"
    assert body["citations"] == [] and "can't search the company knowledge" in body["answer"]


def test_a_stopped_server_leaves_what_needs_no_index_answered_and_answers_return_when_it_is_back(server, api):
    before = api.post("/v1/ask", json={"text": QUESTION})
    assert before.status_code == 200 and str(RETURNS) in _cited(before.json())

    server.stop()
    try:
        health = api.get("/healthz").json()
        assert health["status"] == "degraded"
        assert health["index"]["ok"] is False and "Chroma server" in health["index"]["reason"]
        _says_the_knowledge_is_unavailable(api.post("/v1/ask", json={"text": QUESTION}))
        italian = api.post("/v1/ask", json={"text": "Entro quanti giorni un cliente può restituire un tosaerba?"})
        assert italian.json()["gap_reason"] == "knowledge_unavailable" and "Riprova" in italian.json()["answer"]
    finally:
        server.start()

    again = api.post("/v1/ask", json={"text": QUESTION})
    assert again.status_code == 200 and _cited(again.json()) == _cited(before.json())
    # /healthz may repeat the failed check's answer for ASSISTANT_HEALTH_MAX_AGE_SECONDS (1 s by default): on a fast
    # machine everything above happens within that second.
    deadline = time.monotonic() + 10
    while not (health := api.get("/healthz").json())["index"]["ok"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert health["index"]["ok"] is True, health


def test_an_assistant_started_while_the_server_is_down_answers_once_it_is_up(server, services, embedder, redactor,
                                                                              tmp_path):
    server.stop()
    try:
        # Building the services does not need the server; the first question does.
        late = build_services(make_settings(tmp_path, chroma_url=server.url), embedder=embedder, redactor=redactor)
        with AppServer(create_app(late.api_ports())) as base_url, httpx.Client(base_url=base_url, timeout=60) as api:
            _says_the_knowledge_is_unavailable(api.post("/v1/ask", json={"text": QUESTION}))
            assert api.get("/healthz").json()["index"]["ok"] is False
            server.start()
            body = api.post("/v1/ask", json={"text": QUESTION}).json()
            assert str(RETURNS) in _cited(body)
        late.close()
    finally:
        if not server.alive():
            server.start()


def _changed_copy(tmp_path: Path) -> Path:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, knowledge)
    page = knowledge / RETURNS
    text = page.read_text(encoding="utf-8")
    assert ORIGINAL in text
    page.write_text(text.replace(ORIGINAL, "returned within 21 days **only if unused**"), encoding="utf-8")
    return knowledge


def test_an_ingest_failing_midway_on_the_server_leaves_the_previous_generation_answering(services, api, embedder,
                                                                                         tmp_path):
    store: ChromaVectorStore = services.store
    active = store.active_name()
    before = api.post("/v1/ask", json={"text": QUESTION}).json()
    assert CHANGED not in before["answer"]
    progress = FailingAfterFirstWrite()
    with pytest.raises(IngestError):
        Ingestor(store, embedder).ingest(_changed_copy(tmp_path), progress)
    assert progress.written > 0  # records had reached the server before the failure
    assert store.active_name() == active
    assert store.inventory().staged == 0  # and were removed again
    after = api.post("/v1/ask", json={"text": QUESTION}).json()
    assert after["answer"] == before["answer"] and _cited(after) == _cited(before)


class Killed(BaseException):
    """Stands for the process dying: like SIGKILL, nothing in the ingest catches it or cleans up after it."""


def _killed(generation: str) -> None:
    raise Killed(f"killed just before activating {generation}")


def test_an_ingest_killed_before_activating_leaves_the_previous_generation_answering(services, api, embedder,
                                                                                     tmp_path):
    store: ChromaVectorStore = services.store
    active = store.active_name()
    before = api.post("/v1/ask", json={"text": QUESTION}).json()
    knowledge = _changed_copy(tmp_path)
    # Every new record is on the server and the next step is moving the pointer, when the process dies.
    with pytest.raises(Killed):
        Ingestor(store, embedder, before_activate=_killed).ingest(knowledge)
    assert store.inventory().staged > 0 and store.active_name() == active
    time.sleep(2.1)  # past the replica's check interval: it looks at the pointer again
    after = api.post("/v1/ask", json={"text": QUESTION}).json()
    assert after["answer"] == before["answer"] and _cited(after) == _cited(before)
    # The next ingest clears what the dead one left, and its generation answers.
    report = Ingestor(store, embedder).ingest(knowledge)
    assert report.changed and store.active_name() != active
    time.sleep(2.1)
    assert CHANGED in api.post("/v1/ask", json={"text": QUESTION}).json()["answer"]
