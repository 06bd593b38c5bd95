"""Order status: looks an order up in the system of record and says where it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from assistant.errors import OrderNotFoundError, OrderSourceUnavailableError


@dataclass(frozen=True)
class OrderStatus:
    """What the order system says about one order."""

    order_number: str
    status: str
    updated_at: str | None = None
    estimated_delivery: str | None = None
    fulfilment: str | None = None


class OrderSource(Protocol):
    """A system of record for orders (today an HTTP service, `connectors/sources/orders/`).

    Raises `OrderNotFoundError` for an unknown number and `OrderSourceUnavailableError` when it cannot be reached.
    """

    def lookup(self, order_number: str) -> OrderStatus: ...


ASK_NUMBER = {
    "en": "Which order? Please send the order number (it looks like ORD-20481736).",
    "it": "Quale ordine? Inviami il numero d'ordine (ha questo formato: ORD-20481736).",
}
NOT_CONNECTED = {
    "en": "I can't look orders up here: no order system is connected. Please check {number} in the order system.",
    "it": "Qui non posso cercare gli ordini: nessun sistema ordini è collegato. Controlla {number} nel sistema ordini.",
}
NOT_FOUND = {
    "en": "I couldn't find an order {number}. Please check the number with the customer (format ORD-20481736).",
    "it": "Non trovo l'ordine {number}. Verifica il numero con il cliente (formato ORD-20481736).",
}
UNAVAILABLE = {
    "en": "The order system isn't answering right now, so I can't check {number}. Please try again in a minute.",
    "it": "Il sistema ordini non risponde in questo momento: non posso controllare {number}. Riprova tra un minuto.",
}
STATUS = {
    "en": "Order {number}: {status}.",
    "it": "Ordine {number}: {status}.",
}
DELIVERY = {"en": " Estimated delivery: {date}.", "it": " Consegna prevista: {date}."}
UPDATED = {"en": " Last update: {date}.", "it": " Ultimo aggiornamento: {date}."}


@dataclass(frozen=True)
class OrderReply:
    text: str
    found: bool


class OrdersSkill:
    """Answers order-status questions from an `OrderSource` (or says honestly that none is connected)."""

    def __init__(self, source: OrderSource | None) -> None:
        self._source = source

    @staticmethod
    def ask_for_number(language: str) -> str:
        return ASK_NUMBER.get(language, ASK_NUMBER["en"])

    def status(self, order_number: str, language: str) -> OrderReply:
        language = language if language in STATUS else "en"
        if self._source is None:
            return OrderReply(NOT_CONNECTED[language].format(number=order_number), found=False)
        try:
            order = self._source.lookup(order_number)
        except OrderNotFoundError:
            return OrderReply(NOT_FOUND[language].format(number=order_number), found=False)
        except OrderSourceUnavailableError:
            return OrderReply(UNAVAILABLE[language].format(number=order_number), found=False)
        text = STATUS[language].format(number=order.order_number, status=order.status)
        if order.estimated_delivery:
            text += DELIVERY[language].format(date=order.estimated_delivery)
        if order.updated_at:
            text += UPDATED[language].format(date=order.updated_at)
        return OrderReply(text, found=True)
