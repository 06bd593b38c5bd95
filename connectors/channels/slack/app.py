"""Ways to run the Slack bot: a FastAPI router (HTTP, Events API) or Socket Mode."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI, Request, Response
from slack_bolt.adapter.fastapi.async_handler import AsyncSlackRequestHandler
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from assistant.ports import AnswersQuestions, RecallsQuestions
from assistant.shared_state import SharedState
from connectors.channels.slack.bot import SlackBot
from connectors.channels.slack.config import SlackConfig
from connectors.channels.slack.errors import SlackConfigError

logger = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
SHUTDOWN_GRACE_SECONDS = 10.0


def create_slack_router(assistant: AnswersQuestions, config: SlackConfig, *, state: SharedState | None = None,
                        questions: RecallsQuestions | None = None) -> APIRouter:
    """A router with `POST /slack/events` for Slack's events, interactivity and slash commands.

    Requests are verified with the signing secret (bad signature or a timestamp more than five
    minutes off: 401), acknowledged at once, and answered in the background. On shutdown the
    router's lifespan waits for unfinished answers (include it with `app.include_router`).
    `state` is what replicas share (see `SlackBot`); `questions` reads stored questions back.
    """
    if not config.signing_secret:
        raise SlackConfigError("SLACK_SIGNING_SECRET is required to receive Slack events over HTTP")
    bot = SlackBot(assistant, config, state=state, questions=questions)
    handler = AsyncSlackRequestHandler(bot.app)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        yield
        await bot.work.drain(SHUTDOWN_GRACE_SECONDS)

    router = APIRouter(tags=["slack"], lifespan=lifespan)

    @router.post(EVENTS_PATH, summary="Slack events, interactivity (buttons) and slash commands")
    async def slack_events(request: Request) -> Response:
        return await handler.handle(request)

    return router


async def serve_socket_mode(
    assistant: AnswersQuestions, config: SlackConfig, stop: asyncio.Event | None = None, *,
    state: SharedState | None = None, questions: RecallsQuestions | None = None,
) -> None:
    """Connect to Slack over Socket Mode and answer until `stop` is set (or forever)."""
    if not config.app_token:
        raise SlackConfigError(
            "SLACK_APP_TOKEN (an app-level xapp- token with connections:write) is required"
        )
    bot = SlackBot(assistant, config, state=state, questions=questions)
    handler = AsyncSocketModeHandler(bot.app, config.app_token)
    await handler.connect_async()
    logger.info("Slack Socket Mode connected")
    try:
        await (stop or asyncio.Event()).wait()
    finally:
        await handler.close_async()
        await bot.work.drain(SHUTDOWN_GRACE_SECONDS)
        logger.info("Slack Socket Mode disconnected")


def run_socket_mode(assistant: AnswersQuestions, config: SlackConfig, *, state: SharedState | None = None,
                    questions: RecallsQuestions | None = None) -> None:
    """Run the bot over Socket Mode (no public URL needed) until interrupted; blocks. For the CLI."""
    try:
        asyncio.run(serve_socket_mode(assistant, config, state=state, questions=questions))
    except KeyboardInterrupt:
        logger.info("Slack Socket Mode stopped by the user")
