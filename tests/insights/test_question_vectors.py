"""Gap questions embedded once: the real model and a real SQLite store, read back equal, embedded again only when
the store cannot be used, and the background warmer working through new gaps a batch at a time."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from sqlalchemy import create_engine

from assistant.insights.question_vectors import QuestionVectorWarmer, StoredQuestionEmbedder
from assistant.interactions import InteractionStore
from assistant.models import Answer, GapReason, Message, Route
from tests.support.clock import DateClock

QUESTIONS = ["Can I swap a shift with a colleague?", "Where do I find the fire exit map?",
             "Can I swap a shift with a colleague?", "Posso cambiare turno con un collega?"]


class KeepText:
    def redact(self, text: str) -> str:
        return text


@pytest.fixture
def store(tmp_path: Path):
    with InteractionStore(f"sqlite:///{tmp_path / 'interactions.db'}", KeepText(), salt="v",
                          clock=DateClock(dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC))) as opened:
        yield opened


def record_gap(store: InteractionStore, answer_id: str, question: str) -> None:
    answer = Answer("I don't know that yet.", Route.KNOWLEDGE, 0.2, gap=True, gap_reason=GapReason.NO_ANSWER,
                    answer_id=answer_id)
    store.record_turn(Message(question, asker="U1", channel="slack", language="en"), answer, latency_ms=3)


def test_each_distinct_question_is_embedded_once_and_read_back_unchanged(store, embedder) -> None:
    first = StoredQuestionEmbedder(embedder, store)
    computed = first.encode_questions(QUESTIONS)
    again = StoredQuestionEmbedder(embedder, store)  # another process, same store
    read_back = again.encode_questions(QUESTIONS)

    assert first.embedded == 3 and again.embedded == 0
    assert computed.shape == (4, embedder.encode_questions(QUESTIONS[:1]).shape[1])
    assert np.array_equal(computed, read_back)
    assert np.array_equal(computed[0], computed[2])
    direct = np.asarray(embedder.encode_questions(QUESTIONS[:1]), dtype=np.float32)[0]
    assert float(np.dot(direct, read_back[0]) / np.linalg.norm(direct) / np.linalg.norm(read_back[0])) > 0.999


def test_without_its_table_the_store_is_passed_by_and_the_questions_still_embedded(store, embedder, tmp_path,
                                                                                  caplog) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'interactions.db'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE question_vectors")
    engine.dispose()
    questioned = StoredQuestionEmbedder(embedder, store)

    with caplog.at_level("WARNING", logger="assistant.insights.question_vectors"):
        vectors = questioned.encode_questions(QUESTIONS[:2])

    assert vectors.shape[0] == 2 and questioned.embedded == 2
    assert "without stored vectors" in caplog.text and "could not keep 2 question vectors" in caplog.text


def test_the_warmer_embeds_new_gaps_a_batch_at_a_time_and_then_nothing(store, embedder) -> None:
    for number, question in enumerate(QUESTIONS):
        record_gap(store, f"gap{number}", question)
    questioned = StoredQuestionEmbedder(embedder, store)
    warmer = QuestionVectorWarmer(store, questioned, per_run=2)

    assert [warmer.run(), warmer.run(), warmer.run()] == [2, 1, 0]  # the repeat in the second batch is known
    record_gap(store, "late", "Who signs off overtime on Sundays?")
    assert warmer.run() == 1
    report_side = StoredQuestionEmbedder(embedder, store)
    report_side.encode_questions([*QUESTIONS, "Who signs off overtime on Sundays?"])
    assert report_side.embedded == 0


def test_a_warmer_needs_a_positive_batch(store, embedder) -> None:
    with pytest.raises(ValueError, match="per_run"):
        QuestionVectorWarmer(store, StoredQuestionEmbedder(embedder, store), per_run=0)
