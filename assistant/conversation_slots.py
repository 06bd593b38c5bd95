"""Per-conversation state with a time-to-live, e.g. "we asked for an order number", kept in the shared state so
that the reply reaches whichever replica answers it."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from assistant.shared_state import MemorySharedState, SharedState

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
    memory's clock. Thread-safe.
    """

    def __init__(self, ttl_seconds: float = 900.0, clock: Callable[[], float] = time.monotonic,
                 max_conversations: int = 50_000, *, state: SharedState | None = None) -> None:
        if ttl_seconds <= 0:
            raise ValueError("ttl_seconds must be positive")
        self._ttl = ttl_seconds
        self._state: SharedState = state if state is not None else MemorySharedState(max_conversations, clock)

    def expect(self, key: str, slot: PendingSlot) -> None:
        self._state.put(NAMESPACE, key, {"name": slot.name, "intent": str(slot.intent)}, self._ttl)

    def pending(self, key: str) -> PendingSlot | None:
        return _slot(self._state.get(NAMESPACE, key))

    def clear(self, key: str) -> None:
        self._state.pop(NAMESPACE, key)

    def __len__(self) -> int:
        return self._state.count(NAMESPACE)


def _slot(value: object) -> PendingSlot | None:
    """The slot kept as `value`, or None when there is none (or what is kept is not a slot)."""
    if not isinstance(value, dict):
        return None
    name, intent = value.get("name"), value.get("intent")
    return PendingSlot(name=name, intent=intent) if isinstance(name, str) and isinstance(intent, str) else None
