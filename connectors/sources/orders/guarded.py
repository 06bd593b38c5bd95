"""Any order source behind a circuit breaker, reporting its health to `/healthz` as the part `orders`."""

from __future__ import annotations

from typing import Protocol

from assistant.circuit_breaker import CircuitBreaker, CircuitState
from assistant.errors import OrderNotFoundError, OrderSourceUnavailableError, OrderSystemCircuitOpenError
from assistant.health import PartHealth
from assistant.orders.model import OrderStatus
from connectors.sources.orders.records import OrderDataError


class PingableSource(Protocol):
    """A source that can look orders up and check that it is reachable at all."""

    kind: str
    target: str

    def lookup(self, order_number: str) -> OrderStatus: ...

    def ping(self) -> None: ...

    def close(self) -> None: ...


class GuardedOrderSource:
    """Fails fast while the order system is down, so an outage costs one time budget, not one per question.

    A failed look-up (unreachable, timed out, 5xx, unreadable body) counts towards the breaker; an unknown number
    is an answer and counts as success; data the mapping cannot read is reported for that order but does not open
    the circuit (the system itself is up).
    """

    def __init__(self, source: PingableSource, breaker: CircuitBreaker) -> None:
        self._source = source
        self._breaker = breaker

    @property
    def breaker(self) -> CircuitBreaker:
        return self._breaker

    def lookup(self, order_number: str) -> OrderStatus:
        refusal = self._breaker.try_acquire()
        if refusal is not None:
            raise OrderSystemCircuitOpenError(refusal.reason, refusal.retry_in_seconds)
        try:
            order = self._source.lookup(order_number)
        except OrderNotFoundError:
            self._breaker.record_success()
            raise
        except OrderDataError:
            self._breaker.record_success()
            raise
        except OrderSourceUnavailableError as error:
            self._breaker.record_failure(str(error))
            raise
        self._breaker.record_success()
        return order

    def health(self) -> PartHealth:
        """`ok` while the circuit is closed and the last call worked. Once the cool-down is over, asks the system
        itself (a cheap ping), so a recovery shows even when nobody asks about an order."""
        if self._breaker.state is CircuitState.HALF_OPEN and self._breaker.try_acquire() is None:
            try:
                self._source.ping()
            except OrderSourceUnavailableError as error:
                self._breaker.record_failure(str(error))
            else:
                self._breaker.record_success()
        state = self._breaker.state
        reason = self._breaker.last_failure
        details: dict[str, object] = {"source": self._source.kind, "target": self._source.target,
                                      "circuit": state.value}
        return PartHealth("orders", ok=reason is None, reason=reason, details=details)

    def close(self) -> None:
        self._source.close()
