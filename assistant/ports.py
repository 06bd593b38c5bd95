"""Small protocols the connectors and the core's parts depend on, so either side can be swapped."""

from __future__ import annotations

from typing import Protocol

from assistant.insights.report import GapInsights
from assistant.interactions.records import (
    FeedbackResult,
    GapRecord,
    GapState,
    HandoffRecord,
    InteractionCounts,
    NoticeRequest,
    Resolution,
)
from assistant.models import Answer, Message
from assistant.pages.health import KnowledgeHealthReport


class AnswersQuestions(Protocol):
    """What every channel needs from the core: answer a message, record votes, hand a question to a person."""

    def handle(self, message: Message) -> Answer:
        """Answer one message. Raises `InvalidQuestionError` for empty or oversized text."""
        ...

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None) -> FeedbackResult | None:
        """Record a thumbs-up or thumbs-down and return the turn's gap state after it (None when not
        recorded anywhere); raises `UnknownAnswerError` for an unknown id."""
        ...

    def request_handoff(self, answer_id: str) -> HandoffRecord:
        """Record the hand-off as a gap; the result holds the redacted question, safe to forward.
        Raises `UnknownAnswerError` for an unknown id."""
        ...

    def request_notice(self, answer_id: str, *, asker: str, channel: str, address: dict[str, str] | None = None,
                       max_audience: str | None = None) -> NoticeRequest:
        """Keep where to tell `asker` when the open gap `answer_id` is answered. Raises `UnknownAnswerError`, or
        `NoticeNotPossibleError` when the answer is not an open gap."""
        ...


class RecallsQuestions(Protocol):
    """Reads a question back as the interaction store keeps it (redacted), by the id of its answer."""

    def asked_question(self, answer_id: str) -> str | None:
        """The stored question of answer `answer_id`, or None when there is no such turn (yet)."""
        ...


class ListsGaps(Protocol):
    """Reads the gap log (already redacted when stored): the gaps newest first, and totals over a period."""

    def gaps(self, since_days: int | None = None, limit: int = 500, state: GapState | None = None) -> list[GapRecord]:
        ...

    def counts(self, since_days: int | None = None) -> InteractionCounts:
        ...


class ReportsGaps(Protocol):
    """Builds a gap report's insights (themes, friction, trends, needs) and the gap rows behind them."""

    def report(self, since_days: int | None = None, *, team: str | None = None,
               owner: str | None = None) -> tuple[GapInsights, list[GapRecord]]:
        ...


class ChangesGapState(Protocol):
    """Moves a gap through its lifecycle; `by` is a role or "recheck", never a person."""

    def resolve_gap(self, answer_id: str, page_path: str | None, how: Resolution, *, by: str,
                    note: str | None = None) -> GapRecord:
        ...

    def dismiss_gap(self, answer_id: str, reason: str, *, by: str) -> GapRecord:
        ...

    def reopen_gap(self, answer_id: str, *, by: str, note: str | None = None) -> GapRecord:
        ...


class CollectsNotices(Protocol):
    """The API's inbox: notices for an asker who asked to be told, handed over once."""

    def collect_notices(self, channel: str, asker: str) -> list[NoticeRequest]:
        ...


class DescribesKnowledgeHealth(Protocol):
    """Every knowledge page with its owner, audience, language, review date and open gaps (one owner's, or all)."""

    def report(self, owner: str | None = None) -> KnowledgeHealthReport:
        ...
