"""Voted turns written straight into a real SQLite interaction store, for the vote priors' tests."""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterator
from pathlib import Path

from assistant.interactions import InteractionStore
from assistant.models import Answer, Citation, Message, Route
from tests.support.keep_text import KeepText


@contextlib.contextmanager
def vote_store(directory: Path, salt: str) -> Iterator[InteractionStore]:
    """A fresh store in `directory` that keeps questions as given (these hold no personal data)."""
    with InteractionStore(f"sqlite:///{directory / 'votes.db'}", KeepText(), salt=salt) as opened:
        yield opened


def voted(store: InteractionStore, text: str, page: str, helpful: bool, asker: str, channel: str = "slack") -> str:
    """A turn whose reply cited `page` first, and its asker's vote; the turn's answer id."""
    answer = Answer(text="…", route=Route.KNOWLEDGE, confidence=0.7,
                    citations=[Citation(title=page, path=page, section="", score=0.45)])
    answer.answer_id = uuid.uuid4().hex
    store.record_turn(Message(text, asker=asker, channel=channel), answer, latency_ms=30.0)
    store.record_feedback(answer.answer_id, helpful)
    return answer.answer_id
