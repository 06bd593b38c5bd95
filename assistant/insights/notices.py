"""Closing the loop for the person who asked: "tell me when there is an answer".

Staff who got "I don't know yet" may ask to be told (a button in Slack and Teams, `notify` on the API). The
store then keeps where to tell them, for that gap only. Once the gap is resolved (by a recheck after new content,
or by a person), `NoticeDispatcher.prepare` asks the question again with the asker's own audience and writes the
notice; `deliver` hands it to the channel's sender and deletes the request and its address when that works.
A failed delivery is kept and tried again on the next run, up to `max_attempts`; retention removes what is left.
The API has no place to push to, so its notices wait in the asker's inbox until collected.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from assistant.errors import AssistantError
from assistant.interactions.records import NoticeRequest
from assistant.models import Citation
from assistant.retrieval.language import guess_language
from assistant.skills.page_answers import PageAnswer

logger = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 5

_HEADINGS: dict[str, dict[bool, str]] = {
    "en": {
        True: "You asked me: “{question}”. There is an answer now:",
        False: "You asked me: “{question}”. The knowledge team has marked it answered, but I still cannot show "
               "you the answer here. Ask me again, or ask your manager.",
    },
    "it": {
        True: "Mi avevi chiesto: “{question}”. Ora c'è una risposta:",
        False: "Mi avevi chiesto: “{question}”. Il team della conoscenza l'ha segnata come risolta, ma qui non "
               "riesco ancora a mostrarti la risposta. Chiedimelo di nuovo, o chiedi al tuo responsabile.",
    },
}
CONFIRMATIONS: dict[str, str] = {
    "en": "I'll tell you here when there is an answer.",
    "it": "Ti avviserò qui quando ci sarà una risposta.",
}
"""What a channel says when a request to be told is taken."""


class NoticeDeliveryError(AssistantError):
    """A channel could not deliver a notice (the platform refused it or could not be reached)."""


@dataclass(frozen=True)
class Notice:
    """What the asker is told: their question as stored, the answer (or why there is none to show) and sources."""

    question: str
    language: str
    answered: bool
    text: str
    citations: tuple[Citation, ...] = ()

    @property
    def heading(self) -> str:
        """The first line, in the question's language: what they asked and that there is news."""
        headings = _HEADINGS.get(self.language, _HEADINGS["en"])
        return headings[self.answered].format(question=self.question)

    def as_json(self) -> dict[str, Any]:
        return {
            "question": self.question, "language": self.language, "answered": self.answered, "text": self.text,
            "citations": [{"title": c.title, "path": c.path, "section": c.section, "score": c.score, "url": c.url,
                           "language": c.language} for c in self.citations],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Notice:
        return cls(
            question=str(data["question"]), language=str(data["language"]), answered=bool(data["answered"]),
            text=str(data["text"]),
            citations=tuple(Citation(title=c["title"], path=c["path"], section=c["section"],
                                     score=float(c["score"]), url=c.get("url"),
                                     language=c.get("language")) for c in data.get("citations", [])),
        )


class NoticeBook(Protocol):
    """The store's side: requests waiting for an answer, notices waiting for delivery."""

    def notices_to_prepare(self, limit: int = 1000) -> list[NoticeRequest]: ...

    def set_notice(self, request_id: int, notice: Mapping[str, Any]) -> None: ...

    def ready_notices(self, channels: Sequence[str], *, max_attempts: int,
                      limit: int = 1000) -> list[NoticeRequest]: ...

    def notice_delivered(self, request_id: int) -> None: ...

    def notice_failed(self, request_id: int, error: str) -> None: ...


class AnswersFromPages(Protocol):
    """The skill that answers from the knowledge pages."""

    def answer(self, text: str, audience: str = "staff", language: str | None = None) -> PageAnswer: ...


class DeliversNotices(Protocol):
    """A channel's sender: posts a notice to the place the request names. Raises `NoticeDeliveryError`."""

    channel: str

    def deliver(self, request: NoticeRequest, notice: Notice) -> None: ...


@dataclass(frozen=True)
class DispatchReport:
    """One run: notices written, delivered, failed (kept for a later run), and channels nobody can deliver to."""

    prepared: int = 0
    delivered: int = 0
    failed: int = 0
    undeliverable_channels: tuple[str, ...] = field(default_factory=tuple)


def notice_for(request: NoticeRequest, pages: AnswersFromPages) -> Notice:
    """Ask the gap's question again as the asker would (their audience): the answer if it is now confident."""
    language = request.language or guess_language(request.question)
    answer = pages.answer(request.question, audience=request.audience, language=language)
    if answer.answerable and answer.citations:
        return Notice(request.question, language, True, answer.text, tuple(answer.citations))
    return Notice(request.question, language, False, "")


class NoticeDispatcher:
    """Writes the notices of resolved gaps and delivers them through the channels that can push."""

    def __init__(self, book: NoticeBook, pages: AnswersFromPages, senders: Sequence[DeliversNotices] = (), *,
                 max_attempts: int = DEFAULT_MAX_ATTEMPTS) -> None:
        self._book = book
        self._pages = pages
        self._senders = {sender.channel: sender for sender in senders}
        self._max_attempts = max_attempts

    def prepare(self) -> int:
        """Write the notice of every request whose gap has been resolved; how many were written."""
        requests = self._book.notices_to_prepare()
        for request in requests:
            self._book.set_notice(request.request_id, notice_for(request, self._pages).as_json())
        return len(requests)

    def deliver(self) -> tuple[int, int]:
        """Send every ready notice a sender exists for; (delivered, failed). Failures are logged and kept."""
        delivered = failed = 0
        for request in self._book.ready_notices(tuple(self._senders), max_attempts=self._max_attempts):
            notice = Notice.from_json(request.notice or {})
            try:
                self._senders[request.channel].deliver(request, notice)
            except NoticeDeliveryError as error:
                failed += 1
                logger.warning("notice %d (%s) not delivered, attempt %d of %d: %s", request.request_id,
                               request.channel, request.attempts + 1, self._max_attempts, error)
                self._book.notice_failed(request.request_id, str(error))
                continue
            delivered += 1
            self._book.notice_delivered(request.request_id)
        return delivered, failed

    def run(self, push_channels: Sequence[str] = ("slack", "teams")) -> DispatchReport:
        """Prepare, then deliver; names the push channels that have notices waiting but no sender configured."""
        prepared = self.prepare()
        delivered, failed = self.deliver()
        missing = tuple(channel for channel in push_channels if channel not in self._senders
                        and self._book.ready_notices((channel,), max_attempts=self._max_attempts, limit=1))
        for channel in missing:
            logger.warning("notices are waiting for %s, which is not configured here", channel)
        report = DispatchReport(prepared, delivered, failed, missing)
        if prepared or delivered or failed:
            logger.info("notices: %d written, %d delivered, %d failed", prepared, delivered, failed)
        return report
