"""Adds the Slack and Teams endpoints to the app when their settings allow it."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from assistant.ports import AnswersQuestions, RecallsQuestions
from assistant.settings import Settings, reveal
from assistant.shared_state import SharedState
from connectors.channels.slack import SlackConfig, create_slack_router
from connectors.channels.teams import TeamsConfig, TeamsConfigurationError, create_teams_router

logger = logging.getLogger(__name__)


def slack_config(settings: Settings, socket_mode: bool = False) -> SlackConfig | None:
    """Slack's settings, or None when they are incomplete (HTTP mode needs the signing secret)."""
    bot_token = reveal(settings.slack_bot_token)
    signing_secret = reveal(settings.slack_signing_secret)
    if not bot_token or not (signing_secret or socket_mode):
        return None
    return SlackConfig(
        bot_token=bot_token,
        signing_secret=signing_secret or "",
        api_url=settings.slack_api_url,
        handoff_channel=settings.handoff_channel,
        app_token=reveal(settings.slack_app_token),
    )


def teams_config(settings: Settings, host: str) -> TeamsConfig:
    return TeamsConfig(
        app_id=settings.microsoft_app_id,
        app_password=reveal(settings.microsoft_app_password),
        tenant_id=settings.microsoft_app_tenant_id,
        host=host,
        handoff_conversation=settings.teams_handoff_conversation,
        service_url=settings.teams_service_url,
    )


def mount_channels(app: FastAPI, assistant: AnswersQuestions, settings: Settings, host: str, *,
                   state: SharedState | None = None, questions: RecallsQuestions | None = None) -> list[str]:
    """Include the channel routers that are configured; returns the names of those mounted. `state` is what the
    replicas share (the database's when there is a store); `questions` reads stored questions back."""
    mounted = []
    slack = slack_config(settings)
    if slack is None:
        logger.info("Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET to enable /slack/events")
    else:
        app.include_router(create_slack_router(assistant, slack, state=state, questions=questions))
        mounted.append("slack")
    try:
        app.include_router(create_teams_router(assistant, teams_config(settings, host), state=state))
        mounted.append("teams")
    except TeamsConfigurationError as error:
        logger.warning("Teams is off: %s", error)
    return mounted
