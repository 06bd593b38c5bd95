"""The short texts the Teams bot says besides answers: welcome and confirmations (apologies come from the core)."""

from __future__ import annotations

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


def feedback_thanks(helpful: bool) -> str:
    """The confirmation sent after a feedback button press."""
    return FEEDBACK_THANKS_HELPFUL if helpful else FEEDBACK_THANKS_NOT_HELPFUL

NO_HANDOFF_CONVERSATION = (
    "There's no hand-off channel set up for me yet, so I can't pass this on myself. "
    "Please ask your line manager or team lead, or your store's People team for policy questions."
)
HANDOFF_SENT = "Thanks, I've asked a colleague in the support channel to help. They'll get back to you."
HANDOFF_FAILED = (
    "Sorry, I couldn't reach the support channel just now. Please ask your line manager or team lead directly."
)
