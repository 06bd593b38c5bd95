"""What an order is, in our own words, whatever the system of record calls things."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class OrderState(StrEnum):
    """The fixed vocabulary of order statuses; a source maps its own words onto these."""

    PLACED = "placed"
    PAID = "paid"
    PICKING = "picking"
    READY_FOR_COLLECTION = "ready_for_collection"
    SHIPPED = "shipped"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    DELAYED = "delayed"
    CANCELLED = "cancelled"
    RETURNED = "returned"
    REFUNDED = "refunded"


class Fulfilment(StrEnum):
    """How the customer gets the order."""

    HOME_DELIVERY = "home_delivery"
    CLICK_AND_COLLECT = "click_and_collect"


class ReturnState(StrEnum):
    """Where a return or refund stands, when there is one."""

    RETURN_REQUESTED = "return_requested"
    RETURN_RECEIVED = "return_received"
    REFUND_PENDING = "refund_pending"
    REFUNDED = "refunded"


@dataclass(frozen=True)
class OrderItem:
    """One order line."""

    sku: str
    name: str
    quantity: int = 1


@dataclass(frozen=True)
class Money:
    """An amount in a currency (ISO 4217 code, e.g. GBP, EUR)."""

    amount: Decimal
    currency: str


@dataclass(frozen=True)
class Customer:
    """The customer's personal data as the system of record holds it: never shown or stored as it is."""

    name: str | None = None
    email: str | None = None
    phone: str | None = None

    def __repr__(self) -> str:  # a log line or a traceback must not carry it either
        return "Customer(<personal data>)"


@dataclass(frozen=True)
class OrderStatus:
    """What the order system says about one order."""

    order_number: str
    status: OrderState
    updated_at: dt.datetime | None = None
    carrier: str | None = None
    tracking_number: str | None = None
    eta: dt.date | None = None
    fulfilment: Fulfilment | None = None
    collection_store: str | None = None
    collect_by: dt.date | None = None
    items: tuple[OrderItem, ...] = ()
    total: Money | None = None
    customer: Customer = field(default_factory=Customer)
    return_state: ReturnState | None = None

    @property
    def item_count(self) -> int:
        """Number of articles (the sum of the lines' quantities)."""
        return sum(max(item.quantity, 0) for item in self.items)
