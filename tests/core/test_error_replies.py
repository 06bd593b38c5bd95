"""One table of what staff are told when something fails, in English and Italian."""

from __future__ import annotations

import pytest

from assistant.error_replies import REPLIES, ErrorKind, error_kind, error_reply
from assistant.errors import (
    ConfigurationError,
    EmptyQuestionError,
    IndexNotReadyError,
    InvalidQuestionError,
    QuestionTooLongError,
    UnknownAnswerError,
)
from assistant.interactions import InteractionStoreError


def test_every_kind_has_an_english_and_an_italian_text() -> None:
    assert set(REPLIES) == set(ErrorKind)
    for kind, texts in REPLIES.items():
        assert set(texts) == {"en", "it"}, kind
        assert texts["en"] != texts["it"], kind


@pytest.mark.parametrize(("error", "kind"), [
    (EmptyQuestionError("empty"), ErrorKind.EMPTY_QUESTION),
    (InvalidQuestionError("not text"), ErrorKind.EMPTY_QUESTION),
    (QuestionTooLongError(5000, 4000), ErrorKind.QUESTION_TOO_LONG),
    (IndexNotReadyError("no index"), ErrorKind.INDEX_NOT_READY),
    (UnknownAnswerError("abc"), ErrorKind.UNKNOWN_ANSWER),
    (InteractionStoreError("record a turn", "database down"), ErrorKind.UNAVAILABLE),
    (ConfigurationError("bad setting"), ErrorKind.UNAVAILABLE),
    (RuntimeError("bug"), ErrorKind.UNEXPECTED),
])
def test_errors_map_to_their_kind(error: BaseException, kind: ErrorKind) -> None:
    assert error_kind(error) is kind


def test_replies_fill_in_the_limits_and_follow_the_language() -> None:
    english = error_reply(QuestionTooLongError(5000, 4000))
    italian = error_reply(QuestionTooLongError(5000, 4000), "it")
    assert "5000 characters" in english and "4000" in english
    assert "5000 caratteri" in italian
    assert error_reply(EmptyQuestionError("empty"), "fr") == error_reply(EmptyQuestionError("empty"), "en")
    assert "bug" not in error_reply(RuntimeError("bug")), "internal details never reach staff"
