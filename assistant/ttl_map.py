"""Small, bounded in-memory maps with a time-to-live: conversation slots, and what the Slack channel remembers."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TTLMap(Generic[K, V]):
    """A mapping whose entries expire `ttl_seconds` after they were set, holding at most `max_size`.

    When full, the oldest entry is dropped first. Thread-safe, so it can be shared between the
    event loop and worker threads. `clock` is injectable so expiry can be tested without sleeping.
    """

    def __init__(
        self, ttl_seconds: float, max_size: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if ttl_seconds <= 0 or max_size <= 0:
            raise ValueError("ttl_seconds and max_size must be positive")
        self._ttl = ttl_seconds
        self._max_size = max_size
        self._clock = clock
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def set(self, key: K, value: V) -> None:
        """Store `value` under `key`, restarting its time-to-live."""
        with self._lock:
            now = self._clock()
            self._expire(now)
            self._entries.pop(key, None)
            self._entries[key] = (now + self._ttl, value)
            while len(self._entries) > self._max_size:
                self._entries.popitem(last=False)

    def set_if_absent(self, key: K, value: V) -> bool:
        """Store `value` unless `key` is already live; True when it was stored (first sighting)."""
        with self._lock:
            now = self._clock()
            self._expire(now)
            if key in self._entries:
                return False
            self._entries[key] = (now + self._ttl, value)
            while len(self._entries) > self._max_size:
                self._entries.popitem(last=False)
            return True

    def get(self, key: K) -> V | None:
        """The live value under `key`, or None."""
        with self._lock:
            self._expire(self._clock())
            entry = self._entries.get(key)
            return entry[1] if entry is not None else None

    def pop(self, key: K) -> V | None:
        """Remove `key`; its live value, or None."""
        with self._lock:
            self._expire(self._clock())
            entry = self._entries.pop(key, None)
            return entry[1] if entry is not None else None

    def __contains__(self, key: object) -> bool:
        with self._lock:
            self._expire(self._clock())
            return key in self._entries

    def __len__(self) -> int:
        with self._lock:
            self._expire(self._clock())
            return len(self._entries)

    def _expire(self, now: float) -> None:
        # Entries are kept in insertion order and share one TTL, so expired ones are at the front.
        while self._entries:
            key, (expires_at, _) = next(iter(self._entries.items()))
            if expires_at > now:
                break
            del self._entries[key]


class TTLSet(Generic[K]):
    """A set whose members expire `ttl_seconds` after they were added (see `TTLMap`)."""

    def __init__(
        self, ttl_seconds: float, max_size: int = 10_000, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self._cache: TTLMap[K, bool] = TTLMap(ttl_seconds, max_size, clock)

    def add(self, key: K) -> None:
        """Add `key`, restarting its time-to-live."""
        self._cache.set(key, True)

    def add_if_absent(self, key: K) -> bool:
        """Add `key` unless it is already a live member; True on the first sighting."""
        return self._cache.set_if_absent(key, True)

    def __contains__(self, key: object) -> bool:
        return key in self._cache

    def __len__(self) -> int:
        return len(self._cache)
