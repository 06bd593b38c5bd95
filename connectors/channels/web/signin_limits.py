"""Slows down guessing keys at the sign-in form: after a few wrong keys from one client address within a minute,
that address is refused (429) until the oldest of those failures is a minute old."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES = 5
WINDOW_SECONDS = 60.0
MAX_ADDRESSES = 10_000
"""Addresses remembered at most; beyond that the one whose last failure is oldest is forgotten first."""


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
