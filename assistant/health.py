"""How a part of the running assistant reports its health to `/healthz`."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class PartHealth:
    """One part's state: `ok`, or why not; `details` are shown as they are (counts, model names)."""

    name: str
    ok: bool
    reason: str | None = None
    details: dict[str, object] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "reason": self.reason, **self.details}


class HealthCheck(Protocol):
    """Reports one part's health; must not raise for a part that is down (that is what `ok` is for)."""

    def __call__(self) -> PartHealth: ...


class RecentHealth:
    """A health check that asks its part at most once every `max_age` seconds.

    `/healthz` is polled by every load balancer and orchestrator in front of every replica, and `/metrics` asks the
    same checks at each scrape; each check may ask a server (Chroma, Rasa, the database). Callers within `max_age`
    of the last answer get that answer, and callers arriving while the part is being asked wait for that answer
    instead of asking again, so a burst of probes reaches the part once. `max_age` 0 asks every time.
    """

    def __init__(self, check: HealthCheck, max_age: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._check = check
        self._max_age = max_age
        self._clock = clock
        self._lock = threading.Lock()
        self._last: tuple[float, PartHealth] | None = None

    def __call__(self) -> PartHealth:
        with self._lock:
            if self._last is not None and self._clock() - self._last[0] < self._max_age:
                return self._last[1]
            part = self._check()
            self._last = (self._clock(), part)
            return part
