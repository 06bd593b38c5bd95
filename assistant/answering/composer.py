"""Writes the short reply: the passage's most relevant sentences, or an honest "not yet"."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import Protocol

import numpy as np

from assistant.answering.asked_amount import asks_for_amount, states_amount
from assistant.answering.country_sections import in_country
from assistant.countries import COUNTRY_LABELS, COUNTRY_NAMES, countries_named, twin_countries, twin_section
from assistant.models import Chunk, Citation, SearchHit
from assistant.pages.chunker import window_number
from assistant.retrieval.search import FusionWeights, SearchResult, combine_scores, lexical_scores
from assistant.retrieval.text_analysis import analyse

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"'(])|\n+")
MAX_ANSWER_WORDS = 70
WINDOW_ANSWER_WORDS = 100
"""Several windows in one reply: on the handbook dev set the reply held the expected fact for 39 of 60 questions
against 35 with the single best window (company questions: 22 of 28 against 19); taking the best window's section
first made it 40 of 60."""

NOT_KNOWN = {
    "en": "I don't know that yet, so I won't guess.",
    "it": "Non lo so ancora e preferisco non tirare a indovinare.",
}
MAY_HELP = {
    "en": "The closest page I have is \"{title}\" (linked below): it may help",
    "it": "La pagina più vicina che conosco è \"{title}\" (link qui sotto): potrebbe aiutarti",
}
OWNER_CAN_CONFIRM = {
    "en": ", and {owner} can confirm",
    "it": ", e {owner} può confermare",
}
PAGE_LOGGED = {
    "en": "I've logged the question so the page can be improved.",
    "it": "Ho registrato la domanda per migliorare la pagina.",
}
LOGGED = {
    "en": "I've logged the question so the knowledge team can add an answer.",
    "it": "Ho registrato la domanda perché il team dei contenuti possa aggiungere una risposta.",
}

OTHER_COUNTRY = {
    "en": "These are the rules for {country}; the page also has a section for {others}.",
    "it": "Queste sono le regole per {country}; la pagina ha anche una sezione per {others}.",
}

NOT_SURE = {
    "en": "I'm not sure this answers your question, but it's the closest I found:",
    "it": "Non sono sicuro che questo risponda alla tua domanda, ma è quanto di più vicino ho trovato:",
}
SURE_CONFIDENCE = 0.6
"""Below this stated confidence an answer opens with `NOT_SURE`. Answers stated between the answerability threshold
(about 0.47) and 0.6 cited a right page first for 11 of 29 demo questions and 9 of 12 handbook ones, against 81% to
100% above it (`python benchmarks/bench_confidence.py`, docs/evaluation.md)."""


def hedged(text: str, language: str) -> str:
    """`text` under a line saying, in the asker's language, that it may not answer the question."""
    return f"{NOT_SURE.get(language, NOT_SURE['en'])}\n{text}"


class PassageReader(Protocol):
    """Another model's reading of the question against the index's rows (`MultilingualReading`)."""

    def similarities(self, rows: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class Quote:
    """What a reply quotes from a passage, and the sections of its page the quote comes from (none when it is
    sentences of the passage rather than its windows)."""

    text: str
    sections: tuple[str, ...] = ()


def quote_passage(result: SearchResult, hit: SearchHit, max_words: int = MAX_ANSWER_WORDS,
                  reader: PassageReader | None = None, country: str | None = None) -> Quote:
    """The passage's windows (runs of sentences already embedded at ingest) most similar to the question,
    up to `WINDOW_ANSWER_WORDS` in all and in their original order, when it has windows; otherwise its
    sentences that share most with the question, in their original order. Similar as the search's own model
    sees it, or as `reader` does when given (a question in a language that model reads poorly). With the asker's
    `country`, a section for another country gives way to its twin for the asker's (`country_sections`)."""
    windows = _best_windows(result, hit, WINDOW_ANSWER_WORDS, max_words * 2, reader, country)
    if windows:
        return Quote(_trim(_joined(windows), max_words * 2),
                     tuple(dict.fromkeys(window.section for window in windows)))
    return Quote(_best_sentences(result.query, hit, max_words))


def short_answer(result: SearchResult, hit: SearchHit, max_words: int = MAX_ANSWER_WORDS,
                 reader: PassageReader | None = None, country: str | None = None) -> str:
    """The text of `quote_passage`."""
    return quote_passage(result, hit, max_words, reader, country).text


def other_country_note(quoted: Quote, result: SearchResult, hit: SearchHit, country: str | None,
                       language: str) -> str | None:
    """A line saying whose rules the quote gives, when they are one country's, the page has a twin section for
    another, and nothing chose between them (the asker's country is unknown and the question names none)."""
    if country is not None or countries_named(result.query):
        return None
    quoted_countries = {code for section in quoted.sections for code in countries_named(section)}
    if len(quoted_countries) != 1:
        return None
    page_sections = _page_sections(result, hit.chunk.path)
    twinned = {code for section in quoted.sections for code in twin_countries(section, page_sections)}
    others = [code for code in COUNTRY_NAMES if code in twinned and code not in quoted_countries]
    if not others:
        return None
    labels = COUNTRY_LABELS.get(language, COUNTRY_LABELS["en"])
    template = OTHER_COUNTRY.get(language, OTHER_COUNTRY["en"])
    return template.format(country=labels[next(iter(quoted_countries))],
                           others=" / ".join(labels[code] for code in others))


def text_passage(result: SearchResult, hit: SearchHit, weights: FusionWeights | None = None) -> SearchHit:
    """`hit` with the passage of its page whose own text scores best for the question, as search scores passages
    but without the page's `questions` phrasings. A phrasing says which page answers; it speaks for the passage
    nearest to it, often the page's opening, which then says what the page covers instead of answering.
    The hit's scores are kept: they decided the page and its answerability."""
    snapshot = result.snapshot
    passages = np.asarray(snapshot.passage_rows.get(hit.chunk.path, ()), dtype=np.int64)
    if len(passages) < 2 or result.query_vector is None:
        return hit
    rows = np.flatnonzero(np.isin(snapshot.owners, passages))
    text = snapshot.mask(None, None, phrasings=False)[rows]
    if text.all():
        return hit  # no phrasing on this page: search already chose by the passages' own text
    weights = weights or FusionWeights()
    rows = rows[text]
    cosines = snapshot.vectors.take(rows) @ result.query_vector
    owners = snapshot.owners[rows]
    best_cosine = np.array([cosines[owners == passage].max(initial=-1.0) for passage in passages], dtype=np.float32)
    bm25 = lexical_scores(snapshot, result.query, None)[passages]
    scores = combine_scores(best_cosine, bm25, weights.dense, weights)
    chosen = snapshot.chunks[int(passages[int(np.argmax(scores))])]
    return hit if chosen.chunk_id == hit.chunk.chunk_id else replace(hit, chunk=chosen)


def _best_windows(result: SearchResult, hit: SearchHit, budget: int, section_budget: int,
                  reader: PassageReader | None = None, country: str | None = None) -> list[Chunk] | None:
    """The most similar window and the rest of its section while they fit in `section_budget` words, then
    the next most similar windows while everything fits in `budget`. A section is one topic: a rule and its
    exceptions often sit in neighbouring windows of it, and the most similar of them is not always the rule.
    For a question asking for an amount, the most similar window stating one leads instead (`asked_amount`)."""
    snapshot = result.snapshot
    row = snapshot.rows.get(hit.chunk.chunk_id)
    if row is None or (reader is None and result.query_vector is None):
        return None
    owned = np.nonzero((snapshot.owners == row) & (np.arange(len(snapshot.owners)) != row))[0]
    # A page's `questions` phrasings score for a passage too, but only its windows are its text.
    windows = np.array([position for position in owned if snapshot.chunks[int(position)].kind == "window"],
                       dtype=np.int64)
    if not len(windows):
        return None
    similarities = reader.similarities(windows) if reader is not None \
        else snapshot.vectors.take(windows) @ result.query_vector
    candidates = [snapshot.chunks[int(windows[position])] for position in np.argsort(-similarities, kind="stable")]
    if asks_for_amount(result.query):
        # The kind of answer asked decides which window leads: the most similar one that states an amount.
        stating = next((window for window in candidates if states_amount(window.text)), None)
        if stating is not None:
            candidates.remove(stating)
            candidates.insert(0, stating)
    country = _preferred_country(result, country)
    if country is not None:
        page_windows = [chunk for chunk in snapshot.chunks if chunk.path == hit.chunk.path and chunk.kind == "window"]
        candidates = in_country(candidates, page_windows, country)
    best_section = candidates[0].section
    candidates.sort(key=lambda window: window.section != best_section)
    chosen: list[Chunk] = []
    words = 0
    for window in candidates:
        length = len(window.text.split())
        limit = section_budget if window.section == best_section else budget
        if chosen and words + length > limit:
            continue
        chosen.append(window)
        words += length
    # In page order: a twin section for the asker's country may sit in another passage.
    return sorted(chosen, key=lambda window: (window.position or 0, window_number(window)))


def _joined(chosen: list[Chunk]) -> str:
    parts = [chosen[0].text]
    for previous, window in pairwise(chosen):
        # Windows that were not neighbours in the passage are marked as a cut.
        neighbours = window.position == previous.position and window_number(window) == window_number(previous) + 1
        parts.append(window.text if neighbours else f"… {window.text}")
    return " ".join(parts)


def _best_sentences(question: str, hit: SearchHit, max_words: int) -> str:
    sentences = [s.strip(" -") for s in _SENTENCE.split(hit.chunk.text) if s.strip(" -")]
    if not sentences:
        return hit.chunk.text
    language = hit.chunk.language
    wanted = set(analyse(question, language))
    scored = []
    for position, sentence in enumerate(sentences):
        terms = set(analyse(sentence, language))
        overlap = len(wanted & terms) / (len(wanted) or 1)
        scored.append((overlap - position * 0.01, position))
    chosen: list[int] = []
    words = 0
    for _, position in sorted(scored, reverse=True):
        length = len(sentences[position].split())
        if chosen and words + length > max_words:
            continue
        chosen.append(position)
        words += length
        if words >= max_words * 0.6:
            break
    text = " ".join(sentences[p] for p in sorted(chosen))
    return _trim(text, max_words * 2)


def not_known_reply(nearest: SearchHit | None, language: str, elsewhere: str | None = None) -> str:
    """The honest reply below the answerability threshold. `nearest` is the page that may still help (it is
    linked as such, and its owner named), or None when no page comes close enough to suggest; `elsewhere` is a
    line about pages in another language that may help too (`crosslingual_answer.suggestions_line`)."""
    language = language if language in NOT_KNOWN else "en"
    also = f" {elsewhere}" if elsewhere else ""
    if nearest is None:
        return f"{NOT_KNOWN[language]}{also} {LOGGED[language]}"
    suggestion = MAY_HELP[language].format(title=nearest.chunk.title)
    if nearest.chunk.owner:
        suggestion += OWNER_CAN_CONFIRM[language].format(owner=nearest.chunk.owner)
    return f"{NOT_KNOWN[language]} {suggestion}.{also} {PAGE_LOGGED[language]}"


def _preferred_country(result: SearchResult, country: str | None) -> str | None:
    """The asker's country, when it decides between a page's sections: not when the question names a country."""
    return None if country is None or countries_named(result.query) else country


def citations_in_country(citations: list[Citation], result: SearchResult, country: str | None) -> list[Citation]:
    """`citations` with a section for another country than the asker's named as its twin for theirs, the section
    `short_answer` quotes, so the source shown is the one quoted."""
    country = _preferred_country(result, country)
    if country is None:
        return citations
    # Only a section naming a country can have a twin: the others skip the scan of the index for their page.
    return [replace(citation, section=twin_section(citation.section, _page_sections(result, citation.path), country))
            if countries_named(citation.section) else citation
            for citation in citations]


def _page_sections(result: SearchResult, path: str) -> list[str]:
    """The sections of the page at `path`, as its chunks in the searched index name them, once each."""
    return list(dict.fromkeys(chunk.section for chunk in result.snapshot.chunks if chunk.path == path))


def citations_for(hits: list[SearchHit], limit: int = 3) -> list[Citation]:
    """One citation per page, best first."""
    seen: set[str] = set()
    citations = []
    for hit in hits:
        if hit.chunk.path in seen:
            continue
        seen.add(hit.chunk.path)
        citations.append(Citation(title=hit.chunk.title, path=hit.chunk.path, section=hit.chunk.section,
                                  score=round(hit.score, 4), url=hit.chunk.url))
        if len(citations) >= limit:
            break
    return citations


def _trim(text: str, max_words: int) -> str:
    words = text.split()
    return text if len(words) <= max_words else " ".join(words[:max_words]) + " …"
