"""Adaptive Cards the Teams bot sends, and the data their buttons submit back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from assistant.insights.notices import Notice
from assistant.models import Answer, Citation, OrderOutcome
from connectors.channels.teams.order_cards import order_card_body

ADAPTIVE_CARD_SCHEMA = "http://adaptivecards.io/schemas/adaptive-card.json"
# 1.5 renders in Teams desktop, web and mobile.
ADAPTIVE_CARD_VERSION = "1.5"
FEEDBACK_ACTION = "feedback"
HANDOFF_ACTION = "handoff"
NOTIFY_ACTION = "notify"
ASK_PERSON_TITLE = "Ask a person"
NOTIFY_TITLE = "Tell me when answered"
MAX_SOURCES = 5
DEGRADED_NOTE = "Answered in reduced mode: some of the assistant's services are unavailable."


def _source_label(citation: Citation) -> str:
    label = f"{citation.title} › {citation.section}" if citation.section else citation.title
    if citation.language:  # a page in another language than the question's
        label += f" ({citation.language.upper()})"
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


def answer_action_data(action: str, answer_id: str) -> dict[str, Any]:
    """The `data` of an "Ask a person" or "Tell me when answered" button."""
    return {"action": action, "answer_id": answer_id}


def _sources_blocks(citations: list[Citation], heading: str) -> list[dict[str, Any]]:
    sources = _unique_sources(citations)
    if not sources:
        return []
    return [
        {"type": "TextBlock", "text": heading, "weight": "Bolder", "size": "Small", "spacing": "Medium",
         "separator": True},
        *({"type": "TextBlock", "text": _source_line(citation), "wrap": True, "spacing": "Small"}
          for citation in sources),
    ]


def answer_card(answer: Answer) -> dict[str, Any]:
    """An Adaptive Card for an answer: the text, its why line (subtle), its sources (as links when they have a
    URL), and, when the answer has an id to refer to, Helpful / Not helpful, Ask a person and, for a gap, Tell me
    when answered."""
    body: list[dict[str, Any]] = []
    if answer.outcome is not OrderOutcome.FOUND:  # every order found: its card says it all
        body.append({"type": "TextBlock", "text": answer.text, "wrap": True})
    for order in answer.orders:
        body.extend(order_card_body(order))
    if answer.why:
        body.append({"type": "TextBlock", "text": f"Why: {answer.why}", "wrap": True, "isSubtle": True,
                     "size": "Small", "spacing": "Small"})
    body.extend(_sources_blocks(answer.citations, answer.citations_heading))
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
            {"type": "Action.Submit", "title": ASK_PERSON_TITLE,
             "data": answer_action_data(HANDOFF_ACTION, answer.answer_id)},
        ]
        if answer.gap:
            card["actions"].append({"type": "Action.Submit", "title": NOTIFY_TITLE,
                                    "data": answer_action_data(NOTIFY_ACTION, answer.answer_id)})
    return card


def notice_card(notice: Notice) -> dict[str, Any]:
    """The card of a "there is an answer now" notice: what was asked, the answer and its sources."""
    body: list[dict[str, Any]] = [{"type": "TextBlock", "text": notice.heading, "wrap": True, "weight": "Bolder"}]
    if notice.answered:
        body.append({"type": "TextBlock", "text": notice.text, "wrap": True})
        body.extend(_sources_blocks(list(notice.citations), "Sources"))
    return {"type": "AdaptiveCard", "$schema": ADAPTIVE_CARD_SCHEMA, "version": ADAPTIVE_CARD_VERSION, "body": body}


def handoff_card(*, question: str | None, requested_by: str, answer_text: str | None,
                 conversation_link: str | None) -> dict[str, Any]:
    """The card posted to the hand-off conversation: who would like a person, the question as stored (redacted),
    what the assistant said, and a link back to the conversation when Teams has one for it."""
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": f"{requested_by} would like a person to help.", "wrap": True,
         "weight": "Bolder"},
        {"type": "TextBlock", "text": "Question", "size": "Small", "weight": "Bolder", "spacing": "Medium"},
        {"type": "TextBlock", "text": question or "(the question is no longer available; see the conversation)",
         "wrap": True},
    ]
    if answer_text:
        short = answer_text if len(answer_text) <= 500 else answer_text[:499] + "…"
        body.append({"type": "TextBlock", "text": f"The assistant answered: {short}", "wrap": True,
                     "isSubtle": True, "size": "Small"})
    card: dict[str, Any] = {"type": "AdaptiveCard", "$schema": ADAPTIVE_CARD_SCHEMA,
                            "version": ADAPTIVE_CARD_VERSION, "body": body}
    if conversation_link:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open the conversation", "url": conversation_link}]
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


@dataclass(frozen=True)
class AnswerAction:
    """A press of "Ask a person" (`handoff`) or "Tell me when answered" (`notify`) under an answer."""

    action: str
    answer_id: str


def parse_answer_action(value: object) -> AnswerAction | None:
    """Read an answer button's submission from an activity's `value`; None when it is not one."""
    if not isinstance(value, dict) or value.get("action") not in (HANDOFF_ACTION, NOTIFY_ACTION):
        return None
    answer_id = value.get("answer_id")
    if not isinstance(answer_id, str) or not answer_id.strip():
        return None
    return AnswerAction(action=str(value["action"]), answer_id=answer_id.strip())
