"""Votes teach ranking: helpful and not-helpful votes on similar past questions nudge a page's search score.

For a new question, the voted questions whose MiniLM vectors are within `SIMILARITY_FLOOR` (cosine) of it lend
their votes to the page their answer cited first. Each counts with a weight that grows from 0 at the floor to 1 for
the same wording, `(cosine - floor) / (1 - floor)`, so there is no jump at the floor. For a page,

    adjustment = bound * (sum of weight * vote) / (sum of weight + SHRINKAGE)      (vote: +1 helpful, -1 not)

which is the votes' weighted mean shrunk towards zero: one vote on the very same question moves a page by half the
bound, three agreeing ones by three quarters, and the adjustment never reaches `bound` in either direction however
many votes there are. Mixed votes cancel. An asker counts once per page, with their turn most similar to the new
question (their latest vote on that turn): one person asking again and again does not outvote colleagues.

Only pages search already found are re-weighted and re-ordered, so audience and language rules hold, and a vote for
a page that has since been removed changes nothing. The answerability decision is search's own: votes order the
pages but never make the assistant more or less sure that it can answer.

The numbers were chosen on the company and handbook questions (`benchmarks/bench_vote_replay.py`, docs/retrieval.md):

- `SIMILARITY_FLOOR = 0.6`: of 5,240 pairs of company questions and their paraphrases about *different* pages,
  6 reach 0.6 (48 reach 0.5), while 78% of paraphrases reach 0.6 against the question they paraphrase (median 0.70).
  Below it, a vote would as likely speak about another topic as about this one.
- `DEFAULT_BOUND = 0.05` of a fused score (`0.7 * cosine + 0.3 * lexical`): where search puts a wrong page first on
  the company questions and their paraphrases, it leads the right one by 0.002 to 0.073, so votes can mend the
  near misses. Replayed with votes, a bound of 0.1 mended more repeated handbook questions than 0.05 (Recall@1 0.850
  to 0.933 against 0.900) but, when 40% of the votes were wrong, lost 5 of the 51 it had right against 2.

Cross-lingual answers learn the same way, in the multilingual space (`rerank_across`): a second prior, over e5
vectors of the voted questions, adjusts the pages each language's cross-lingual search found before the languages
are compared, so votes on Italian questions answered from English pages (or held back beside them) move those
pages for similar Italian questions. Its floor, `MULTILINGUAL_SIMILARITY_FLOOR = 0.9`, is where e5 stands as MiniLM
does at 0.6 on the same pairs: 78% of the company paraphrases reach it and none of the 2,617 pairs of a paraphrase
and a question about another page (at 0.88, 16 do; e5 puts unrelated short questions at 0.80 to 0.85). There the
comparison of languages is the ordering, so a vote can decide which language's page answers; it still never
changes a page's cosine, which the decision's floors read.

Cheap per question: the vectors of the most recent `max_turns` voted turns are kept as one matrix in memory,
reloaded by `refresh()` (every 30 s in `assistant serve`; a process that has not refreshed yet loads them at its
first question), so a question costs one matrix-vector product, not a database read. Questions are embedded once
per model and kept in the store's `question_vectors`, so a refresh only embeds questions voted on since the last.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from assistant.interactions.records import VotedTurn
from assistant.retrieval.crosslingual import CrosslingualResult
from assistant.retrieval.search import SearchResult

SIMILARITY_FLOOR = 0.6
MULTILINGUAL_SIMILARITY_FLOOR = 0.9
DEFAULT_BOUND = 0.05
SHRINKAGE = 1.0
"""Pseudo-votes of weight 1 at zero: how much evidence it takes before votes count in full."""
MAX_VOTED_TURNS = 5000
NEW_QUESTIONS_PER_REFRESH = 1024
"""Questions a refresh looks up or embeds at most: a store full of votes never embedded (the first start after an
upgrade: 5,000 voted questions took 11 s on 2 cores, 54 s while other jobs ran) is worked through a refresh at a
time, not all at once."""


class VotedTurnLog(Protocol):
    """The turns voted on, newest vote first (the interaction store)."""

    def voted_turns(self, limit: int) -> list[VotedTurn]: ...


class QuestionEncoder(Protocol):
    """Embeds short questions, one unit-length row per text (e.g. `StoredQuestionEmbedder`)."""

    def encode_questions(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class _VoteMatrix:
    """The voted turns as loaded by one refresh: replaced whole, never changed, so readers need no lock."""

    vectors: np.ndarray  # (turns, dimension), unit rows
    pages: tuple[str, ...]
    askers: tuple[str, ...]
    votes: np.ndarray  # +1.0 helpful, -1.0 not helpful

    @classmethod
    def empty(cls) -> _VoteMatrix:
        return cls(np.zeros((0, 0), dtype=np.float32), (), (), np.zeros(0, dtype=np.float32))


class VotePrior:
    """A bounded, vote-based adjustment of search scores, learnt from similar voted questions (see the module).

    `log` gives the voted turns, `encoder` their questions' vectors (in the same space as the search's query
    vectors). `bound` caps the adjustment of a page's fused score in either direction (0 turns the prior off);
    `floor` is the cosine below which a voted question says nothing about a new one; `shrinkage` is how many
    votes' worth of "no evidence" every page starts with; `max_turns` bounds the matrix to the most recent
    voted turns; `new_per_refresh` caps the questions a refresh embeds (turns whose question waits for a later
    refresh are left out until then). Safe to share between threads. `refresh` raises the store's
    `InteractionStoreError`.
    """

    def __init__(self, log: VotedTurnLog, encoder: QuestionEncoder, *, bound: float = DEFAULT_BOUND,
                 floor: float = SIMILARITY_FLOOR, shrinkage: float = SHRINKAGE,
                 max_turns: int = MAX_VOTED_TURNS, new_per_refresh: int = NEW_QUESTIONS_PER_REFRESH) -> None:
        if bound < 0:
            raise ValueError(f"bound must not be negative, got {bound}")
        if not -1.0 < floor < 1.0:
            raise ValueError(f"floor must be a cosine between -1 and 1, got {floor}")
        if shrinkage <= 0:
            raise ValueError(f"shrinkage must be positive, got {shrinkage}")
        if max_turns < 1 or new_per_refresh < 1:
            raise ValueError(f"max_turns and new_per_refresh must be at least 1, got {max_turns}, {new_per_refresh}")
        self._log = log
        self._encoder = encoder
        self.bound = bound
        self.floor = floor
        self.shrinkage = shrinkage
        self._max_turns = max_turns
        self._new_per_refresh = new_per_refresh
        self._matrix: _VoteMatrix | None = None
        self._vectors_by_question: dict[str, np.ndarray] = {}
        self._refreshing = threading.Lock()

    @property
    def voted_turns(self) -> int:
        """How many voted turns the last refresh loaded (0 before the first)."""
        return len(self._matrix.pages) if self._matrix is not None else 0

    def refresh(self) -> int:
        """Reload the most recent voted turns from the log, embedding only questions not seen before (at most
        `new_per_refresh` of them); how many voted turns are now loaded."""
        with self._refreshing:
            return self._refresh()

    def _refresh(self) -> int:
        turns = self._log.voted_turns(self._max_turns)
        questions = list(dict.fromkeys(turn.question for turn in turns))
        known = {text: self._vectors_by_question[text] for text in questions if text in self._vectors_by_question}
        new = [text for text in questions if text not in known][: self._new_per_refresh]
        if new:
            known.update(zip(new, _unit_rows(self._encoder.encode_questions(new)), strict=True))
        self._vectors_by_question = known  # only the questions still voted on are kept
        turns = [turn for turn in turns if turn.question in known]
        if turns:
            matrix = _VoteMatrix(
                vectors=np.stack([known[turn.question] for turn in turns]),
                pages=tuple(turn.page_path for turn in turns),
                askers=tuple(turn.asker_hash for turn in turns),
                votes=np.array([1.0 if turn.helpful else -1.0 for turn in turns], dtype=np.float32),
            )
        else:
            matrix = _VoteMatrix.empty()
        self._matrix = matrix
        return len(turns)

    def adjustments(self, query_vector: np.ndarray, pages: Sequence[str]) -> dict[str, float]:
        """The score adjustment of each of `pages` that similar votes speak about (pages without any are left out)."""
        matrix = self._loaded()
        if self.bound == 0 or not matrix.pages or not pages:
            return {}
        query = np.asarray(query_vector, dtype=np.float32)
        norm = float(np.linalg.norm(query))
        if norm == 0.0:
            return {}
        similarities = matrix.vectors @ (query / norm)
        wanted = set(pages)
        # Per asker and page, the asker's turn most similar to this question: (weight, vote).
        strongest: dict[tuple[str, str], tuple[float, float]] = {}
        for row in np.flatnonzero(similarities >= self.floor):
            page = matrix.pages[row]
            if page not in wanted:
                continue
            weight = min(1.0, (float(similarities[row]) - self.floor) / (1.0 - self.floor))
            key = (matrix.askers[row], page)
            if key not in strongest or weight > strongest[key][0]:
                strongest[key] = (weight, float(matrix.votes[row]))
        evidence: dict[str, list[float]] = {}
        for (_, page), (weight, vote) in strongest.items():
            totals = evidence.setdefault(page, [0.0, 0.0])
            totals[0] += weight * vote
            totals[1] += weight
        return {page: self.bound * signed / (mass + self.shrinkage)
                for page, (signed, mass) in evidence.items() if signed != 0.0}

    def rerank(self, result: SearchResult) -> SearchResult:
        """`result` with each hit's score adjusted by the votes and the hits re-sorted (ties keep search's order)."""
        if not result.hits or result.query_vector is None:
            return result
        adjustments = self.adjustments(result.query_vector, [hit.chunk.path for hit in result.hits])
        if not adjustments:
            return result
        hits = [replace(hit, score=hit.score + adjustments[hit.chunk.path]) if hit.chunk.path in adjustments else hit
                for hit in result.hits]
        hits.sort(key=lambda hit: hit.score, reverse=True)
        return replace(result, hits=hits)

    def rerank_across(self, result: CrosslingualResult) -> CrosslingualResult:
        """`result` (one language's pages from cross-lingual search) with each page's rank score adjusted by the
        votes and the pages re-sorted; the cosines stay as they are (ties keep search's order)."""
        if not result.hits or result.query_vector is None:
            return result
        adjustments = self.adjustments(result.query_vector, [hit.passage.path for hit in result.hits])
        if not adjustments:
            return result
        hits = [replace(hit, fused=hit.rank_score + adjustments[hit.passage.path])
                if hit.passage.path in adjustments else hit for hit in result.hits]
        hits.sort(key=lambda hit: hit.rank_score, reverse=True)
        return replace(result, hits=hits)

    def _loaded(self) -> _VoteMatrix:
        if self._matrix is None:
            # The first question of a process that has not refreshed yet (e.g. `assistant ask`) loads the votes; while
            # another thread is loading them (`serve`'s periodic refresh at start), questions go on without votes.
            if not self._refreshing.acquire(blocking=False):
                return _VoteMatrix.empty()
            try:
                if self._matrix is None:
                    self._refresh()
            finally:
                self._refreshing.release()
        assert self._matrix is not None
        return self._matrix


def _unit_rows(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0.0, 1.0, norms)
