"""The Chroma server path (`ASSISTANT_CHROMA_URL`): the same answers as the embedded store, from a real `chroma run`
server, with dense search on its HNSW index and no vector matrix in the answering process."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.access import visible_audiences
from assistant.models import Message
from assistant.retrieval.dense import ExactDenseScorer, ServerDenseScorer
from assistant.retrieval.row_vectors import StoredRows
from assistant.retrieval.vector_store import ChromaVectorStore

QUESTIONS = [
    ("How long does a customer have to return a lawnmower?", None),
    ("Can I swap a shift with a colleague?", None),
    ("what are our company values", None),
    ("how do I check a gift card balance", None),
    ("who can authorise a refund without a receipt", "managers"),
    ("who can authorise a refund without a receipt", "all"),
    ("entro quanto tempo si può restituire un tosaerba?", None),
    ("what is the wifi password for the warehouse drones", None),
]


def _ask(services, text: str, audience: str | None):
    return services.assistant.handle(Message(text=text, asker="server-path-test", channel="api", audience=audience))


@pytest.mark.parametrize(("text", "audience"), QUESTIONS)
def test_the_server_path_answers_as_the_embedded_store(company_services, server_services, text, audience):
    embedded = _ask(company_services, text, audience)
    served = _ask(server_services, text, audience)
    assert served.route == embedded.route
    assert served.gap == embedded.gap
    assert [citation.path for citation in served.citations] == [citation.path for citation in embedded.citations]
    assert served.text == embedded.text
    assert served.confidence == pytest.approx(embedded.confidence, abs=1e-3)


def test_a_replica_holds_no_vector_matrix(server_services):
    snapshot = server_services.index.snapshot()
    assert snapshot.embeddings is None
    assert isinstance(snapshot.vectors, StoredRows)
    _ask(server_services, "How long does a customer have to return a lawnmower?", None)
    # Only the vectors the short answer and the question owners needed were fetched, not the index: placing each
    # `questions` phrasing under its page's closest passage reads the phrasings and those pages' passages once, and
    # the answer reads a few windows, never most of them.
    phrased_pages = {chunk.path for chunk in snapshot.chunks if chunk.kind == "question"}
    placing = sum(chunk.kind == "question" or (chunk.kind == "section" and chunk.path in phrased_pages)
                  for chunk in snapshot.chunks)
    windows = sum(chunk.kind == "window" for chunk in snapshot.chunks)
    assert placing < snapshot.vectors.cached < placing + windows / 2


def test_the_collection_is_searched_in_cosine_space(server_services):
    active = server_services.store.active()
    collection = server_services.store._client.get_collection(active.collection, embedding_function=None)
    assert collection.configuration["hnsw"]["space"] == "cosine"


def test_server_dense_scores_are_the_exact_cosines_of_the_passages_they_return(company_services, server_services,
                                                                               embedder):
    exact_snapshot = company_services.index.snapshot()
    server_snapshot = server_services.index.snapshot()
    assert [chunk.chunk_id for chunk in exact_snapshot.chunks] == [chunk.chunk_id for chunk in server_snapshot.chunks]
    vector = embedder.encode_query("how many days of annual leave do I get")
    audiences = visible_audiences("staff")
    exact = ExactDenseScorer().scores(exact_snapshot, vector, audiences, None,
                                      exact_snapshot.mask(audiences, None))
    served = ServerDenseScorer(server_services.store, candidates=50).scores(
        server_snapshot, vector, audiences, None, server_snapshot.mask(audiences, None))
    best = np.argsort(-exact)[:10]
    assert served[best] == pytest.approx(exact[best], abs=1e-4)
    # Rows the audience may not see stay out on both paths.
    assert np.array_equal(np.isfinite(served), np.isfinite(exact))


def test_the_server_filters_by_audience_and_language(server_services, embedder):
    store: ChromaVectorStore = server_services.store
    generation = server_services.index.snapshot().name
    vector = embedder.encode_query("refund without a receipt")
    for neighbour in store.nearest(generation, vector, 100, audiences=("all",), languages=("it",)):
        chunk = server_services.index.snapshot().chunks[server_services.index.snapshot().rows[neighbour.chunk_id]]
        assert chunk.audience == "all" and chunk.language == "it"


def test_a_replica_with_its_own_data_directory_uses_the_calibration_the_ingest_left_beside_the_index(
        server_services, chroma_server, embedder, redactor, tmp_path):
    from connectors.app.services import build_services
    from tests.conftest import make_settings

    generation = server_services.index.snapshot().name
    ingested = server_services.skill.calibrations.get(generation)
    assert ingested is not None and server_services.store.generation_note(generation) is not None
    replica = build_services(make_settings(tmp_path / "replica", chroma_url=chroma_server.url), embedder=embedder,
                             redactor=redactor)
    try:
        assert not replica.skill.calibrations.path(generation).exists(), "nothing on this replica's disk yet"
        assert replica.skill.calibrations.shift(generation) == ingested.shift
        assert replica.skill.calibrations.path(generation).exists(), "kept on disk once read"
        text = "Can I swap a shift with a colleague?"
        assert _ask(replica, text, None).confidence == _ask(server_services, text, None).confidence
    finally:
        replica.close()
