"""Adaptive Cards the Teams bot sends, and the data their buttons submit back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.models import Answer, Citation

ADAPTIVE_CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
# 1.5 renders in Teams desktop, web and mobile.
ADAPTIVE_CARD_VERSION = "1.5"
FEEDBACK_ACTION = "feedback"
MAX_SOURCES = 5
DEGRADED_NOTE = "Answered in reduced mode: some of the assistant's services are unavailable."


def _source_label(citation: Citation) -> str:
    label = f"{citation.title} › {citation.section}" if citation.section else citation.title
    # Square brackets would end a Markdown link early; the label is display text only.
    return label.replace("[", "(").replace("]", ")")


def _source_line(citation: Citation) -> str:
    label = _source_label(citation)
    if citation.url:
        return f"[{label}]({citation.url.replace(')', '%29').replace(' ', '%20')})"
    return label


def _unique_sources(citations: list[Citation]) -> list[Citation]:
    seen: set[tuple[str, str, str | None]] = set()
    unique: list[Citation] = []
    for citation in citations:
        key = (citation.title, citation.section, citation.url)
        if key not in seen:
            seen.add(key)
            unique.append(citation)
    return unique[:MAX_SOURCES]


def feedback_data(answer_id: str, helpful: bool) -> dict[str, Any]:
    """The `data` of a feedback button: what arrives back as the message activity's `value`."""
    return {"action": FEEDBACK_ACTION, "answer_id": answer_id, "helpful": helpful}


def answer_card(answer: Answer) -> dict[str, Any]:
    """An Adaptive Card for an answer: the text, its sources (as links when they have a URL), and
    Helpful / Not helpful buttons when the answer has an id feedback can refer to."""
    body: list[dict[str, Any]] = [{"type": "TextBlock", "text": answer.text, "wrap": True}]
    if answer.follow_up:
        body.append({"type": "TextBlock", "text": answer.follow_up, "wrap": True, "spacing": "Small"})
    sources = _unique_sources(answer.citations)
    if sources:
        body.append(
            {
                "type": "TextBlock",
                "text": answer.citations_heading,
                "weight": "Bolder",
                "size": "Small",
                "spacing": "Medium",
                "separator": True,
            }
        )
        body.extend(
            {"type": "TextBlock", "text": _source_line(citation), "wrap": True, "spacing": "Small"}
            for citation in sources
        )
    if answer.degraded:
        body.append(
            {"type": "TextBlock", "text": DEGRADED_NOTE, "wrap": True, "isSubtle": True, "size": "Small"}
        )
    card: dict[str, Any] = {
        "type": "AdaptiveCard",
        "$schema": ADAPTIVE_CARD_SCHEMA,
        "version": ADAPTIVE_CARD_VERSION,
        "body": body,
    }
    if answer.answer_id:
        card["actions"] = [
            {"type": "Action.Submit", "title": "Helpful", "data": feedback_data(answer.answer_id, True)},
            {
                "type": "Action.Submit",
                "title": "Not helpful",
                "data": feedback_data(answer.answer_id, False),
            },
        ]
    return card


@dataclass(frozen=True)
class FeedbackSubmission:
    """A press of a feedback button, as read from a message activity's `value`."""

    answer_id: str
    helpful: bool
    comment: str | None = None


def _as_bool(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    return None


def parse_feedback(value: object) -> FeedbackSubmission | None:
    """Read a feedback submission from an activity's `value`; None when it is not a valid one."""
    if not isinstance(value, dict) or value.get("action") != FEEDBACK_ACTION:
        return None
    answer_id = value.get("answer_id")
    helpful = _as_bool(value.get("helpful"))
    if not isinstance(answer_id, str) or not answer_id.strip() or helpful is None:
        return None
    comment = value.get("comment")
    comment = comment.strip() if isinstance(comment, str) and comment.strip() else None
    return FeedbackSubmission(answer_id=answer_id.strip(), helpful=helpful, comment=comment)
