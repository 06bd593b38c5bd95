"""The fixed, polite things the Slack bot says when it cannot simply answer."""

from __future__ import annotations

from assistant.error_replies import ErrorKind, error_kind, error_reply

CHANNEL_HINT = "In a channel, mention me first: `@Verdello Assistant what is our returns policy for plants?`"
MENTION_USAGE = f"Hi! Ask me a question, for example: `what is our returns policy for plants?` {CHANNEL_HINT}"
ASK_USAGE = (
    "Type your question after the command, for example: `/ask what is our returns policy for plants?` "
    "Only you will see my answer, and you can share it with the channel."
)
NO_HANDOFF_CHANNEL = (
    "There's no hand-off channel set up for me yet, so I can't pass this on myself. "
    "Please ask your line manager or team lead, or your store's People team for policy questions."
)
ANSWER_EXPIRED = "That answer is no longer in my memory, so I can't share it. Please ask again with `/ask`."
FEEDBACK_THANKS = "Thanks for the feedback!"


def polite_reply(error: BaseException, language: str | None = None) -> str:
    """The core's reply for `error`, in Slack's style: an icon when the fault is ours, usage help for no question."""
    kind = error_kind(error)
    text = error_reply(error, language)
    if kind in (ErrorKind.INDEX_NOT_READY, ErrorKind.UNAVAILABLE, ErrorKind.UNEXPECTED):
        return f":warning: {text}"
    if kind is ErrorKind.EMPTY_QUESTION:
        return f"{text} {CHANNEL_HINT}"
    return text


def handoff_confirmation(handoff_channel: str, *, in_thread: bool) -> str:
    """What the user sees after "Ask a person" reached the hand-off channel."""
    where = "in this thread" if in_thread else "to you directly"
    return (
        f":raising_hand: Thanks, I've asked a colleague in <#{handoff_channel}> to help. "
        f"They'll reply {where}."
    )
