"""Per-conversation state with a time-to-live, e.g. "we asked for an order number"."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class PendingSlot:
    """A question the assistant asked and is waiting to have answered."""

    name: str
    intent: str


class ConversationSlots:
    """Thread-safe map from conversation key to its pending slot; entries expire after `ttl_seconds`."""

    def __init__(self, ttl_seconds: float = 900.0, clock: Callable[[], float] = time.monotonic,
                 max_conversations: int = 50_000) -> None:
        self._ttl = ttl_seconds
        self._clock = clock
        self._max = max_conversations
        self._pending: dict[str, tuple[float, PendingSlot]] = {}
        self._lock = threading.Lock()

    def expect(self, key: str, slot: PendingSlot) -> None:
        with self._lock:
            if len(self._pending) >= self._max:
                self._expire()
            self._pending[key] = (self._clock() + self._ttl, slot)

    def pending(self, key: str) -> PendingSlot | None:
        with self._lock:
            entry = self._pending.get(key)
            if entry is None:
                return None
            if entry[0] < self._clock():
                del self._pending[key]
                return None
            return entry[1]

    def clear(self, key: str) -> None:
        with self._lock:
            self._pending.pop(key, None)

    def _expire(self) -> None:
        now = self._clock()
        for key in [k for k, (deadline, _) in self._pending.items() if deadline < now]:
            del self._pending[key]
