"""The fixed, polite things the Slack bot says when it cannot simply answer."""

from __future__ import annotations

from assistant.errors import (
    AssistantError,
    InvalidQuestionError,
    OrderNotFoundError,
    QuestionTooLongError,
    UnknownAnswerError,
)

MENTION_USAGE = (
    "Hi! Ask me a question, for example: `what is our returns policy for plants?` "
    "In a channel, mention me first: `@Verdello Assistant what is our returns policy for plants?`"
)
ASK_USAGE = (
    "Type your question after the command, for example: `/ask what is our returns policy for plants?` "
    "Only you will see my answer, and you can share it with the channel."
)
GENERIC_ERROR = (
    ":warning: Sorry, something went wrong while I was answering. It has been logged; "
    "please try again in a moment, or ask your line manager if it's urgent."
)
UNAVAILABLE = (
    ":warning: Sorry, I can't answer right now because part of my system is unavailable. "
    "Please try again in a few minutes, or ask your line manager if it's urgent."
)
NO_HANDOFF_CHANNEL = (
    "There's no hand-off channel set up for me yet, so I can't pass this on myself. "
    "Please ask your line manager or team lead, or your store's People team for policy questions."
)
ANSWER_EXPIRED = "That answer is no longer in my memory, so I can't share it. Please ask again with `/ask`."
FEEDBACK_THANKS = "Thanks for the feedback!"


def polite_reply(error: BaseException) -> str:
    """What to tell the user when answering or recording feedback failed with `error`."""
    if isinstance(error, QuestionTooLongError):
        return (
            f"That question is a bit long for me ({error.length} characters; "
            f"I can read up to {error.limit}). Could you shorten it and ask again?"
        )
    if isinstance(error, InvalidQuestionError):
        return "I didn't catch a question there. " + MENTION_USAGE.removeprefix("Hi! ")
    if isinstance(error, OrderNotFoundError):
        return "I couldn't find an order with that number. Please check it and ask again."
    if isinstance(error, UnknownAnswerError):
        return "I couldn't find that answer any more (it may be from before I restarted), but thanks anyway!"
    if isinstance(error, AssistantError):
        return UNAVAILABLE
    return GENERIC_ERROR


def handoff_confirmation(handoff_channel: str, *, in_thread: bool) -> str:
    """What the user sees after "Ask a person" reached the hand-off channel."""
    where = "in this thread" if in_thread else "to you directly"
    return (
        f":raising_hand: Thanks, I've asked a colleague in <#{handoff_channel}> to help. "
        f"They'll reply {where}."
    )
