"""Stop waiting on an NLU server that is down: fail fast for a short cool-down, then retry."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from assistant.circuit_breaker import CircuitBreaker
from assistant.errors import NLUUnavailableError
from assistant.nlu.errors import NLUCircuitOpenError
from assistant.nlu.result import NLUResult, NLUStatus


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
        self._breaker = CircuitBreaker("NLU", failure_threshold=1, cooldown_seconds=cooldown_seconds, clock=clock)

    @property
    def degraded_reason(self) -> str | None:
        """Why the last call to the backend failed, or None when it succeeded."""
        return self._breaker.last_failure

    def parse(self, text: str) -> NLUResult:
        """The backend's parse, or `NLUCircuitOpenError` while cooling down after a failure."""
        refusal = self._breaker.try_acquire()
        if refusal is not None:
            raise NLUCircuitOpenError(refusal.reason, refusal.retry_in_seconds)
        try:
            result = self.backend.parse(text)
        except NLUUnavailableError as exc:
            self._breaker.record_failure(str(exc))
            raise
        self._breaker.record_success()
        return result

    def status(self) -> NLUStatus:
        """Ask the backend now (ignoring the cool-down) and update the circuit from its answer."""
        status = self.backend.status()
        if status.ok:
            self._breaker.record_success()
        else:
            self._breaker.record_failure(status.reason)
        return status
