"""The typed exceptions the core raises. Connectors turn them into polite replies."""

from __future__ import annotations


class AssistantError(Exception):
    """Base class of every error the assistant raises on purpose."""


class ConfigurationError(AssistantError):
    """A setting is missing or unusable; raised while the assistant or a channel is being built."""


class InvalidQuestionError(AssistantError):
    """The question cannot be answered as given (empty, too long, not text)."""


class EmptyQuestionError(InvalidQuestionError):
    """The question is empty or only whitespace."""


class QuestionTooLongError(InvalidQuestionError):
    """The question is longer than the configured limit."""

    def __init__(self, length: int, limit: int) -> None:
        super().__init__(f"question is {length} characters long; the limit is {limit}")
        self.length = length
        self.limit = limit


class KnowledgeError(AssistantError):
    """Problems with the knowledge files themselves."""


class KnowledgeFileError(KnowledgeError):
    """One knowledge file could not be read: broken front matter, bad encoding."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class KnowledgeDirectoryError(KnowledgeError):
    """The knowledge directory is missing or holds no Markdown file."""


class PageNotFoundError(KnowledgeError):
    """No knowledge page at the path given (or the file is not a Markdown page)."""


class PageOutsideKnowledgeError(KnowledgeError):
    """The path given names a file outside the knowledge folder, which the assistant never edits."""


class FrontMatterEditError(KnowledgeError):
    """A page's front matter cannot be edited safely (e.g. its `questions` is not a list); the file is unchanged."""


class IndexNotReadyError(AssistantError):
    """No index has been built yet: run `assistant ingest`."""


class IndexUnavailableError(AssistantError):
    """The Chroma server holding the index cannot be reached (stopped, restarting, network); retried on the next
    question, so answers come back when it does, without restarting the assistant."""


class CrosslingualIndexWarmingError(AssistantError):
    """The cross-lingual index of the active generation is still being built in the background; the question is
    answered from its own language's pages meanwhile (reported as degraded)."""


class IngestError(AssistantError):
    """An ingest run failed; the previous index is still the one answering."""


class NLUUnavailableError(AssistantError):
    """The NLU server is down, slow or still starting."""


class OrderError(AssistantError):
    """Base class for order look-up problems."""


class OrderNotFoundError(OrderError):
    """No order has that number."""


class OrderSourceUnavailableError(OrderError):
    """The order system could not be reached, timed out, failed or sent an answer that cannot be read."""


class OrderSystemCircuitOpenError(OrderSourceUnavailableError):
    """Recent calls to the order system failed, so it is not called again until its cool-down ends."""

    def __init__(self, reason: str, retry_in_seconds: float) -> None:
        super().__init__(f"{reason} (not retrying for another {retry_in_seconds:.1f} s)")
        self.reason = reason
        self.retry_in_seconds = retry_in_seconds


class InvalidOrderNumberError(OrderError):
    """The text given as an order number does not match the order-number pattern; no source is asked."""

    def __init__(self, shown: str) -> None:
        super().__init__(f"not a valid order number: {shown!r}")
        self.shown = shown


class OrderMappingError(ConfigurationError):
    """The order field mapping (`ASSISTANT_ORDERS_MAPPING`) is missing, unreadable or names unknown fields."""


class UnknownAnswerError(AssistantError):
    """Feedback was sent for an answer id the assistant never gave."""


class NoticeNotPossibleError(AssistantError):
    """Nobody can be told when this answer improves: it is not an open gap (an answer, or a gap already closed)."""
