"""Helpers to read the Block Kit messages the stand-in recorded."""

from __future__ import annotations

import json
from typing import Any


def blocks_of(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The blocks of a recorded message (JSON bodies carry a list, form bodies a JSON string)."""
    blocks = body.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks


def buttons_of(body: dict[str, Any]) -> dict[str, str]:
    """action_id -> value of every button in the message."""
    return {
        element["action_id"]: element.get("value", "")
        for block in blocks_of(body)
        if block["type"] == "actions"
        for element in block["elements"]
    }


def sources_of(body: dict[str, Any]) -> list[str]:
    """The source lines of the message (after the "Sources:" label)."""
    for block in blocks_of(body):
        if block.get("block_id") == "answer_sources":
            return [element["text"] for element in block["elements"][1:]]
    return []


def all_text(body: dict[str, Any]) -> str:
    """Every piece of text in the message, joined (for `in` checks)."""
    return json.dumps(blocks_of(body)) + " " + str(body.get("text", ""))
