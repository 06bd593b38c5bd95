"""Per-conversation state with a time-to-live, e.g. "we asked for an order number", kept in the shared state so
that the reply reaches whichever replica answers it."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from assistant.shared_state import MemorySharedState, SharedState, SharedStateError

logger = logging.getLogger(__name__)

NAMESPACE = "conversation.slot"


@dataclass(frozen=True)
class PendingSlot:
    """A question the assistant asked and is waiting to have answered."""

    name: str
    intent: str


class ConversationSlots:
    """Map from conversation key to its pending slot, in `state` (shared by replicas when it is the database).

    Entries expire after `ttl_seconds`. Without `state`, slots live in this process: at most `max_conversations`
    (the oldest go first), so a flood of conversations cannot grow memory without bound; `clock` is that
    memory's clock. Thread-safe. When the shared state fails, the conversation goes on without its slot (a bare
    number is then not taken for an order number) and the failure is logged.
    """

    def __init__(self, ttl_seconds: float = 900.0, clock: Callable[[], float] = time.monotonic,
                 max_conversations: int = 50_000, *, state: SharedState | None = None) -> None:
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        self._ttl = ttl_seconds
        self._state: SharedState = state if state is not None else MemorySharedState(max_conversations, clock)

    @property
    def ttl_seconds(self) -> float:
        """How long a conversation's state is kept after it was written."""
        return self._ttl

    def expect(self, key: str, slot: PendingSlot) -> None:
        try:
            self._state.put(NAMESPACE, key, {"name": slot.name, "intent": str(slot.intent)}, self._ttl)
        except SharedStateError as error:
            logger.warning("conversation slot %s not kept, the next reply must say it in full: %s", slot.name, error)

    def pending(self, key: str) -> PendingSlot | None:
        try:
            return _slot(self._state.get(NAMESPACE, key))
        except SharedStateError as error:
            logger.warning("conversation slots unavailable, answering without them: %s", error)
            return None

    def clear(self, key: str) -> None:
        try:
            self._state.pop(NAMESPACE, key)
        except SharedStateError as error:
            logger.warning("conversation slot not cleared, it will expire on its own: %s", error)

    def __len__(self) -> int:
        return self._state.count(NAMESPACE)


def _slot(value: object) -> PendingSlot | None:
    """The slot kept as `value`, or None when there is none (or what is kept is not a slot)."""
    if not isinstance(value, dict):
        return None
    name, intent = value.get("name"), value.get("intent")
    return PendingSlot(name=name, intent=intent) if isinstance(name, str) and isinstance(intent, str) else None
