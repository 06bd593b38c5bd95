"""The intents the NLU model is trained on (`nlu_data/domain.yml`); a test keeps the two in step."""

from __future__ import annotations

from enum import StrEnum


class Intent(StrEnum):
    """An intent name as Rasa reports it. Rasa may also report names outside this set (`nlu_fallback`)."""

    ASK_POLICY = "ask_policy"
    ASK_PURPOSE_VALUES = "ask_purpose_values"
    ASK_PROCEDURE = "ask_procedure"
    ORDER_STATUS = "order_status"
    GREET = "greet"
    THANKS = "thanks"
    GOODBYE = "goodbye"
    HANDOFF_HUMAN = "handoff_human"
    BOT_CAPABILITIES = "bot_capabilities"
    NOT_HELPFUL = "not_helpful"
    """The asker says the assistant's reply did not help ("that's not what I asked", "risposta sbagliata")."""
    OUT_OF_SCOPE = "out_of_scope"


SMALL_TALK_INTENTS = frozenset({Intent.GREET, Intent.THANKS, Intent.GOODBYE, Intent.BOT_CAPABILITIES})
"""Intents answered with a fixed reply when the knowledge base has nothing better."""
