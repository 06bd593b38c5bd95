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
    vi voi posso devo devi deve fare fa qual cos come""".split()
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
