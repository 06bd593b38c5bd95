"""Notes beside index generations (a generation's answerability calibration, for replicas on a Chroma server)."""

from __future__ import annotations

from assistant.retrieval.vector_store import NOTES_KEPT, ChromaVectorStore


def test_notes_are_read_back_by_generation_and_only_the_newest_are_kept(tmp_path):
    store = ChromaVectorStore.embedded(tmp_path / "chroma")
    assert store.generation_note("chunks-a@1") is None
    for number in range(1, NOTES_KEPT + 3):
        store.set_generation_note(f"chunks-a@{number}", f"note {number}")
    store.set_generation_note("chunks-b@1", "other model")
    reopened = ChromaVectorStore.embedded(tmp_path / "chroma")
    assert reopened.generation_note(f"chunks-a@{NOTES_KEPT + 2}") == f"note {NOTES_KEPT + 2}"
    assert reopened.generation_note("chunks-a@2") is None, "older generations' notes are dropped"
    assert reopened.generation_note(f"chunks-a@{3}") == "note 3"
    assert reopened.generation_note("chunks-b@1") == "other model", "another collection's notes are left alone"
