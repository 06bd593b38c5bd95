"""Small protocols the connectors and the core's parts depend on, so either side can be swapped."""

from __future__ import annotations

from typing import Protocol

from assistant.models import Answer, Message


class AnswersQuestions(Protocol):
    """What every channel needs from the core: answer a message, record feedback on an answer."""

    def handle(self, message: Message) -> Answer:
        """Answer one message. Raises `InvalidQuestionError` for empty or oversized text."""
        ...

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None) -> None:
        """Record a thumbs-up or thumbs-down; raises `UnknownAnswerError` for an unknown id."""
        ...
