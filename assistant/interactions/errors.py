"""Typed errors of the interaction store."""

from __future__ import annotations

from assistant.errors import AssistantError


class InteractionStoreError(AssistantError):
    """The interaction store could not read or write its database (or could not reach it).

    `operation` says what the store was doing; `reason` is the database's own message.
    """

    def __init__(self, operation: str, reason: str) -> None:
        super().__init__(f"interaction store: cannot {operation}: {reason}")
        self.operation = operation
        self.reason = reason


class InvalidGapTransitionError(AssistantError):
    """A gap cannot move to the state asked for (it is not a gap, or is already in that state)."""


class SpoolError(InteractionStoreError):
    """The local spool of turns waiting for the database could not be read or written."""


class SpoolFullError(SpoolError):
    """The spool holds as many entries or bytes as it may; the turn is written to the database at once instead."""
