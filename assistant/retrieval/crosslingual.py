"""Cross-lingual search: a question against the pages written in the other languages of the knowledge base.

The main index ranks pages with MiniLM, which only knows English, and with BM25, which needs shared words; an Italian
question about a page that exists only in English finds neither. This index embeds the same pages a second time with a
multilingual model (each passage whole, its windows, and the page's `questions`), and ranks the pages of each
language on their own: in one pool, pages in the question's own language win whatever they say, so the
other languages are searched apart and compared with the question's own-language answer by the caller.

It exists only for a knowledge base with more than one language; the vectors are computed at ingest (`warm`) and kept
in a disk cache keyed by model and text, so a process loading a new generation embeds only what changed. A server
(`build_in_background`) never makes a question wait for a build: the build runs on its own thread and questions are
answered without the comparison until it is ready.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from assistant.errors import AssistantError, CrosslingualIndexWarmingError
from assistant.health import PartHealth
from assistant.models import Chunk
from assistant.retrieval.embedding_cache import QueryEmbedder
from assistant.retrieval.language import guess_language
from assistant.retrieval.passage_index import IndexSnapshot, PassageIndex
from assistant.retrieval.phrasing_lexicon import PhrasingLexicon, word_evidence

logger = logging.getLogger(__name__)

UNIT_KINDS = ("section", "window", "question")
WORD_WEIGHT = 0.2
"""The share of a page's ranking score that comes from the words the question shares with the page's phrasings in
the asker's language (`assistant.retrieval.phrasing_lexicon`); the rest is the multilingual cosine. Chosen on
`tests/data/crosslingual_dev.jsonl` (docs/evaluation.md, "Cross-lingual answers")."""
WORD_SCALE = 5.0
"""The BM25 score at which the word evidence reaches 1 − 1/e."""


@dataclass(frozen=True)
class CrosslingualHit:
    """A page found across languages: the passage it answers from, what to quote of it, and the cosine."""

    passage: Chunk
    quoted: Chunk
    """The passage's best window for the question, or the passage itself when it has none."""
    score: float
    unit: Chunk | None = None
    """The unit that scored: the passage, one of its windows, or one of the page's `questions` phrasings."""
    fused: float | None = None
    """The score pages are ranked and compared by: the cosine, fused with the words the question shares with the
    page's phrasings in the asker's language (`WORD_WEIGHT`); None means the cosine alone."""
    text_leads: bool = False
    """Whether the page also comes first when the pages are ranked by their own text alone (passages and windows,
    no phrasings): a second reading, independent of the phrasings."""

    @property
    def rank_score(self) -> float:
        return self.score if self.fused is None else self.fused


@dataclass(frozen=True)
class CrosslingualResult:
    """Pages of one language ranked for a question (in that language or another), best first."""

    hits: list[CrosslingualHit]
    language: str
    """The pages' language."""
    query_vector: np.ndarray | None = field(default=None, compare=False, repr=False)
    """The question's multilingual vector (what the vote prior compares voted questions with)."""

    @property
    def top_score(self) -> float:
        """The best page's cosine."""
        return self.hits[0].score if self.hits else 0.0

    @property
    def top_rank_score(self) -> float:
        """The best page's fused score (`CrosslingualHit.rank_score`): what languages are compared by."""
        return self.hits[0].rank_score if self.hits else 0.0


class CrosslingualIndex:
    """The multilingual vectors of one index generation's units, and the page each unit speaks for."""

    def __init__(self, snapshot: IndexSnapshot, unit_rows: np.ndarray, vectors: np.ndarray) -> None:
        self.snapshot = snapshot
        self.unit_rows = unit_rows
        self.vectors = vectors
        self.unit_owners = snapshot.owners[unit_rows] if len(unit_rows) else np.zeros(0, dtype=np.int64)
        self._page_of_path = {path: number for number, path in enumerate(snapshot.pages)}
        self.unit_pages = np.array([self._page_of_path.get(snapshot.chunks[int(row)].path, -1)
                                    for row in self.unit_owners], dtype=np.int64)
        phrasings = [(int(page), snapshot.chunks[int(row)]) for page, row in zip(self.unit_pages, unit_rows,
                                                                                 strict=True)
                     if page >= 0 and snapshot.chunks[int(row)].kind == "question"]
        written = [(page, unit, unit_language(unit)) for page, unit in phrasings]
        # Where each snapshot row sits among the units (-1: not embedded), and which units are the pages' text.
        self.unit_position = np.full(len(snapshot.chunks), -1, dtype=np.int64)
        self.unit_position[unit_rows] = np.arange(len(unit_rows))
        self.text_units = np.array([snapshot.chunks[int(row)].kind != "question" for row in unit_rows], dtype=bool)
        self._translated: dict[tuple, np.ndarray] = {}
        self.lexicons = {language: PhrasingLexicon.from_units(language, written)
                         for language in sorted(snapshot.languages)}

    @classmethod
    def build(cls, snapshot: IndexSnapshot, embedder: QueryEmbedder) -> CrosslingualIndex:
        rows = unit_rows(snapshot)
        texts = [snapshot.chunks[int(row)].embedding_text for row in rows]
        vectors = embedder.encode(texts) if texts else np.zeros((0, 0), dtype=np.float32)
        return cls(snapshot, rows, np.asarray(vectors, dtype=np.float32))

    def page_number(self, path: str) -> int | None:
        return self._page_of_path.get(path)

    def word_evidence(self, text: str, asked_in: str, word_scale: float = WORD_SCALE) -> np.ndarray | None:
        """Each page's evidence from the words `text` shares with its phrasings in `asked_in` (None when no
        phrasing is written in that language); the same for every language's pages, so computed once a question."""
        lexicon = self.lexicons.get(asked_in)
        if lexicon is None:
            return None
        return word_evidence(lexicon.scores(text, len(self.snapshot.pages)), word_scale)

    def search(self, query_vector: np.ndarray, audiences: tuple[str, ...] | None, language: str,
               limit: int = 5, asked_in: str | None = None, evidence: np.ndarray | None = None,
               word_weight: float = 0.0) -> CrosslingualResult:
        """The pages in `language` that the audiences may see, ranked by their best unit's cosine, fused with the
        pages' word `evidence` (`word_evidence`) when `word_weight` > 0. A page translated into `asked_in`
        (`translation_of`) that the audiences may see is left out: its translation answers instead."""
        allowed = self.snapshot.mask(audiences, (language,))
        usable = self.unit_pages >= 0
        if allowed is not None:
            usable &= allowed[self.unit_owners]
        if asked_in is not None and asked_in != language:
            usable &= ~self._translated_pages(audiences, asked_in)[np.maximum(self.unit_pages, 0)]
        candidates = np.flatnonzero(usable)
        if not len(candidates):
            return CrosslingualResult([], language, query_vector)
        scores = self.vectors[candidates] @ query_vector
        pages = self.unit_pages[candidates]
        order = np.lexsort((-scores, pages))
        firsts = order[np.r_[True, pages[order][1:] != pages[order][:-1]]]
        fused = None
        if word_weight > 0 and evidence is not None:
            fused = (1.0 - word_weight) * scores + word_weight * evidence[pages]
            ranking = fused
        else:
            ranking = scores
        firsts = firsts[np.argsort(-ranking[firsts], kind="stable")]
        text_leader = self._text_leader(candidates, scores, pages)
        hits = [self._hit(int(candidates[position]), float(scores[position]), candidates, scores,
                          None if fused is None else float(fused[position]), text_leader)
                for position in firsts[:limit]]
        return CrosslingualResult(hits, language, query_vector)

    def _text_leader(self, candidates: np.ndarray, scores: np.ndarray, pages: np.ndarray) -> int:
        """The page whose passage or window scores best among `candidates` (-1 when none is the pages' text)."""
        text = self.text_units[candidates]
        if not text.any():
            return -1
        positions = np.flatnonzero(text)
        return int(pages[positions[int(np.argmax(scores[positions]))]])

    def _translated_pages(self, audiences: tuple[str, ...] | None, language: str) -> np.ndarray:
        """For each page, whether it has a translation into `language` that the audiences may see."""
        key = (audiences, language)
        cached = self._translated.get(key)
        if cached is not None:
            return cached
        translations = self.snapshot.translations
        flags = np.zeros(max(len(self.snapshot.pages), 1), dtype=bool)
        for path, number in self._page_of_path.items():
            counterpart = translations.counterpart(path, language)
            if counterpart is not None and counterpart in self.snapshot.passage_rows:
                audience = self.snapshot.chunks[int(self.snapshot.passage_rows[counterpart][0])].audience
                flags[number] = audiences is None or audience in audiences
        self._translated[key] = flags
        return flags

    def _hit(self, unit: int, score: float, candidates: np.ndarray, scores: np.ndarray,
             fused: float | None = None, text_leader: int = -1) -> CrosslingualHit:
        """The page's passage that owns the best unit, and the unit to quote: that passage's best window when it has
        windows (a whole section is too long to quote), else the passage itself."""
        chunks = self.snapshot.chunks
        passage_row = int(self.unit_owners[unit])
        positions = np.flatnonzero(self.unit_owners[candidates] == passage_row)
        windows = [int(position) for position in positions
                   if chunks[int(self.unit_rows[candidates[position]])].kind == "window"]
        quoted = int(self.unit_rows[candidates[max(windows, key=lambda position: scores[position])]]) if windows \
            else passage_row
        return CrosslingualHit(passage=chunks[passage_row], quoted=chunks[quoted], score=score,
                               unit=chunks[int(self.unit_rows[unit])], fused=fused,
                               text_leads=int(self.unit_pages[unit]) == text_leader)


@dataclass(frozen=True)
class MultilingualReading:
    """One question read by the multilingual model against one generation's passages: replies in a language the
    main model reads poorly choose a page's passage and its windows with it (`PageAnswerSkill`)."""

    index: CrosslingualIndex
    query_vector: np.ndarray

    def similarities(self, rows: np.ndarray) -> np.ndarray:
        """The cosine of each snapshot row (a passage or a window) to the question; -inf for a row not embedded."""
        rows = np.asarray(rows, dtype=np.int64)
        positions = self.index.unit_position[rows]
        scores = np.full(len(rows), -np.inf, dtype=np.float32)
        known = positions >= 0
        scores[known] = self.index.vectors[positions[known]] @ self.query_vector
        return scores

    def best_passage(self, path: str) -> Chunk | None:
        """The passage of page `path` that holds its passage or window most similar to the question (phrasings
        say which page, not which passage, so they are left out); None when the page has no embedded text."""
        page = self.index.page_number(path)
        if page is None:
            return None
        units = np.flatnonzero((self.index.unit_pages == page) & self.index.text_units)
        if not len(units):
            return None
        best = units[int(np.argmax(self.index.vectors[units] @ self.query_vector))]
        return self.index.snapshot.chunks[int(self.index.unit_owners[best])]


def unit_rows(snapshot: IndexSnapshot) -> np.ndarray:
    """Rows embedded with the multilingual model: every passage whole, its windows, and the pages' questions.

    On 24 Italian development questions over English pages (`tests/data/crosslingual_dev.jsonl`), whole passages put
    the right page first for 17 and windows for 15; the best of both, 17, with the right page in the first three for
    21 instead of 19. The model's cost is about 1.5 ms a word, so both together cost about twice the words of the
    knowledge base, once: the vectors are cached by text.
    """
    return np.array([row for row, chunk in enumerate(snapshot.chunks) if chunk.kind in UNIT_KINDS], dtype=np.int64)


def unit_language(unit: Chunk) -> str | None:
    """The language a unit is written in: a passage's or window's is its page's; a page's phrasing may be written in
    another language, guessed from its words (one the guess cannot place is the page's)."""
    return guess_language(unit.text, unit.language) if unit.kind == "question" else unit.language


class CrosslingualSearcher:
    """Follows the passage index: builds the cross-lingual index of each new generation once.

    By default the first question needing a new generation's index builds it and waits (the CLI, evaluations, a
    recheck). After `build_in_background()` (a server) a question never waits: the build runs on a thread of its
    own and `search` raises `CrosslingualIndexWarmingError` until it is ready (after a failed build, the next
    starts `retry_after_seconds` later, with the next question that needs it). Without a disk cache, building costs
    e5 over every unit of the knowledge base, more than a minute for the demo pages on 2 cores, which would
    otherwise hold every concurrent question on the build's lock.
    """

    def __init__(self, index: PassageIndex, embedder: QueryEmbedder, retry_after_seconds: float = 60.0,
                 clock: Callable[[], float] = time.monotonic, word_weight: float = WORD_WEIGHT,
                 word_scale: float = WORD_SCALE) -> None:
        self._index = index
        self.word_weight = word_weight
        self.word_scale = word_scale
        self._retry_after = retry_after_seconds
        """After a failed background build, no new one starts for this long: a failure that lasts (a full disk)
        would otherwise have every question start another build, e5 over the whole knowledge base each time."""
        self._clock = clock
        self._retry_at = 0.0
        self._embedder = embedder
        self._built: CrosslingualIndex | None = None
        self._lock = threading.Lock()
        self._builder_lock = threading.Lock()
        """Guards starting the builder thread only: `_lock` is held for a whole build, which a question must not
        wait for."""
        self._in_background = False
        self._builder: threading.Thread | None = None
        self._building: str | None = None
        self._failure: str | None = None

    @property
    def embedder(self) -> QueryEmbedder:
        return self._embedder

    def with_word_weight(self, word_weight: float) -> CrosslingualSearcher:
        """A searcher ranking with another `word_weight` (0: the cosine alone) over the same built indexes."""
        other = copy.copy(self)
        other.word_weight = word_weight
        return other

    def index_for(self, snapshot: IndexSnapshot, wait: bool = True) -> CrosslingualIndex | None:
        """The cross-lingual index of `snapshot` (None when its pages are all in one language). Without `wait`, an
        index not built yet is started on the background thread and `CrosslingualIndexWarmingError` raised."""
        if len(snapshot.languages) < 2:
            return None
        built = self._built
        if built is not None and built.snapshot is snapshot:
            return built
        if not wait:
            self._build_in_background(snapshot)
            raise CrosslingualIndexWarmingError(f"the cross-lingual index of {snapshot.name} is being built")
        return self._build(snapshot)

    def _build(self, snapshot: IndexSnapshot) -> CrosslingualIndex:
        with self._lock:
            if self._built is None or self._built.snapshot is not snapshot:
                self._built = CrosslingualIndex.build(snapshot, self._embedder)
                self._failure = None  # whichever path built it (a waiting caller too), an earlier failure is over
                logger.info("cross-lingual index of %s: %d units", snapshot.name, len(self._built.unit_rows))
            return self._built

    def build_in_background(self) -> None:
        """From now on no question waits for a build: start building the active generation's index on a thread,
        and build each later generation there too, when the first question needs it."""
        self._in_background = True
        try:
            snapshot = self._index.snapshot()
        except AssistantError as error:  # no index yet, or its server is down: the first question starts the build
            logger.info("cross-lingual index not built at start-up: %s", error)
            return
        self._build_in_background(snapshot)

    def _build_in_background(self, snapshot: IndexSnapshot) -> None:
        if len(snapshot.languages) < 2:
            return
        with self._builder_lock:
            if self._builder is not None and self._builder.is_alive():
                return  # one build at a time; a newer generation is started by the next question after it ends
            if self._clock() < self._retry_at:
                return
            self._building = snapshot.name
            self._builder = threading.Thread(target=self._build_logged, args=(snapshot,), daemon=True,
                                             name="cross-lingual index")
            self._builder.start()

    def _build_logged(self, snapshot: IndexSnapshot) -> None:
        try:
            self._build(snapshot)
        except Exception as error:  # logged and kept for /healthz; a question after `retry_after_seconds` retries
            logger.exception("building the cross-lingual index of %s failed", snapshot.name)
            self._failure = f"building the cross-lingual index of {snapshot.name} failed: {error}"
            self._retry_at = self._clock() + self._retry_after
        finally:
            self._building = None

    def wait_for_build(self, timeout: float | None = None) -> bool:
        """Wait for the background build, if one is running; True when none is running any more."""
        builder = self._builder
        if builder is not None:
            builder.join(timeout)
            return not builder.is_alive()
        return True

    def health(self) -> PartHealth:
        """The `crosslingual` part of `/healthz`: not ok while the active generation's index is being built (its
        questions are answered without the comparison) or after its build failed."""
        building = self._building
        if building is not None:
            return PartHealth("crosslingual", ok=False, reason=f"building the cross-lingual index of {building}")
        if self._failure is not None:
            return PartHealth("crosslingual", ok=False, reason=self._failure)
        built = self._built
        return PartHealth("crosslingual", ok=True,
                          details={"generation": built.snapshot.name, "units": len(built.unit_rows)} if built else {})

    def warm(self) -> int:
        """Build the current generation's cross-lingual index now (at ingest, so no question waits for it);
        returns the number of units (0 for a one-language knowledge base)."""
        built = self.index_for(self._index.snapshot())
        return 0 if built is None else len(built.unit_rows)

    def reading(self, text: str, snapshot: IndexSnapshot) -> MultilingualReading | None:
        """`text` read by the multilingual model against `snapshot`'s passages, when its cross-lingual index is built
        (None otherwise: never waits for a build, nor starts one)."""
        built = self._built
        if built is None or built.snapshot is not snapshot:
            return None
        return MultilingualReading(built, self._embedder.encode_query(text))

    def search(self, text: str, audiences: tuple[str, ...] | None,
               snapshot: IndexSnapshot | None = None, wait: bool | None = None,
               asked_in: str | None = None) -> list[CrosslingualResult]:
        """The question against each language's pages on their own, one result per language (the caller compares
        its own language's with the others'); none for a one-language knowledge base. `asked_in` is the question's
        language (guessed when None). `wait` None waits for a build unless `build_in_background` was called;
        raises `CrosslingualIndexWarmingError` when it does not."""
        snapshot = snapshot or self._index.snapshot()
        built = self.index_for(snapshot, wait=not self._in_background if wait is None else wait)
        if built is None:
            return []
        vector = self._embedder.encode_query(text)
        asked_in = asked_in or guess_language(text)
        evidence = built.word_evidence(text, asked_in, self.word_scale) if self.word_weight > 0 else None
        return [built.search(vector, audiences, language, asked_in=asked_in, evidence=evidence,
                             word_weight=self.word_weight)
                for language in sorted(snapshot.languages)]
