"""Adaptive Card parts for a found order: status, a FactSet of dates and carrier, the next step, a tracking link."""

from __future__ import annotations

from typing import Any

from assistant.orders.summary import OrderSummary


def order_card_body(order: OrderSummary) -> list[dict[str, Any]]:
    """The body elements of one order (the customer's data already masked)."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": f"{order.order_number} · {order.status_text}", "weight": "Bolder",
         "size": "Medium", "wrap": True, "spacing": "Medium", "separator": True},
        {"type": "FactSet", "facts": [{"title": fact.label, "value": fact.value} for fact in order.facts[1:]]},
    ]
    if order.next_step:
        body.append({"type": "TextBlock", "text": f"**{order.next_step_label}:** {order.next_step}", "wrap": True})
    if order.tracking_url:
        body.append({"type": "ActionSet", "actions": [
            {"type": "Action.OpenUrl", "title": order.tracking_label, "url": order.tracking_url}]})
    return body
