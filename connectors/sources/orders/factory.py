"""Opens the order source an URL names: REST for `http(s)://`, read-only SQL for `sqlite:///` or `postgresql://`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from assistant.circuit_breaker import CircuitBreaker
from assistant.errors import ConfigurationError
from connectors.sources.orders.guarded import GuardedOrderSource
from connectors.sources.orders.http_source import HttpOrderSource, HttpTimeouts
from connectors.sources.orders.mapping import load_mapping
from connectors.sources.orders.sql_source import SqlOrderSource, is_sql_url


@dataclass(frozen=True)
class OrderSourceOptions:
    """Everything besides the URL that shapes an order source (the composition root fills it from settings)."""

    mapping_file: Path | None = None
    auth_header: str | None = None
    timeouts: HttpTimeouts = field(default_factory=HttpTimeouts)
    breaker_failures: int = 3
    breaker_cooldown_seconds: float = 30.0


def open_order_source(url: str, options: OrderSourceOptions | None = None) -> GuardedOrderSource:
    """The source for `url` behind its circuit breaker; `ConfigurationError` for an URL of no known kind."""
    options = options or OrderSourceOptions()
    mapping = load_mapping(options.mapping_file)
    if is_sql_url(url):
        source: HttpOrderSource | SqlOrderSource = SqlOrderSource(url, mapping,
                                                                  timeout_seconds=options.timeouts.budget_seconds)
    elif url.startswith(("http://", "https://")):
        source = HttpOrderSource(url, mapping, auth=options.auth_header, timeouts=options.timeouts)
    else:
        raise ConfigurationError("ASSISTANT_ORDERS_URL must start with http://, https://, sqlite:/// or "
                                 "postgresql://")
    breaker = CircuitBreaker("order system", failure_threshold=options.breaker_failures,
                             cooldown_seconds=options.breaker_cooldown_seconds)
    return GuardedOrderSource(source, breaker)
