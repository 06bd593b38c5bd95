"""Teams-shaped Bot Framework activities (as JSON dicts), as the Bot Framework service posts them."""

from __future__ import annotations

import itertools
from typing import Any

BOT_ID = "28:verdello-assistant-bot"
BOT_NAME = "Verdello Assistant"
USER_ID = "29:1a2b3c-user"
USER_AAD_ID = "6f1c2d3e-aaaa-bbbb-cccc-0123456789ab"
TENANT_ID = "72f988bf-0000-0000-0000-2d7cd011db47"
PERSONAL_CONVERSATION_ID = "a:1personal-chat-with-the-assistant"
CHANNEL_CONVERSATION_ID = "19:general-channel@thread.tacv2"
QUESTION = "How long do customers have to return an item?"

_ids = itertools.count(1_700_000_000_001)


def next_id() -> str:
    return str(next(_ids))


def _base(service_url: str, conversation: dict[str, Any], **fields: Any) -> dict[str, Any]:
    activity: dict[str, Any] = {
        "id": next_id(),
        "timestamp": "2025-03-03T10:15:00.000Z",
        "channelId": "msteams",
        "serviceUrl": service_url,
        "from": {"id": USER_ID, "name": "Sam Rivera", "aadObjectId": USER_AAD_ID},
        "recipient": {"id": BOT_ID, "name": BOT_NAME},
        "conversation": conversation,
        "channelData": {"tenant": {"id": TENANT_ID}},
        "locale": "en-GB",
    }
    activity.update(fields)
    return activity


def personal_conversation() -> dict[str, Any]:
    return {"id": PERSONAL_CONVERSATION_ID, "conversationType": "personal", "tenantId": TENANT_ID}


def channel_thread(thread_root_id: str) -> dict[str, Any]:
    return {
        "id": f"{CHANNEL_CONVERSATION_ID};messageid={thread_root_id}",
        "conversationType": "channel",
        "isGroup": True,
        "tenantId": TENANT_ID,
    }


def personal_message(service_url: str, text: str = QUESTION) -> dict[str, Any]:
    """A message in a one-to-one chat with the bot."""
    return _base(service_url, personal_conversation(), type="message", text=text, textFormat="plain")


def mention_entity() -> dict[str, Any]:
    return {
        "type": "mention",
        "text": f"<at>{BOT_NAME}</at>",
        "mentioned": {"id": BOT_ID, "name": BOT_NAME},
    }


def channel_message(
    service_url: str, question: str = QUESTION, thread_root_id: str = "1700000000000"
) -> dict:
    """A reply in a channel thread that @mentions the bot (Teams puts the `<at>` tag in the text)."""
    return _base(
        service_url,
        channel_thread(thread_root_id),
        type="message",
        text=f"<at>{BOT_NAME}</at> {question}",
        textFormat="plain",
        entities=[mention_entity(), {"type": "clientInfo", "locale": "en-GB", "platform": "Web"}],
        channelData={
            "tenant": {"id": TENANT_ID},
            "team": {"id": "19:team@thread.tacv2"},
            "channel": {"id": CHANNEL_CONVERSATION_ID},
        },
    )


def card_submission(
    service_url: str, value: dict[str, Any], reply_to_id: str | None = None
) -> dict[str, Any]:
    """What Teams sends when an Action.Submit button is pressed: a message with `value`, no text."""
    activity = _base(service_url, personal_conversation(), type="message", value=value)
    if reply_to_id:
        activity["replyToId"] = reply_to_id
    return activity


def members_added(service_url: str, *member_ids: str, conversation: dict[str, Any] | None = None) -> dict:
    """A conversationUpdate announcing new members (the bot's own id when it is installed)."""
    return _base(
        service_url,
        conversation or personal_conversation(),
        type="conversationUpdate",
        membersAdded=[{"id": member_id} for member_id in member_ids],
    )


def card_invoke(service_url: str) -> dict[str, Any]:
    """An Action.Execute press (`adaptiveCard/action` invoke), which this bot does not use."""
    return _base(
        service_url,
        personal_conversation(),
        type="invoke",
        name="adaptiveCard/action",
        value={"action": {"type": "Action.Execute", "verb": "refresh", "data": {}}},
    )
