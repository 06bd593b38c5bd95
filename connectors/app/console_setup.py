"""The web console's configuration from settings: its session secret and where "Ask a person" goes."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging

from slack_sdk import WebClient

from assistant.interactions import HandoffRecord
from assistant.settings import Settings, reveal
from assistant.shared_state import SharedState
from connectors.app.channel_mounts import slack_config
from connectors.channels.teams.cards import handoff_card
from connectors.channels.teams.proactive import TeamsPoster
from connectors.channels.web import ConsoleConfig, ForwardsHandoffs
from connectors.channels.web.signin_limits import SharedSignInLimiter, SignInLimiter

logger = logging.getLogger(__name__)


class SlackHandoffForwarder:
    """Posts a console hand-off (the redacted question) to the Slack hand-off channel."""

    def __init__(self, client: WebClient, channel: str) -> None:
        self._client = client
        self._channel = channel
        self.label = f"Slack {channel}"

    def forward(self, record: HandoffRecord) -> None:
        text = f"A colleague using the web console asked for a person: “{record.question}” (answer {record.answer_id})"
        self._client.chat_postMessage(channel=self._channel, text=text, unfurl_links=False)


class TeamsHandoffForwarder:
    """Posts a console hand-off (the redacted question) to the Teams hand-off conversation, as a hand-off card."""

    def __init__(self, poster: TeamsPoster, conversation: str) -> None:
        self._poster = poster
        self._conversation = conversation
        self.label = "Teams"

    def forward(self, record: HandoffRecord) -> None:
        # Called from a worker thread (the console runs it in the thread pool), so it may run its own event loop.
        card = handoff_card(question=record.question, requested_by="A colleague using the web console",
                            answer_text=None, conversation_link=None)
        asyncio.run(self._poster.post(self._conversation, card=card,
                                      text="A colleague using the web console would like a person to help"))


def console_secret(salt: str) -> bytes:
    """The key that signs console sessions, derived from the deployment's salt (never the salt itself)."""
    return hmac.new(salt.encode(), b"web-console-session", hashlib.sha256).digest()


def console_handoff(settings: Settings) -> ForwardsHandoffs | None:
    """Where "Ask a person" goes: the Slack hand-off channel when Slack's bot token and ASSISTANT_HANDOFF_CHANNEL are
    set, else the Teams hand-off conversation when ASSISTANT_TEAMS_HANDOFF_CONVERSATION and the service URL are
    set; None when neither is."""
    slack = slack_config(settings, socket_mode=True)  # posting needs only the bot token
    if slack is not None and settings.handoff_channel:
        client = WebClient(token=slack.bot_token, base_url=slack.api_url) if slack.api_url else WebClient(
            token=slack.bot_token)
        return SlackHandoffForwarder(client, settings.handoff_channel)
    if settings.teams_handoff_conversation and settings.teams_service_url:
        poster = TeamsPoster(settings.teams_service_url, app_id=settings.microsoft_app_id,
                             app_password=reveal(settings.microsoft_app_password),
                             tenant_id=settings.microsoft_app_tenant_id)
        return TeamsHandoffForwarder(poster, settings.teams_handoff_conversation)
    return None


def console_config(settings: Settings, salt: str, state: SharedState | None = None) -> ConsoleConfig:
    """The console's settings; cookies are marked Secure when the public address is https. With a shared `state`
    (the interaction database) wrong keys at the sign-in form are counted across replicas."""
    return ConsoleConfig(
        session_secret=console_secret(salt),
        session_lifetime_seconds=int(settings.console_session_hours * 3600),
        secure_cookies=(settings.public_url or "").lower().startswith("https://"),
        handoff=console_handoff(settings),
        signin_limiter=SharedSignInLimiter(state) if state is not None else SignInLimiter(),
    )
