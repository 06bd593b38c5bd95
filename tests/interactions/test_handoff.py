"""A hand-off to a person makes the turn a `handoff_requested` gap and gives back only the redacted question."""

from __future__ import annotations

import pytest

from assistant.errors import UnknownAnswerError
from assistant.interactions import InteractionStore
from assistant.models import Answer, GapReason, Message, Route


@pytest.fixture
def store(tmp_path, redactor) -> InteractionStore:
    with InteractionStore(f"sqlite:///{tmp_path / 'handoff.db'}", redactor, salt="test") as opened:
        yield opened


def test_a_handoff_turns_any_answer_into_a_handoff_gap(store: InteractionStore) -> None:
    question = "Can I refund Mario Rossi (mario.rossi@example.com) in cash?"
    store.record_turn(Message(question, asker="U1"), Answer("Yes, up to £150.", Route.KNOWLEDGE, 0.9, answer_id="a1"),
                      latency_ms=10)

    handoff = store.record_handoff("a1")

    assert handoff.gap_reason is GapReason.HANDOFF_REQUESTED
    assert "mario.rossi@example.com" not in handoff.question and "Mario Rossi" not in handoff.question
    assert "refund" in handoff.question
    [gap] = store.gaps()
    assert (gap.answer_id, gap.gap_reason) == ("a1", GapReason.HANDOFF_REQUESTED)
    store.record_feedback("a1", helpful=True)
    assert store.gaps()[0].gap_reason is GapReason.HANDOFF_REQUESTED, "a later thumbs-up does not undo a hand-off"


def test_a_handoff_on_an_unknown_answer_is_refused(store: InteractionStore) -> None:
    with pytest.raises(UnknownAnswerError):
        store.record_handoff("nope")


def test_early_redaction_runs_in_the_callers_context(tmp_path) -> None:
    """What the redactor's worker logs carries the request id of the question it redacts."""
    import contextvars

    request = contextvars.ContextVar("request", default=None)

    class SeesTheRequest:
        def redact(self, text: str) -> str:
            return f"{text} [{request.get()}]"

    with InteractionStore(f"sqlite:///{tmp_path / 'early.db'}", SeesTheRequest(), salt="test") as store:
        request.set("req-7")
        assert store.redact_question_early("hello").result(timeout=30) == "hello [req-7]"
