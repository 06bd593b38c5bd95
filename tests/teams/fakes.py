"""Small stand-ins for the core, used by the Teams tests.

`RecordingAssistant` wraps whatever assistant the tests get and remembers what the bot asked of it.
`BrokenAssistant` fails the way a bug would, to exercise the turn error handler.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistant.errors import UnknownAnswerError
from assistant.interactions.records import HandoffRecord, NoticeRequest
from assistant.models import Answer, Message
from assistant.ports import AnswersQuestions


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
        self.handoffs: list[str] = []
        self.notice_requests: list[tuple[str, str, dict[str, str]]] = []

    def handle(self, message: Message) -> Answer:
        self.messages.append(message)
        answer = self._inner.handle(message)
        self.answers.append(answer)
        return answer

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None) -> None:
        self.feedback.append(FeedbackCall(answer_id, helpful, comment))
        self._inner.record_feedback(answer_id, helpful, comment)

    def request_handoff(self, answer_id: str) -> HandoffRecord:
        self.handoffs.append(answer_id)
        return self._inner.request_handoff(answer_id)

    def request_notice(self, answer_id: str, *, asker: str, channel: str, address: dict[str, str] | None = None,
                       max_audience: str | None = None) -> NoticeRequest:
        self.notice_requests.append((answer_id, asker, dict(address or {})))
        return self._inner.request_notice(answer_id, asker=asker, channel=channel, address=address,
                                          max_audience=max_audience)


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
