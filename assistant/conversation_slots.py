"""Per-conversation state with a time-to-live, e.g. "we asked for an order number"."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from assistant.ttl_map import TTLMap


@dataclass(frozen=True)
class PendingSlot:
    """A question the assistant asked and is waiting to have answered."""

    name: str
    intent: str


class ConversationSlots:
    """Thread-safe map from conversation key to its pending slot.

    Entries expire after `ttl_seconds`; at most `max_conversations` are kept (the oldest go first),
    so a flood of conversations cannot grow memory without bound.
    """

    def __init__(self, ttl_seconds: float = 900.0, clock: Callable[[], float] = time.monotonic,
                 max_conversations: int = 50_000) -> None:
        self._pending: TTLMap[str, PendingSlot] = TTLMap(ttl_seconds, max_conversations, clock)

    def expect(self, key: str, slot: PendingSlot) -> None:
        self._pending.set(key, slot)

    def pending(self, key: str) -> PendingSlot | None:
        return self._pending.get(key)

    def clear(self, key: str) -> None:
        self._pending.pop(key)

    def __len__(self) -> int:
        return len(self._pending)
