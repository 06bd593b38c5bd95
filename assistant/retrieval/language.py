"""A small, dependency-free guess of whether a question is English or Italian."""

from __future__ import annotations

import re

from assistant.retrieval.text_analysis import ENGLISH_STOP_WORDS, ITALIAN_STOP_WORDS, words

_ITALIAN_MARKERS = frozenset(
    "ciao grazie buongiorno buonasera cliente ordine reso resi rimborso ferie turno negozio consegna "
    "quanti quante quanto come posso dove perché qual cosa sono devo puoi giorni settimana".split()
)

_ITALIAN_ELISION = re.compile(r"^(?:l|un|dell|dall|all|nell|sull|coll|quest|quell|dov|com|c|d|m|t|s|v|n)['’]\w",
                              re.IGNORECASE)
"""A word with an Italian elided article or pronoun in front (`l'ordine`, `dov'è`, `c'è`, `dell'ordine`): no
English word starts that way, and the tokenizer keeps them whole, so they would count for neither language."""


def guess_language(text: str, default: str = "en") -> str:
    """'it' when Italian function words outnumber English ones, else 'en' (or `default` when unsure)."""
    tokens = words(text)
    italian = sum(1 for w in tokens if (w in ITALIAN_STOP_WORDS or w in _ITALIAN_MARKERS or _ITALIAN_ELISION.match(w))
                  and w not in ENGLISH_STOP_WORDS)
    english = sum(1 for w in tokens if w in ENGLISH_STOP_WORDS and w not in ITALIAN_STOP_WORDS)
    if italian > english:
        return "it"
    if english > italian:
        return "en"
    return default
