"""Reading the Adaptive Cards the bot sent, in tests."""

from __future__ import annotations

from typing import Any

ADAPTIVE_CARD = "application/vnd.microsoft.card.adaptive"


def card_of(activity: dict[str, Any]) -> dict[str, Any]:
    """The Adaptive Card of a serialized message activity (fails when there is none)."""
    attachments = activity.get("attachments") or []
    assert len(attachments) == 1, f"expected one attachment, got {attachments!r}"
    assert attachments[0]["contentType"] == ADAPTIVE_CARD
    return attachments[0]["content"]


def texts(card: dict[str, Any]) -> list[str]:
    """The text of every TextBlock in the card's body, in order."""
    return [block["text"] for block in card["body"] if block.get("type") == "TextBlock"]


def source_lines(card: dict[str, Any]) -> list[str]:
    """The lines listed under the "Sources" heading."""
    lines = texts(card)
    if "Sources" not in lines:
        return []
    start = lines.index("Sources") + 1
    return [line for line in lines[start:] if not line.startswith("Answered in reduced mode")]


def submit_actions(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The card's Action.Submit buttons by title, each with its data."""
    return {a["title"]: a["data"] for a in card.get("actions", []) if a["type"] == "Action.Submit"}
