"""Incremental ingest on the real model and real chromadb: changes, deletions, failures, restarts."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.retrieval.ingest import Ingestor
from assistant.retrieval.knowledge_index import KnowledgeIndex
from assistant.retrieval.search import HybridSearcher
from assistant.retrieval.vector_store import GENERATION_PREFIX, ChromaVectorStore
from tests.conftest import KNOWLEDGE_DIR

RETURNS = Path("en/customers/returns.md")


class CountingEmbedder:
    """Passes through to the real model and counts the texts it embeds."""

    def __init__(self, inner) -> None:
        self.inner = inner
        self.embedded = 0

    @property
    def name(self) -> str:
        return self.inner.name

    def encode(self, texts, *, show_progress=False):
        self.embedded += len(texts)
        return self.inner.encode(texts)

    def encode_query(self, text):
        return self.inner.encode_query(text)


def _generations(store: ChromaVectorStore) -> list[str]:
    return [name for name in store._generation_names() if name.startswith(GENERATION_PREFIX)]


@pytest.fixture(scope="module")
def first_ingest(tmp_path_factory, embedder):
    """The demo knowledge ingested once into a fresh store; tests work on copies of it."""
    root = tmp_path_factory.mktemp("first-ingest")
    counting = CountingEmbedder(embedder)
    report = Ingestor(ChromaVectorStore.embedded(root / "chroma"), counting).ingest(KNOWLEDGE_DIR)
    return root / "chroma", counting.embedded, report


@pytest.fixture
def indexed(tmp_path, knowledge_copy, embedder, first_ingest):
    chroma_dir, _, report = first_ingest
    shutil.copytree(chroma_dir, tmp_path / "chroma")
    store = ChromaVectorStore.embedded(tmp_path / "chroma")
    return store, CountingEmbedder(embedder), report, knowledge_copy


def test_first_ingest_embeds_everything(indexed, first_ingest):
    store, _, report, _ = indexed
    assert report.changed and report.documents >= 25
    assert first_ingest[1] == report.chunks == report.embedded
    assert store.active_name() == report.generation


def test_second_ingest_without_changes_embeds_nothing(indexed):
    store, counting, first, knowledge = indexed
    counting.embedded = 0
    again = Ingestor(store, counting).ingest(knowledge)
    assert not again.changed
    assert counting.embedded == 0
    assert again.generation == first.generation


def test_changing_one_page_embeds_only_its_changed_chunks(indexed):
    store, counting, _, knowledge = indexed
    page = knowledge / RETURNS
    page.write_text(page.read_text(encoding="utf-8") + "\n## Mossy stones\nMossy stones can be returned within "
                    "9 days if unopened.\n", encoding="utf-8")
    counting.embedded = 0
    report = Ingestor(store, counting).ingest(knowledge)
    assert report.changed
    assert 0 < counting.embedded <= 6
    assert report.reused == report.chunks - report.embedded
    assert _generations(store) == [report.generation]
    searcher = HybridSearcher(KnowledgeIndex(store), counting.inner)
    hit = searcher.search("how long to return mossy stones").hits[0]
    assert hit.chunk.path == RETURNS.as_posix() and "9 days" in hit.chunk.text


def test_deleted_page_is_removed_from_the_index(indexed):
    store, counting, first, knowledge = indexed
    (knowledge / RETURNS).unlink()
    report = Ingestor(store, counting).ingest(knowledge)
    assert report.removed > 0 and report.documents == first.documents - 1
    index = KnowledgeIndex(store)
    assert all(chunk.path != RETURNS.as_posix() for chunk in index.snapshot().chunks)


def test_broken_page_is_skipped_and_reported(indexed):
    store, counting, first, knowledge = indexed
    (knowledge / "en" / "broken.md").write_text("---\ntitle: [broken\n---\nbody\n", encoding="utf-8")
    report = Ingestor(store, counting).ingest(knowledge)
    assert [problem.path for problem in report.problems] == ["en/broken.md"]
    assert report.documents == first.documents


def test_index_survives_a_restart(indexed, tmp_path, embedder):
    _, _, first, _ = indexed
    reopened = ChromaVectorStore.embedded(tmp_path / "chroma")
    assert reopened.active_name() == first.generation
    hit = HybridSearcher(KnowledgeIndex(reopened), embedder).search("can a customer pay with Klarna").hits[0]
    assert hit.chunk.path.endswith("payment-methods.md")


def test_failed_ingest_leaves_the_previous_index_answering(indexed, embedder):
    store, counting, first, knowledge = indexed
    (knowledge / RETURNS).unlink()

    def crash(_name: str) -> None:
        raise OSError("disk full")

    with pytest.raises(IngestError, match="previous index is still answering"):
        Ingestor(store, counting, before_activate=crash).ingest(knowledge)
    assert store.active_name() == first.generation
    assert _generations(store) == [first.generation]
    hit = HybridSearcher(KnowledgeIndex(store), embedder).search("returns time limit receipt").hits[0]
    assert hit.chunk.path == RETURNS.as_posix()


def test_interrupted_ingest_is_never_queried_and_is_cleaned_up(indexed, embedder):
    store, counting, first, knowledge = indexed
    generation = store.load(first.generation)
    orphan = store.write(generation.chunks[:5], generation.embeddings[:5], embedder.name)
    assert store.active_name() == first.generation
    index = KnowledgeIndex(store)
    assert index.snapshot().name == first.generation
    Ingestor(store, counting).ingest(knowledge)
    assert orphan not in _generations(store)
