"""Expiring state that every replica of the assistant must see: claims ("this Slack event is mine"), and small values
("we asked this conversation for an order number", "the answer behind this Share button").

`SharedState` is the port; `MemorySharedState` keeps it in this process (one replica, tests, tools without a store),
and `assistant.interactions.shared_state.DatabaseSharedState` keeps it in the interaction store's database, so
replicas behind one load balancer share it. Values are JSON (dicts, lists, strings, numbers, booleans, None) and
must hold no unredacted personal data: the database keeps them.
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Protocol

from assistant.errors import AssistantError

JsonValue = Any
"""What a value may be: anything `json.dumps` accepts without help."""


class SharedStateError(AssistantError):
    """The shared state could not be read or written (its database is down, say). Callers decide how to carry on
    without it: answer anyway, or tell the person the click could not be handled."""


class SharedState(Protocol):
    """Expiring keys and values in namespaces (one per kind of fact, e.g. `slack.event`), shared by replicas.

    Every entry lives `ttl_seconds` after it was written; an expired entry is never returned and is removed in
    time, so the state stays bounded. `claim` is atomic across processes: of all callers claiming one live key,
    exactly one gets True. Every operation may raise `SharedStateError`.
    """

    def claim(self, namespace: str, key: str, ttl_seconds: float) -> bool:
        """Take `key` for `ttl_seconds` unless it is live already; True for the one caller that took it."""
        ...

    def put(self, namespace: str, key: str, value: JsonValue, ttl_seconds: float) -> None:
        """Store `value` under `key` (replacing any), live for `ttl_seconds`."""
        ...

    def get(self, namespace: str, key: str) -> JsonValue | None:
        """The live value under `key`, or None."""
        ...

    def pop(self, namespace: str, key: str) -> JsonValue | None:
        """Remove `key`; its live value, or None."""
        ...

    def contains(self, namespace: str, key: str) -> bool:
        """Whether `key` is live (claimed or put, not yet expired)."""
        ...

    def count(self, namespace: str) -> int:
        """How many entries `namespace` holds (expired ones may be counted until they are purged)."""
        ...


class MemorySharedState:
    """`SharedState` in this process only: what one replica, the tests and the command-line tools use.

    At most `max_entries` entries per namespace (the oldest written go first), so a flood cannot grow
    memory without bound. Values go through JSON on the way in and out, as in the database, so a value that
    could not be shared fails here too. Thread-safe; `clock` (monotonic seconds) is injectable for tests.
    """

    def __init__(self, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic) -> None:
        if max_entries <= 0:
            raise ValueError("max_entries must be positive")
        self._max_entries = max_entries
        self._clock = clock
        # namespace -> key -> (expires at, value as JSON text), in write order.
        self._spaces: dict[str, OrderedDict[str, tuple[float, str]]] = {}
        self._lock = threading.Lock()

    def claim(self, namespace: str, key: str, ttl_seconds: float) -> bool:
        with self._lock:
            entries = self._live(namespace)
            held = entries.get(key)
            if held is not None and held[0] > self._clock():
                return False
            self._write(entries, key, None, ttl_seconds)
            return True

    def put(self, namespace: str, key: str, value: JsonValue, ttl_seconds: float) -> None:
        with self._lock:
            self._write(self._live(namespace), key, value, ttl_seconds)

    def get(self, namespace: str, key: str) -> JsonValue | None:
        with self._lock:
            entries = self._live(namespace)
            entry = entries.get(key)
            if entry is not None and entry[0] <= self._clock():
                del entries[key]
                entry = None
        return json.loads(entry[1]) if entry is not None else None

    def pop(self, namespace: str, key: str) -> JsonValue | None:
        with self._lock:
            entry = self._live(namespace).pop(key, None)
            if entry is not None and entry[0] <= self._clock():
                entry = None
        return json.loads(entry[1]) if entry is not None else None

    def contains(self, namespace: str, key: str) -> bool:
        with self._lock:
            entry = self._live(namespace).get(key)
            return entry is not None and entry[0] > self._clock()

    def count(self, namespace: str) -> int:
        """How many live entries `namespace` holds (for tests and tools)."""
        with self._lock:
            now = self._clock()
            return sum(1 for expires_at, _ in self._live(namespace).values() if expires_at > now)

    def _live(self, namespace: str) -> OrderedDict[str, tuple[float, str]]:
        """The namespace's entries, expired ones at the front dropped (entries of one namespace usually share a
        time-to-live, so they expire in write order; readers still check each entry's own time)."""
        entries = self._spaces.setdefault(namespace, OrderedDict())
        now = self._clock()
        while entries:
            expires_at, _ = next(iter(entries.values()))
            if expires_at > now:
                break
            entries.popitem(last=False)
        return entries

    def _write(self, entries: OrderedDict[str, tuple[float, str]], key: str, value: JsonValue,
               ttl_seconds: float) -> None:
        if ttl_seconds <= 0:
            raise ValueError(f"ttl_seconds must be positive, got {ttl_seconds}")
        entries.pop(key, None)
        entries[key] = (self._clock() + ttl_seconds, json.dumps(value))
        while len(entries) > self._max_entries:
            entries.popitem(last=False)
