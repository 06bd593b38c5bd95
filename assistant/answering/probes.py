"""Calibration probes made from a knowledge base's own pages, and the built-in off-topic questions.

Positives are what the pages themselves say they answer: each page's title and a few of its headings asked as
questions. Negatives are staff questions a company knowledge base usually does not
hold (`offtopic_questions.json`, English and Italian, written for this project).
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from assistant.retrieval.passage_index import IndexSnapshot

OFFTOPIC_FILE = Path(__file__).with_name("offtopic_questions.json")
TEMPLATES = {
    "en": ("what is the rule on {}?", "can you tell me about {}", "where do i find info on {}?",
           "question about {}"),
    "it": ("cosa devo sapere su {}?", "mi spieghi {}?", "come funziona per {}?", "domanda su {}"),
}
"""How a title or heading becomes a question, in the page's language (other languages use the English forms)."""
PROBES_PER_PAGE = 4
MAX_POSITIVE_PROBES = 300
"""Bounds the searches a calibration runs (about 10 ms each), whatever the size of the knowledge base."""


@dataclass(frozen=True)
class Probe:
    """One calibration question: its text, its language, whether the knowledge base answers it, and the page it
    was made from (None for the built-in off-topic questions)."""

    text: str
    language: str
    answerable: bool
    page: str | None = None


@cache
def offtopic_questions() -> dict[str, tuple[str, ...]]:
    """The built-in off-topic staff questions by language."""
    data = json.loads(OFFTOPIC_FILE.read_text(encoding="utf-8"))
    return {language: tuple(questions) for language, questions in data.items() if language != "about"}


def page_probes(snapshot: IndexSnapshot, seed: int = 0) -> list[Probe]:
    """Positive probes: per page its title and up to `PROBES_PER_PAGE - 1` of its headings (drawn with a fixed seed,
    so the same index gives the same probes), `MAX_POSITIVE_PROBES` at most.

    A page's `questions` phrasings are not probes: each is indexed as a chunk of its own, so asked as a probe it finds
    itself word for word and scores as no staff question does. On the demo knowledge, once every page had English
    and Italian phrasings, they were most of the probes and moved the shift from -0.07 to +1.17 (8 of the 26
    answerable held-out questions held back instead of 4). Titles and headings are what the reference midpoint was
    measured with, so the shift compares like with like, with or without phrasings."""
    chosen = random.Random(seed)
    by_page: dict[str, list[Probe]] = {}
    seen: dict[str, set[str]] = {}
    for chunk in snapshot.chunks:
        if chunk.kind not in ("section", "window"):
            continue
        probes = by_page.setdefault(chunk.path, [])
        texts = seen.setdefault(chunk.path, set())
        if not probes:
            probes.append(Probe(as_question(chunk.title, chunk.language, chosen), chunk.language, True, chunk.path))
            texts.add(chunk.title)
        source = chunk.section.rsplit(">", 1)[-1].strip()
        if not source or source in texts:
            continue
        texts.add(source)
        probes.append(Probe(as_question(source, chunk.language, chosen), chunk.language, True, chunk.path))
    positives = []
    for probes in by_page.values():
        title, rest = probes[:1], probes[1:]
        chosen.shuffle(rest)
        positives.extend(title + rest[: PROBES_PER_PAGE - 1])
    if len(positives) > MAX_POSITIVE_PROBES:
        positives = chosen.sample(positives, MAX_POSITIVE_PROBES)
    return positives


def offtopic_probes(languages: frozenset[str]) -> list[Probe]:
    """The built-in off-topic questions in the languages the knowledge base holds (English when it holds none
    of the built-in ones)."""
    questions = offtopic_questions()
    wanted = [language for language in sorted(languages) if language in questions] or ["en"]
    return [Probe(text, language, False) for language in wanted for text in questions[language]]


def as_question(heading: str, language: str, chosen: random.Random) -> str:
    """A title or heading asked the way staff ask (one of the language's `TEMPLATES`)."""
    templates = TEMPLATES.get(language, TEMPLATES["en"])
    return chosen.choice(templates).format(heading.strip().rstrip("?.:").lower())
