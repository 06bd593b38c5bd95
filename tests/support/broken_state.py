"""A shared state whose database is down: every operation raises `SharedStateError`."""

from __future__ import annotations

from assistant.shared_state import JsonValue, SharedStateError


class UnreachableState:
    """Fails every call, as `DatabaseSharedState` does while its database cannot be reached; counts the calls."""

    def __init__(self) -> None:
        self.calls = 0

    def _fail(self) -> SharedStateError:
        self.calls += 1
        return SharedStateError("shared state: cannot reach the database: connection refused")

    def claim(self, namespace: str, key: str, ttl_seconds: float) -> bool:
        raise self._fail()

    def put(self, namespace: str, key: str, value: JsonValue, ttl_seconds: float) -> None:
        raise self._fail()

    def get(self, namespace: str, key: str) -> JsonValue | None:
        raise self._fail()

    def pop(self, namespace: str, key: str) -> JsonValue | None:
        raise self._fail()

    def contains(self, namespace: str, key: str) -> bool:
        raise self._fail()

    def count(self, namespace: str) -> int:
        raise self._fail()
