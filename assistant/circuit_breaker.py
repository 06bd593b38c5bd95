"""A circuit breaker for any remote dependency: after failures, fail fast for a cool-down, then let one call probe.

The NLU client (`assistant.nlu.circuit_breaker`) and the order sources (`connectors/sources/orders/`) share it, so an
outage of either costs one timeout, not one per message.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

logger = logging.getLogger(__name__)


class CircuitState(StrEnum):
    """`closed`: calls go through; `open`: calls fail fast; `half_open`: one probe is on its way."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True)
class CircuitRefusal:
    """Why a call was refused: the last failure and how long until a probe is allowed."""

    reason: str
    retry_in_seconds: float


class CircuitBreaker:
    """Thread-safe failure counter for one dependency.

    `failure_threshold` consecutive failures open the circuit for `cooldown_seconds`; then `try_acquire` lets exactly
    one caller through to probe (the others keep being refused until it reports). A success closes the circuit; a
    failed probe opens it again for another cool-down. The breaker never calls anything itself: callers ask
    `try_acquire()`, then report `record_success()` or `record_failure(reason)`.
    """

    def __init__(self, name: str, *, failure_threshold: int = 1, cooldown_seconds: float = 2.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        if failure_threshold < 1:
            raise ValueError("failure_threshold must be at least 1")
        self.name = name
        self.failure_threshold = failure_threshold
        self.cooldown_seconds = cooldown_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._failures = 0
        self._reason: str | None = None
        self._retry_at = 0.0
        self._opened = False

    @property
    def state(self) -> CircuitState:
        with self._lock:
            if not self._opened:
                return CircuitState.CLOSED
            return CircuitState.OPEN if self._clock() < self._retry_at else CircuitState.HALF_OPEN

    @property
    def last_failure(self) -> str | None:
        """Why the last call failed, or None when the last call succeeded."""
        with self._lock:
            return self._reason

    def try_acquire(self) -> CircuitRefusal | None:
        """None when the caller may call the dependency now; otherwise why not and for how long."""
        with self._lock:
            if not self._opened:
                return None
            now = self._clock()
            if now < self._retry_at:
                return CircuitRefusal(self._reason or "unavailable", self._retry_at - now)
            # This caller probes; concurrent callers are refused until it reports back.
            self._retry_at = now + self.cooldown_seconds
            return None

    def record_failure(self, reason: str) -> None:
        with self._lock:
            self._failures += 1
            self._reason = reason
            if self._failures >= self.failure_threshold:
                if not self._opened:
                    logger.warning("%s unavailable, failing fast for %.1f s: %s", self.name, self.cooldown_seconds,
                                   reason)
                self._opened = True
                self._retry_at = self._clock() + self.cooldown_seconds

    def record_success(self) -> None:
        with self._lock:
            if self._opened:
                logger.info("%s available again (was: %s)", self.name, self._reason)
            self._failures = 0
            self._reason = None
            self._opened = False
