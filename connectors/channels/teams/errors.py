"""Errors raised by the Teams connector itself (not by the core)."""

from __future__ import annotations

from assistant.errors import ConfigurationError


class TeamsConfigurationError(ConfigurationError):
    """The Teams channel cannot start safely with the configuration it was given.

    Raised at start-up, for example when Bot Framework credentials are missing (authentication
    off) while the server is bound to an address other people can reach.
    """
