"""The store's question vectors: kept by key, a key stored twice keeps its first vector (two replicas embedding the
same question), many keys at once, gap questions walked oldest first, and retention removing old vectors."""

from __future__ import annotations

import datetime as dt

from assistant.interactions import InteractionStore
from assistant.models import Answer, GapReason, Message, Route
from tests.support.clock import DateClock

START = dt.datetime(2026, 5, 4, 9, 0, tzinfo=dt.UTC)


class KeepText:
    def redact(self, text: str) -> str:
        return text


def record(store: InteractionStore, answer_id: str, question: str, *, gap: bool = True) -> None:
    answer = Answer("I don't know that yet." if gap else "Thirty days.", Route.KNOWLEDGE, 0.2, gap=gap,
                    gap_reason=GapReason.NO_ANSWER if gap else None, answer_id=answer_id)
    store.record_turn(Message(question, asker="U1", channel="slack", language="en"), answer, latency_ms=3)


def test_a_vector_is_kept_once_by_key_and_read_back_in_bulk(database_url: str) -> None:
    clock = DateClock(START)
    with InteractionStore(database_url, KeepText(), salt="v", clock=clock) as store:
        store.save_question_vectors({"a" * 64: b"\x01\x02", "b" * 64: b"\x03\x04"})
        store.save_question_vectors({"a" * 64: b"\xff\xff", "c" * 64: b"\x05\x06"})  # another replica, same key
        many = {f"{number:064x}": number.to_bytes(2, "little") for number in range(1200)}
        store.save_question_vectors(many)

        assert store.question_vectors(["a" * 64, "b" * 64, "c" * 64, "d" * 64]) == {
            "a" * 64: b"\x01\x02", "b" * 64: b"\x03\x04", "c" * 64: b"\x05\x06"}
        assert store.question_vectors(list(many)) == many
        assert store.question_vectors([]) == {}


def test_gap_questions_are_walked_oldest_first_from_where_the_last_walk_stopped(database_url: str) -> None:
    clock = DateClock(START)
    with InteractionStore(database_url, KeepText(), salt="v", clock=clock) as store:
        for number in range(5):
            record(store, f"gap{number}", f"question {number}?")
            clock.now += dt.timedelta(minutes=1)
        record(store, "answered", "Answered question?", gap=False)

        first, position = store.gap_questions_after(None, 3)
        rest, position = store.gap_questions_after(position, 3)
        nothing, same = store.gap_questions_after(position, 3)
        record(store, "late", "A late question?")
        late, _ = store.gap_questions_after(position, 3)

    assert first == ["question 0?", "question 1?", "question 2?"]
    assert rest == ["question 3?", "question 4?"]
    assert nothing == [] and same == position
    assert late == ["A late question?"]


def test_retention_removes_vectors_older_than_the_turns_it_keeps(database_url: str) -> None:
    clock = DateClock(START)
    with InteractionStore(database_url, KeepText(), salt="v", clock=clock) as store:
        store.save_question_vectors({"old" + "0" * 61: b"\x01\x00"})
        clock.now += dt.timedelta(days=40)
        store.save_question_vectors({"new" + "0" * 61: b"\x02\x00"})
        store.apply_retention(30)

        assert store.question_vectors(["old" + "0" * 61, "new" + "0" * 61]) == {"new" + "0" * 61: b"\x02\x00"}
