"""Tokenising, stop words, stemming and abbreviation handling for lexical search."""

from __future__ import annotations

import re
import threading
from functools import lru_cache

import Stemmer

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?", re.UNICODE)

ENGLISH_STOP_WORDS = frozenset(
    """a about above after again against all am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't down
    during each few for from further get gets got had hadn't has hasn't have haven't having he her here hers
    herself him himself his how i i'm i've if in into is isn't it it's its itself just let's me more most
    my myself no nor not of off on once only or other ought our ours ourselves out over own same she should
    shouldn't so some such than that that's the their theirs them themselves then there there's these they
    this those through to too under until up very was wasn't we we're were weren't what what's when where
    which while who whom why with won't would wouldn't you you're your yours yourself yourselves
    whats hows wheres im ive dont doesnt cant isnt ok okay hi hey please thanks thank also still anyone
    someone something anything do does did will shall may might must need want like know tell""".split()
)

ITALIAN_STOP_WORDS = frozenset(
    """a ad al alla alle agli ai all allo anche avere c che chi ci come con cosa cui da dal dalla dalle dai
    dagli degli dei del della delle dello di dove e è ed gli ha hai hanno ho i il in io la le lei li lo loro
    lui ma mi mio mia ne nei nel nella nelle non o per più può quale quali quando quanti quanto quanta
    quante questo questa questi queste se si sia siamo sono su sua sue suo suoi sul sulla tra tu un una uno
    vi voi posso devo devi deve fare fa qual cos come mie miei tua tue tuo tuoi nostro nostra nostri nostre
    vostro vostra vostri vostre""".split()
)

# Short forms staff type in chat. Generic workplace English, not tied to any one company.
ABBREVIATIONS = {
    "hr": "hour", "hrs": "hours", "min": "minimum", "mins": "minutes", "max": "maximum", "yr": "year",
    "yrs": "years", "mo": "month", "mos": "months", "wk": "week", "wks": "weeks", "info": "information",
    "mgr": "manager", "mgrs": "managers", "dept": "department", "govt": "government", "gov": "government",
    "approx": "approximately", "asap": "as soon as possible", "pls": "please", "plz": "please",
    "reimb": "reimbursement", "w/": "with", "w/o": "without", "acct": "account", "amt": "amount",
    "appt": "appointment", "emp": "employee", "mtg": "meeting", "msg": "message", "qty": "quantity",
    "b/c": "because", "bc": "because", "ppl": "people", "req": "request", "reqs": "requirements",
    "cust": "customer", "custs": "customers",
    "u": "you", "ur": "your", "r": "are", "thx": "thanks", "diff": "difference", "prob": "problem",
}

_SHORT_FORM = re.compile(r"(?<![\w/])(" + "|".join(re.escape(k) for k in sorted(ABBREVIATIONS, key=len,
                                                                                  reverse=True)) + r")(?![\w/])",
                         re.IGNORECASE)

_STEMMER_NAMES = {"en": "english", "it": "italian"}
_local = threading.local()


def expand_abbreviations(text: str) -> str:
    """Spell out common chat short forms ("max hrs" -> "maximum hours") for both kinds of search."""
    return _SHORT_FORM.sub(lambda match: ABBREVIATIONS[match.group(1).lower()], text)


def _stemmer(language: str) -> Stemmer.Stemmer:
    # PyStemmer objects are not thread-safe; one per thread and language.
    stemmers = getattr(_local, "stemmers", None)
    if stemmers is None:
        stemmers = _local.stemmers = {}
    name = _STEMMER_NAMES.get(language, "english")
    if name not in stemmers:
        stemmers[name] = Stemmer.Stemmer(name)
    return stemmers[name]


def words(text: str) -> list[str]:
    """Lower-case words, apostrophes kept inside words."""
    return [w.replace("’", "'") for w in _WORD.findall(text.lower())]


def content_words(text: str) -> list[str]:
    """Words that carry meaning: no stop words in either language, no single letters."""
    return [w for w in words(text) if len(w) > 1 and w not in ENGLISH_STOP_WORDS and w not in ITALIAN_STOP_WORDS]


def analyse(text: str, language: str = "en") -> list[str]:
    """The lexical index's terms for `text`: content words, stemmed for `language`."""
    terms = content_words(text)
    return _stem_all(tuple(terms), language)


@lru_cache(maxsize=65536)
def _stem_one(word: str, language: str) -> str:
    return _stemmer(language).stemWord(word)


def _stem_all(terms: tuple[str, ...], language: str) -> list[str]:
    return [_stem_one(term.replace("'", ""), language) for term in terms]


class SpellingCorrector:
    """Corrects a word the corpus never uses to a close corpus word (one edit, two for long words).

    Candidates come from a deletion index (every word with one letter dropped), so a lookup costs
    a few dictionary probes whatever the vocabulary size. Among candidates the most frequent wins.
    """

    def __init__(self, frequencies: dict[str, int], min_length: int = 5) -> None:
        self._frequencies = {w: n for w, n in frequencies.items() if w.isalpha()}
        self._min_length = min_length
        self._deletes: dict[str, list[str]] = {}
        for word in self._frequencies:
            if len(word) >= min_length - 1:
                for variant in _deletions(word) | {word}:
                    self._deletes.setdefault(variant, []).append(word)

    def correct(self, word: str) -> str:
        lower = word.lower()
        if (len(lower) < self._min_length or not lower.isalpha() or lower in self._frequencies
                or lower in ENGLISH_STOP_WORDS or lower in ITALIAN_STOP_WORDS or lower in ABBREVIATIONS):
            return word
        candidates: set[str] = set()
        for variant in _deletions(lower) | {lower}:
            candidates.update(self._deletes.get(variant, ()))
        limit = 2 if len(lower) >= 8 else 1
        close = [c for c in candidates if c[0] == lower[0] and _edit_distance(lower, c) <= limit]
        if not close:
            return word
        return max(close, key=lambda c: (-_edit_distance(lower, c), self._frequencies[c], c))

    def correct_text(self, text: str) -> str:
        """`text` with every unknown word replaced by its correction."""
        return _WORD.sub(lambda match: self.correct(match.group(0)), text)


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein plus adjacent swaps)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb))
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]
