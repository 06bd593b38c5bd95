"""The tables of the interaction store: `turns` (one per answer) and `feedback` (one per vote)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back as a timezone-aware UTC datetime.

    SQLite has no time zones, so the value is stored there as naive UTC; PostgreSQL keeps it
    in a `timestamp with time zone`. Naive datetimes are refused rather than guessed at.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"timestamps must be timezone-aware, got {value!r}")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


metadata = MetaData()

turns = Table(
    "turns",
    metadata,
    Column("id", String(64), primary_key=True),  # the answer id (uuid4 hex)
    Column("created_at", UtcDateTime(), nullable=False),
    Column("channel", String(), nullable=False),
    Column("asker_hash", String(64), nullable=False),
    Column("conversation_hash", String(64), nullable=False),
    Column("question", Text(), nullable=False),
    Column("answer", Text(), nullable=False),
    Column("route", String(32), nullable=False),
    Column("intent", String(), nullable=True),
    Column("confidence", Float(), nullable=False),
    Column("citations", JSON(), nullable=False),
    Column("gap", Boolean(), nullable=False),
    Column("gap_reason", String(32), nullable=True),
    Column("degraded", Boolean(), nullable=False),
    Column("language", String(), nullable=True),
    Column("latency_ms", Float(), nullable=False),
    Index("ix_turns_created_at", "created_at"),
    Index("ix_turns_gap_created_at", "gap", "created_at"),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("turn_id", String(64), ForeignKey("turns.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("helpful", Boolean(), nullable=False),
    Column("comment", Text(), nullable=True),
    Index("ix_feedback_turn_id", "turn_id"),
    Index("ix_feedback_created_at", "created_at"),
)
