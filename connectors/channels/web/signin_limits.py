"""Slows down guessing keys at the sign-in form: after a few wrong keys from one client address within a minute,
that address is refused (429) until the oldest of those failures is a minute old. `SignInLimiter` counts in one
process; `SharedSignInLimiter` counts in the shared state, for several replicas."""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from assistant.shared_state import SharedState, SharedStateError

logger = logging.getLogger(__name__)

MAX_FAILURES = 5
WINDOW_SECONDS = 60.0
MAX_ADDRESSES = 10_000
"""Addresses remembered at most; beyond that the one whose last failure is oldest is forgotten first."""


class SignInLimits(Protocol):
    """Counts wrong keys per client address at the sign-in form and says how long an address must wait."""

    max_failures: int

    def retry_after(self, address: str) -> int: ...

    def failed(self, address: str) -> None: ...

    def succeeded(self, address: str) -> None: ...


class SignInLimiter:
    """Counts wrong keys per client address over a sliding window. Thread-safe; memory is bounded by
    `max_addresses`. A successful sign-in clears the address's count."""

    def __init__(self, max_failures: int = MAX_FAILURES, window_seconds: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.monotonic, max_addresses: int = MAX_ADDRESSES) -> None:
        if max_failures < 1 or window_seconds <= 0:
            raise ValueError("a sign-in limit needs at least one failure and a positive window")
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._clock = clock
        self._max_addresses = max_addresses
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, address: str) -> int:
        """Seconds until `address` may try again (0: it may try now)."""
        with self._lock:
            failures = self._recent(address)
            if failures is None or len(failures) < self.max_failures:
                return 0
            wait = failures[-self.max_failures] + self.window_seconds - self._clock()
            return max(1, int(wait + 0.999))

    def failed(self, address: str) -> None:
        """Count one wrong key from `address`."""
        with self._lock:
            failures = self._recent(address)
            if failures is None:
                if len(self._failures) >= self._max_addresses:
                    oldest = min(self._failures, key=lambda known: self._failures[known][-1])
                    del self._failures[oldest]
                failures = self._failures[address] = deque(maxlen=self.max_failures)
            failures.append(self._clock())

    def succeeded(self, address: str) -> None:
        """A right key from `address`: its earlier failures no longer count."""
        with self._lock:
            self._failures.pop(address, None)

    def _recent(self, address: str) -> deque[float] | None:
        failures = self._failures.get(address)
        if failures is None:
            return None
        cutoff = self._clock() - self.window_seconds
        while failures and failures[0] <= cutoff:
            failures.popleft()
        if not failures:
            del self._failures[address]
            return None
        return failures


class SharedSignInLimiter:
    """The same limit counted in the shared state, so every replica behind the load balancer sees every failure.

    Each wrong key takes one of `max_failures` slots of its address, claimed atomically (two replicas never count
    into the same slot) and live for `window_seconds`, with the failure's time as its value; while every slot is
    taken, the address waits until the oldest one frees. The shared state hashes the address in its keys. When it
    cannot be reached, this replica counts on its own meanwhile (and says so in the log).
    """

    NAMESPACE = "console.signin"

    def __init__(self, state: SharedState, max_failures: int = MAX_FAILURES, window_seconds: float = WINDOW_SECONDS,
                 clock: Callable[[], float] = time.time) -> None:
        self._local = SignInLimiter(max_failures, window_seconds, clock=clock)
        self.max_failures = max_failures
        self.window_seconds = window_seconds
        self._state = state
        self._clock = clock

    def retry_after(self, address: str) -> int:
        """Seconds until `address` may try again (0: it may try now)."""
        try:
            times = [self._state.get(self.NAMESPACE, self._slot(address, slot)) for slot in range(self.max_failures)]
        except SharedStateError as error:
            self._counting_locally(error)
            return self._local.retry_after(address)
        if any(not isinstance(taken, int | float) for taken in times):
            return 0
        wait = min(float(taken) for taken in times if isinstance(taken, int | float)) + self.window_seconds \
            - self._clock()
        return max(1, int(wait + 0.999))

    def failed(self, address: str) -> None:
        """Count one wrong key from `address` in its first free slot (none free: it is refused already)."""
        try:
            for slot in range(self.max_failures):
                key = self._slot(address, slot)
                if self._state.claim(self.NAMESPACE, key, self.window_seconds):
                    self._state.put(self.NAMESPACE, key, self._clock(), self.window_seconds)
                    return
        except SharedStateError as error:
            self._counting_locally(error)
            self._local.failed(address)

    def succeeded(self, address: str) -> None:
        """A right key from `address`: its earlier failures no longer count, on any replica."""
        self._local.succeeded(address)
        try:
            for slot in range(self.max_failures):
                self._state.pop(self.NAMESPACE, self._slot(address, slot))
        except SharedStateError as error:
            self._counting_locally(error)

    @staticmethod
    def _slot(address: str, slot: int) -> str:
        return f"{address}#{slot}"

    @staticmethod
    def _counting_locally(error: SharedStateError) -> None:
        logger.warning("console: shared state unreachable, counting sign-in failures in this process: %s", error)
