"""The FastAPI route Bot Framework posts Teams activities to: `POST /api/messages`."""

from __future__ import annotations

import json
import logging

import jwt
from botbuilder.core import serializer_helper
from botbuilder.schema import Activity
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from msrest.exceptions import DeserializationError

from assistant.ports import AnswersQuestions
from assistant.shared_state import SharedState
from connectors.channels.teams.adapter import create_adapter, create_bot_framework_authentication
from connectors.channels.teams.bot import AssistantBot
from connectors.channels.teams.config import TeamsConfig
from connectors.channels.teams.proactive import TeamsPoster
from connectors.observability.request_ids import current_request

logger = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"

# What botbuilder raises for a missing, malformed or untrusted token. PermissionError is what
# its own aiohttp integration maps to 401; the jwt and KeyError cases are tokens that cannot
# even be parsed (a token without an "iss" claim raises KeyError inside botbuilder).
_AUTHENTICATION_FAILURES = (PermissionError, jwt.PyJWTError, KeyError)


def _problem(status: int, detail: str) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": detail})


def create_teams_router(assistant: AnswersQuestions, config: TeamsConfig, *,
                        state: SharedState | None = None) -> APIRouter:
    """The Teams channel as a router exposing `POST /api/messages`.

    Raises `TeamsConfigurationError` when the configuration is unsafe or incomplete (see
    `TeamsConfig.validate`). Each request is authenticated by botbuilder (401 when that fails),
    then processed by `AssistantBot`, whose replies the adapter posts to the activity's
    `serviceUrl`. The response is the bot's invoke response when there is one, 200 otherwise.
    `state` is what the replicas share (the votes already recorded), this process's memory by default.
    """
    config.validate()
    if not config.authentication_enabled:
        logger.warning(
            "Teams: MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD are not set; Bot Framework "
            "authentication is OFF (allowed because the server is bound to loopback %s)",
            config.host,
        )
    authentication = create_bot_framework_authentication(config)
    adapter = create_adapter(authentication)
    def poster_for(service_url: str) -> TeamsPoster:
        return TeamsPoster(service_url, app_id=config.app_id, app_password=config.app_password,
                           tenant_id=config.tenant_id)

    bot = AssistantBot(assistant, handoff_conversation=config.handoff_conversation, service_url=config.service_url,
                       poster_for=poster_for, state=state)
    router = APIRouter(tags=["teams"])

    @router.post(
        MESSAGES_PATH,
        summary="Bot Framework messaging endpoint (Microsoft Teams)",
        response_class=Response,
    )
    async def messages(request: Request) -> Response:
        if "application/json" not in request.headers.get("content-type", ""):
            return _problem(415, "expected an application/json Bot Framework activity")
        try:
            body = await request.json()
        except (json.JSONDecodeError, UnicodeDecodeError):
            return _problem(400, "the body is not valid JSON")
        if not isinstance(body, dict):
            return _problem(400, "the body must be a JSON object (a Bot Framework activity)")
        try:
            activity = Activity().deserialize(body)
        except DeserializationError as error:
            return _problem(400, f"the body is not a Bot Framework activity: {error}")
        if not activity.type:
            return _problem(400, "the activity has no type")
        if not activity.service_url:
            return _problem(400, "the activity has no serviceUrl to reply to")

        auth_header = request.headers.get("authorization", "")
        try:
            authenticated = await authentication.authenticate_request(activity, auth_header)
        except _AUTHENTICATION_FAILURES as error:
            logger.warning(
                "Teams activity %s rejected: not authenticated (%s: %s)",
                activity.id,
                type(error).__name__,
                error,
            )
            return _problem(401, "not authorized")

        request = current_request()
        if request is not None:
            # The activity id is what Teams' side knows this turn by: log it, and answer it in X-Request-ID.
            request.adopt(activity.id)
        try:
            invoke_response = await adapter.process_activity(authenticated, activity, bot.on_turn)
        except Exception:
            # Failures inside the turn go to the turn error handler; these happened around it
            # (creating the connector client, say). Log with the activity id, then let FastAPI answer 500.
            logger.exception("Teams activity %s (type %s) could not be processed", activity.id, activity.type)
            raise
        if invoke_response is None:
            return Response(status_code=200)
        if invoke_response.body is None:
            return Response(status_code=int(invoke_response.status))
        return JSONResponse(
            status_code=int(invoke_response.status), content=serializer_helper(invoke_response.body)
        )

    return router
