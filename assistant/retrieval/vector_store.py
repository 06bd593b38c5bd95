"""Chunk vectors in chromadb, versioned record by record and switched atomically.

All chunks embedded with one model live in one collection. Every record carries the
generation that added it (`born`) and the one that removed it (`retired`); generation G
is the records with born <= G < retired. An ingest adds its new records with born = G+1 and
marks the removed ones retired = G+1, neither of which G can see, then moves the pointer to
G+1 in one metadata write. So an unchanged chunk is never copied, and a failed or interrupted
ingest never shows a half-built index: `clean_up` deletes what it staged and un-retires what
it retired. Records a generation no longer sees are deleted by the next ingest, not at once,
so a server still loading the previous generation can finish.

Embeddings always travel explicitly: chromadb's own embedding function is never used (it
would try to download a model).

With a Chroma server (`remote`), the client connects on first use, and a server that cannot be
reached raises `IndexUnavailableError` from every call, so a question gets a clear answer and the
next one, once the server is back, is answered without restarting the assistant.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import httpx
import numpy as np

from assistant.errors import IndexNotReadyError, IndexUnavailableError
from assistant.models import Chunk

logger = logging.getLogger(__name__)

POINTER_COLLECTION = "frontline-index-pointer-v2"
NOTES_COLLECTION = "frontline-generation-notes"
NOTES_KEPT = 4
"""Notes kept per collection of generations: the newest few, so the active one and the one before it always
have theirs."""
COLLECTION_PREFIX = "chunks-"
NEVER_RETIRED = 2**31 - 1
_PAGE = 2000
_LOAD_ATTEMPTS = 3


@dataclass(frozen=True)
class ActiveGeneration:
    """What the pointer names: a collection, a generation number in it and its size."""

    collection: str
    number: int
    chunks: int
    embedding_model: str

    @property
    def name(self) -> str:
        return f"{self.collection}@{self.number}"


@dataclass(frozen=True)
class Generation:
    """One complete, queryable set of chunks and their vectors (None when read without them)."""

    name: str
    embedding_model: str
    chunks: list[Chunk]
    embeddings: np.ndarray | None


@dataclass(frozen=True)
class Neighbour:
    """A record the server's nearest-neighbour index returned, and its cosine similarity to the query."""

    chunk_id: str
    similarity: float


@dataclass(frozen=True)
class LiveRecord:
    """A record the active generation sees, without its vector."""

    record_id: str
    chunk_id: str
    content_hash: str


@dataclass(frozen=True)
class Inventory:
    """How many records a collection holds, by state relative to the active generation."""

    live: int
    staged: int
    """Added by an ingest that has not been activated (or was interrupted)."""
    retired: int
    """Removed by the active generation or an earlier one, waiting to be deleted."""
    pending_retirement: int
    """Still live, but marked for removal by an ingest that has not been activated."""


def collection_for(embedding_model: str) -> str:
    """The collection holding vectors of one embedding model (dimensions differ between models)."""
    return f"{COLLECTION_PREFIX}{hashlib.sha1(embedding_model.encode('utf-8')).hexdigest()[:12]}"


def record_id(chunk: Chunk) -> str:
    """Changes whenever anything stored about the chunk changes (the content hash leaves out its parent, its why
    line, its translation link and its position, which change no vector). A chunk without a why line, a link or a
    position keeps the id it had before there were any."""
    stored = f"{chunk.content_hash}\x1f{chunk.parent_id or ''}" + (f"\x1f{chunk.why}" if chunk.why else "") \
        + (f"\x1ftranslation_of={chunk.translation_of}" if chunk.translation_of else "") \
        + (f"\x1fposition={chunk.position}" if chunk.position is not None else "")
    fingerprint = hashlib.sha1(stored.encode()).hexdigest()[:16]
    return f"{chunk.chunk_id}@{fingerprint}"


def chunk_metadata(chunk: Chunk, born: int) -> dict[str, str | int]:
    return {
        "chunk_id": chunk.chunk_id,
        "path": chunk.path,
        "title": chunk.title,
        "section": chunk.section,
        "owner": chunk.owner or "",
        "audience": chunk.audience,
        "language": chunk.language,
        "url": chunk.url or "",
        "kind": chunk.kind,
        "content_hash": chunk.content_hash,
        "parent_id": chunk.parent_id or "",
        "why": chunk.why or "",
        "translation_of": chunk.translation_of or "",
        "position": chunk.position if chunk.position is not None else -1,
        "born": born,
        "retired": NEVER_RETIRED,
    }


def chunk_from_record(text: str, metadata: dict) -> Chunk:
    return Chunk(
        chunk_id=metadata["chunk_id"],
        path=metadata["path"],
        title=metadata["title"],
        section=metadata["section"],
        text=text,
        content_hash=metadata["content_hash"],
        owner=metadata["owner"] or None,
        audience=metadata["audience"],
        language=metadata["language"],
        url=metadata["url"] or None,
        kind=metadata["kind"],
        parent_id=metadata.get("parent_id") or None,
        why=metadata.get("why") or None,
        translation_of=metadata.get("translation_of") or None,
        position=_position(metadata.get("position")),
    )


def _position(stored: object) -> int | None:
    """A chunk's stored position; None when it has none (-1), or was stored before positions were kept."""
    return stored if isinstance(stored, int) and stored >= 0 else None


def visible_in(number: int) -> dict:
    """The chromadb filter for the records generation `number` sees."""
    return {"$and": [{"born": {"$lte": number}}, {"retired": {"$gt": number}}]}


def visible_and_allowed(number: int, audiences: tuple[str, ...] | None, languages: tuple[str, ...] | None) -> dict:
    """`visible_in(number)`, narrowed to the audiences and languages a search may return (None: any)."""
    clauses = list(visible_in(number)["$and"])
    if audiences is not None:
        clauses.append({"audience": {"$in": list(audiences)}})
    if languages is not None:
        clauses.append({"language": {"$in": list(languages)}})
    return {"$and": clauses}


def parse_generation(name: str) -> tuple[str, int]:
    """The collection and number of a generation name (`collection@number`)."""
    collection, _, number = name.rpartition("@")
    return collection, int(number)


def _server_errors(method):
    """Turns a Chroma server that cannot be reached into `IndexUnavailableError` (the embedded client never
    raises these)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except httpx.TransportError as error:
            raise IndexUnavailableError(f"the Chroma server {self.location} cannot be reached: {error}") from error

    return wrapper


class ChromaVectorStore:
    """Versioned chunk records in one chromadb client (embedded, or a Chroma server over HTTP)."""

    def __init__(self, client=None, connect: Callable[[], object] | None = None, location: str = "embedded") -> None:
        if client is None and connect is None:
            raise ValueError("a ChromaVectorStore needs a client or a way to connect one")
        self._instance = client
        self._connect = connect
        self._connect_lock = threading.Lock()
        self.location = location
        """`embedded`, or the server's URL."""

    @property
    def is_server(self) -> bool:
        """True for a Chroma server (dense search can run there), False for the embedded store."""
        return self._connect is not None

    @property
    def _client(self):
        if self._instance is None:
            with self._connect_lock:
                if self._instance is None:
                    try:
                        self._instance = self._connect()
                    except (ValueError, httpx.HTTPError) as error:
                        # chromadb reports a server it cannot reach at connection time as a ValueError.
                        raise IndexUnavailableError(
                            f"the Chroma server {self.location} cannot be reached: {error}") from error
        return self._instance

    @classmethod
    def embedded(cls, directory) -> ChromaVectorStore:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        directory.mkdir(parents=True, exist_ok=True)
        return cls(chromadb.PersistentClient(path=str(directory), settings=ChromaSettings(anonymized_telemetry=False)))

    @classmethod
    def remote(cls, url: str) -> ChromaVectorStore:
        from urllib.parse import urlparse

        import chromadb
        from chromadb.config import Settings as ChromaSettings

        parsed = urlparse(url)

        def connect():
            return chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=ChromaSettings(anonymized_telemetry=False),
            )

        return cls(connect=connect, location=url)

    # The pointer

    def _pointer(self):
        return self._client.get_or_create_collection(POINTER_COLLECTION, embedding_function=None)

    @_server_errors
    def active(self) -> ActiveGeneration | None:
        """The generation users are answered from, or None before the first ingest."""
        metadata = self._pointer().metadata or {}
        if not metadata.get("collection"):
            return None
        return ActiveGeneration(
            collection=metadata["collection"],
            number=int(metadata["generation"]),
            chunks=int(metadata["chunks"]),
            embedding_model=metadata.get("embedding_model", ""),
        )

    def active_name(self) -> str | None:
        active = self.active()
        return active.name if active else None

    # Notes on generations (what every process reading the store must agree on, such as its calibration)

    def _notes(self):
        return self._client.get_or_create_collection(NOTES_COLLECTION, embedding_function=None)

    @_server_errors
    def generation_note(self, generation: str) -> str | None:
        """The text noted for `generation`, or None."""
        return (self._notes().metadata or {}).get(generation)

    @_server_errors
    def set_generation_note(self, generation: str, text: str) -> None:
        """Note `text` for `generation`, keeping the notes of the newest `NOTES_KEPT` generations of its collection
        and those of other collections (one writer at a time: `assistant ingest`)."""
        notes = dict(self._notes().metadata or {})
        notes[generation] = text
        collection, _ = parse_generation(generation)
        siblings = sorted((name for name in notes if parse_generation(name)[0] == collection),
                          key=lambda name: parse_generation(name)[1], reverse=True)
        for stale in siblings[NOTES_KEPT:]:
            del notes[stale]
        self._notes().modify(metadata=notes)

    def _collection(self, name: str, embedding_model: str):
        return self._client.get_or_create_collection(
            name, embedding_function=None, metadata={"hnsw:space": "cosine", "embedding_model": embedding_model}
        )

    # Reading

    @_server_errors
    def load_active(self, with_vectors: bool = True) -> Generation:
        """Every chunk (and, unless `with_vectors` is False, every vector) of the active generation, sorted by
        chunk id.

        Raises `IndexNotReadyError` before the first ingest. If an ingest deletes records
        while they are read (the count no longer matches the pointer), reads again.
        """
        for _ in range(_LOAD_ATTEMPTS):
            active = self.active()
            if active is None:
                raise IndexNotReadyError("the knowledge index is empty: run `assistant ingest` first")
            generation = self._read(active, with_vectors)
            if len(generation.chunks) == active.chunks:
                return generation
            logger.info("generation %s changed while it was read; reading again", active.name)
            time.sleep(0.2)
        raise IndexNotReadyError(f"generation {active.name} kept changing while it was read")

    def _read(self, active: ActiveGeneration, with_vectors: bool = True) -> Generation:
        collection = self._client.get_collection(active.collection, embedding_function=None)
        ids = collection.get(where=visible_in(active.number), include=[])["ids"]
        texts: list[str] = []
        metadatas: list[dict] = []
        vectors: list[np.ndarray] = []
        include = ["documents", "metadatas", "embeddings"] if with_vectors else ["documents", "metadatas"]
        for start in range(0, len(ids), _PAGE):
            page = collection.get(ids=ids[start:start + _PAGE], include=include)
            texts.extend(page["documents"])
            metadatas.extend(page["metadatas"])
            if with_vectors:
                vectors.append(np.asarray(page["embeddings"], dtype=np.float32))
        chunks = [chunk_from_record(text, metadata) for text, metadata in zip(texts, metadatas, strict=True)]
        order = sorted(range(len(chunks)), key=lambda i: chunks[i].chunk_id)
        matrix = None
        if with_vectors:
            matrix = np.concatenate(vectors)[order] if vectors else np.zeros((0, 0), dtype=np.float32)
        return Generation(name=active.name, embedding_model=active.embedding_model,
                          chunks=[chunks[i] for i in order], embeddings=matrix)

    @_server_errors
    def nearest(self, generation: str, vector: np.ndarray, count: int, audiences: tuple[str, ...] | None = None,
                languages: tuple[str, ...] | None = None) -> list[Neighbour]:
        """The `count` records of `generation` (a name from `ActiveGeneration.name`) closest to `vector` in the
        collection's HNSW index (cosine space), among those the audiences and languages may see, closest first."""
        collection_name, number = parse_generation(generation)
        collection = self._client.get_collection(collection_name, embedding_function=None)
        found = collection.query(query_embeddings=[np.asarray(vector, dtype=np.float32)], n_results=count,
                                 where=visible_and_allowed(number, audiences, languages),
                                 include=["distances", "metadatas"])
        return [Neighbour(chunk_id=metadata["chunk_id"], similarity=1.0 - float(distance))
                for metadata, distance in zip(found["metadatas"][0], found["distances"][0], strict=True)]

    @_server_errors
    def vectors_by_id(self, generation: str, record_ids: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors of some records of `generation`'s collection, by record id."""
        if not record_ids:
            return {}
        collection_name, _ = parse_generation(generation)
        collection = self._client.get_collection(collection_name, embedding_function=None)
        found = collection.get(ids=record_ids, include=["embeddings"])
        return {record: np.asarray(vector, dtype=np.float32)
                for record, vector in zip(found["ids"], found["embeddings"], strict=True)}

    @_server_errors
    def live_records(self, embedding_model: str) -> list[LiveRecord]:
        """The active generation's records, if it was embedded with `embedding_model` (else none)."""
        active = self.active()
        if active is None or active.collection != collection_for(embedding_model):
            return []
        collection = self._client.get_collection(active.collection, embedding_function=None)
        found = collection.get(where=visible_in(active.number), include=["metadatas"])
        return [LiveRecord(record, metadata["chunk_id"], metadata["content_hash"])
                for record, metadata in zip(found["ids"], found["metadatas"], strict=True)]

    @_server_errors
    def vectors(self, embedding_model: str, record_ids: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors by record id (for reuse when a chunk's text moved to a new id)."""
        if not record_ids:
            return {}
        collection = self._client.get_collection(collection_for(embedding_model), embedding_function=None)
        found = collection.get(ids=record_ids, include=["embeddings"])
        return {record: np.asarray(vector, dtype=np.float32)
                for record, vector in zip(found["ids"], found["embeddings"], strict=True)}

    # Writing

    @_server_errors
    def stage(
        self,
        embedding_model: str,
        added: list[Chunk],
        added_vectors: np.ndarray,
        retired_ids: list[str],
        on_progress: Callable[[int], None] | None = None,
    ) -> ActiveGeneration:
        """Prepare the next generation; nobody sees it until `activate` is called with the result."""
        active = self.active()
        number = (active.number if active else 0) + 1
        name = collection_for(embedding_model)
        collection = self._collection(name, embedding_model)
        same_collection = active is not None and active.collection == name
        kept = (active.chunks if same_collection else 0) - len(retired_ids)
        batch = min(self._client.get_max_batch_size(), 4000)
        for start in range(0, len(added), batch):
            part = added[start:start + batch]
            collection.upsert(
                ids=[record_id(chunk) for chunk in part],
                embeddings=added_vectors[start:start + batch],
                documents=[chunk.text for chunk in part],
                metadatas=[chunk_metadata(chunk, number) for chunk in part],
            )
            if on_progress is not None:
                on_progress(len(part))
        if retired_ids and same_collection:
            collection.update(ids=retired_ids, metadatas=[{"retired": number}] * len(retired_ids))
        return ActiveGeneration(collection=name, number=number, chunks=kept + len(added),
                                embedding_model=embedding_model)

    @_server_errors
    def activate(self, generation: ActiveGeneration) -> None:
        """Point users at `generation` (one metadata write: the switch is atomic)."""
        self._pointer().modify(metadata={
            "collection": generation.collection,
            "generation": generation.number,
            "chunks": generation.chunks,
            "embedding_model": generation.embedding_model,
            "activated_at": dt.datetime.now(dt.UTC).isoformat(),
        })

    @_server_errors
    def clean_up(self) -> None:
        """Undo what unactivated ingests left and delete what no generation from now on can see."""
        active = self.active()
        for name in self._collection_names():
            if active is None or name != active.collection:
                self._client.delete_collection(name)
        if active is None:
            return
        collection = self._client.get_collection(active.collection, embedding_function=None)
        collection.delete(where={"born": {"$gt": active.number}})
        collection.delete(where={"retired": {"$lte": active.number}})
        pending = collection.get(where={"$and": [{"retired": {"$gt": active.number}},
                                                 {"retired": {"$lt": NEVER_RETIRED}}]}, include=[])["ids"]
        if pending:
            collection.update(ids=pending, metadatas=[{"retired": NEVER_RETIRED}] * len(pending))

    @_server_errors
    def inventory(self) -> Inventory:
        """Record counts of the active collection; shows what an ingest left behind."""
        active = self.active()
        if active is None:
            return Inventory(0, 0, 0, 0)
        collection = self._client.get_collection(active.collection, embedding_function=None)
        found = collection.get(include=["metadatas"])["metadatas"]
        number = active.number
        return Inventory(
            live=sum(1 for m in found if m["born"] <= number < m["retired"]),
            staged=sum(1 for m in found if m["born"] > number),
            retired=sum(1 for m in found if m["retired"] <= number),
            pending_retirement=sum(1 for m in found if number < m["retired"] < NEVER_RETIRED),
        )

    @_server_errors
    def collection_names(self) -> list[str]:
        """Chunk collections present (one per embedding model; more only between ingests)."""
        return sorted(self._collection_names())

    def _collection_names(self) -> Iterable[str]:
        for collection in self._client.list_collections():
            name = collection if isinstance(collection, str) else collection.name
            if name.startswith(COLLECTION_PREFIX):
                yield name
