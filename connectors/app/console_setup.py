"""The web console's configuration from settings: its session secret and where "Ask a person" goes."""

from __future__ import annotations

import hashlib
import hmac
import logging

from slack_sdk import WebClient

from assistant.interactions import HandoffRecord
from assistant.settings import Settings
from connectors.app.channel_mounts import slack_config
from connectors.channels.web import ConsoleConfig, ForwardsHandoffs

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


def console_secret(salt: str) -> bytes:
    """The key that signs console sessions, derived from the deployment's salt (never the salt itself)."""
    return hmac.new(salt.encode(), b"web-console-session", hashlib.sha256).digest()


def console_handoff(settings: Settings) -> ForwardsHandoffs | None:
    """The Slack hand-off channel when Slack's bot token and ASSISTANT_HANDOFF_CHANNEL are set; else None."""
    slack = slack_config(settings, socket_mode=True)  # posting needs only the bot token
    if slack is None or not settings.handoff_channel:
        return None
    client = WebClient(token=slack.bot_token, base_url=slack.api_url) if slack.api_url else WebClient(
        token=slack.bot_token)
    return SlackHandoffForwarder(client, settings.handoff_channel)


def console_config(settings: Settings, salt: str) -> ConsoleConfig:
    """The console's settings; cookies are marked Secure when the public address is https."""
    return ConsoleConfig(
        session_secret=console_secret(salt),
        session_lifetime_seconds=int(settings.console_session_hours * 3600),
        secure_cookies=(settings.public_url or "").lower().startswith("https://"),
        handoff=console_handoff(settings),
    )
