"""Small stand-ins for the core, used by the Teams tests.

`FakeAssistant` is TEMPORARY: it backs the `assistant_service` fixture until the shared
fixture (a real Assistant over the demo knowledge) exists. `RecordingAssistant` wraps whatever
assistant the tests get and remembers what the bot asked of it. `BrokenAssistant` fails the way
a bug would, to exercise the turn error handler.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

from assistant.errors import EmptyQuestionError, UnknownAnswerError
from assistant.models import Answer, Citation, Message, Route
from assistant.ports import AnswersQuestions


class FakeAssistant:
    """Answers every question from the returns policy; knows the answer ids it gave."""

    def __init__(self) -> None:
        self._answer_ids: set[str] = set()
        self._lock = threading.Lock()

    def handle(self, message: Message) -> Answer:
        if not message.text.strip():
            raise EmptyQuestionError("the question is empty")
        answer_id = uuid.uuid4().hex
        with self._lock:
            self._answer_ids.add(answer_id)
        return Answer(
            text="Customers have 30 days from purchase to return most unused items "
            "(45 days for Gold members).",
            route=Route.KNOWLEDGE,
            confidence=0.83,
            citations=[
                Citation(
                    title="Returns policy",
                    path="en/customers/returns.md",
                    section="Standard time limit",
                    score=0.83,
                    url="https://intranet.verdello.example/policies/returns",
                ),
                Citation(
                    title="Verdello Rewards",
                    path="en/customers/verdello-rewards.md",
                    section="Gold benefits",
                    score=0.52,
                ),
            ],
            intent="ask_policy",
            answer_id=answer_id,
        )

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None) -> None:
        with self._lock:
            if answer_id not in self._answer_ids:
                raise UnknownAnswerError(f"no answer with id {answer_id!r}")


@dataclass(frozen=True)
class FeedbackCall:
    answer_id: str
    helpful: bool
    comment: str | None


class RecordingAssistant:
    """Passes every call to the assistant it wraps and records the calls and their results."""

    def __init__(self, inner: AnswersQuestions) -> None:
        self._inner = inner
        self.messages: list[Message] = []
        self.answers: list[Answer] = []
        self.feedback: list[FeedbackCall] = []

    def handle(self, message: Message) -> Answer:
        self.messages.append(message)
        answer = self._inner.handle(message)
        self.answers.append(answer)
        return answer

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None) -> None:
        self.feedback.append(FeedbackCall(answer_id, helpful, comment))
        self._inner.record_feedback(answer_id, helpful, comment)


class BrokenAssistant:
    """Fails with an unexpected (non-AssistantError) exception, as a bug in the core would."""

    def handle(self, message: Message) -> Answer:
        raise RuntimeError("the index file vanished")

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None) -> None:
        raise RuntimeError("the database is read-only")


class FixedAnswerAssistant:
    """Gives the same prepared answer to every question (for example a degraded one)."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer

    def handle(self, message: Message) -> Answer:
        return self.answer

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None) -> None:
        if answer_id != self.answer.answer_id:
            raise UnknownAnswerError(f"no answer with id {answer_id!r}")
