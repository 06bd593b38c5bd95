"""The interaction store: every turn and every vote, with the gaps they reveal (PII redacted)."""

from assistant.interactions.errors import InteractionStoreError
from assistant.interactions.hashing import IdentifierHasher
from assistant.interactions.records import (
    FeedbackRecord,
    FeedbackResult,
    GapRecord,
    InteractionCounts,
    TurnRecord,
)
from assistant.interactions.store import InteractionStore, TextRedactor, gap_after_vote

__all__ = [
    "FeedbackRecord",
    "FeedbackResult",
    "GapRecord",
    "IdentifierHasher",
    "InteractionCounts",
    "InteractionStore",
    "InteractionStoreError",
    "TextRedactor",
    "TurnRecord",
    "gap_after_vote",
]
