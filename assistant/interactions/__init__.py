"""The interaction store: every turn and every vote, with the gaps they reveal (PII redacted)."""

from assistant.interactions.errors import InteractionStoreError, InvalidGapTransitionError
from assistant.interactions.hashing import IdentifierHasher
from assistant.interactions.migrate import head_revision, upgrade_database
from assistant.interactions.records import (
    FeedbackRecord,
    FeedbackResult,
    GapRecord,
    GapState,
    HandoffRecord,
    InteractionCounts,
    NoticeRequest,
    Resolution,
    RetentionResult,
    TurnRecord,
    VotedTurn,
)
from assistant.interactions.store import InteractionStore, TextRedactor, gap_after_vote

__all__ = [
    "FeedbackRecord",
    "FeedbackResult",
    "GapRecord",
    "GapState",
    "HandoffRecord",
    "IdentifierHasher",
    "InteractionCounts",
    "InteractionStore",
    "InteractionStoreError",
    "InvalidGapTransitionError",
    "NoticeRequest",
    "Resolution",
    "RetentionResult",
    "TextRedactor",
    "TurnRecord",
    "VotedTurn",
    "gap_after_vote",
    "head_revision",
    "upgrade_database",
]
