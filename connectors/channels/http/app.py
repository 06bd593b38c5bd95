"""The FastAPI application factory: the HTTP API plus the Slack and Teams endpoints."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from assistant.errors import (
    AssistantError,
    EmptyQuestionError,
    IndexNotReadyError,
    QuestionTooLongError,
    UnknownAnswerError,
)
from assistant.interactions import GapRecord
from assistant.models import Message
from connectors.app.services import Services
from connectors.channels.http.schemas import AskRequest, AskResponse, ErrorBody, FeedbackRequest, FeedbackResponse

logger = logging.getLogger(__name__)


def _api_key_guard(keys: list[str]) -> Callable[[Request], None]:
    def check(request: Request) -> None:
        if not keys:
            return
        supplied = request.headers.get("x-api-key") or ""
        authorization = request.headers.get("authorization") or ""
        if authorization.lower().startswith("bearer "):
            supplied = supplied or authorization[7:].strip()
        if not any(secrets.compare_digest(supplied, key) for key in keys):
            raise HTTPException(status_code=401, detail="missing or wrong API key (X-API-Key or Bearer)")

    return check


def _gap_json(record: GapRecord) -> dict:
    return {
        "answer_id": record.answer_id,
        "created_at": record.created_at.isoformat(),
        "channel": record.channel,
        "question": record.question,
        "gap_reason": record.gap_reason.value if record.gap_reason else None,
        "route": record.route.value,
        "intent": record.intent,
        "confidence": record.confidence,
        "nearest_title": record.top_citation_title,
        "nearest_path": record.top_citation_path,
        "feedback_comment": record.feedback_comment,
    }


def create_app(services: Services, health_checks: list[Callable[[], dict]] | None = None,
               lifespan: Callable | None = None) -> FastAPI:
    """Build the app around ready services; `health_checks` add parts (e.g. NLU) to /healthz."""
    settings = services.settings
    app = FastAPI(
        lifespan=lifespan,
        title="Front-line assistant",
        version="0.1.0",
        description="Answers staff questions from company knowledge, with sources; logs what it cannot answer.",
    )
    guard = Depends(_api_key_guard(settings.api_keys))
    extra_checks = list(health_checks or [])

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, error: AssistantError) -> JSONResponse:
        logger.error("request %s %s failed: %s", request.method, request.url.path, error)
        return JSONResponse(status_code=500, content={"detail": str(error)})

    @app.post("/v1/ask", response_model=AskResponse, dependencies=[guard],
              responses={413: {"model": ErrorBody}, 422: {"model": ErrorBody}, 503: {"model": ErrorBody}})
    def ask(body: AskRequest) -> AskResponse:
        """Answer a question with sources; a gap when the knowledge base does not answer it."""
        message = Message(
            text=body.text,
            asker=body.user or "anonymous",
            channel="api",
            thread=body.conversation_id,
            language=body.language,
            audience=body.audience,
        )
        try:
            answer = services.assistant.handle(message)
        except QuestionTooLongError as error:
            raise HTTPException(status_code=413, detail=f"text too long: {error}") from error
        except EmptyQuestionError as error:
            raise HTTPException(status_code=422, detail=f"text must not be empty: {error}") from error
        except IndexNotReadyError as error:
            raise HTTPException(status_code=503, detail=str(error)) from error
        return AskResponse.from_answer(answer)

    @app.post("/v1/feedback", response_model=FeedbackResponse, dependencies=[guard],
              responses={404: {"model": ErrorBody}})
    def feedback(body: FeedbackRequest) -> FeedbackResponse:
        """Thumbs up or down on an answer; thumbs down makes it a gap (`negative_feedback`)."""
        try:
            result = services.interactions.record_feedback(body.answer_id, body.helpful, body.comment)
        except UnknownAnswerError as error:
            raise HTTPException(status_code=404, detail=str(error)) from error
        return FeedbackResponse(
            answer_id=body.answer_id,
            helpful=body.helpful,
            gap=result.gap,
            gap_reason=result.gap_reason.value if result.gap_reason else None,
        )

    @app.get("/v1/gaps", dependencies=[guard])
    def gaps(since: int | None = Query(None, ge=0, description="Only the last N days."),
             limit: int = Query(200, ge=1, le=5000)) -> dict:
        """Unanswered, low-confidence and thumbs-down questions, newest first (personal data redacted)."""
        records = services.interactions.gaps(since_days=since, limit=limit)
        return {"gaps": [_gap_json(record) for record in records], "count": len(records)}

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        """`ok` when every part works; `degraded` (still answering) with the reasons otherwise."""
        reasons: list[str] = []
        body: dict = {}
        try:
            snapshot = services.index.snapshot()
            body["index"] = {
                "generation": snapshot.name,
                "passages": sum(1 for c in snapshot.chunks if c.kind == "section"),
                "pages": len(snapshot.passage_rows),
            }
        except AssistantError as error:
            reasons.append(f"index: {error}")
        try:
            services.interactions.check()
        except AssistantError as error:
            reasons.append(f"interaction store: {error}")
        for check in extra_checks:
            part = check()
            body[part["name"]] = part
            if not part.get("ok", True):
                reasons.append(f"{part['name']}: {part.get('reason', 'unavailable')}")
        body["status"] = "degraded" if reasons else "ok"
        body["reasons"] = reasons
        return JSONResponse(body)

    @app.get("/", response_class=PlainTextResponse, include_in_schema=False)
    def root() -> str:
        return "Front-line assistant. API documentation: /docs\n"

    return app
