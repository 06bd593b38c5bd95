"""The short reply: the best window's section, then the windows most similar to the question, within word
budgets, in passage order."""

from __future__ import annotations

import numpy as np

from assistant.answering.composer import WINDOW_ANSWER_WORDS, short_answer, text_passage
from assistant.models import Chunk, SearchHit
from assistant.retrieval.passage_index import IndexSnapshot
from assistant.retrieval.search import SearchResult


def _chunk(chunk_id: str, text: str, kind: str = "section", parent_id: str | None = None,
           section: str = "Time limits") -> Chunk:
    return Chunk(chunk_id=chunk_id, path="en/returns.md", title="Returns", section=section, text=text,
                 content_hash=chunk_id, kind=kind, parent_id=parent_id)


def _sentence(label: str, words: int) -> str:
    return " ".join([label] + ["word"] * (words - 2) + ["end."])


def _result(window_words: list[int], similarities: list[float],
            sections: list[str] | None = None) -> tuple[SearchResult, SearchHit]:
    """A passage whose windows have these lengths and similarities; each in its own section unless named."""
    sections = sections or [f"Section {number}" for number in range(len(window_words))]
    windows = [_chunk(f"p1-w{number}", _sentence(f"W{number}", words), "window", "p1", section)
               for number, (words, section) in enumerate(zip(window_words, sections, strict=True))]
    passage = _chunk("p1", " ".join(window.text for window in windows))
    chunks = [passage, *windows]
    # Unit vectors whose dot product with the query is the wanted similarity.
    query = np.array([1.0, 0.0], dtype=np.float32)
    vectors = [[1.0, 0.0]] + [[s, float(np.sqrt(1 - s * s))] for s in similarities]
    snapshot = IndexSnapshot.build("test@1", chunks, np.array(vectors, dtype=np.float32))
    hit = SearchHit(chunk=passage, score=0.9, dense_score=0.9)
    return SearchResult(hits=[hit], query="how long", query_vector=query, snapshot=snapshot), hit


def test_the_best_windows_fill_the_budget_and_keep_passage_order():
    result, hit = _result([40, 40, 40, 40], [0.6, 0.1, 0.9, 0.5])
    reply = short_answer(result, hit)
    assert reply.startswith("W0 ") and "… W2 " in reply
    assert "W1" not in reply and "W3" not in reply
    assert len(reply.replace("…", "").split()) <= WINDOW_ANSWER_WORDS


def test_neighbouring_windows_are_joined_without_a_cut_mark():
    result, hit = _result([50, 30, 30], [0.2, 0.9, 0.8])
    reply = short_answer(result, hit)
    assert reply.startswith("W1 ") and " W2 " in reply
    assert "…" not in reply and "W0" not in reply


def test_a_best_window_longer_than_the_budget_is_still_quoted_alone():
    result, hit = _result([130, 20], [0.9, 0.1])
    reply = short_answer(result, hit)
    assert reply.startswith("W0 ") and "W1" not in reply


def test_the_rest_of_the_best_windows_section_comes_before_more_similar_windows_elsewhere():
    # W1 (the rule) and W2 (its exception, most similar) share a section; W0 elsewhere is more similar than W1.
    result, hit = _result([40, 62, 40], [0.7, 0.5, 0.8], ["Intro", "Time limits", "Time limits"])
    reply = short_answer(result, hit)
    assert reply.startswith("W1 ") and " W2 " in reply and "W0" not in reply


def test_the_best_windows_section_is_quoted_up_to_the_replys_hard_limit_only():
    result, hit = _result([60, 60, 60], [0.9, 0.5, 0.4], ["Time limits"] * 3)
    reply = short_answer(result, hit)
    assert reply.startswith("W0 ") and " W1 " in reply and "W2" not in reply


def test_the_quoted_passage_is_the_one_whose_own_text_answers_not_the_one_a_phrasing_spoke_for():
    # The opening owns the page's phrasing (nearest to it) and wins search through it; the rule is in the second
    # passage's window.
    opening = _chunk("p1", "This page explains holds and transfers.", section="")
    phrasing = _chunk("p1-q0", "How often must I check back with a caller on hold?", "question", "p1", "")
    rules = _chunk("p2", "Return to the caller at least every 2 minutes.", section="Hold and transfers")
    window = _chunk("p2-w0", "Return to the caller at least every 2 minutes.", "window", "p2", "Hold and transfers")
    chunks = [opening, phrasing, rules, window]
    # The question is (1, 0, 0): the phrasing is closest to it and to the opening, the window is the closest text.
    vectors = np.array([[0.5, 0.866, 0.0], [0.95, 0.312, 0.0], [0.6, 0.0, 0.8], [0.8, 0.0, 0.6]], dtype=np.float32)
    snapshot = IndexSnapshot.build("test@1", chunks, vectors)
    assert int(snapshot.owners[1]) == 0  # the phrasing speaks for the opening
    hit = SearchHit(chunk=opening, score=0.9, dense_score=0.95)
    result = SearchResult(hits=[hit], query="how long can a caller be on hold",
                          query_vector=np.array([1.0, 0.0, 0.0], dtype=np.float32), snapshot=snapshot)
    quoted = text_passage(result, hit)
    assert quoted.chunk.chunk_id == "p2"
    assert (quoted.score, quoted.dense_score) == (hit.score, hit.dense_score)  # they decided page and answerability
    assert "every 2 minutes" in short_answer(result, quoted)


def test_a_page_without_phrasings_keeps_the_passage_search_chose():
    result, hit = _result([30, 30], [0.9, 0.2])
    assert text_passage(result, hit) is hit
