"""The short texts the Teams bot says besides answers: welcome, confirmations and apologies."""

from __future__ import annotations

from assistant.errors import (
    AssistantError,
    EmptyQuestionError,
    IndexNotReadyError,
    InvalidQuestionError,
    NLUUnavailableError,
    OrderNotFoundError,
    OrderSourceUnavailableError,
    QuestionTooLongError,
    UnknownAnswerError,
)

WELCOME = (
    "Hi! I'm the Verdello staff assistant. Ask me about our policies and procedures, or an order's "
    "status, and I'll answer with the sources I used. In a channel, @mention me with your question. "
    "Use Helpful / Not helpful under an answer to tell the knowledge team how I did."
)
FEEDBACK_THANKS_HELPFUL = "Thanks, glad that helped!"
FEEDBACK_THANKS_NOT_HELPFUL = (
    "Thanks for telling me. I've passed it on so the knowledge team can improve that answer."
)
UNKNOWN_SUBMISSION = "Sorry, I didn't understand that button. Please type your question instead."
UNEXPECTED_ERROR = (
    "Sorry, something went wrong on my side and I couldn't answer. The problem has been logged; "
    "please try again in a moment."
)
GENERIC_ERROR = "Sorry, I couldn't answer that just now. Please try again in a moment."


def feedback_thanks(helpful: bool) -> str:
    """The confirmation sent after a feedback button press."""
    return FEEDBACK_THANKS_HELPFUL if helpful else FEEDBACK_THANKS_NOT_HELPFUL


def polite_reply(error: AssistantError) -> str:
    """What to tell the member of staff when the core raised `error`."""
    if isinstance(error, EmptyQuestionError):
        return (
            "What would you like to know? Type your question, for example: "
            "how long do customers have to return an item?"
        )
    if isinstance(error, QuestionTooLongError):
        return (
            f"That question is too long for me ({error.length} characters; the limit is {error.limit}). "
            "Please shorten it and ask again."
        )
    if isinstance(error, InvalidQuestionError):
        return "I can only answer questions typed as text. Please type your question."
    if isinstance(error, IndexNotReadyError):
        return "I'm not ready yet: the knowledge base hasn't been loaded. Please try again in a few minutes."
    if isinstance(error, NLUUnavailableError):
        return "I'm having trouble understanding questions right now. Please try again in a moment."
    if isinstance(error, OrderNotFoundError):
        return "I couldn't find an order with that number. Please check the number and ask again."
    if isinstance(error, OrderSourceUnavailableError):
        return "I can't reach the order system right now. Please try again shortly."
    if isinstance(error, UnknownAnswerError):
        return "Sorry, I couldn't find that answer any more, so your feedback wasn't recorded."
    return GENERIC_ERROR
