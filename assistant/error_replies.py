"""What staff are told when a question cannot be answered or feedback cannot be recorded.

One table of error kinds and their texts in English and Italian. Channels (HTTP, Slack,
Teams) pick the kind with `error_kind`, take its text from `error_reply`, and only format it
(Slack adds an icon, HTTP maps the kind to a status code). Order-system and NLU failures do
not reach the channels: the pipeline answers around them and marks the answer `degraded`.
"""

from __future__ import annotations

from enum import StrEnum

from assistant.errors import (
    AssistantError,
    IndexNotReadyError,
    InvalidQuestionError,
    NoticeNotPossibleError,
    QuestionTooLongError,
    UnknownAnswerError,
)


class ErrorKind(StrEnum):
    """The kinds of failure a member of staff can meet, each with its own reply."""

    EMPTY_QUESTION = "empty_question"
    QUESTION_TOO_LONG = "question_too_long"
    INDEX_NOT_READY = "index_not_ready"
    UNKNOWN_ANSWER = "unknown_answer"
    NOT_AN_OPEN_GAP = "not_an_open_gap"
    """Someone asked to be told when an answer improves, but it is an answer already, or a closed gap."""
    UNAVAILABLE = "unavailable"
    """Any other error the assistant raised on purpose: a part it needs is down."""
    UNEXPECTED = "unexpected"
    """A bug: an exception the assistant did not raise on purpose."""


REPLIES: dict[ErrorKind, dict[str, str]] = {
    ErrorKind.EMPTY_QUESTION: {
        "en": "I didn't catch a question there. Type your question, for example: "
              "how long do customers have to return an item?",
        "it": "Non ho trovato una domanda. Scrivi la tua domanda, per esempio: "
              "entro quanto tempo un cliente può restituire un articolo?",
    },
    ErrorKind.QUESTION_TOO_LONG: {
        "en": "That question is too long for me ({length} characters; I can read up to {limit}). "
              "Please shorten it and ask again.",
        "it": "La domanda è troppo lunga per me ({length} caratteri; ne leggo al massimo {limit}). "
              "Accorciala e chiedi di nuovo.",
    },
    ErrorKind.INDEX_NOT_READY: {
        "en": "I'm not ready yet: the knowledge base hasn't been loaded. Please try again in a few minutes.",
        "it": "Non sono ancora pronto: la base di conoscenza non è stata caricata. Riprova tra qualche minuto.",
    },
    ErrorKind.UNKNOWN_ANSWER: {
        "en": "Sorry, I couldn't find that answer any more (it may be from before I restarted), "
              "so your feedback wasn't recorded.",
        "it": "Non trovo più quella risposta (forse è di prima che mi riavviassi), "
              "quindi il tuo parere non è stato registrato.",
    },
    ErrorKind.NOT_AN_OPEN_GAP: {
        "en": "There's nothing to wait for here: that question has an answer already, or the knowledge team has "
              "closed it. Ask me again to see the latest answer.",
        "it": "Qui non c'è niente da aspettare: quella domanda ha già una risposta, oppure il team della conoscenza "
              "l'ha chiusa. Chiedimelo di nuovo per vedere la risposta più recente.",
    },
    ErrorKind.UNAVAILABLE: {
        "en": "Sorry, I can't answer right now because part of my system is unavailable. "
              "Please try again in a few minutes, or ask your line manager if it's urgent.",
        "it": "Non riesco a rispondere ora perché una parte del mio sistema non è disponibile. "
              "Riprova tra qualche minuto, oppure chiedi al tuo responsabile se è urgente.",
    },
    ErrorKind.UNEXPECTED: {
        "en": "Sorry, something went wrong on my side and I couldn't answer. It has been logged; "
              "please try again in a moment, or ask your line manager if it's urgent.",
        "it": "Qualcosa è andato storto da parte mia e non ho potuto rispondere. Il problema è stato registrato; "
              "riprova tra poco, oppure chiedi al tuo responsabile se è urgente.",
    },
}


def error_kind(error: BaseException) -> ErrorKind:
    """The kind of `error`, most specific first."""
    if isinstance(error, QuestionTooLongError):
        return ErrorKind.QUESTION_TOO_LONG
    if isinstance(error, InvalidQuestionError):
        return ErrorKind.EMPTY_QUESTION
    if isinstance(error, IndexNotReadyError):
        return ErrorKind.INDEX_NOT_READY
    if isinstance(error, UnknownAnswerError):
        return ErrorKind.UNKNOWN_ANSWER
    if isinstance(error, NoticeNotPossibleError):
        return ErrorKind.NOT_AN_OPEN_GAP
    if isinstance(error, AssistantError):
        return ErrorKind.UNAVAILABLE
    return ErrorKind.UNEXPECTED


def error_reply(error: BaseException, language: str | None = None) -> str:
    """The text to show for `error`, in `language` when there is a translation (English otherwise)."""
    kind = error_kind(error)
    texts = REPLIES[kind]
    text = texts.get(language or "en", texts["en"])
    if kind is ErrorKind.QUESTION_TOO_LONG:
        return text.format(length=error.length, limit=error.limit)
    return text
