"""Incremental ingest on the real model and real chromadb: changes, deletions, failures, restarts."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.errors import IngestError
from assistant.retrieval.ingest import Ingestor
from assistant.retrieval.passage_index import PassageIndex
from assistant.retrieval.search import HybridSearcher
from assistant.retrieval.vector_store import ChromaVectorStore, Inventory, record_id
from tests.conftest import KNOWLEDGE_DIR

RETURNS = Path("en/customers/returns.md")


class CountingEmbedder:
    """Passes through to the real model and counts the texts it embeds."""

    def __init__(self, inner, name: str | None = None) -> None:
        self.inner = inner
        self.embedded = 0
        self._name = name

    @property
    def name(self) -> str:
        return self._name or self.inner.name

    def encode(self, texts, *, show_progress=False):
        self.embedded += len(texts)
        return self.inner.encode(texts)

    def encode_query(self, text):
        return self.inner.encode_query(text)


def _tidy(store: ChromaVectorStore, live: int) -> bool:
    """Nothing staged or half-retired is left, and the active generation has `live` records."""
    inventory = store.inventory()
    return inventory == Inventory(live=live, staged=0, retired=inventory.retired, pending_retirement=0)


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
    assert store.active_name() == report.generation
    assert _tidy(store, live=report.chunks) and len(store.collection_names()) == 1
    searcher = HybridSearcher(PassageIndex(store), counting.inner)
    hit = searcher.search("how long to return mossy stones").hits[0]
    assert hit.chunk.path == RETURNS.as_posix() and "9 days" in hit.chunk.text


def test_deleted_page_is_removed_from_the_index(indexed):
    store, counting, first, knowledge = indexed
    (knowledge / RETURNS).unlink()
    report = Ingestor(store, counting).ingest(knowledge)
    assert report.removed > 0 and report.documents == first.documents - 1
    index = PassageIndex(store)
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
    hit = HybridSearcher(PassageIndex(reopened), embedder).search("can a customer pay with Klarna").hits[0]
    assert hit.chunk.path.endswith("payment-methods.md")


def test_failed_ingest_leaves_the_previous_index_answering(indexed, embedder):
    store, counting, first, knowledge = indexed
    (knowledge / RETURNS).unlink()

    def crash(_name: str) -> None:
        raise OSError("disk full")

    with pytest.raises(IngestError, match="previous index is still answering"):
        Ingestor(store, counting, before_activate=crash).ingest(knowledge)
    assert store.active_name() == first.generation
    assert _tidy(store, live=first.chunks)
    hit = HybridSearcher(PassageIndex(store), embedder).search("returns time limit receipt").hits[0]
    assert hit.chunk.path == RETURNS.as_posix()


def test_interrupted_ingest_is_never_queried_and_is_cleaned_up(indexed, embedder):
    store, counting, first, knowledge = indexed
    before = store.load_active()
    changed = [replace(chunk, text=chunk.text + " Changed.", content_hash=chunk.content_hash[::-1])
               for chunk in before.chunks[:5]]
    retired = [record_id(chunk) for chunk in before.chunks[5:10]]
    store.stage(embedder.name, changed, before.embeddings[:5], retired)  # the process dies before activate
    assert store.active_name() == first.generation
    snapshot = PassageIndex(store).snapshot()
    assert snapshot.name == first.generation
    assert [chunk.chunk_id for chunk in snapshot.chunks] == [chunk.chunk_id for chunk in before.chunks]
    assert all(chunk.text == old.text for chunk, old in zip(snapshot.chunks, before.chunks, strict=True))
    assert store.inventory().staged == 5 and store.inventory().pending_retirement == 5
    again = Ingestor(store, counting).ingest(knowledge)
    assert not again.changed and again.generation == first.generation
    assert _tidy(store, live=first.chunks)


def test_one_changed_page_copies_no_unchanged_vector(indexed):
    store, counting, _, knowledge = indexed
    page = knowledge / RETURNS
    page.write_text(page.read_text(encoding="utf-8").replace("receipt", "till receipt", 1), encoding="utf-8")
    report = Ingestor(store, counting).ingest(knowledge)
    inventory = store.inventory()
    assert report.changed and inventory.live == report.chunks
    assert inventory.retired == report.embedded  # only the changed chunks were rewritten
    follow_up = Ingestor(store, counting).ingest(knowledge)
    assert not follow_up.changed and store.inventory().retired == 0  # the next ingest deletes them


@pytest.mark.slow  # embeds the whole demo knowledge again
def test_a_new_embedding_model_gets_its_own_collection(indexed, embedder):
    store, _, first, knowledge = indexed
    renamed = CountingEmbedder(embedder, name="another-model")
    report = Ingestor(store, renamed).ingest(knowledge)
    assert renamed.embedded == report.chunks and report.reused == 0
    assert len(store.collection_names()) == 2  # the old one goes at the next ingest
    assert PassageIndex(store).snapshot().name == report.generation
    Ingestor(store, renamed).ingest(knowledge)
    assert len(store.collection_names()) == 1 and _tidy(store, live=first.chunks)


def test_a_passages_position_is_stored_and_one_stored_before_positions_reads_as_unknown():
    from assistant.models import Chunk
    from assistant.retrieval.vector_store import chunk_from_record, chunk_metadata

    unplaced = Chunk(chunk_id="c1", path="en/a.md", title="A", section="S", text="t", content_hash="h")
    placed = replace(unplaced, position=2)
    assert chunk_from_record("t", chunk_metadata(placed, 1)).position == 2
    assert chunk_from_record("t", chunk_metadata(unplaced, 1)).position is None
    older = {key: value for key, value in chunk_metadata(placed, 1).items() if key != "position"}
    assert chunk_from_record("t", older).position is None
    # A new position is a new record (the next ingest stores it, reusing the vector), not a new content hash.
    assert record_id(placed) != record_id(unplaced) and placed.content_hash == unplaced.content_hash
