"""What the interaction store returns: stored turns, feedback, gaps and counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypedDict

from assistant.models import Citation, GapReason, Route


@dataclass(frozen=True)
class FeedbackRecord:
    """One thumbs-up or thumbs-down on an answer, as stored (comment redacted)."""

    feedback_id: int
    answer_id: str
    created_at: dt.datetime
    helpful: bool
    comment: str | None


@dataclass(frozen=True)
class FeedbackResult:
    """The outcome of recording feedback: the turn's gap state after this vote, and whether this vote made it a gap
    (a second thumbs-down on the same answer opens nothing new)."""

    answer_id: str
    feedback_id: int
    helpful: bool
    gap: bool
    gap_reason: GapReason | None
    feedback_count: int
    opened_gap: bool = False


@dataclass(frozen=True)
class HandoffRecord:
    """A hand-off to a person, recorded on the turn it started from: the question as stored (redacted)."""

    answer_id: str
    question: str
    gap_reason: GapReason


@dataclass(frozen=True)
class TurnRecord:
    """One stored question and answer. Text is redacted; asker and conversation are hashed."""

    answer_id: str
    created_at: dt.datetime
    channel: str
    asker_hash: str
    conversation_hash: str
    question: str
    answer: str
    route: Route
    intent: str | None
    confidence: float
    citations: tuple[Citation, ...]
    gap: bool
    gap_reason: GapReason | None
    degraded: bool
    language: str | None
    latency_ms: float
    feedback: tuple[FeedbackRecord, ...] = ()

    @property
    def helpful(self) -> bool | None:
        """The latest vote on this answer, or None when nobody voted."""
        return self.feedback[-1].helpful if self.feedback else None


class GapState(StrEnum):
    """Where a gap is in its life: open until new content answers it (resolved) or someone decides it needs none."""

    OPEN = "open"
    RESOLVED = "resolved"
    DISMISSED = "dismissed"


class Resolution(StrEnum):
    """How a gap was resolved: a recheck found the index now answers it, or a person said so."""

    RECHECK = "recheck"
    PERSON = "person"


GapPosition = tuple[dt.datetime, str]
"""Where a walk through the gaps stands: the last gap's creation time and answer id."""


@dataclass(frozen=True)
class GapRecord:
    """A turn that counts as a knowledge gap, with what the EX team needs to triage it.

    `top_citation_*` describe the best-scored source the answer cited in the question's language (None when it
    cited none); `feedback_comment` is the latest comment left with a thumbs-down, if any;
    `crosslingual_suggestions` are the pages in another language the held-back reply suggested.
    """

    answer_id: str
    created_at: dt.datetime
    channel: str
    question: str
    gap_reason: GapReason | None
    route: Route
    intent: str | None
    confidence: float
    top_citation_title: str | None
    top_citation_path: str | None
    feedback_comment: str | None
    asker_hash: str = ""
    team: str | None = None
    location: str | None = None
    role: str | None = None
    state: GapState = GapState.OPEN
    resolved_at: dt.datetime | None = None
    resolved_page: str | None = None
    resolution: str | None = None
    state_note: str | None = None
    crosslingual_suggestions: tuple[SuggestedPage, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """The one shape a gap takes outside the store (API, reports): JSON-ready, None where absent."""
        return {
            "answer_id": self.answer_id,
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "channel": self.channel,
            "gap_reason": self.gap_reason.value if self.gap_reason else None,
            "route": self.route.value,
            "intent": self.intent,
            "confidence": round(self.confidence, 3),
            "question": self.question,
            "nearest_title": self.top_citation_title,
            "nearest_path": self.top_citation_path,
            "feedback_comment": self.feedback_comment,
            "team": self.team,
            "location": self.location,
            "role": self.role,
            "state": self.state.value,
            "resolved_at": self.resolved_at.isoformat(timespec="seconds") if self.resolved_at else None,
            "resolved_page": self.resolved_page,
            "resolution": self.resolution,
            "state_note": self.state_note,
            "crosslingual_suggestions": [page.path for page in self.crosslingual_suggestions],
        }


class InteractionCounts(TypedDict):
    """Totals over a period: turns and gaps, gaps by reason, turns and gaps by channel, votes."""

    turns: int
    gaps: int
    by_reason: dict[str, int]
    by_channel: dict[str, int]
    gaps_by_channel: dict[str, int]
    feedback_helpful: int
    feedback_not_helpful: int


@dataclass(frozen=True)
class RetentionResult:
    """What a retention run removed: turns and votes created before `cutoff` (their counts are kept per day)."""

    turns_deleted: int
    feedback_deleted: int
    cutoff: dt.datetime


@dataclass(frozen=True)
class AnsweredTurn:
    """A question answered from a page: when, by which (hashed) asker of which team, from which page, and the vote.
    `source_language` is the page's language when it was not the asker's (a cross-lingual answer)."""

    created_at: dt.datetime
    asker_hash: str
    team: str | None
    page_path: str
    page_title: str
    helpful: bool | None
    source_language: str | None = None


@dataclass(frozen=True)
class SuggestedPage:
    """A page in another language than the question's that a held-back reply suggested."""

    path: str
    title: str
    language: str | None


@dataclass(frozen=True)
class VotedTurn:
    """A turn someone voted on, as the vote prior reads it: the redacted question, the hashed asker, the page the
    answer cited first, and the turn's latest vote (a second vote on the same answer replaces the first)."""

    answer_id: str
    asker_hash: str
    question: str
    page_path: str
    helpful: bool


@dataclass(frozen=True)
class NoticeRequest:
    """Someone asked to be told when a gap is answered: where to tell them, and the notice once it is ready.

    `address` is the channel's own idea of a place (a Slack channel and thread, a Teams conversation); the API's
    place is the asker's inbox (`asker_hash`). `question` is the gap's question as stored (redacted); `audience`
    the asker's page audience when they asked, so the notice shows only pages they may see.
    """

    request_id: int
    answer_id: str
    created_at: dt.datetime
    channel: str
    address: dict[str, str]
    audience: str
    question: str
    language: str | None
    resolved_page: str | None = None
    notice: dict[str, Any] | None = None
    attempts: int = 0
