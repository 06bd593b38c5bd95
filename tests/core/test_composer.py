"""The short reply: the windows most similar to the question, within a word budget, in passage order."""

from __future__ import annotations

import numpy as np

from assistant.answering.composer import WINDOW_ANSWER_WORDS, short_answer
from assistant.models import Chunk, SearchHit
from assistant.retrieval.knowledge_index import IndexSnapshot
from assistant.retrieval.search import SearchResult


def _chunk(chunk_id: str, text: str, kind: str = "section", parent_id: str | None = None) -> Chunk:
    return Chunk(chunk_id=chunk_id, path="en/returns.md", title="Returns", section="Time limits", text=text,
                 content_hash=chunk_id, kind=kind, parent_id=parent_id)


def _sentence(label: str, words: int) -> str:
    return " ".join([label] + ["word"] * (words - 2) + ["end."])


def _result(window_words: list[int], similarities: list[float]) -> tuple[SearchResult, SearchHit]:
    windows = [_chunk(f"p1-w{number}", _sentence(f"W{number}", words), "window", "p1")
               for number, words in enumerate(window_words)]
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
