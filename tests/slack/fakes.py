"""Small stand-ins for the core, for the Slack tests.

`FakeAssistant` is TEMPORARY: `tests/slack/conftest.py` serves it as `assistant_service` until the
lead's session fixture gives a real `Assistant` over the demo knowledge. The wrappers work with
either: they delegate to the assistant they wrap and record what passed through.
"""

from __future__ import annotations

import threading
import time
import uuid

from assistant.errors import EmptyQuestionError, UnknownAnswerError
from assistant.interactions.records import HandoffRecord
from assistant.models import Answer, Citation, Message, Route
from assistant.ports import AnswersQuestions


class FakeAssistant:
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


class RecordingAssistant:
    """Wraps an assistant, recording messages, answers and feedback; `delay` slows `handle` down."""

    def __init__(self, inner: AnswersQuestions, delay: float = 0.0) -> None:
        self._inner = inner
        self._delay = delay
        self._lock = threading.Lock()
        self.messages: list[Message] = []
        self.answers: list[Answer] = []
        self.feedback: list[tuple[str, bool]] = []
        self.handoffs: list[str] = []

    def handle(self, message: Message) -> Answer:
        with self._lock:
            self.messages.append(message)
        if self._delay:
            time.sleep(self._delay)
        answer = self._inner.handle(message)
        with self._lock:
            self.answers.append(answer)
        return answer

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None) -> None:
        with self._lock:
            self.feedback.append((answer_id, helpful))
        self._inner.record_feedback(answer_id, helpful, comment)

    def request_handoff(self, answer_id: str) -> HandoffRecord:
        with self._lock:
            self.handoffs.append(answer_id)
        return self._inner.request_handoff(answer_id)

    def wait_for_answers(self, count: int, timeout: float = 10.0) -> list[Answer]:
        """Poll until `count` answers were given; AssertionError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.answers) >= count:
                    return list(self.answers)
            time.sleep(0.01)
        raise AssertionError(f"expected {count} answers within {timeout}s, got {len(self.answers)}")


class FailingAssistant:
    """Raises `error` from both `handle` and `record_feedback`."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def handle(self, message: Message) -> Answer:
        raise self.error

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None) -> None:
        raise self.error

    def request_handoff(self, answer_id: str) -> HandoffRecord:
        raise self.error
