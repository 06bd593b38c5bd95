"""Removing the bot's own @mention from a Teams message."""

from __future__ import annotations

import re

from botbuilder.core import TurnContext
from botbuilder.schema import Activity

_WHITESPACE = re.compile(r"\s+")


def _field(entity: object, name: str) -> object:
    """A field of a mention entity, typed (`Mention`) or as deserialized from JSON (`Entity`)."""
    value = getattr(entity, name, None)
    if value is None:
        value = (getattr(entity, "additional_properties", None) or {}).get(name)
    return value


def _mentioned_id_and_name(entity: object) -> tuple[str | None, str | None]:
    mentioned = _field(entity, "mentioned")
    if isinstance(mentioned, dict):
        return mentioned.get("id"), mentioned.get("name")
    return getattr(mentioned, "id", None), getattr(mentioned, "name", None)


def strip_bot_mentions(activity: Activity) -> str:
    """The activity's text without the mentions of the bot (the activity's recipient), tidied.

    The mention entities (type "mention") say which `<at>…</at>` tags name the bot; only those exact
    tags are removed. `TurnContext.remove_recipient_mention` is not used because it deletes the
    bot's name everywhere in the text ("<at>Verdello</at> what is Verdello's policy?" would lose
    both), which changes the question.
    """
    text = activity.text or ""
    recipient_id = activity.recipient.id if activity.recipient else None
    if recipient_id:
        for entity in TurnContext.get_mentions(activity):
            mentioned_id, name = _mentioned_id_and_name(entity)
            if mentioned_id != recipient_id:
                continue
            tag = _field(entity, "text")
            if not isinstance(tag, str) or not tag:
                tag = f"<at>{name}</at>" if name else ""
            if tag:
                text = text.replace(tag, " ")
    return _WHITESPACE.sub(" ", text).strip()
