"""Signposts: sentences about the page itself ("This page explains how to report sickness, what evidence is needed…").

A signpost names every topic of its page and states none of the facts, so an embedding model finds it close to any
question about the page: as a window it outscored the section that answers, and replies quoted the list of topics
instead of the answer. Windows (what replies quote) are cut without them; the passage, which finds the page, keeps
them.
"""

from __future__ import annotations

import re

_PAGE_NOUNS = r"(?:page|guide|section|standards|pagina|guida|sezione)"
_DESCRIBING_VERBS = (
    r"(?:explains?|covers?|sets? out|lists?|tells?|gives?|guides?|outlines?|provides?|describes?|contains?|helps?"
    r"|is for|are for|is meant|spiega|spiegano|riporta|riguarda|descrive|descrivono|elenca|raccoglie|è per)"
)
_SIGNPOST = re.compile(
    rf"(?:(?:this|these|questa|queste) {_PAGE_NOUNS} {_DESCRIBING_VERBS}"
    rf"|use this {_PAGE_NOUNS} to"
    rf"|in questa {_PAGE_NOUNS} (?:trovi|trovate|raccontiamo|spieghiamo|vedi|vedete))\b(?:[^.!?\n]|\n(?!\n))*[.!?]?",
    re.IGNORECASE,
)
_SENTENCE_START = re.compile(r"(?:^|(?<=[.!?])\s+|\n)")


def without_signposts(text: str) -> str:
    """`text` without its signpost sentences (those that begin with one); the rest, spacing kept, unchanged."""
    kept = []
    position = 0
    for start in _sentence_starts(text):
        if start < position:
            continue
        match = _SIGNPOST.match(text, start)
        if match is None:
            continue
        kept.append(text[position:start])
        position = match.end()
    if not kept:
        return text
    kept.append(text[position:])
    return re.sub(r"[ \t]{2,}", " ", "".join(kept)).strip()


def _sentence_starts(text: str) -> list[int]:
    return sorted({match.end() for match in _SENTENCE_START.finditer(text)} | {0})
