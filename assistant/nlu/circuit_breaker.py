"""Stop waiting on an NLU server that is down: fail fast for a short cool-down, then retry."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from assistant.errors import NLUUnavailableError
from assistant.nlu.errors import NLUCircuitOpenError
from assistant.nlu.result import NLUResult, NLUStatus

logger = logging.getLogger(__name__)


class NLUBackend(Protocol):
    """What the breaker wraps: anything that parses texts and reports its status."""

    def parse(self, text: str) -> NLUResult:
        """Raises `NLUUnavailableError` when the backend cannot answer."""
        ...

    def status(self) -> NLUStatus: ...


class CircuitBreakingNLU:
    """Wraps an NLU backend so that an outage costs one timeout, not one per message.

    After a failed call, `parse` raises `NLUCircuitOpenError` at once for `cooldown_seconds`;
    then one caller tries the backend again (the others keep failing fast until it returns).
    A success closes the circuit. `degraded_reason` is None while healthy and otherwise
    says what failed, for `/healthz`. `status()` always asks the backend, so a health check
    also notices a recovery when no message has arrived.
    """

    def __init__(
        self,
        backend: NLUBackend,
        cooldown_seconds: float = 2.0,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.backend = backend
        self.cooldown_seconds = cooldown_seconds
        self._clock = clock
        self._lock = threading.Lock()
        self._reason: str | None = None
        self._retry_at = 0.0

    @property
    def degraded_reason(self) -> str | None:
        """Why the last call to the backend failed, or None when it succeeded."""
        with self._lock:
            return self._reason

    def parse(self, text: str) -> NLUResult:
        """The backend's parse, or `NLUCircuitOpenError` while cooling down after a failure."""
        with self._lock:
            if self._reason is not None:
                now = self._clock()
                if now < self._retry_at:
                    raise NLUCircuitOpenError(self._reason, self._retry_at - now)
                # This caller probes; concurrent callers fail fast until it reports back.
                self._retry_at = now + self.cooldown_seconds
        try:
            result = self.backend.parse(text)
        except NLUUnavailableError as exc:
            self._record_failure(str(exc))
            raise
        self._record_success()
        return result

    def status(self) -> NLUStatus:
        """Ask the backend now (ignoring the cool-down) and update the circuit from its answer."""
        status = self.backend.status()
        if status.ok:
            self._record_success()
        else:
            self._record_failure(status.reason)
        return status

    def _record_failure(self, reason: str) -> None:
        with self._lock:
            if self._reason is None:
                logger.warning("NLU unavailable, failing fast for %.1f s: %s", self.cooldown_seconds, reason)
            self._reason = reason
            self._retry_at = self._clock() + self.cooldown_seconds

    def _record_success(self) -> None:
        with self._lock:
            if self._reason is not None:
                logger.info("NLU available again (was: %s)", self._reason)
            self._reason = None
