"""The FastAPI application factory: the HTTP API. Slack and Teams routers are added by the app's composition root."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse, PlainTextResponse

from assistant.error_replies import ErrorKind, error_kind
from assistant.errors import AssistantError
from assistant.health import HealthCheck
from assistant.models import Message
from assistant.ports import AnswersQuestions, ListsGaps
from connectors.channels.addresses import is_loopback_host
from connectors.channels.http.schemas import AskRequest, AskResponse, ErrorBody, FeedbackRequest, FeedbackResponse

logger = logging.getLogger(__name__)

STATUS_BY_KIND = {
    ErrorKind.EMPTY_QUESTION: 422,
    ErrorKind.QUESTION_TOO_LONG: 413,
    ErrorKind.INDEX_NOT_READY: 503,
    ErrorKind.UNKNOWN_ANSWER: 404,
    ErrorKind.UNAVAILABLE: 503,
    ErrorKind.UNEXPECTED: 500,
}


@dataclass(frozen=True)
class ApiPorts:
    """What the HTTP API serves, and nothing more: answering and feedback, the gap log, health checks, keys."""

    answering: AnswersQuestions
    gaps: ListsGaps
    health_checks: Sequence[HealthCheck] = ()
    api_keys: Sequence[str] = field(default=(), repr=False)


def _access_guard(keys: Sequence[str]) -> Callable[[Request], None]:
    """With keys: a request must carry one. Without keys: only this machine may call."""

    def check(request: Request) -> None:
        if not keys:
            client = request.client.host if request.client else ""
            if not is_loopback_host(client):
                raise HTTPException(status_code=403, detail="no API keys are configured: loopback callers only")
            return
        supplied = request.headers.get("x-api-key") or ""
        authorization = request.headers.get("authorization") or ""
        if authorization.lower().startswith("bearer "):
            supplied = supplied or authorization[7:].strip()
        if not any(secrets.compare_digest(supplied, key) for key in keys):
            raise HTTPException(status_code=401, detail="missing or wrong API key (X-API-Key or Bearer)")

    return check


def create_app(ports: ApiPorts, lifespan: Callable | None = None) -> FastAPI:
    """Build the API around its ports; `ports.health_checks` make up `/healthz`."""
    app = FastAPI(
        lifespan=lifespan,
        title="Front-line assistant",
        version="0.1.0",
        description="Answers staff questions from company knowledge, with sources; logs what it cannot answer.",
    )
    guard = Depends(_access_guard(list(ports.api_keys)))

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, error: AssistantError) -> JSONResponse:
        kind = error_kind(error)
        log = logger.warning if kind is not ErrorKind.UNAVAILABLE else logger.error
        log("request %s %s failed (%s): %s", request.method, request.url.path, kind.value, error)
        return JSONResponse(status_code=STATUS_BY_KIND[kind], content={"detail": str(error), "kind": kind.value})

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
        return AskResponse.from_answer(ports.answering.handle(message))

    @app.post("/v1/feedback", response_model=FeedbackResponse, dependencies=[guard],
              responses={404: {"model": ErrorBody}})
    def feedback(body: FeedbackRequest) -> FeedbackResponse:
        """Thumbs up or down on an answer; thumbs down makes it a gap (`negative_feedback`)."""
        result = ports.answering.record_feedback(body.answer_id, body.helpful, body.comment)
        return FeedbackResponse(
            answer_id=body.answer_id,
            helpful=body.helpful,
            gap=bool(result and result.gap),
            gap_reason=result.gap_reason.value if result and result.gap_reason else None,
        )

    @app.get("/v1/gaps", dependencies=[guard])
    def gaps(since: int | None = Query(None, ge=0, description="Only the last N days."),
             limit: int = Query(200, ge=1, le=5000)) -> dict:
        """Unanswered, low-confidence and thumbs-down questions, newest first (personal data redacted)."""
        records = ports.gaps.gaps(since_days=since, limit=limit)
        return {"gaps": [record.as_dict() for record in records], "count": len(records)}

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        """`ok` when every part works; `degraded` (still answering) with the reasons otherwise."""
        parts = [check() for check in ports.health_checks]
        reasons = [f"{part.name}: {part.reason or 'unavailable'}" for part in parts if not part.ok]
        body: dict = {part.name: part.as_dict() for part in parts}
        body["status"] = "degraded" if reasons else "ok"
        body["reasons"] = reasons
        return JSONResponse(body)

    @app.get("/", response_class=PlainTextResponse, include_in_schema=False)
    def root() -> str:
        return "Front-line assistant. API documentation: /docs\n"

    return app
