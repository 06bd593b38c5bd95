"""A small guess of whether a message is English or Italian.

Function words decide when there are any: they are reliable and free. Many chat messages have none ("buonanotte",
"sei umano?", "thx"), and for those a character n-gram model (`lingua`, restricted to the two languages) breaks the
tie, but only when it is sure: chat abbreviations and brand names fool it at lower confidence ("hello assistant" is
Italian to it at 0.6), and a wrong Italian guess costs an English asker more than the default does.
"""

from __future__ import annotations

import functools
import hashlib
import re

from assistant.retrieval.text_analysis import ENGLISH_STOP_WORDS, ITALIAN_STOP_WORDS, words

_ITALIAN_MARKERS = frozenset(
    "ciao grazie buongiorno buonasera cliente ordine reso resi rimborso ferie turno negozio consegna "
    "quanti quante quanto come posso dove perché qual cosa sono devo puoi giorni settimana "
    "sei salve presto arrivederci buonanotte prego scusa scusami scusate umano capito perfetto allora aiuto "
    "buona giornata serata".split()
)
"""Italian words that are not function words but say "Italian" in a chat message ("sei umano?", "a presto",
"salve"), none of them an everyday English word."""

_EITHER_LANGUAGE = frozenset({"ok", "okay", "no"})
"""Chat words Italians and English speakers both write: "ok grazie" is Italian, so they count for neither."""

_ITALIAN_ELISION = re.compile(r"^(?:l|un|dell|dall|all|nell|sull|coll|quest|quell|dov|com|c|d|m|t|s|v|n)['’]\w",
                              re.IGNORECASE)
"""A word with an Italian elided article or pronoun in front (`l'ordine`, `dov'è`, `c'è`, `dell'ordine`): no
English word starts that way, and the tokenizer keeps them whole, so they would count for neither language."""

TIE_BREAK_CONFIDENCE = 0.9
"""How sure the n-gram model must be to overrule the default. On the project's own short chat messages, 0.9 kept
every English one English ("thx" 0.81, "operator" 0.67 Italian) and still found most Italian ones ("buonanotte"
0.99, "chiudo qui" 0.99)."""


def guess_language(text: str, default: str = "en") -> str:
    """'it' when Italian function words outnumber English ones, 'en' when the reverse; with neither, the n-gram
    model's language if it is sure, else `default`."""
    tokens = words(text)
    italian = sum(1 for w in tokens if (w in ITALIAN_STOP_WORDS or w in _ITALIAN_MARKERS or _ITALIAN_ELISION.match(w))
                  and w not in ENGLISH_STOP_WORDS)
    english = sum(1 for w in tokens if w in ENGLISH_STOP_WORDS and w not in ITALIAN_STOP_WORDS
                  and w not in _EITHER_LANGUAGE)
    if italian > english:
        return "it"
    if english > italian:
        return "en"
    return _ngram_guess(text) or default


@functools.cache
def language_guess_version() -> str:
    """A short fingerprint of the rules above: whatever was computed from guesses (the dense intent classifier puts
    each training example in its language's space) is stale when it changes."""
    from importlib.metadata import version

    rules = "|".join([" ".join(sorted(_ITALIAN_MARKERS)), " ".join(sorted(_EITHER_LANGUAGE)),
                      _ITALIAN_ELISION.pattern, str(TIE_BREAK_CONFIDENCE), " ".join(sorted(ENGLISH_STOP_WORDS)),
                      " ".join(sorted(ITALIAN_STOP_WORDS)), version("lingua-language-detector")])
    return hashlib.sha1(rules.encode("utf-8")).hexdigest()[:8]


def warm_up_language_guess() -> None:
    """Load the n-gram model now rather than with the first message that needs it."""
    _detector().compute_language_confidence_values("warm up")


def _ngram_guess(text: str) -> str | None:
    if not text.strip():
        return None
    best = _detector().compute_language_confidence_values(text)[0]
    if best.value < TIE_BREAK_CONFIDENCE:
        return None
    return best.language.iso_code_639_1.name.lower()


@functools.cache
def _detector():
    # Loaded on first use (about 0.3 s and 70 MB for the two languages' models); thread-safe once built.
    from lingua import Language, LanguageDetectorBuilder

    return LanguageDetectorBuilder.from_languages(Language.ENGLISH, Language.ITALIAN).build()
