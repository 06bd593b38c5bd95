"""The why line in Slack: its own context block between the answer and the sources, only when there is one."""

from __future__ import annotations

from assistant.models import Answer, Citation, Route
from connectors.channels.slack import blocks

WHY = "Straight talk: We say what we know & admit what we do not."


def answer(why: str | None) -> Answer:
    return Answer(text="Orders can be cancelled while they are Received.", route=Route.KNOWLEDGE, confidence=0.8,
                  citations=[Citation("Order status", "en/orders/order-status.md", "Cancelling", 0.8)],
                  answer_id="a-1", why=why)


def test_the_why_line_is_a_context_block_before_the_sources() -> None:
    rendered = blocks.answer_blocks(answer(WHY), key="a-1")
    ids = [block.get("block_id") for block in rendered]
    assert ids.index(blocks.WHY_BLOCK_ID) == ids.index("answer_sources") - 1
    [why] = [block for block in rendered if block.get("block_id") == blocks.WHY_BLOCK_ID]
    assert why["type"] == "context"
    assert why["elements"] == [{"type": "mrkdwn", "text": ":seedling: *Why:* Straight talk: We say what we know "
                                                          "&amp; admit what we do not."}]


def test_no_why_block_without_a_why_line() -> None:
    rendered = blocks.answer_blocks(answer(None), key="a-1")
    assert all(block.get("block_id") != blocks.WHY_BLOCK_ID for block in rendered)
    assert "Why" not in str(rendered)
