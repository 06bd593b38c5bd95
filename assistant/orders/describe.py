"""Turns an `OrderStatus` into the answer staff read (plain sentences) and the masked `OrderSummary` cards show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from urllib.parse import quote

from assistant.orders import wording as w
from assistant.orders.formatting import format_date, format_datetime, format_money
from assistant.orders.masking import MaskedCustomer
from assistant.orders.model import Fulfilment, OrderState, OrderStatus
from assistant.orders.summary import OrderFact, OrderSummary


def tracking_url(order: OrderStatus, templates: Mapping[str, str]) -> str | None:
    """The carrier's tracking page for this parcel, when a template (`https://.../{tracking}`) is known."""
    if not order.carrier or not order.tracking_number:
        return None
    template = templates.get(order.carrier.strip().lower())
    return template.replace("{tracking}", quote(order.tracking_number, safe="")) if template else None


class OrderDescriber:
    """Words an order in English or Italian; `tracking_urls` maps a carrier's name (any case) to a URL template."""

    def __init__(self, tracking_urls: Mapping[str, str] | None = None) -> None:
        self._tracking = {carrier.strip().lower(): url for carrier, url in (tracking_urls or {}).items()}

    def summary(self, order: OrderStatus, language: str) -> OrderSummary:
        language = language if language in w.LANGUAGES else "en"
        status_text = w.pick(w.STATUS_WORDS[order.status], language)
        total = format_money(order.total, language) if order.total else None
        advice = self.advice(order, language)
        summary = OrderSummary(
            order_number=order.order_number,
            status=order.status.value,
            status_text=status_text,
            language=language,
            updated_at=order.updated_at.isoformat() if order.updated_at else None,
            carrier=order.carrier,
            tracking_number=order.tracking_number,
            tracking_url=tracking_url(order, self._tracking),
            eta=order.eta.isoformat() if order.eta else None,
            fulfilment=order.fulfilment.value if order.fulfilment else None,
            collection_store=order.collection_store,
            collect_by=order.collect_by.isoformat() if order.collect_by else None,
            item_count=order.item_count,
            total=total,
            return_state=order.return_state.value if order.return_state else None,
            customer=MaskedCustomer.of(order.customer),
            next_step=advice,
            next_step_label=w.pick(w.LABELS["next"], language),
            tracking_label=w.pick(w.LABELS["track"], language),
        )
        return _with_facts(summary, order, language)

    def text(self, summary: OrderSummary, order: OrderStatus) -> str:
        """The answer in sentences: status, last change, carrier and tracking, dates, items and total, return,
        and what to tell the customer. The customer's data stays out of it (it is on the card, masked)."""
        language = summary.language
        lines = [w.pick(w.HEADLINE, language).format(number=order.order_number, status=summary.status_text)]
        details: list[str] = []
        if order.updated_at:
            details.append(w.pick(w.UPDATED, language).format(when=format_datetime(order.updated_at, language)))
        if order.carrier and order.tracking_number:
            details.append(w.pick(w.CARRIER_TRACKING, language).format(carrier=order.carrier,
                                                                       tracking=order.tracking_number))
        elif order.carrier:
            details.append(w.pick(w.CARRIER_ONLY, language).format(carrier=order.carrier))
        if order.fulfilment is Fulfilment.CLICK_AND_COLLECT and order.collection_store:
            if order.collect_by:
                details.append(w.pick(w.COLLECTION, language).format(
                    store=order.collection_store, date=format_date(order.collect_by, language)))
            else:
                details.append(w.pick(w.COLLECTION_STORE, language).format(store=order.collection_store))
        elif order.eta and order.status not in _FINISHED:
            table = w.NEW_ETA if order.status is OrderState.DELAYED else w.ETA
            details.append(w.pick(table, language).format(date=format_date(order.eta, language)))
        if order.items:
            noun = w.item_noun(order.item_count, language)
            if summary.total:
                details.append(w.pick(w.ITEMS_TOTAL, language).format(count=order.item_count, noun=noun,
                                                                      total=summary.total))
            else:
                details.append(w.pick(w.ITEMS_ONLY, language).format(count=order.item_count, noun=noun))
        if order.return_state:
            details.append(w.pick(w.RETURN, language).format(state=w.pick(w.RETURN_WORDS[order.return_state],
                                                                          language)))
        if details:
            lines.append(" ".join(details))
        if summary.next_step:
            lines.append(w.pick(w.NEXT, language).format(advice=summary.next_step))
        if not summary.customer.empty:
            lines.append(f"_{w.pick(w.SECURITY, language)}_")
        return "\n\n".join(lines)

    @staticmethod
    def advice(order: OrderStatus, language: str) -> str:
        """What to tell the customer next, with the order's own store and dates filled in."""
        day = order.collect_by if order.status is OrderState.READY_FOR_COLLECTION else order.eta
        date = format_date(day, language) if day else w.pick(w.SOON, language)
        store = order.collection_store or w.pick(w.THE_STORE, language)
        advice = w.pick(w.ADVICE[order.status], language).format(date=date, store=store)
        return advice[:1].upper() + advice[1:]


_FINISHED = frozenset({OrderState.DELIVERED, OrderState.CANCELLED, OrderState.RETURNED, OrderState.REFUNDED})


def _with_facts(summary: OrderSummary, order: OrderStatus, language: str) -> OrderSummary:
    def label(key: str) -> str:
        return w.pick(w.LABELS[key], language)

    facts = [OrderFact(label("status"), summary.status_text)]
    if order.updated_at:
        facts.append(OrderFact(label("updated"), format_datetime(order.updated_at, language)))
    if order.fulfilment:
        facts.append(OrderFact(label("fulfilment"), w.pick(w.FULFILMENT_WORDS[order.fulfilment], language)))
    if order.carrier:
        facts.append(OrderFact(label("carrier"), order.carrier))
    if order.tracking_number:
        facts.append(OrderFact(label("tracking"), order.tracking_number))
    if order.fulfilment is Fulfilment.CLICK_AND_COLLECT and order.collection_store:
        facts.append(OrderFact(label("collect_at"), order.collection_store))
        if order.collect_by:
            facts.append(OrderFact(label("collect_by"), format_date(order.collect_by, language)))
    elif order.eta and order.status not in _FINISHED:
        facts.append(OrderFact(label("eta"), format_date(order.eta, language)))
    if order.items:
        facts.append(OrderFact(label("items"), str(order.item_count)))
    if summary.total:
        facts.append(OrderFact(label("total"), summary.total))
    if order.return_state:
        facts.append(OrderFact(label("return"), w.pick(w.RETURN_WORDS[order.return_state], language)))
    customer = summary.customer
    if not customer.empty:
        shown = ", ".join(part for part in (customer.initials, customer.email, customer.phone) if part)
        facts.append(OrderFact(label("customer"), shown))
    return replace(summary, facts=tuple(facts))
