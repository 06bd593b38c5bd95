"""Wrappers around the real assistant for the Slack tests: they record what passed through, or fail on purpose."""

from __future__ import annotations

import threading
import time

from assistant.interactions.records import HandoffRecord, NoticeRequest
from assistant.models import Answer, Message
from assistant.ports import AnswersQuestions


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
        self.notice_requests: list[tuple[str, str, dict[str, str]]] = []

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

    def request_notice(self, answer_id: str, *, asker: str, channel: str, address: dict[str, str] | None = None,
                       max_audience: str | None = None) -> NoticeRequest:
        with self._lock:
            self.notice_requests.append((answer_id, asker, dict(address or {})))
        return self._inner.request_notice(answer_id, asker=asker, channel=channel, address=address,
                                          max_audience=max_audience)

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
