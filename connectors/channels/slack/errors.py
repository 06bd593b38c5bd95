"""Errors of the Slack connector itself (the core's errors are `assistant.errors.AssistantError`)."""

from __future__ import annotations

from assistant.errors import ConfigurationError


class SlackConnectorError(Exception):
    """Base class of the Slack connector's own errors."""


class SlackConfigError(SlackConnectorError, ConfigurationError, ValueError):
    """The Slack settings cannot work as given (a missing token or secret, a malformed API URL)."""


class SlackDeliveryError(SlackConnectorError):
    """Slack refused a message sent through a `response_url`."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"Slack answered {status} to a response_url message: {body[:200]}")
        self.status = status
        self.body = body
