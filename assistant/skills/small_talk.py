"""Small talk, hand-off and out-of-scope replies, in English and Italian."""

from __future__ import annotations

REPLIES = {
    "greet": {
        "en": "Hi! Ask me about our policies, values, procedures or an order's status.",
        "it": "Ciao! Chiedimi delle nostre regole, dei valori, delle procedure o dello stato di un ordine.",
    },
    "thanks": {"en": "You're welcome!", "it": "Prego!"},
    "goodbye": {"en": "Bye for now!", "it": "A presto!"},
    "bot_capabilities": {
        "en": "I answer questions about company policies, values and procedures, always with my sources, and I "
              "can check an order's status (send its number, e.g. ORD-20481736). If I don't know something, I "
              "say so and log it so the knowledge team can add it.",
        "it": "Rispondo a domande su regole, valori e procedure dell'azienda, sempre indicando le fonti, e posso "
              "controllare lo stato di un ordine (inviami il numero, es. ORD-20481736). Se non so qualcosa lo "
              "dico e lo registro perché il team dei contenuti possa aggiungerlo.",
    },
    "handoff_human": {
        "en": "I'll get a person for you: use the \"Ask a person\" button, or contact your team leader or the "
              "support desk directly.",
        "it": "Ti metto in contatto con una persona: usa il pulsante \"Chiedi a una persona\" oppure contatta "
              "direttamente il tuo responsabile o l'help desk.",
    },
    "out_of_scope": {
        "en": "That's outside what I can help with: I know about our company's policies, procedures and orders.",
        "it": "Questo va oltre ciò in cui posso aiutare: conosco regole, procedure e ordini dell'azienda.",
    },
}

SMALL_TALK = frozenset({"greet", "thanks", "goodbye", "bot_capabilities"})


def reply_for(intent: str, language: str) -> str:
    texts = REPLIES[intent]
    return texts.get(language, texts["en"])
