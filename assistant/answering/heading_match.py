"""A question that names a page's own title or one of its headings is answered from that page.

"What is our purpose?", "what are our values", "qual è la nostra missione?": short questions whose every content
word is in the title or a heading path of the best page. Their cosine against a long passage stays modest (the
passage says far more than the question asks), so the learned answerability decision often holds them back; yet a
page titled "Our purpose and values" with a section "Our purpose" plainly answers "What is our purpose?". This
signal means the same on any knowledge base (it reads the pages' own headings), so it needs no calibration.

Only the best page is considered, only questions of at most `MAX_TERMS` content words (or any number when every
one is in the page's title: the page's own title asked as a question), and every one of them must be in one heading
path (the title counts as part of every path), so a question that asks something more specific than a heading
("dress code for the Christmas party") is not matched. The passage answered from is the one whose own section
heading holds the most of the question's words. When the title holds all of them, a heading counts only if it holds
all of them too ("Our purpose" for "what is our purpose?" on "Our purpose and values"): a heading that repeats one
of the title's words ("Failed delivery" on "Home delivery options and charges") is not what "delivery charges"
asks for. When no heading counts, the page's opening answers.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from assistant.models import Chunk, SearchHit
from assistant.pages.chunker import window_number
from assistant.retrieval.search import SearchResult
from assistant.retrieval.text_analysis import analyse, words

MAX_TERMS = 3
ORGANISATION_WORDS = frozenset({"company", "companys", "business", "organisation", "organization", "firm",
                                "azienda", "aziendale", "aziendali", "società"})
"""Words that only say "ours": "what are our company values" asks for the values."""
EVERYWHERE_SHARE = 0.5
"""A word on at least this share of the pages names the company ("verdello's values"), not a topic: like the
organisation words, it is left out of the question's words."""
PURPOSE_WORDS = (frozenset({"purpose", "mission", "vision", "scopo", "missione", "visione"}),
                 frozenset({"value", "values", "valore", "valori"}))
"""Words that ask what the company stands for, in English and Italian, in groups of words that mean the same here:
a question about "our mission" is answered by a page whose headings say "purpose"."""
PURPOSE_DEPTH = 3
"""How many of the best pages `purpose_match` looks at."""
MAX_WORDS = 200
TITLE_DEPTH = 5
PASSAGE_KINDS = frozenset({"section", "window"})


@dataclass(frozen=True)
class HeadingMatch:
    """The passage a question's heading names (cited as that section) and, when the section was split into
    windows at ingest, the section's own text to answer with (None: compose from the passage as usual)."""

    hit: SearchHit
    text: str | None


def heading_match(result: SearchResult) -> HeadingMatch | None:
    """The best page's section whose heading path holds every content word of the question, or None.

    Among the page's sections that match, the one whose own heading holds the most of the question's words wins
    (the title alone matches every section), then the one most similar to the question.
    """
    if not result.hits:
        return None
    top = _titled(result) or result.hits[0].chunk
    language = top.language
    asked = _asked(result, language)
    title = set(analyse(top.title, language))
    if not asked or (len(asked) > MAX_TERMS and not asked <= title):
        return None
    # A word on most pages does not name a section, but it still tells whether the question only names the page:
    # "do plants have a guarantee?" asks for "365-day plant guarantee", not its "When the guarantee does not apply".
    title_question = asked <= title
    every_asked = _asked(result, language, keep_common=True) if title_question else asked
    best = _best_section(result, top, every_asked if every_asked <= title else asked, title, every_word=True,
                         title_question=title_question)
    if best is None:
        return None
    cosine, chosen = best
    scope = _scope(chosen.section, asked, title, language)
    hit = SearchHit(chunk=replace(chosen, section=scope), score=result.hits[0].score, dense_score=cosine,
                    lexical_score=result.hits[0].lexical_score)
    return HeadingMatch(hit, _section_text(result, chosen, scope) if chosen.kind == "window" else None)


def purpose_match(result: SearchResult) -> HeadingMatch | None:
    """A question about the company's purpose or values ("which of our values is about honesty?") answered from the
    page among the first `PURPOSE_DEPTH` whose title or headings name them, from its most similar such section,
    led by that section's heading (the value's name).

    `heading_match` needs every word of the question in one heading, so a values question that also says what it
    is about is left to the answerability decision, which holds many of them back: the purpose page says far more
    than any one question asks. Only the purpose words (`PURPOSE_WORDS`) are looked for in the headings; the rest of
    the question chooses the section.
    """
    for hit in result.hits[:PURPOSE_DEPTH]:
        page = hit.chunk
        asked = _asked(result, page.language)
        wanted = set().union(*(group for group in purpose_groups(page.language) if asked & group))
        if not wanted:
            continue
        title = set(analyse(page.title, page.language))
        best = _best_section(result, page, wanted, title, every_word=False)
        if best is None:
            continue
        cosine, chosen = best
        matched = SearchHit(chunk=chosen, score=result.hits[0].score, dense_score=cosine,
                            lexical_score=result.hits[0].lexical_score)
        # The section's own windows (a passage may pack several sections: only the chosen one is quoted).
        text = _section_text(result, chosen, chosen.section) or None
        heading = chosen.section.rsplit(">", 1)[-1].strip()
        return HeadingMatch(matched, f"{heading}: {text}" if text and heading else text)
    return None


def _best_section(result: SearchResult, page: Chunk, words: set[str], title: set[str], *,
                  every_word: bool, title_question: bool = False) -> tuple[float, Chunk] | None:
    """Among `page`'s passages whose title and heading path hold every one of `words` (or, without `every_word`,
    any of them), the one whose own headings hold the most of them (the title alone names every section), then
    the one most similar to the question; with its cosine. None when no passage qualifies.

    With `title_question` (the title holds every one of `words`), only headings holding all of them count, and
    when none does the page's opening is chosen: the question names the page, not one of its sections.
    """
    matching = []
    for chunk in _page_passages(result, page.path):
        section = set(analyse(chunk.section, page.language))
        named = title | section
        if words <= named if every_word else words & named:
            shared = int(words <= section) if title_question else len(words & section)
            matching.append((shared, chunk))
    cosines = _cosines(result, [chunk for _, chunk in matching])
    candidates = [(shared, cosine, chunk) for (shared, chunk), cosine in zip(matching, cosines, strict=True)]
    if not candidates:
        return None
    if title_question and not any(shared for shared, _, _ in candidates):
        _, cosine, chosen = min(candidates, key=lambda candidate: _passage_order(candidate[2]))
        opening = _opening_window(candidates, chosen)
        if opening is not None and words <= set(analyse(opening[2].text, page.language)):
            # The opening itself speaks of every word asked: quote it, not the best of the sections packed after it.
            _, cosine, chosen = opening
        return cosine, chosen
    _, cosine, chosen = max(candidates, key=lambda candidate: candidate[:2])
    return cosine, chosen


def purpose_groups(language: str) -> list[set[str]]:
    """`PURPOSE_WORDS` as the lexical index's terms in `language`."""
    return [set(analyse(" ".join(group), language)) for group in PURPOSE_WORDS]


def _asked(result: SearchResult, language: str, keep_common: bool = False) -> set[str]:
    """The question's content terms, without the words that only say "ours" or name the company, nor (unless
    `keep_common`) the words on at least `EVERYWHERE_SHARE` of the pages."""
    lexical = result.snapshot.lexical
    return {term for term in analyse(" ".join(word for word in words(result.query)
                                              if word.replace("'", "") not in ORGANISATION_WORDS), language)
            if keep_common or lexical.page_share(term) < EVERYWHERE_SHARE}


def _titled(result: SearchResult) -> Chunk | None:
    """Among the first `TITLE_DEPTH` pages, the one whose title is exactly the question ("Refunds?" names the
    page "Refunds" even when "Refund authorisation limits" ranks first)."""
    for hit in result.hits[:TITLE_DEPTH]:
        asked = _asked(result, hit.chunk.language)
        if asked and asked == set(analyse(hit.chunk.title, hit.chunk.language)):
            return hit.chunk
    return None


def _scope(section: str, asked: set[str], title: set[str], language: str) -> str:
    """The shortest leading part of a heading path ("The four values" of "The four values > Straight talk") that
    still holds the question's words: a question naming a parent heading gets all of its subsections."""
    parts = [part.strip() for part in section.split(">")]
    for depth in range(1, len(parts) + 1):
        prefix = " > ".join(parts[:depth])
        if asked <= (title | set(analyse(prefix, language))):
            return prefix
    return section


def _page_passages(result: SearchResult, path: str) -> list[Chunk]:
    """The page's passages and their windows (the page card is not an answer on its own)."""
    return [chunk for chunk in result.snapshot.chunks if chunk.path == path and chunk.kind in PASSAGE_KINDS]


def _section_text(result: SearchResult, window: Chunk, scope: str) -> str:
    """The windows of the section `scope` names (with its subsections, each led by its own heading), in order,
    up to `MAX_WORDS` words."""
    siblings = sorted((chunk for chunk in result.snapshot.chunks if chunk.kind == "window"
                       and chunk.path == window.path and _within(chunk.section, scope)), key=_document_order)
    parts: list[str] = []
    words = 0
    heading = None
    for sibling in siblings:
        text = sibling.text
        if sibling.section != scope and sibling.section != heading:
            text = f"{sibling.section.rsplit('>', 1)[-1].strip()}: {text}"
        heading = sibling.section
        length = len(text.split())
        if parts and words + length > MAX_WORDS:
            break
        parts.append(text)
        words += length
    return " ".join(parts)


def _within(section: str, scope: str) -> bool:
    return section == scope or section.startswith(f"{scope} >")


def _document_order(window: Chunk) -> tuple[int, int, str, int]:
    """The page's order: its passage's position (unknown positions last, by id), then the window's number."""
    unknown = window.position is None
    return (int(unknown), window.position or 0, window.parent_id or "", window_number(window))


def _opening_window(candidates: list[tuple[int, float, Chunk]], passage: Chunk) -> tuple[int, float, Chunk] | None:
    """The candidate that is `passage`'s first window when that window is the page's opening (no heading)."""
    windows = [candidate for candidate in candidates
               if candidate[2].kind == "window" and candidate[2].parent_id == passage.chunk_id]
    first = min(windows, key=lambda candidate: window_number(candidate[2]), default=None)
    return first if first is not None and not first[2].section else None


def _passage_order(chunk: Chunk) -> tuple[int, int, str, int]:
    """`_document_order` for a passage or a window: a passage comes before its own windows."""
    if chunk.kind == "window":
        return _document_order(chunk)
    return (int(chunk.position is None), chunk.position or 0, chunk.chunk_id, -1)


def _cosines(result: SearchResult, chunks: list[Chunk]) -> list[float]:
    """Each chunk's cosine to the question (0 for a chunk not in the index); the vectors are read in one go, which
    matters when they are in a Chroma server."""
    rows = [result.snapshot.rows.get(chunk.chunk_id) for chunk in chunks]
    known = np.array([row for row in rows if row is not None], dtype=np.int64)
    if result.query_vector is None or not len(known):
        return [0.0] * len(chunks)
    vectors = dict(zip(known.tolist(), result.snapshot.vectors.take(known), strict=True))
    return [0.0 if row is None else float(np.dot(vectors[row], result.query_vector)) for row in rows]
