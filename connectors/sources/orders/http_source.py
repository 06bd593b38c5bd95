"""An order system reached over HTTP: `GET {base}/orders/{number}` returns the order as JSON, 404 when unknown.

The JSON is read through an `OrderMapping`, so other shapes need a mapping file, not code. Transient failures (a
5xx, a timeout, a refused connection) are retried with back-off, all within one time budget per look-up.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import httpx

from assistant.errors import OrderNotFoundError, OrderSourceUnavailableError
from assistant.orders.model import OrderStatus
from connectors.sources.orders.mapping import OrderMapping
from connectors.sources.orders.records import MISSING, OrderDataError, build_order, dotted
from connectors.sources.orders.safety import auth_header, checked_number

logger = logging.getLogger(__name__)

RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
FIRST_BACKOFF_SECONDS = 0.1


@dataclass(frozen=True)
class HttpTimeouts:
    """Per call: connecting and reading; per look-up: the whole budget, retries and back-off included."""

    connect_seconds: float = 0.5
    read_seconds: float = 1.0
    budget_seconds: float = 2.0
    retries: int = 2


def shown_url(url: str) -> str:
    """`url` without credentials, query or fragment: safe for logs and `/healthz`."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


class HttpOrderSource:
    """Looks orders up over HTTP through a field mapping, with retries inside a time budget.

    `auth` is the secret header line (`Name: value`); it is sent, never logged. `sleep` and `clock` are for tests.
    """

    kind = "rest"

    def __init__(self, base_url: str, mapping: OrderMapping | None = None, *, auth: str | None = None,
                 timeouts: HttpTimeouts | None = None, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._mapping = mapping or OrderMapping()
        self._timeouts = timeouts or HttpTimeouts()
        self._sleep = sleep
        self._clock = clock
        self.target = shown_url(base_url)
        self._client = httpx.Client(base_url=base_url.rstrip("/"), headers=auth_header(auth),
                                    follow_redirects=False)

    def lookup(self, order_number: str) -> OrderStatus:
        number = checked_number(order_number)
        path = self._mapping.path.replace("{number}", quote(number, safe=""))
        response = self._get_with_retries(path)
        if response.status_code == 404:
            raise OrderNotFoundError(f"no order {number}")
        if response.status_code != 200:
            raise OrderSourceUnavailableError(f"order system answered HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError as error:
            raise OrderSourceUnavailableError("order system sent a body that is not JSON") from error
        if not isinstance(body, dict):
            raise OrderDataError("order system sent JSON that is not an object")
        return self._order(body, number)

    def ping(self) -> None:
        """Raises `OrderSourceUnavailableError` unless the system answers at all (any status under 500)."""
        response = self._get_with_retries("/", retries=0)
        if response.status_code >= 500:
            raise OrderSourceUnavailableError(f"order system answered HTTP {response.status_code}")

    def close(self) -> None:
        self._client.close()

    def _order(self, body: dict[str, Any], number: str) -> OrderStatus:
        fields = self._mapping.fields
        values = {name: dotted(body, path) for name, path in fields.items() if name != "items"}
        raw_items = dotted(body, fields["items"])
        if raw_items is MISSING or raw_items is None:
            raw_items = []
        if not isinstance(raw_items, list) or not all(isinstance(item, dict) for item in raw_items):
            raise OrderDataError("order system sent items that are not a list of objects")
        items = [{name: _value(dotted(item, path)) for name, path in self._mapping.item_fields.items()}
                 for item in raw_items]
        return build_order(values, items, self._mapping, number)

    def _get_with_retries(self, path: str, retries: int | None = None) -> httpx.Response:
        timeouts = self._timeouts
        deadline = self._clock() + timeouts.budget_seconds
        attempts = 1 + (timeouts.retries if retries is None else retries)
        backoff = FIRST_BACKOFF_SECONDS
        last_problem = "no attempt made"
        for attempt in range(attempts):
            remaining = deadline - self._clock()
            if remaining <= 0.01:
                break
            timeout = httpx.Timeout(min(timeouts.read_seconds, remaining),
                                    connect=min(timeouts.connect_seconds, remaining))
            try:
                response = self._client.get(path, timeout=timeout)
            except httpx.TimeoutException:
                last_problem = "order system timed out"
            except httpx.TransportError as error:
                last_problem = f"order system unreachable ({type(error).__name__})"
            else:
                if response.status_code not in RETRIED_STATUSES:
                    return response
                last_problem = f"order system answered HTTP {response.status_code}"
            if attempt + 1 < attempts:
                pause = min(backoff, max(0.0, deadline - self._clock() - 0.05))
                logger.info("%s; retrying in %.2f s", last_problem, pause)
                if pause > 0:
                    self._sleep(pause)
                backoff *= 2
        raise OrderSourceUnavailableError(last_problem)


def _value(value: Any) -> Any:
    return None if value is MISSING else value
