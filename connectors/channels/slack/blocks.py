"""Block Kit rendering of answers, feedback acknowledgements and hand-off requests."""

from __future__ import annotations

from typing import Any

from assistant.insights.notices import Notice
from assistant.models import Answer, Citation, OrderOutcome
from connectors.channels.slack.order_blocks import order_blocks
from connectors.channels.slack.text import escape, markdown_to_mrkdwn, split_for_blocks

Block = dict[str, Any]

HELPFUL = "feedback_helpful"
NOT_HELPFUL = "feedback_not_helpful"
ASK_PERSON = "ask_person"
SHARE = "share_answer"
NOTIFY = "notify_when_answered"
ACTIONS_BLOCK_ID = "answer_actions"
STATUS_BLOCK_ID = "answer_status"
WHY_BLOCK_ID = "answer_why"

MAX_SOURCES = 5
FALLBACK_TEXT_LIMIT = 3000


def fallback_text(text: str) -> str:
    """The plain `text` sent alongside blocks (notifications, screen readers)."""
    return escape(text if len(text) <= FALLBACK_TEXT_LIMIT else text[: FALLBACK_TEXT_LIMIT - 1] + "…")


def source_label(citation: Citation) -> str:
    """`title › section`, or just the title when the section is empty or repeats it; a page in another language
    than the question's ends with its language (`(EN)`)."""
    tag = f" ({citation.language.upper()})" if citation.language else ""
    if citation.section and citation.section != citation.title:
        return f"{citation.title} › {citation.section}{tag}"
    return f"{citation.title}{tag}"


def source_blocks(citations: list[Citation], heading: str) -> list[Block]:
    """A context block listing up to `MAX_SOURCES` distinct sources (links when they have a URL); none when empty."""
    elements: list[Block] = [{"type": "mrkdwn", "text": f"*{heading}:*"}]
    seen: set[tuple[str, str]] = set()
    for citation in citations:
        key = (citation.path, citation.section)
        if key in seen:
            continue
        seen.add(key)
        label = escape(source_label(citation))
        text = f"<{citation.url}|{label}>" if citation.url else label
        elements.append({"type": "mrkdwn", "text": text})
        if len(elements) > MAX_SOURCES:
            break
    return (
        [{"type": "context", "block_id": "answer_sources", "elements": elements}] if len(elements) > 1 else []
    )


def _button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def answer_blocks(
    answer: Answer, *, key: str, shareable: bool = False, note: str | None = None
) -> list[Block]:
    """The blocks of an answer: text, follow-up, why line, sources, notes and the buttons.

    `key` is the value the "Ask a person" and "Share" buttons carry to find the answer again
    (the answer id, or a local key when the core gave none); "Helpful" and "Not helpful" carry
    the answer id itself and are left out when there is none. `shareable` adds "Share in channel"
    (for ephemeral `/ask` replies); `note` adds a context line (e.g. who shared it). A gap gets "Tell me when
    answered", carrying the answer id.
    """
    blocks: list[Block] = []
    if answer.outcome is not OrderOutcome.FOUND:  # every order found: the cards say it all, the text is the fallback
        blocks.extend({"type": "section", "text": {"type": "mrkdwn", "text": piece}}
                      for piece in split_for_blocks(markdown_to_mrkdwn(answer.text) or "_(no answer text)_"))
    for order in answer.orders:
        if blocks:
            blocks.append({"type": "divider"})
        blocks.extend(order_blocks(order))
    if answer.why:
        blocks.append(_context(f":seedling: *Why:* {escape(answer.why)}", block_id=WHY_BLOCK_ID))
    blocks.extend(source_blocks(answer.citations, answer.citations_heading))
    if answer.degraded:
        blocks.append(
            _context(":warning: Some of my usual checks are offline, so this answer may be less precise.")
        )
    if note:
        blocks.append(_context(note))
    buttons: list[Block] = []
    if answer.answer_id:
        buttons.append(_button(":thumbsup: Helpful", HELPFUL, answer.answer_id))
        buttons.append(_button(":thumbsdown: Not helpful", NOT_HELPFUL, answer.answer_id))
    buttons.append(_button(":raising_hand: Ask a person", ASK_PERSON, key))
    if answer.gap and answer.answer_id:
        buttons.append(_button(":bell: Tell me when answered", NOTIFY, answer.answer_id))
    if shareable:
        buttons.append(_button("Share in channel", SHARE, key, style="primary"))
    blocks.append({"type": "actions", "block_id": ACTIONS_BLOCK_ID, "elements": buttons})
    return blocks


def _context(text: str, block_id: str | None = None) -> Block:
    block: Block = {"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}
    if block_id:
        block["block_id"] = block_id
    return block


def acknowledge_feedback(blocks: list[Block], *, helpful: bool, user_id: str, key: str) -> list[Block]:
    """`blocks` with the buttons replaced by a thank-you; after "Not helpful", "Ask a person" stays."""
    kept = [b for b in blocks if b.get("block_id") not in (ACTIONS_BLOCK_ID, STATUS_BLOCK_ID)]
    if helpful:
        status = f":thumbsup: Thanks for the feedback, <@{user_id}>!"
    else:
        status = (
            f":memo: Thanks for the feedback, <@{user_id}>. I've noted that this didn't help, "
            "so the team can improve it."
        )
    kept.append(
        {"type": "context", "block_id": STATUS_BLOCK_ID, "elements": [{"type": "mrkdwn", "text": status}]}
    )
    if not helpful:
        kept.append(
            {
                "type": "actions",
                "block_id": ACTIONS_BLOCK_ID,
                "elements": [_button(":raising_hand: Ask a person", ASK_PERSON, key)],
            }
        )
    return kept


def handoff_blocks(
    *,
    question: str | None,
    answer_text: str | None,
    requested_by: str,
    asker_id: str | None,
    channel_id: str | None,
    permalink: str | None,
) -> tuple[str, list[Block]]:
    """The text and blocks posted to the hand-off channel when someone asks for a person.

    `requested_by` clicked "Ask a person"; `asker_id` asked the question, when known and different.
    """
    where = f" in <#{channel_id}>" if channel_id else ""
    headline = f":raising_hand: <@{requested_by}> would like a person to help{where}."
    if asker_id and asker_id != requested_by:
        headline += f" The question was asked by <@{asker_id}>."
    blocks: list[Block] = [{"type": "section", "text": {"type": "mrkdwn", "text": headline}}]
    quoted = escape(question) if question else "_(the question is no longer in memory; see the thread)_"
    blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": f"*Question:*\n>{quoted}"}})
    if answer_text:
        short = answer_text if len(answer_text) <= 500 else answer_text[:499] + "…"
        blocks.append(_context(f"The assistant answered: {escape(short)}"))
    if permalink:
        link = f"<{permalink}|Open the conversation>"
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": link}})
    text = f"{headline} Question: {escape(question) if question else '(see the thread)'}"
    return text, blocks


def notice_blocks(notice: Notice) -> tuple[str, list[Block]]:
    """The text and blocks of a "there is an answer now" notice: what was asked, the answer and its sources."""
    blocks: list[Block] = [{"type": "section", "text": {"type": "mrkdwn", "text": f":bell: {escape(notice.heading)}"}}]
    if notice.answered:
        blocks.extend({"type": "section", "text": {"type": "mrkdwn", "text": piece}}
                      for piece in split_for_blocks(markdown_to_mrkdwn(notice.text)))
        blocks.extend(source_blocks(list(notice.citations), "Sources"))
    text = notice.heading + (f" {notice.text}" if notice.answered else "")
    return fallback_text(text), blocks
