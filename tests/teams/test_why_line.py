"""The why line in Teams: a subtle, small TextBlock after the answer, only when there is one."""

from __future__ import annotations

from assistant.models import Answer, Route
from connectors.channels.teams import answer_card

WHY = "Rooted in care: We look after customers, colleagues and living stock as if they were our own."


def card(why: str | None) -> dict:
    return answer_card(Answer(text="Never lift more than 25 kg alone.", route=Route.KNOWLEDGE, confidence=0.9,
                              answer_id="a-1", why=why))


def test_the_why_line_is_a_subtle_text_block_after_the_answer() -> None:
    body = card(WHY)["body"]
    assert body[0]["text"] == "Never lift more than 25 kg alone."
    assert body[1] == {"type": "TextBlock", "text": f"Why: {WHY}", "wrap": True, "isSubtle": True, "size": "Small",
                       "spacing": "Small"}


def test_no_why_block_without_a_why_line() -> None:
    assert not any(block.get("text", "").startswith("Why:") for block in card(None)["body"])
