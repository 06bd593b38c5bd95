"""Chunk vectors in chromadb, in immutable generations switched atomically.

Each ingest writes a complete new collection (a generation) and only then points the
pointer collection at it, so a failed or interrupted ingest never leaves a half-built
index in front of users. Embeddings always travel explicitly: chromadb's own embedding
function is never used (it would try to download a model).
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from assistant.models import Chunk

logger = logging.getLogger(__name__)

POINTER_COLLECTION = "frontline-index-pointer"
GENERATION_PREFIX = "chunks-"
_PAGE = 5000


@dataclass(frozen=True)
class Generation:
    """One complete, queryable set of chunks and their vectors."""

    name: str
    embedding_model: str
    chunks: list[Chunk]
    embeddings: np.ndarray


def chunk_metadata(chunk: Chunk) -> dict[str, str]:
    return {
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
    }


def chunk_from_record(chunk_id: str, text: str, metadata: dict) -> Chunk:
    return Chunk(
        chunk_id=chunk_id,
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
    )


class ChromaVectorStore:
    """Generations of chunk vectors in one chromadb client (embedded or HTTP)."""

    def __init__(self, client) -> None:
        self._client = client

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
        return cls(
            chromadb.HttpClient(
                host=parsed.hostname or "127.0.0.1",
                port=parsed.port or (443 if parsed.scheme == "https" else 8000),
                ssl=parsed.scheme == "https",
                settings=ChromaSettings(anonymized_telemetry=False),
            )
        )

    def _pointer(self):
        return self._client.get_or_create_collection(POINTER_COLLECTION, embedding_function=None)

    def active_name(self) -> str | None:
        """The generation users are answered from, or None before the first ingest."""
        metadata = self._pointer().metadata or {}
        return metadata.get("active") or None

    def load(self, name: str) -> Generation:
        """Every chunk and vector of a generation, in a stable order."""
        collection = self._client.get_collection(name, embedding_function=None)
        ids: list[str] = []
        texts: list[str] = []
        metadatas: list[dict] = []
        vectors: list[np.ndarray] = []
        offset = 0
        while True:
            page = collection.get(
                include=["documents", "metadatas", "embeddings"], limit=_PAGE, offset=offset
            )
            if not page["ids"]:
                break
            ids.extend(page["ids"])
            texts.extend(page["documents"])
            metadatas.extend(page["metadatas"])
            vectors.append(np.asarray(page["embeddings"], dtype=np.float32))
            offset += len(page["ids"])
        order = sorted(range(len(ids)), key=ids.__getitem__)
        chunks = [chunk_from_record(ids[i], texts[i], metadatas[i]) for i in order]
        matrix = np.concatenate(vectors)[order] if vectors else np.zeros((0, 0), dtype=np.float32)
        model = (collection.metadata or {}).get("embedding_model", "")
        return Generation(name=name, embedding_model=model, chunks=chunks, embeddings=matrix)

    def write(
        self,
        chunks: list[Chunk],
        embeddings: np.ndarray,
        embedding_model: str,
        on_progress: Callable[[int], None] | None = None,
    ) -> str:
        """Write a complete new generation; it is not queried until `activate` names it."""
        name = f"{GENERATION_PREFIX}{dt.datetime.now(dt.UTC):%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
        collection = self._client.create_collection(
            name,
            embedding_function=None,
            metadata={"hnsw:space": "cosine", "embedding_model": embedding_model, "state": "building"},
        )
        batch = min(self._client.get_max_batch_size(), 4000)
        for start in range(0, len(chunks), batch):
            part = chunks[start:start + batch]
            collection.add(
                ids=[chunk.chunk_id for chunk in part],
                embeddings=embeddings[start:start + batch],
                documents=[chunk.text for chunk in part],
                metadatas=[chunk_metadata(chunk) for chunk in part],
            )
            if on_progress is not None:
                on_progress(len(part))
        return name

    def activate(self, name: str) -> None:
        """Point users at generation `name`, then drop every other generation."""
        self._pointer().modify(metadata={"active": name, "activated_at": dt.datetime.now(dt.UTC).isoformat()})
        self.drop_inactive()

    def drop_inactive(self) -> list[str]:
        """Delete generations that are not active: leftovers of replaced or interrupted ingests."""
        active = self.active_name()
        dropped = []
        for name in self._generation_names():
            if name != active:
                self._client.delete_collection(name)
                dropped.append(name)
        return dropped

    def _generation_names(self) -> Iterable[str]:
        for collection in self._client.list_collections():
            name = collection if isinstance(collection, str) else collection.name
            if name.startswith(GENERATION_PREFIX):
                yield name

    def query(self, name: str, vector: np.ndarray, limit: int, where: dict | None = None) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity) pairs, best first, from generation `name`."""
        collection = self._client.get_collection(name, embedding_function=None)
        result = collection.query(
            query_embeddings=[vector], n_results=limit, where=where or None, include=["distances"]
        )
        return [(chunk_id, 1.0 - float(distance))
                for chunk_id, distance in zip(result["ids"][0], result["distances"][0], strict=True)]
