"""A small, dependency-free guess of whether a question is English or Italian."""

from __future__ import annotations

from assistant.retrieval.text_analysis import ENGLISH_STOP_WORDS, ITALIAN_STOP_WORDS, words

_ITALIAN_MARKERS = frozenset(
    "ciao grazie buongiorno buonasera cliente ordine reso resi rimborso ferie turno negozio consegna "
    "quanti quante quanto come posso dove perché qual cosa sono devo puoi giorni settimana".split()
)


def guess_language(text: str, default: str = "en") -> str:
    """'it' when Italian function words outnumber English ones, else 'en' (or `default` when unsure)."""
    tokens = words(text)
    italian = sum(1 for w in tokens if (w in ITALIAN_STOP_WORDS or w in _ITALIAN_MARKERS)
                  and w not in ENGLISH_STOP_WORDS)
    english = sum(1 for w in tokens if w in ENGLISH_STOP_WORDS and w not in ITALIAN_STOP_WORDS)
    if italian > english:
        return "it"
    if english > italian:
        return "en"
    return default
