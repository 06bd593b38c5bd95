"""Their raw values, found through the mapping, read as our `OrderStatus` (dates, money, vocabularies, items)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from assistant.errors import OrderSourceUnavailableError
from assistant.orders.model import Customer, Money, OrderItem, OrderStatus
from connectors.sources.orders.mapping import OrderMapping, UnknownWordError

MISSING = object()


class OrderDataError(OrderSourceUnavailableError):
    """The order system answered, but with data that cannot be read as an order (a missing status, a bad date, a
    status word the mapping does not know)."""


def dotted(document: object, path: str) -> Any:
    """The value at `a.b.0.c` in nested dicts and lists, or `MISSING`."""
    current = document
    for part in path.split("."):
        if isinstance(current, Mapping) and part in current:
            current = current[part]
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return MISSING
    return current


def build_order(values: Mapping[str, Any], items: Iterable[Mapping[str, Any]], mapping: OrderMapping,
                asked_number: str) -> OrderStatus:
    """The order from `values` (our field name -> their raw value, absent or None when they have none) and its
    item lines (our item field -> raw value). Raises `OrderDataError` for anything unreadable."""
    try:
        status = values.get("status")
        if status in (None, MISSING, ""):
            raise OrderDataError("the order system sent no status")
        total = _money(_get(values, "total.amount"), _get(values, "total.currency"))
        return OrderStatus(
            order_number=str(_get(values, "id") or asked_number).upper(),
            status=mapping.status(status),
            updated_at=_datetime(_get(values, "updated_at")),
            carrier=_text(_get(values, "carrier")),
            tracking_number=_text(_get(values, "tracking_number")),
            eta=_date(_get(values, "eta")),
            fulfilment=mapping.fulfilment(fulfilment) if (fulfilment := _get(values, "fulfilment")) else None,
            collection_store=_text(_get(values, "collection_store")),
            collect_by=_date(_get(values, "collect_by")),
            items=tuple(_item(item) for item in items),
            total=total,
            customer=Customer(_text(_get(values, "customer.name")), _text(_get(values, "customer.email")),
                              _text(_get(values, "customer.phone"))),
            return_state=mapping.return_state(state) if (state := _get(values, "return_state")) else None,
        )
    except UnknownWordError as error:
        raise OrderDataError(str(error)) from error
    except (ValueError, TypeError, InvalidOperation) as error:
        raise OrderDataError(f"the order system sent a value that cannot be read: {error}") from error


def _get(values: Mapping[str, Any], name: str) -> Any:
    value = values.get(name)
    return None if value is MISSING else value


def _text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dict | list):
        raise TypeError(f"expected text, got {type(value).__name__}")
    return str(value)


def _datetime(value: Any) -> dt.datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    return dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value)
    return dt.date.fromisoformat(text) if len(text) == 10 else _datetime(text).date()  # type: ignore[union-attr]


def _money(amount: Any, currency: Any) -> Money | None:
    if amount is None or amount == "" or not currency:
        return None
    if isinstance(amount, bool) or not isinstance(amount, int | float | str | Decimal):
        raise TypeError(f"expected an amount, got {type(amount).__name__}")
    return Money(Decimal(str(amount)), str(currency).upper()[:3])


def _item(raw: Mapping[str, Any]) -> OrderItem:
    quantity = raw.get("quantity")
    return OrderItem(sku=str(raw.get("sku") or ""), name=str(raw.get("name") or ""),
                     quantity=int(quantity) if quantity not in (None, "") else 1)
