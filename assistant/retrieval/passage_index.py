"""The active index generation held in memory: chunks, the BM25 index and, with the embedded store, every vector.

With a Chroma server (`keep_vectors=False`), a snapshot holds the chunks and the BM25 index only; dense search asks
the server's HNSW index (`dense.ServerDenseScorer`) and the few vectors the short answer needs are fetched by row."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import numpy as np

from assistant.errors import AssistantError, IndexNotReadyError
from assistant.health import PartHealth
from assistant.models import Chunk
from assistant.pages.translations import TranslationGroups
from assistant.retrieval.lexical import LexicalIndex
from assistant.retrieval.row_vectors import MatrixRows, RowVectors, StoredRows
from assistant.retrieval.vector_store import ChromaVectorStore


@dataclass(frozen=True)
class IndexSnapshot:
    """An immutable view of one generation; searches hold a reference, so a reload never disturbs them."""

    name: str
    chunks: list[Chunk]
    embeddings: np.ndarray | None
    """Every row's vector (the embedded store), or None when they stay in the Chroma server."""
    lexical: LexicalIndex
    rows: dict[str, int]
    languages: frozenset[str]
    owners: np.ndarray
    """For each row, the row that scores for it: a window's passage, a question's closest passage of its page, else
    the row itself."""
    lexical_rows: np.ndarray
    """Global row of each document in the lexical index (windows and questions are not indexed twice)."""
    passage_rows: dict[str, np.ndarray]
    """Each page's passage rows, in page order."""
    owner_order: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """All rows sorted by owner, so one `np.maximum.reduceat` gives each owner its best row."""
    owner_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    owner_rows: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """The owner row of each group of `owner_order`."""
    page_passages: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """All passage rows, grouped by page (pages in `pages` order)."""
    page_starts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    pages: tuple[str, ...] = ()
    audiences: frozenset[str] | None = None
    """The page audiences in this generation (None: not known, so any may be there)."""
    translations: TranslationGroups = field(default_factory=lambda: TranslationGroups({}, {}))
    """Which pages translate which (`translation_of` links between the pages of this generation)."""
    vectors: RowVectors | None = field(default=None, compare=False, repr=False)
    """Vectors by row, wherever they are (`take(rows)`); the `embeddings` matrix when there is one."""
    _masks: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.vectors is None and self.embeddings is not None:
            object.__setattr__(self, "vectors", MatrixRows(self.embeddings))

    @classmethod
    def build(cls, name: str, chunks: list[Chunk], embeddings: np.ndarray | RowVectors) -> IndexSnapshot:
        """`embeddings`: every row's vector as a matrix, or a `RowVectors` that fetches them (only the rows of
        pages with `questions` are read here, to place each question under its closest passage)."""
        matrix = embeddings if isinstance(embeddings, np.ndarray) else None
        vectors = MatrixRows(matrix) if matrix is not None else embeddings
        rows = {chunk.chunk_id: row for row, chunk in enumerate(chunks)}
        passages: dict[str, list[int]] = {}
        for row, chunk in enumerate(chunks):
            if chunk.kind == "section":
                passages.setdefault(chunk.path, []).append(row)
        owners = np.array([rows.get(chunk.parent_id, row) if chunk.parent_id else row
                           for row, chunk in enumerate(chunks)], dtype=np.int64)
        questions = [row for row, chunk in enumerate(chunks) if chunk.kind == "question" and chunk.path in passages]
        # A page's phrasing of a question speaks for the passage of that page closest to it.
        if matrix is not None:
            for row in questions:
                candidates = np.array(passages[chunks[row].path], dtype=np.int64)
                owners[row] = candidates[int(np.argmax(matrix[candidates] @ matrix[row]))]
        elif questions:
            # One read of only the vectors needed: the questions' and their pages' passages'.
            needed = sorted(set(questions).union(*(passages[chunks[row].path] for row in questions)))
            block = vectors.take(np.array(needed, dtype=np.int64))
            position = {row: index for index, row in enumerate(needed)}
            for row in questions:
                candidates = np.array(passages[chunks[row].path], dtype=np.int64)
                similarities = block[[position[int(candidate)] for candidate in candidates]] @ block[position[row]]
                owners[row] = candidates[int(np.argmax(similarities))]
        lexical_rows = np.array([row for row, chunk in enumerate(chunks) if chunk.kind not in ("window", "question")],
                                dtype=np.int64)
        owner_order = np.argsort(owners, kind="stable")
        sorted_owners = owners[owner_order]
        owner_starts = np.flatnonzero(np.r_[True, sorted_owners[1:] != sorted_owners[:-1]]) if len(owners) else \
            np.zeros(0, dtype=np.int64)
        pages = tuple(passages)
        page_passages = np.array([row for path in pages for row in passages[path]], dtype=np.int64)
        page_starts = np.cumsum([0] + [len(passages[path]) for path in pages[:-1]]).astype(np.int64) if pages else \
            np.zeros(0, dtype=np.int64)
        return cls(
            name=name,
            chunks=chunks,
            embeddings=matrix,
            vectors=vectors,
            lexical=LexicalIndex([chunks[row] for row in lexical_rows]),
            rows=rows,
            languages=frozenset(chunk.language for chunk in chunks),
            audiences=frozenset(chunk.audience for chunk in chunks),
            owners=owners,
            lexical_rows=lexical_rows,
            passage_rows={path: np.array(found, dtype=np.int64) for path, found in passages.items()},
            owner_order=owner_order,
            owner_starts=owner_starts,
            owner_rows=sorted_owners[owner_starts] if len(owners) else np.zeros(0, dtype=np.int64),
            page_passages=page_passages,
            page_starts=page_starts,
            pages=pages,
            translations=TranslationGroups.from_links({chunk.path: chunk.translation_of for chunk in chunks},
                                                      {chunk.path: chunk.language for chunk in chunks}),
        )

    def mask(self, audiences: tuple[str, ...] | None, languages: tuple[str, ...] | None,
             phrasings: bool = True) -> np.ndarray | None:
        """Rows a search with these filters may use (None: all); computed once per filter. `phrasings=False` leaves
        out the pages' `questions` phrasings."""
        if audiences is None and languages is None and phrasings:
            return None
        key = (audiences, languages, phrasings)
        allowed = self._masks.get(key)
        if allowed is None:
            allowed = np.array([(audiences is None or chunk.audience in audiences)
                                and (languages is None or chunk.language in languages)
                                and (phrasings or chunk.kind != "question")
                                for chunk in self.chunks], dtype=bool)
            self._masks[key] = allowed
        return allowed


class PassageIndex:
    """Follows the store's active generation, reloading (at most every `check_seconds`) when it changes."""

    def __init__(self, store: ChromaVectorStore, check_seconds: float = 2.0, keep_vectors: bool = True) -> None:
        """`keep_vectors=False` (a Chroma server): snapshots hold no vector matrix (see the module's docstring)."""
        self._store = store
        self._check_seconds = check_seconds
        self._keep_vectors = keep_vectors
        self._snapshot: IndexSnapshot | None = None
        self._checked_at = 0.0
        self._lock = threading.Lock()

    @property
    def store(self) -> ChromaVectorStore:
        return self._store

    def snapshot(self) -> IndexSnapshot:
        """The current generation; raises `IndexNotReadyError` before the first ingest."""
        now = time.monotonic()
        if self._snapshot is not None and now - self._checked_at < self._check_seconds:
            return self._snapshot
        with self._lock:
            if self._snapshot is None or time.monotonic() - self._checked_at >= self._check_seconds:
                self._refresh()
        if self._snapshot is None:
            raise IndexNotReadyError("the knowledge index is empty: run `assistant ingest` first")
        return self._snapshot

    def page_owner(self, path: str) -> str | None:
        """The owner named in a page's front matter (None for an unknown page or no owner)."""
        try:
            snapshot = self.snapshot()
        except IndexNotReadyError:
            return None
        return next((chunk.owner for chunk in snapshot.chunks if chunk.path == path), None)

    def health(self) -> PartHealth:
        """The index part of `/healthz`: the active generation and its size, or why there is none. With a Chroma
        server, which every question needs, the server is asked now (a stopped server shows at once)."""
        try:
            snapshot = self.snapshot()
            if not self._keep_vectors:
                self._store.active()
        except AssistantError as error:
            return PartHealth("index", ok=False, reason=str(error))
        return PartHealth("index", ok=True, details={
            "generation": snapshot.name,
            "chunks": len(snapshot.chunks),
            "passages": sum(1 for chunk in snapshot.chunks if chunk.kind == "section"),
            "pages": len(snapshot.passage_rows),
        })

    def reload(self) -> None:
        """Re-read the active generation now (after an ingest in this process)."""
        with self._lock:
            self._refresh()

    def _refresh(self) -> None:
        name = self._store.active_name()
        self._checked_at = time.monotonic()
        if name is None or (self._snapshot is not None and self._snapshot.name == name):
            return
        generation = self._store.load_active(with_vectors=self._keep_vectors)
        vectors = generation.embeddings if generation.embeddings is not None else \
            StoredRows(self._store, generation.name, generation.chunks)
        self._snapshot = IndexSnapshot.build(generation.name, generation.chunks, vectors)
