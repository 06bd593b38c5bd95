"""Assistants for benchmarks that take a `--factory module:function`: the real one over knowledge/, or a canned one;
and how the benchmarks that ask questions index knowledge (`index_knowledge`)."""

from __future__ import annotations

import tempfile
import threading
import uuid
from pathlib import Path

import numpy as np

from assistant.errors import EmptyQuestionError, UnknownAnswerError
from assistant.interactions.records import HandoffRecord
from assistant.models import Answer, Citation, GapReason, Message, Route
from assistant.pipeline import Assistant
from assistant.settings import Settings
from connectors.app.services import Services, build_services

ROOT = Path(__file__).resolve().parents[1]


def index_knowledge(services: Services, directory: Path) -> None:
    """Index `directory` as `assistant ingest` does, the cross-lingual index included, so no measured question has
    to build it."""
    services.ingestor().ingest(directory)
    services.warm_crosslingual()


def company_assistant() -> Assistant:
    """The real Assistant over the demo knowledge, indexed into a temporary data directory."""
    data_dir = Path(tempfile.mkdtemp(prefix="assistant-bench-"))
    settings = Settings(_env_file=None, knowledge_dir=ROOT / "knowledge", data_dir=data_dir, hash_salt="bench")
    services = build_services(settings)
    index_knowledge(services, settings.knowledge_dir)
    services.embedder.warm_up()
    return services.assistant


class CannedAssistant:
    """Answers every question with the same short text and two sources (one with a URL)."""

    def __init__(self) -> None:
        self._answer_ids: set[str] = set()
        self._lock = threading.Lock()

    def handle(self, message: Message) -> Answer:
        if not message.text.strip():
            raise EmptyQuestionError("empty question")
        answer_id = uuid.uuid4().hex
        with self._lock:
            self._answer_ids.add(answer_id)
        return Answer(
            text=(
                "Every customer is **acknowledged within 30 seconds**, and we walk them to the aisle "
                "rather than point. See [the promise](https://intranet.verdello.example/company/customer-promise)."
            ),
            route=Route.KNOWLEDGE,
            confidence=0.82,
            citations=[
                Citation(
                    title="The Verdello customer promise",
                    path="en/company/customer-promise.md",
                    section="The five promises",
                    score=0.82,
                    url="https://intranet.verdello.example/company/customer-promise",
                ),
                Citation(
                    title="Purpose and values",
                    path="en/company/purpose-and-values.md",
                    section="Our values",
                    score=0.41,
                ),
            ],
            intent="knowledge_question",
            answer_id=answer_id,
        )

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None) -> None:
        with self._lock:
            if answer_id not in self._answer_ids:
                raise UnknownAnswerError(answer_id)

    def request_handoff(self, answer_id: str) -> HandoffRecord:
        with self._lock:
            if answer_id not in self._answer_ids:
                raise UnknownAnswerError(answer_id)
        return HandoffRecord(answer_id, "(the canned question)", GapReason.HANDOFF_REQUESTED)


class RememberingEmbedder:
    """Wraps an embedder and asks it once per distinct text: for fitting the same texts many times (benchmarks
    that compare configurations, tests that fit several classifiers)."""

    def __init__(self, embedder) -> None:
        self._embedder = embedder
        self._vectors: dict[str, np.ndarray] = {}

    @property
    def name(self) -> str:
        return self._embedder.name

    def encode(self, texts: list[str], *, show_progress: bool = False) -> np.ndarray:
        new = [text for text in dict.fromkeys(texts) if text not in self._vectors]
        if new:
            self._vectors.update(zip(new, self._embedder.encode(new), strict=True))
        return np.stack([self._vectors[text] for text in texts])
