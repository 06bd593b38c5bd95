"""The web console: server-rendered pages over the same ports as the HTTP API (`ApiPorts`).

`install_console(app, ports, config)` adds the pages, the fetch endpoints the quick-ask page calls, the static
files and the handlers that turn the console's errors into a sign-in redirect, 401, 403 or a JSON error.
"""

from __future__ import annotations

import logging
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Protocol
from urllib.parse import parse_qs, urlencode

import jinja2
from fastapi import APIRouter, FastAPI, Header, HTTPException, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from assistant.access import ROLE_MAX_AUDIENCE, Permission, Role
from assistant.countries import COUNTRY_CODE_PATTERN, COUNTRY_LABELS
from assistant.insights.notices import Notice
from assistant.insights.report import InsightsError
from assistant.interactions import HandoffRecord
from assistant.models import Message
from connectors.channels.api_ports import ApiPorts
from connectors.channels.web.assets import asset_response, load_assets
from connectors.channels.web.charts import (
    dimensions_by_team,
    resolution_days,
    themes_by_friction,
    training_needs,
    weekly_by_reason,
)
from connectors.channels.web.gap_changes import STATE_OUTCOMES, GapStateForm, theme_gaps
from connectors.channels.web.i18n import LANGUAGES, STRINGS, choose_language
from connectors.channels.web.sessions import LOOPBACK, SessionSigner
from connectors.channels.web.signin_limits import SignInLimiter, SignInLimits
from connectors.channels.web.viewers import (
    CSRF_HEADER,
    LANGUAGE_COOKIE,
    SESSION_COOKIE,
    SIGNIN_COOKIE,
    ForbiddenError,
    LoopbackOnlyError,
    NotSignedInError,
    Viewer,
    ViewerResolver,
)
from connectors.channels.web.views import AnswerView, SourceView, safe_link
from connectors.reports.gaps import REPORT_MEDIA_TYPES, ReportFormat, ReportLevel, render_gap_report

logger = logging.getLogger(__name__)

CHANNEL = "web"
TEMPLATES_DIR = Path(__file__).parent / "templates"
SIGNIN_FORM_SECONDS = 3600
MAX_FORM_BYTES = 8192
DEFAULT_DAYS = 56
"""The dashboard's period unless `?since=` says otherwise: eight weeks."""
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
                               "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}


class ForwardsHandoffs(Protocol):
    """Passes a question a member of staff wants a person for to colleagues (a Slack or Teams channel)."""

    label: str
    """Where it goes, as shown on the button's confirmation (e.g. `#store-help`)."""

    def forward(self, record: HandoffRecord) -> None:
        """Post the redacted question; raises on failure."""
        ...


@dataclass(frozen=True)
class ConsoleConfig:
    """The console's own settings: the session secret (derived from the deployment's salt), the sign-in
    lifetime, whether cookies need HTTPS, where "Ask a person" goes (None hides the button), and the limit on wrong
    keys per client address at the sign-in form."""

    session_secret: bytes = field(repr=False)
    session_lifetime_seconds: int = 8 * 3600
    secure_cookies: bool = False
    handoff: ForwardsHandoffs | None = None
    signin_limiter: SignInLimits = field(default_factory=SignInLimiter)


class AskBody(BaseModel):
    text: str = Field(max_length=20000)
    country: str | None = Field(None, pattern=COUNTRY_CODE_PATTERN)


class VoteBody(BaseModel):
    answer_id: str = Field(min_length=1, max_length=200)
    helpful: bool


class AnswerRef(BaseModel):
    answer_id: str = Field(min_length=1, max_length=200)


def _is_fetch(request: Request) -> bool:
    return request.url.path.startswith("/console/")


class Console:
    """Renders the pages and answers the fetch endpoints for one app."""

    def __init__(self, ports: ApiPorts, config: ConsoleConfig) -> None:
        self.ports = ports
        self.config = config
        self.signer = SessionSigner(config.session_secret, config.session_lifetime_seconds)
        self.viewers = ViewerResolver(ports.api_keys, self.signer)
        self.assets = load_assets()
        self.templates = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES_DIR), autoescape=True,
                                            undefined=jinja2.StrictUndefined)

    # --- rendering -------------------------------------------------------------------------------------------

    def language(self, request: Request) -> str:
        chosen = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
        return choose_language(chosen, request.headers.get("accept-language"))

    def render(self, request: Request, template: str, status: int = 200, viewer: Viewer | None = None,
               **context: object) -> HTMLResponse:
        language = self.language(request)
        html = self.templates.get_template(template).render(
            t=STRINGS[language], lang=language, languages=LANGUAGES, viewer=viewer, assets=self.assets,
            path=request.url.path, Permission=Permission, handoff=self.config.handoff, **context)
        response = HTMLResponse(html, status_code=status, headers=SECURITY_HEADERS)
        chosen = request.query_params.get("lang")
        if chosen in LANGUAGES:
            response.set_cookie(LANGUAGE_COOKIE, chosen, max_age=365 * 86400, samesite="strict",
                                secure=self.config.secure_cookies)
        return response

    def set_session(self, response: Response, fingerprint: str) -> None:
        _, cookie = self.signer.open(fingerprint)
        response.set_cookie(SESSION_COOKIE, cookie, max_age=self.signer.lifetime_seconds, httponly=True,
                            samesite="strict", secure=self.config.secure_cookies, path="/")

    # --- actions ---------------------------------------------------------------------------------------------

    def fetch_viewer(self, request: Request, csrf: str | None, permission: Permission) -> Viewer:
        viewer = self.viewers.viewer(request)
        self.viewers.check_csrf(viewer, csrf)
        viewer.require(permission)
        return viewer

    def notices(self, viewer: Viewer) -> list[dict]:
        """The answers that arrived for this key's gaps since the last look; each is shown once."""
        if self.ports.notices is None:
            return []
        shown = []
        for request in self.ports.notices.collect_notices(CHANNEL, viewer.asker):
            notice = Notice.from_json(request.notice or {})
            shown.append({"question": notice.question, "text": notice.text, "answered": notice.answered,
                          "sources": [SourceView.of(citation) for citation in notice.citations]})
        return shown


def _router(console: Console) -> APIRouter:
    router = APIRouter(include_in_schema=False)

    @router.get("/console/static/{name}")
    def static(name: str, request: Request) -> Response:
        asset = console.assets.get(name)
        if asset is None:
            raise HTTPException(status_code=404, detail="no such file")
        return asset_response(asset, request)

    @router.get("/signin")
    def signin_page(request: Request) -> Response:
        if console.viewers.open_loopback:
            console.viewers.check_loopback(request)
            response = RedirectResponse("/", status_code=303)
            console.set_session(response, LOOPBACK)
            return response
        return _signin_form(request)

    def _signin_form(request: Request, status: int = 200, error: str | None = None) -> Response:
        nonce = secrets.token_urlsafe(18)
        response = console.render(request, "signin.html", status=status, error=error,
                                  signin_token=console.signer.signin_token(nonce))
        response.set_cookie(SIGNIN_COOKIE, nonce, max_age=SIGNIN_FORM_SECONDS, httponly=True, samesite="strict",
                            secure=console.config.secure_cookies, path="/signin")
        return response

    @router.post("/signin")
    async def signin(request: Request) -> Response:
        limiter = console.config.signin_limiter
        address = request.client.host if request.client else ""
        wait = limiter.retry_after(address)
        if wait:
            logger.warning("console: sign-in refused for %s s after %d wrong keys from one address", wait,
                           limiter.max_failures)
            response = _signin_form(request, 429, STRINGS[console.language(request)]["too_many_attempts"])
            response.headers["Retry-After"] = str(wait)
            return response
        form = await _form(request)
        if not console.signer.signin_valid(request.cookies.get(SIGNIN_COOKIE), form.get("csrf")):
            return _signin_form(request, 403, STRINGS[console.language(request)]["expired_form"])
        found = console.viewers.key_for(form.get("key", ""))
        if found is None:
            limiter.failed(address)
            logger.info("console: a sign-in with a wrong key")
            return _signin_form(request, 401, STRINGS[console.language(request)]["wrong_key"])
        limiter.succeeded(address)
        response = RedirectResponse("/", status_code=303)
        console.set_session(response, found[1])
        response.delete_cookie(SIGNIN_COOKIE, path="/signin")
        return response

    @router.post("/signout")
    async def signout(request: Request) -> Response:
        form = await _form(request)
        viewer = console.viewers.viewer(request)
        console.viewers.check_csrf(viewer, form.get("csrf"))
        response = RedirectResponse("/signin", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @router.get("/")
    def ask_page(request: Request) -> Response:
        viewer = console.viewers.viewer(request)
        viewer.require(Permission.ASK)
        return console.render(request, "ask.html", viewer=viewer, notices=console.notices(viewer),
                              countries=COUNTRY_LABELS[console.language(request)])

    @router.get("/knowledge")
    def knowledge_page(request: Request) -> Response:
        viewer = console.viewers.viewer(request)
        viewer.require(Permission.READ_KNOWLEDGE_HEALTH)
        # A curator sees their own pages; the EX team and administrators may filter by any owner.
        own_only = viewer.role is Role.CURATOR
        owner = viewer.owner if own_only else (request.query_params.get("owner") or None)
        health = console.ports.knowledge_health
        report = None
        if health is not None and not (own_only and owner is None):
            report = health.report(owner)
        return console.render(request, "knowledge.html", viewer=viewer, report=report, own_only=own_only,
                              safe_link=safe_link)

    @router.get("/dashboard")
    def dashboard_page(request: Request) -> Response:
        viewer = console.viewers.viewer(request)
        viewer.require(Permission.READ_REPORTS)
        since = _days(request)
        insights, rows, error = None, [], None
        if console.ports.reports is not None:
            try:
                insights, rows = console.ports.reports.report(since)
            except InsightsError as problem:
                error = str(problem)
        chosen = request.query_params.get("theme")
        theme = next((item for item in insights.themes if item.theme_id == chosen), None) if insights else None
        outcome = request.query_params.get("changed")
        return console.render(
            request, "dashboard.html", viewer=viewer, since=since, error=error, insights=insights, theme=theme,
            theme_gaps=theme_gaps(theme, rows) if theme else [],
            changed=outcome if outcome in STATE_OUTCOMES else None,
            may_change=viewer.may(Permission.CHANGE_GAP_STATE) and console.ports.gap_states is not None,
            trend=weekly_by_reason(insights.weekly.get("reason", {})) if insights else None,
            friction=themes_by_friction(insights.themes) if insights else None,
            dimensions=dimensions_by_team(insights.dimensions_by_team) if insights else None,
            training=training_needs(insights.training_needs) if insights else None,
            resolution=resolution_days(insights.resolution_days_by_owner) if insights else None)

    @router.post("/dashboard/gaps/{answer_id}/state")
    async def change_gap_state(answer_id: str, request: Request) -> Response:
        form = await _form(request)
        viewer = console.viewers.viewer(request)
        console.viewers.check_csrf(viewer, form.get("csrf"))
        viewer.require(Permission.CHANGE_GAP_STATE)
        if console.ports.gap_states is None:
            raise HTTPException(status_code=503, detail="gap states cannot be changed in this server")
        change = GapStateForm.of(form)
        outcome = await run_in_threadpool(change.apply, console.ports.gap_states, answer_id, viewer.role.value)
        back = urlencode({"since": _days(request, form.get("since")), "theme": form.get("theme", ""),
                          "changed": outcome})
        return RedirectResponse(f"/dashboard?{back}#theme", status_code=303)

    @router.get("/dashboard/report.{extension}")
    def dashboard_report(extension: str, request: Request) -> Response:
        viewer = console.viewers.viewer(request)
        viewer.require(Permission.READ_REPORTS)
        formats = {"html": ReportFormat.HTML, "csv": ReportFormat.CSV}
        if extension not in formats or console.ports.reports is None:
            raise HTTPException(status_code=404, detail="no such report")
        try:
            insights, rows = console.ports.reports.report(_days(request))
        except InsightsError as error:
            raise HTTPException(status_code=422, detail=str(error)) from error
        content = render_gap_report(insights, rows, formats[extension], ReportLevel.THEMES)
        return Response(content, media_type=REPORT_MEDIA_TYPES[formats[extension]], headers={
            "Content-Disposition": f'attachment; filename="gap-report.{extension}"',
            "X-Content-Type-Options": "nosniff", "Cache-Control": "no-store"})

    @router.post("/console/ask")
    def ask(body: AskBody, request: Request,
            csrf: Annotated[str | None, Header(alias=CSRF_HEADER)] = None) -> Response:
        viewer = console.fetch_viewer(request, csrf, Permission.ASK)
        message = Message(text=body.text, asker=viewer.asker, channel=CHANNEL,
                          thread=viewer.session.session_id if viewer.session else None,
                          max_audience=ROLE_MAX_AUDIENCE[viewer.role], country=body.country)
        started = time.perf_counter()
        answer = console.ports.answering.handle(message)
        answered = time.perf_counter()
        language = console.language(request)
        html = console.templates.get_template("answer.html").render(
            t=STRINGS[language], answer=AnswerView.of(body.text, answer), handoff=console.config.handoff)
        rendered = time.perf_counter()
        # The server's own share of the wait, for the browser's timing panel and benchmarks/bench_console.py.
        timing = f"answer;dur={(answered - started) * 1000:.1f}, render;dur={(rendered - answered) * 1000:.1f}"
        return HTMLResponse(html, headers={**SECURITY_HEADERS, "Server-Timing": timing})

    @router.post("/console/feedback")
    def feedback(body: VoteBody, request: Request,
                 csrf: Annotated[str | None, Header(alias=CSRF_HEADER)] = None) -> dict:
        console.fetch_viewer(request, csrf, Permission.VOTE)
        result = console.ports.answering.record_feedback(body.answer_id, body.helpful)
        return {"answer_id": body.answer_id, "helpful": body.helpful, "gap": bool(result and result.gap)}

    @router.post("/console/handoff")
    async def handoff(body: AnswerRef, request: Request,
                      csrf: Annotated[str | None, Header(alias=CSRF_HEADER)] = None) -> dict:
        console.fetch_viewer(request, csrf, Permission.ASK)
        if console.config.handoff is None:
            raise HTTPException(status_code=503, detail="no hand-off channel is configured")
        record = await run_in_threadpool(console.ports.answering.request_handoff, body.answer_id)
        await run_in_threadpool(console.config.handoff.forward, record)
        return {"answer_id": body.answer_id, "handoff": console.config.handoff.label}

    @router.post("/console/notify")
    def notify(body: AnswerRef, request: Request,
               csrf: Annotated[str | None, Header(alias=CSRF_HEADER)] = None) -> dict:
        viewer = console.fetch_viewer(request, csrf, Permission.ASK)
        console.ports.answering.request_notice(body.answer_id, asker=viewer.asker, channel=CHANNEL,
                                               max_audience=ROLE_MAX_AUDIENCE[viewer.role])
        return {"answer_id": body.answer_id, "notify": True}

    return router


def _days(request: Request, given: str | None = None) -> int:
    """The dashboard's period in days (`?since=`, or `given` from a form), 56 by default, within 1 to 366."""
    try:
        return min(max(int(given or request.query_params.get("since") or DEFAULT_DAYS), 1), 366)
    except ValueError:
        return DEFAULT_DAYS


async def _form(request: Request) -> dict[str, str]:
    """A small url-encoded form's fields (the console's forms hold a key and a token, nothing more)."""
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        raise HTTPException(status_code=413, detail="form too large")
    fields = parse_qs(body.decode("utf-8", errors="replace"), keep_blank_values=True)
    return {name: values[0] for name, values in fields.items()}


def install_console(app: FastAPI, ports: ApiPorts, config: ConsoleConfig) -> Console:
    """Add the console to `app` (it serves `/`); returns it, so a caller can add pages that need more ports."""
    console = Console(ports, config)
    app.state.console = console

    @app.exception_handler(NotSignedInError)
    async def not_signed_in(request: Request, error: NotSignedInError) -> Response:
        if _is_fetch(request):
            return JSONResponse({"detail": "sign in first"}, status_code=401)
        return RedirectResponse("/signin", status_code=303)

    @app.exception_handler(LoopbackOnlyError)
    async def loopback_only(request: Request, error: LoopbackOnlyError) -> Response:
        return JSONResponse({"detail": str(error)}, status_code=403)

    @app.exception_handler(ForbiddenError)
    async def forbidden(request: Request, error: ForbiddenError) -> Response:
        logger.info("console: %s %s refused: %s", request.method, request.url.path, error)
        if _is_fetch(request) or request.method != "GET":
            return JSONResponse({"detail": str(error)}, status_code=403)
        viewer = None
        try:
            viewer = console.viewers.viewer(request)
        except (NotSignedInError, LoopbackOnlyError):
            viewer = None
        return console.render(request, "forbidden.html", status=403, viewer=viewer)

    app.include_router(_router(console))
    return console

