"""The circuit breaker in front of an order source: it opens on an outage, fails fast, probes, closes again; and
`/healthz`'s `orders` part follows it."""

from __future__ import annotations

import pytest

from assistant.circuit_breaker import CircuitBreaker, CircuitState
from assistant.errors import OrderNotFoundError, OrderSourceUnavailableError, OrderSystemCircuitOpenError
from connectors.sources.orders.guarded import GuardedOrderSource
from connectors.sources.orders.http_source import HttpOrderSource, HttpTimeouts
from tests.support.clock import ManualClock
from tests.support.order_system import OrderSystem

from .samples import ORDERS


def guarded(base_url: str, clock: ManualClock, failures: int = 2) -> GuardedOrderSource:
    rest = HttpOrderSource(base_url, timeouts=HttpTimeouts(retries=0), sleep=lambda seconds: None)
    return GuardedOrderSource(rest, CircuitBreaker("orders", failure_threshold=failures, cooldown_seconds=30,
                                                   clock=clock))


def test_opens_after_failures_fails_fast_then_closes_after_a_good_probe():
    clock = ManualClock()
    system = OrderSystem(ORDERS)
    system.down(503)
    with system as base_url:
        orders = guarded(base_url, clock)
        for _ in range(2):
            with pytest.raises(OrderSourceUnavailableError, match="503"):
                orders.lookup("ORD-4827193")
        assert orders.breaker.state is CircuitState.OPEN
        calls = len(system.requests)
        with pytest.raises(OrderSystemCircuitOpenError, match="not retrying"):
            orders.lookup("ORD-4827193")
        assert len(system.requests) == calls, "an open circuit does not call the order system"

        health = orders.health()
        assert not health.ok and "503" in health.reason and health.details["circuit"] == "open"

        system.up()
        clock.advance(31)
        assert orders.lookup("ORD-4827193").order_number == "ORD-4827193"
        assert orders.breaker.state is CircuitState.CLOSED and orders.health().ok


def test_a_failed_probe_opens_it_again():
    clock = ManualClock()
    system = OrderSystem(ORDERS)
    system.down(500)
    with system as base_url:
        orders = guarded(base_url, clock, failures=1)
        with pytest.raises(OrderSourceUnavailableError):
            orders.lookup("ORD-4827193")
        clock.advance(31)
        with pytest.raises(OrderSourceUnavailableError):
            orders.lookup("ORD-4827193")  # the probe
        with pytest.raises(OrderSystemCircuitOpenError):
            orders.lookup("ORD-4827193")


def test_unknown_numbers_do_not_open_the_circuit():
    clock = ManualClock()
    with OrderSystem(ORDERS) as base_url:
        orders = guarded(base_url, clock, failures=1)
        for _ in range(3):
            with pytest.raises(OrderNotFoundError):
                orders.lookup("ORD-1111111")
        assert orders.breaker.state is CircuitState.CLOSED and orders.health().ok


def test_health_notices_a_recovery_without_any_question():
    clock = ManualClock()
    system = OrderSystem(ORDERS)
    system.down(503)
    with system as base_url:
        orders = guarded(base_url, clock, failures=1)
        with pytest.raises(OrderSourceUnavailableError):
            orders.lookup("ORD-4827193")
        assert not orders.health().ok
        system.up()
        assert not orders.health().ok, "still cooling down: no probe yet"
        clock.advance(31)
        health = orders.health()
        assert health.ok and health.details == {"source": "rest", "target": base_url, "circuit": "closed"}


def test_the_breaker_counts_consecutive_failures_only():
    clock = ManualClock()
    breaker = CircuitBreaker("x", failure_threshold=3, clock=clock)
    breaker.record_failure("a")
    breaker.record_failure("b")
    breaker.record_success()
    breaker.record_failure("c")
    assert breaker.state is CircuitState.CLOSED and breaker.try_acquire() is None
    with pytest.raises(ValueError):
        CircuitBreaker("x", failure_threshold=0)
