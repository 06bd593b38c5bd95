"""Errors raised by the Teams connector itself (not by the core)."""

from __future__ import annotations

from assistant.errors import ConfigurationError


class TeamsConnectorError(Exception):
    """Base class of the Teams connector's own errors."""


class TeamsConfigurationError(TeamsConnectorError, ConfigurationError):
    """The Teams channel cannot start safely with the configuration it was given.

    Raised at start-up, for example when Bot Framework credentials are missing (authentication
    off) while the server is bound to an address other people can reach.
    """


class TeamsDeliveryError(TeamsConnectorError):
    """A message the bot started could not be delivered: the connector service refused it or was unreachable.

    `status` is the HTTP status the service answered with (None when it could not be reached or no
    token could be obtained); `conversation_id` is where the message was going.
    """

    def __init__(self, message: str, *, conversation_id: str, status: int | None = None) -> None:
        super().__init__(message)
        self.conversation_id = conversation_id
        self.status = status
