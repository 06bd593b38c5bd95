"""The assistant's pipeline: clean the text, understand it, route it, answer it, record the turn."""

from __future__ import annotations

import logging
import time
import unicodedata
import uuid
from typing import Protocol

from assistant.errors import EmptyQuestionError, QuestionTooLongError, UnknownAnswerError
from assistant.models import Answer, GapReason, Message, Route
from assistant.retrieval.language import guess_language
from assistant.skills.knowledge import KnowledgeSkill

logger = logging.getLogger(__name__)


class TurnRecorder(Protocol):
    """Where turns and feedback go (the interaction store); it redacts personal data itself."""

    def record_turn(self, message: Message, answer: Answer, latency_ms: float) -> None: ...

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None) -> object: ...


def clean_text(text: str) -> str:
    """Normalise Unicode, drop control characters, collapse runs of whitespace."""
    text = unicodedata.normalize("NFKC", text)
    text = "".join(ch if ch.isprintable() or ch in "\n\t" else " " for ch in text)
    return " ".join(text.split())


class Assistant:
    """Answers one `Message` at a time; safe to call from several threads."""

    def __init__(
        self,
        knowledge: KnowledgeSkill,
        recorder: TurnRecorder | None = None,
        *,
        max_question_chars: int = 4000,
        default_audience: str = "staff",
        default_language: str = "en",
    ) -> None:
        self._knowledge = knowledge
        self._recorder = recorder
        self._max_chars = max_question_chars
        self._default_audience = default_audience
        self._default_language = default_language

    @property
    def knowledge(self) -> KnowledgeSkill:
        return self._knowledge

    def validate(self, text: str) -> str:
        """The cleaned question, or a typed error saying why it cannot be answered."""
        if not isinstance(text, str):
            raise EmptyQuestionError("the question must be text")
        if len(text) > self._max_chars:
            raise QuestionTooLongError(len(text), self._max_chars)
        cleaned = clean_text(text)
        if not cleaned:
            raise EmptyQuestionError("the question is empty")
        return cleaned

    def handle(self, message: Message) -> Answer:
        started = time.perf_counter()
        text = self.validate(message.text)
        language = message.language or guess_language(text, self._default_language)
        audience = message.audience or self._default_audience
        knowledge = self._knowledge.answer(text, audience=audience, language=language)
        answer = Answer(
            text=knowledge.text,
            route=Route.KNOWLEDGE,
            confidence=knowledge.confidence,
            citations=knowledge.citations,
            intent=None,
            gap=not knowledge.answerable,
            gap_reason=None if knowledge.answerable else _gap_reason(knowledge.hits),
            answer_id=uuid.uuid4().hex,
        )
        latency_ms = (time.perf_counter() - started) * 1000
        if self._recorder is not None:
            self._recorder.record_turn(message, answer, latency_ms)
        return answer

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None) -> None:
        if self._recorder is None:
            raise UnknownAnswerError(f"no answer {answer_id!r}: this assistant does not record turns")
        self._recorder.record_feedback(answer_id, helpful, comment)


def _gap_reason(hits: list) -> GapReason:
    return GapReason.LOW_CONFIDENCE if hits else GapReason.NO_ANSWER
