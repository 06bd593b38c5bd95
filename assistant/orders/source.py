"""The protocol every system of record for orders implements (REST and SQL today, `connectors/sources/orders/`)."""

from __future__ import annotations

from typing import Protocol

from assistant.health import PartHealth
from assistant.orders.model import OrderStatus


class OrderSource(Protocol):
    """A system of record for orders.

    `lookup` receives a number already validated against the order-number pattern (sources check it again before
    it becomes a path segment or a query parameter). It raises `OrderNotFoundError` for an unknown number and
    `OrderSourceUnavailableError` (or a subclass) when the system cannot be reached or answers nonsense.
    """

    def lookup(self, order_number: str) -> OrderStatus: ...

    def health(self) -> PartHealth:
        """The source's state for `/healthz` (the part named `orders`); must not raise."""
        ...

    def close(self) -> None: ...
