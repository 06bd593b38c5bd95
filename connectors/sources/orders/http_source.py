"""An order system reached over HTTP: `GET {base}/orders/{number}` returns the order as JSON."""

from __future__ import annotations

from urllib.parse import quote

import httpx

from assistant.errors import OrderNotFoundError, OrderSourceUnavailableError
from assistant.skills.orders import OrderStatus


class HttpOrderSource:
    """Reads `{"order_number", "status", "updated_at"?, "estimated_delivery"?, "fulfilment"?}`; 404 = unknown."""

    def __init__(self, base_url: str, timeout_seconds: float = 2.0) -> None:
        self._client = httpx.Client(base_url=base_url.rstrip("/"), timeout=timeout_seconds)

    def lookup(self, order_number: str) -> OrderStatus:
        try:
            response = self._client.get(f"/orders/{quote(order_number, safe='')}")
        except httpx.HTTPError as error:
            raise OrderSourceUnavailableError(f"order system unreachable: {error}") from error
        if response.status_code == 404:
            raise OrderNotFoundError(f"no order {order_number}")
        if response.status_code != 200:
            raise OrderSourceUnavailableError(f"order system answered {response.status_code}")
        try:
            body = response.json()
            return OrderStatus(
                order_number=str(body.get("order_number", order_number)),
                status=str(body["status"]),
                updated_at=body.get("updated_at"),
                estimated_delivery=body.get("estimated_delivery"),
                fulfilment=body.get("fulfilment"),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise OrderSourceUnavailableError(f"order system sent an unreadable answer: {error}") from error

    def close(self) -> None:
        self._client.close()
