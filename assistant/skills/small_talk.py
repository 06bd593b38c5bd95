"""Small talk, hand-off and out-of-scope replies, in English and Italian."""

from __future__ import annotations

from assistant.models import TextOrigin
from assistant.nlu.intents import Intent

REPLY_ORIGIN = TextOrigin.COMPANY
"""Every reply here is fixed wording: nothing the asker typed is quoted."""

REPLIES = {
    Intent.GREET: {
        "en": "Hi! Ask me about our policies, values, procedures or an order's status.",
        "it": "Ciao! Chiedimi delle nostre regole, dei valori, delle procedure o dello stato di un ordine.",
    },
    Intent.THANKS: {"en": "You're welcome!", "it": "Prego!"},
    Intent.GOODBYE: {"en": "Bye for now!", "it": "A presto!"},
    Intent.BOT_CAPABILITIES: {
        "en": "I answer questions about company policies, values and procedures, always with my sources, and I "
              "can check an order's status (send its number, e.g. {example}). If I don't know something, I "
              "say so and log it so the knowledge team can add it.",
        "it": "Rispondo a domande su regole, valori e procedure dell'azienda, sempre indicando le fonti, e posso "
              "controllare lo stato di un ordine (inviami il numero, es. {example}). Se non so qualcosa lo "
              "dico e lo registro perché il team dei contenuti possa aggiungerlo.",
    },
    Intent.HANDOFF_HUMAN: {
        "en": "For this you need a person: contact your team leader or the support desk directly.",
        "it": "Per questo serve una persona: contatta direttamente il tuo responsabile o l'help desk.",
    },
    Intent.NOT_HELPFUL: {
        "en": "Sorry I couldn't help. Try asking in other words, or ask to talk to a person.",
        "it": "Mi dispiace non esserti stato utile. Prova a chiedere con altre parole, oppure chiedi di parlare con "
              "una persona.",
    },
    Intent.OUT_OF_SCOPE: {
        "en": "That's outside what I can help with: I know about our company's policies, procedures and orders.",
        "it": "Questo va oltre ciò in cui posso aiutare: conosco regole, procedure e ordini dell'azienda.",
    },
}

NOT_HELPFUL_VOTED = {
    "en": "Sorry that didn't help. I've marked my last answer as not helpful, so its page can be put right. Try "
          "asking in other words, or ask to talk to a person.",
    "it": "Mi dispiace che non ti sia servito. Ho segnato la mia ultima risposta come non utile, così la sua pagina "
          "può essere corretta. Prova a chiedere con altre parole, oppure chiedi di parlare con una persona.",
}
"""The `not_helpful` reply when the asker's previous answer in the conversation got the not-helpful vote."""


def reply_for(intent: str, language: str, *, order_example: str) -> str:
    """The fixed reply for a small-talk, hand-off or out-of-scope intent, in `language` (English otherwise);
    `order_example` is a number in the configured order format, for the reply that says what the assistant does."""
    texts = REPLIES[intent]
    return texts.get(language, texts["en"]).format(example=order_example)
