"""Block Kit for a found order: a compact card (status, dates, carrier, a tracking link), already masked."""

from __future__ import annotations

from typing import Any

from assistant.orders.summary import OrderSummary
from connectors.channels.slack.text import escape

Block = dict[str, Any]

MAX_FIELDS = 10  # Block Kit's limit per section
TRACK_ACTION_PREFIX = "track_"
"""A link button still sends Slack an action; the bot acknowledges those (the browser opens the link)."""


def order_blocks(order: OrderSummary) -> list[Block]:
    """One order: its number and status, its facts two by two, what to tell the customer, the tracking link."""
    facts = [fact for fact in order.facts][1:]  # the first is the status, already in the heading
    blocks: list[Block] = [
        {"type": "section", "block_id": f"order_{order.order_number}",
         "text": {"type": "mrkdwn", "text": f":package: *{escape(order.order_number)}* · {escape(order.status_text)}"}},
    ]
    for start in range(0, len(facts), MAX_FIELDS):
        blocks.append({"type": "section", "fields": [
            {"type": "mrkdwn", "text": f"*{escape(fact.label)}*\n{escape(fact.value)}"}
            for fact in facts[start:start + MAX_FIELDS]
        ]})
    if order.next_step:
        blocks.append({"type": "section", "text": {
            "type": "mrkdwn", "text": f"*{escape(order.next_step_label)}:* {escape(order.next_step)}"}})
    if order.tracking_url:
        blocks.append({"type": "actions", "elements": [{
            "type": "button", "text": {"type": "plain_text", "text": order.tracking_label},
            "url": order.tracking_url, "action_id": f"{TRACK_ACTION_PREFIX}{order.order_number}",
        }]})
    return blocks
