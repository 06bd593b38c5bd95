"""The FastAPI application factory: the HTTP API. Slack and Teams routers are added by the app's composition root."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Query, Request, Security
from fastapi.responses import JSONResponse, Response
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from assistant.access import ROLE_MAX_AUDIENCE, ApiKey, Permission, Role, allows, capped_audience
from assistant.error_replies import ErrorKind, error_kind
from assistant.errors import AssistantError
from assistant.insights.notices import Notice
from assistant.insights.report import InsightsError
from assistant.interactions import GapState, InvalidGapTransitionError, Resolution
from assistant.models import Message
from connectors.channels.addresses import is_loopback_host
from connectors.channels.api_ports import ApiPorts, matching_key
from connectors.channels.http.schemas import (
    AskRequest,
    AskResponse,
    CitationBody,
    ErrorBody,
    FeedbackRequest,
    FeedbackResponse,
    GapBody,
    GapsResponse,
    GapStateRequest,
    NoticeBody,
    NoticesResponse,
    NotifyRequest,
    NotifyResponse,
    RejectedRequestBody,
)
from connectors.observability.collectors import HealthCollector
from connectors.observability.http_middleware import ObservingMiddleware
from connectors.observability.metrics import CONTENT_TYPE, AssistantMetrics
from connectors.reports.gaps import REPORT_MEDIA_TYPES, ReportFormat, ReportLevel, render_gap_report

logger = logging.getLogger(__name__)

CHANNEL = "api"

STATUS_BY_KIND = {
    ErrorKind.EMPTY_QUESTION: 422,
    ErrorKind.QUESTION_TOO_LONG: 413,
    ErrorKind.INDEX_NOT_READY: 503,
    ErrorKind.UNKNOWN_ANSWER: 404,
    ErrorKind.NOT_AN_OPEN_GAP: 409,
    ErrorKind.UNAVAILABLE: 503,
    ErrorKind.UNEXPECTED: 500,
}


@dataclass(frozen=True)
class Caller:
    """Who is calling, as far as the API needs to know: a role, and a curator's page owner."""

    role: Role
    owner: str | None = None

    def require(self, permission: Permission) -> None:
        if not allows(self.role, permission):
            raise HTTPException(status_code=403, detail=f"the {self.role.value} role may not {permission.value}")


def _authenticate(keys: Sequence[ApiKey]) -> Callable[[Request], Caller]:
    """With keys: a request must carry one, and acts in its role. Without keys: only this machine may
    call, as an administrator (a developer's own machine)."""

    def authenticate(request: Request) -> Caller:
        if not keys:
            client = request.client.host if request.client else ""
            if not is_loopback_host(client):
                raise HTTPException(status_code=403, detail="no API keys are configured: loopback callers only")
            return Caller(Role.ADMIN)
        key = matching_key(keys, _supplied_key(request))
        if key is None:
            raise HTTPException(status_code=401, detail="missing or wrong API key (X-API-Key or Bearer)")
        return Caller(key.role, key.owner)

    return authenticate


def _supplied_key(request: Request) -> str:
    """The key a request carries, in `X-API-Key` or as `Authorization: Bearer KEY` ("" when none)."""
    supplied = request.headers.get("x-api-key") or ""
    authorization = request.headers.get("authorization") or ""
    if authorization.lower().startswith("bearer "):
        supplied = supplied or authorization[7:].strip()
    return supplied


def _may_read_metrics(request: Request, metrics_key: str | None) -> None:
    """The metrics key, or whatever the API lets act as `admin` (with no API keys: a caller on this machine)."""
    if metrics_key and hmac.compare_digest(_supplied_key(request).encode(), metrics_key.encode()):
        return
    caller = request.app.state.authenticate(request)
    if caller.role is not Role.ADMIN:
        raise HTTPException(status_code=403, detail="only an admin key or ASSISTANT_METRICS_KEY may read the metrics")


# The two ways to send a key, declared so the OpenAPI description (and /docs) shows them; `_authenticate` reads the
# same headers. Neither rejects a request by itself (auto_error=False): with no keys configured none is needed.
BEARER_KEY = HTTPBearer(auto_error=False, scheme_name="bearer", description="`Authorization: Bearer KEY`")
HEADER_KEY = APIKeyHeader(name="X-API-Key", auto_error=False, scheme_name="apiKey", description="`X-API-Key: KEY`")


def _current_caller(request: Request,
                    _bearer: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER_KEY)],
                    _header: Annotated[str | None, Security(HEADER_KEY)]) -> Caller:
    return request.app.state.authenticate(request)


def _errors(*statuses: int, body: bool = False) -> dict[int | str, dict]:
    """The error answers a route declares: every `/v1` route may answer 401 (no or wrong key), 403 (the role may
    not), 422 (the request is malformed) and 503 (a part it needs is down), besides `statuses`; a route that reads
    a JSON body also 400 (FastAPI's answer to a body that is not UTF-8)."""
    declared = {401, 403, 422, 503, *statuses, *((400,) if body else ())}
    return {status: {"model": RejectedRequestBody if status == 422 else ErrorBody} for status in sorted(declared)}


CallerDependency = Annotated[Caller, Depends(_current_caller)]

MAX_SINCE_DAYS = 36_500
"""A century: longer periods mean every gap anyway, and a far larger one overflows the dates."""
SinceDays = Annotated[int | None, Query(ge=0, le=MAX_SINCE_DAYS, description="Only the last N days.")]


def create_app(ports: ApiPorts, lifespan: Callable | None = None, *, metrics: AssistantMetrics | None = None,
               metrics_key: str | None = None) -> FastAPI:
    """Build the API around its ports; `ports.health_checks` make up `/healthz` and the parts' state in `/metrics`.

    `metrics` is this app's registry (a new one when None: never the process-wide default); `metrics_key` is a key
    that may read `/metrics` and nothing else. Every response carries the request's `X-Request-ID`."""
    app = FastAPI(
        lifespan=lifespan,
        title="Front-line assistant",
        version="0.1.0",
        description="Answers staff questions from company knowledge, with sources; logs what it cannot answer.",
    )
    app.state.authenticate = _authenticate(list(ports.api_keys))
    metrics = metrics if metrics is not None else AssistantMetrics()
    metrics.watch(HealthCollector(ports.health_checks))
    app.state.metrics = metrics
    app.add_middleware(ObservingMiddleware, metrics=metrics)

    @app.exception_handler(AssistantError)
    async def assistant_error(request: Request, error: AssistantError) -> JSONResponse:
        kind = error_kind(error)
        log = logger.warning if kind is not ErrorKind.UNAVAILABLE else logger.error
        log("request %s %s failed (%s): %s", request.method, request.url.path, kind.value, error)
        return JSONResponse(status_code=STATUS_BY_KIND[kind], content={"detail": str(error), "kind": kind.value})

    @app.post("/v1/ask", response_model=AskResponse, responses=_errors(413, body=True))
    def ask(body: AskRequest, caller: CallerDependency) -> AskResponse:
        """Answer a question with sources; a gap when the knowledge base does not answer it.

        The page audience is the one asked for, else the asker's in the staff directory, never above
        what the key's role allows (403 when the request asks for more)."""
        caller.require(Permission.ASK)
        cap = ROLE_MAX_AUDIENCE[caller.role]
        if body.audience is not None and capped_audience(body.audience, cap) != body.audience:
            raise HTTPException(status_code=403, detail=f"the {caller.role.value} role may not ask for "
                                                        f"{body.audience} pages")
        message = Message(
            text=body.text,
            asker=body.user or "anonymous",
            channel=CHANNEL,
            thread=body.conversation_id,
            language=body.language,
            audience=body.audience,
            max_audience=cap,
            country=body.country,
        )
        if body.notify and not body.user:
            raise HTTPException(status_code=422, detail="notify needs the asker's `user`, to know whose inbox it is")
        answer = ports.answering.handle(message)
        notify = False
        if body.notify and answer.gap and answer.answer_id and body.user:
            ports.answering.request_notice(answer.answer_id, asker=body.user, channel=CHANNEL, max_audience=cap)
            notify = True
        return AskResponse.from_answer(answer, notify=notify)

    @app.post("/v1/notify", status_code=201, response_model=NotifyResponse,
               responses=_errors(404, 409, body=True))
    def notify(body: NotifyRequest, caller: CallerDependency) -> dict:
        """Keep a gap answer in `user`'s inbox of notices once new content answers it (409 when not an open gap)."""
        caller.require(Permission.ASK)
        ports.answering.request_notice(body.answer_id, asker=body.user, channel=CHANNEL,
                                       max_audience=ROLE_MAX_AUDIENCE[caller.role])
        return {"answer_id": body.answer_id, "notify": True}

    @app.get("/v1/notices", response_model=NoticesResponse, responses=_errors())
    def notices(caller: CallerDependency, user: Annotated[str, Query(min_length=1, max_length=200)]) -> dict:
        """The answers that arrived for `user`'s gaps since the last call; each is handed over once."""
        caller.require(Permission.ASK)
        if ports.notices is None:
            raise HTTPException(status_code=503, detail="notices are not available in this server")
        bodies = []
        for request in ports.notices.collect_notices(CHANNEL, user):
            notice = Notice.from_json(request.notice or {})
            bodies.append(NoticeBody(
                answer_id=request.answer_id, question=notice.question, heading=notice.heading,
                answered=notice.answered, answer=notice.text,
                citations=[CitationBody(**citation.__dict__) for citation in notice.citations]))
        return {"notices": [body.model_dump() for body in bodies], "count": len(bodies)}

    @app.post("/v1/feedback", response_model=FeedbackResponse, responses=_errors(404, body=True))
    def feedback(body: FeedbackRequest, caller: CallerDependency) -> FeedbackResponse:
        """Thumbs up or down on an answer; thumbs down makes it a gap (`negative_feedback`)."""
        caller.require(Permission.VOTE)
        result = ports.answering.record_feedback(body.answer_id, body.helpful, body.comment)
        return FeedbackResponse(
            answer_id=body.answer_id,
            helpful=body.helpful,
            gap=bool(result and result.gap),
            gap_reason=result.gap_reason.value if result and result.gap_reason else None,
        )

    @app.get("/v1/gaps", response_model=GapsResponse, responses=_errors())
    def gaps(caller: CallerDependency,
             since: SinceDays = None,
             limit: Annotated[int, Query(ge=1, le=5000)] = 200) -> dict:
        """Unanswered, low-confidence and thumbs-down questions, newest first (personal data redacted).

        Roles `ex` and `admin` see every gap; a curator sees the gaps whose nearest page they own."""
        if allows(caller.role, Permission.READ_GAPS):
            records = ports.gaps.gaps(since_days=since, limit=limit)
        else:
            caller.require(Permission.READ_OWN_PAGES_GAPS)
            if caller.owner is None:
                raise HTTPException(status_code=403, detail="this curator key names no page owner "
                                                            "(ASSISTANT_API_KEYS entry KEY:curator:OWNER)")
            records = [record for record in ports.gaps.gaps(since_days=since, limit=5000)
                       if record.top_citation_path and ports.page_owner(record.top_citation_path) == caller.owner]
            records = records[:limit]
        return {"gaps": [record.as_dict() for record in records], "count": len(records)}

    @app.get("/v1/gaps/report", response_class=Response,
             responses={200: {"description": "The report in the format asked for.",
                              "content": {media_type.split(";")[0]: {} for media_type in REPORT_MEDIA_TYPES.values()}},
                        **_errors()})
    def gap_report(caller: CallerDependency,
                   report_format: Annotated[ReportFormat, Query(alias="format")] = ReportFormat.JSON,
                   since: SinceDays = None,
                   team: Annotated[str | None, Query(max_length=200)] = None,
                   owner: Annotated[str | None, Query(max_length=200, description="A page owner's own list.")] = None,
                   level: ReportLevel = ReportLevel.THEMES) -> Response:
        """The gap report (roles `ex`, `admin`): themes by friction, trends, needs; JSON, CSV, Markdown or HTML."""
        caller.require(Permission.READ_REPORTS)
        if ports.reports is None:
            raise HTTPException(status_code=503, detail="reports are not available in this server")
        try:
            insights, rows = ports.reports.report(since, team=team, owner=owner)
        except InsightsError as error:
            raise HTTPException(status_code=422, detail=str(error)) from error
        content = render_gap_report(insights, rows, report_format, level)
        return Response(content, media_type=REPORT_MEDIA_TYPES[report_format])

    @app.post("/v1/gaps/{answer_id}/state", response_model=GapBody,
               responses=_errors(404, 409, body=True))
    def change_gap_state(answer_id: str, body: GapStateRequest, caller: CallerDependency) -> dict:
        """Resolve (naming the page), dismiss (saying why) or reopen a gap; role `admin` only."""
        caller.require(Permission.CHANGE_GAP_STATE)
        if ports.gap_states is None:
            raise HTTPException(status_code=503, detail="gap states cannot be changed in this server")
        by = caller.role.value
        try:
            if body.state is GapState.RESOLVED:
                record = ports.gap_states.resolve_gap(answer_id, body.page, Resolution.PERSON, by=by, note=body.note)
            elif body.state is GapState.DISMISSED:
                record = ports.gap_states.dismiss_gap(answer_id, body.note or "", by=by)
            else:
                record = ports.gap_states.reopen_gap(answer_id, by=by, note=body.note)
        except InvalidGapTransitionError as error:
            raise HTTPException(status_code=409, detail=str(error)) from error
        return record.as_dict()

    @app.get("/healthz")
    def healthz() -> JSONResponse:
        """`ok` when every part works; `degraded` (still answering) with the reasons otherwise."""
        parts = [check() for check in ports.health_checks]
        reasons = [f"{part.name}: {part.reason or 'unavailable'}" for part in parts if not part.ok]
        body: dict = {part.name: part.as_dict() for part in parts}
        body["status"] = "degraded" if reasons else "ok"
        body["reasons"] = reasons
        return JSONResponse(body)

    @app.get("/metrics", response_class=Response, responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}})
    def prometheus_metrics(request: Request) -> Response:
        """Prometheus metrics (text format): for `ASSISTANT_METRICS_KEY` or an `admin` key; with no API keys, for
        callers on this machine only."""
        _may_read_metrics(request, metrics_key)
        return Response(metrics.exposition(), media_type=CONTENT_TYPE)

    return app
