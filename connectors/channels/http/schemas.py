"""Request and response bodies of the HTTP API: the contract other systems rely on (see the README)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.interactions import GapState
from assistant.models import Answer


class AskRequest(BaseModel):
    """A question from a member of staff."""

    text: str = Field(..., description="The question, 1 to 4,000 characters.")
    user: str | None = Field(None, max_length=200, description="Who asks (stored only as a salted hash).")
    conversation_id: str | None = Field(None, max_length=200, description="Groups follow-up questions.")
    language: str | None = Field(None, pattern="^(en|it)$", description="Answer language; guessed if absent.")
    audience: str | None = Field(None, pattern="^(all|staff|managers)$", description="Who may see what.")


class CitationBody(BaseModel):
    title: str
    path: str
    section: str
    score: float
    url: str | None = None


class AskResponse(BaseModel):
    """The answer with its sources and the gap decision."""

    id: str
    answer: str
    route: str
    intent: str | None
    confidence: float
    citations: list[CitationBody]
    gap: bool
    gap_reason: str | None
    follow_up: str | None = None
    degraded: bool = False

    @classmethod
    def from_answer(cls, answer: Answer) -> AskResponse:
        return cls(
            id=answer.answer_id,
            answer=answer.text,
            route=answer.route.value,
            intent=answer.intent,
            confidence=answer.confidence,
            citations=[CitationBody(**citation.__dict__) for citation in answer.citations],
            gap=answer.gap,
            gap_reason=answer.gap_reason.value if answer.gap_reason else None,
            follow_up=answer.follow_up,
            degraded=answer.degraded,
        )


class FeedbackRequest(BaseModel):
    answer_id: str = Field(..., min_length=1, max_length=64)
    helpful: bool
    comment: str | None = Field(None, max_length=2000)


class FeedbackResponse(BaseModel):
    answer_id: str
    helpful: bool
    gap: bool
    gap_reason: str | None


class ErrorBody(BaseModel):
    detail: str


class GapStateRequest(BaseModel):
    """An administrator's decision on a gap: resolved by a page, dismissed with a reason, or open again."""

    state: GapState
    page: str | None = Field(None, max_length=500, description="The page that now answers it (resolved).")
    note: str | None = Field(None, max_length=2000, description="Why (required to dismiss).")
