"""Slack channel: mentions, direct messages, thread follow-ups and `/ask`, answered with sources.

Use `create_slack_router` to serve `POST /slack/events` from the FastAPI app, or
`run_socket_mode` for `assistant slack --socket`.
"""

from connectors.channels.slack.app import EVENTS_PATH, create_slack_router, run_socket_mode, serve_socket_mode
from connectors.channels.slack.bot import SlackBot
from connectors.channels.slack.config import SlackConfig
from connectors.channels.slack.errors import SlackConfigError, SlackConnectorError, SlackDeliveryError

__all__ = [
    "EVENTS_PATH",
    "SlackBot",
    "SlackConfig",
    "SlackConfigError",
    "SlackConnectorError",
    "SlackDeliveryError",
    "create_slack_router",
    "run_socket_mode",
    "serve_socket_mode",
]
