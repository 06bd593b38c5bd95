"""Request and response bodies of the HTTP API: the contract other systems rely on (see the README)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from assistant.countries import COUNTRY_CODE_PATTERN
from assistant.interactions import GapState
from assistant.models import Answer


class AskRequest(BaseModel):
    """A question from a member of staff."""

    # `notify: true` needs a `user` (whose inbox of notices it is): said in the schema, checked by the route.
    model_config = ConfigDict(json_schema_extra={
        "if": {"properties": {"notify": {"const": True}}, "required": ["notify"]},
        "then": {"required": ["user"], "properties": {"user": {"type": "string", "minLength": 1}}},
    })

    # The rule "a letter or digit somewhere" is left to the core (`Assistant.validate`), which answers every channel
    # with the same words; a schema `pattern` cannot say it the same way in every regex dialect (`\w` is ASCII-only
    # in JSON Schema's), so it is in the description.
    text: str = Field(..., description="The question, 1 to 4,000 characters (`ASSISTANT_MAX_QUESTION_CHARS`; "
                                       "413 beyond), with at least one letter or digit (422 otherwise).",
                      json_schema_extra={"minLength": 1})
    user: str | None = Field(None, max_length=200, description="Who asks (stored only as a salted hash).")
    conversation_id: str | None = Field(None, max_length=200, description="Groups follow-up questions.")
    language: str | None = Field(None, pattern="^(en|it)$", description="Answer language; guessed if absent.")
    audience: str | None = Field(None, pattern="^(all|staff|managers)$", description="Who may see what.")
    country: str | None = Field(None, pattern=COUNTRY_CODE_PATTERN,
                                description="Whose rules, where a page has a section per country: an agent "
                                            "serving a customer in another country; else the asker's country in "
                                            "the staff directory, else the question's language.")
    notify: bool = Field(False, description="When the answer is a gap, keep it in `user`'s inbox of notices "
                                            "(GET /v1/notices) once new content answers it. Needs `user`.")


class CitationBody(BaseModel):
    title: str
    path: str
    section: str
    score: float
    url: str | None = None
    language: str | None = Field(None, description="Set only on a cross-lingual suggestion: a page in another "
                                                    "language than the question's (`en`, `it`) that a gap "
                                                    "reply suggests as one that may answer it.")


class OrderFactBody(BaseModel):
    label: str
    value: str


class MaskedCustomerBody(BaseModel):
    """The customer as staff may see them: initials, masked email, last four digits of the phone."""

    initials: str | None = None
    email: str | None = None
    phone: str | None = None


class OrderBody(BaseModel):
    """A found order: worded for the answer's language and masked (the customer is never shown in full)."""

    order_number: str
    status: str = Field(..., description="placed, paid, picking, ready_for_collection, shipped, out_for_delivery, "
                                         "delivered, delayed, cancelled, returned or refunded.")
    status_text: str = Field(..., description="The status in words, in the answer's language.")
    language: str
    updated_at: str | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    tracking_url: str | None = Field(None, description="The carrier's tracking page, when its URL is configured.")
    eta: str | None = Field(None, description="Expected delivery date (ISO 8601).")
    fulfilment: str | None = Field(None, description="home_delivery or click_and_collect.")
    collection_store: str | None = None
    collect_by: str | None = None
    item_count: int = 0
    total: str | None = Field(None, description="Formatted with its currency (`£66.00`, `1.249,50 €`).")
    return_state: str | None = None
    customer: MaskedCustomerBody
    next_step: str | None = Field(None, description="What to tell the customer.")
    next_step_label: str
    tracking_label: str
    facts: list[OrderFactBody] = Field(default_factory=list, description="The card's labelled lines, worded.")


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
    follow_up: str | None = Field(None, description="`order_number` while the assistant waits for an order number in "
                                                     "this conversation (the answer asks for it); else null.")
    degraded: bool = Field(False, description="Part of the assistant was unavailable and the answer was made "
                                               "without it: NLU (routing by the dense classifier alone), the "
                                               "knowledge index, or the cross-lingual index still being built. "
                                               "`/healthz` says which.")
    why: str | None = Field(None, description="The purpose behind the policy: the value the answering page "
                                              "serves, quoted from the purpose page (`Name: first sentence`). "
                                              "Null for gaps and for pages that name no value.")
    notify: bool = Field(False, description="True when the asker will be told once the gap is answered.")
    source_language: str | None = Field(None, description="Set when the answer quotes a page in another language "
                                                          "than the question's (`en`, `it`); the answer says so.")
    outcome: str | None = Field(None, description="Order questions: order_found, order_not_found, "
                                                  "order_system_unavailable, order_system_not_connected, "
                                                  "order_number_malformed, order_numbers_too_many, order_number_asked.")
    orders: list[OrderBody] = Field(default_factory=list, description="The orders an order answer found, masked.")

    @classmethod
    def from_answer(cls, answer: Answer, notify: bool = False) -> AskResponse:
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
            why=answer.why,
            notify=notify,
            source_language=answer.source_language,
            outcome=answer.outcome.value if answer.outcome else None,
            orders=[OrderBody(**order.as_dict()) for order in answer.orders],
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
    """An error: what went wrong, and for the assistant's own errors its kind (`assistant/error_replies.py`)."""

    detail: str
    kind: str | None = None


class ValidationIssue(BaseModel):
    """One thing FastAPI found wrong with a request (its own format)."""

    model_config = ConfigDict(extra="allow")

    loc: list[str | int]
    msg: str
    type: str


class RejectedRequestBody(BaseModel):
    """A 422: the assistant's own `{detail, kind}`, or FastAPI's list of what was wrong with the request."""

    detail: str | list[ValidationIssue]
    kind: str | None = None


class NotifyResponse(BaseModel):
    answer_id: str
    notify: bool


class GapBody(BaseModel):
    """A gap as the API and reports show it (personal data redacted); `GapRecord.as_dict` gives it."""

    model_config = ConfigDict(extra="allow")

    answer_id: str
    created_at: str
    channel: str
    gap_reason: str | None
    route: str
    intent: str | None
    confidence: float
    question: str
    nearest_title: str | None
    nearest_path: str | None
    feedback_comment: str | None
    team: str | None
    location: str | None
    role: str | None
    state: GapState
    resolved_at: str | None
    resolved_page: str | None
    resolution: str | None
    state_note: str | None
    crosslingual_suggestions: list[str] = Field(default_factory=list, description="Pages in another language "
                                                "than the question's that the held-back reply suggested.")


class GapsResponse(BaseModel):
    gaps: list[GapBody]
    count: int


class GapStateRequest(BaseModel):
    """An administrator's decision on a gap: resolved by a page, dismissed with a reason, or open again."""

    state: GapState
    page: str | None = Field(None, max_length=500, description="The page that now answers it (resolved).")
    note: str | None = Field(None, max_length=2000, description="Why (required to dismiss).")


class NotifyRequest(BaseModel):
    """Tell `user` (in their inbox of notices) when the gap `answer_id` is answered."""

    answer_id: str = Field(..., min_length=1, max_length=64)
    user: str = Field(..., min_length=1, max_length=200, description="Who asked, as given to /v1/ask.")


class NoticeBody(BaseModel):
    """A gap someone asked about has been answered: their question (redacted) and the answer, if it can be shown."""

    answer_id: str
    question: str
    heading: str
    answered: bool
    answer: str
    citations: list[CitationBody]


class NoticesResponse(BaseModel):
    notices: list[NoticeBody]
    count: int
