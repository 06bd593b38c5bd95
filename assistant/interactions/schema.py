"""The tables of the interaction store at the newest migration: `turns` (one per answer), `feedback` (one per
vote), `gap_counts` (daily totals that outlive retention), `notice_requests` (who asked to be told when a gap
is answered, and the notice once it is ready) and `question_vectors` (embeddings of redacted gap questions, kept so
that a report embeds each question once) and `shared_state` (expiring claims and values the replicas share, see
`shared_state.py`). Changes go through a new migration in
`migrations/versions/`; a test checks the migrated database matches these definitions."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.dialects import sqlite


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

    def load_dialect_impl(self, dialect: Dialect):
        if dialect.name == "sqlite":
            return dialect.type_descriptor(_SqliteUtcDateTime())
        return dialect.type_descriptor(self.impl)

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None or value.tzinfo is dt.UTC:
            return value
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class _SqliteUtcDateTime(sqlite.DATETIME):
    """SQLite's DATETIME column, read with `datetime.fromisoformat` straight to UTC: SQLAlchemy's own reader
    matches a regular expression per value, which was a tenth of a 100,000-gap report."""

    def result_processor(self, dialect: Dialect, coltype: object):
        def process(value: str | None) -> dt.datetime | None:
            return None if value is None else dt.datetime.fromisoformat(value).replace(tzinfo=dt.UTC)

        return process


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
    Column("outcome", String(40), nullable=True),  # order look-ups: order_found, order_not_found, ...
    # The language of the page an answer quoted when it is not the asker's (a cross-lingual answer).
    Column("source_language", String(16), nullable=True),
    # The asker's groups from the staff directory (never the person).
    Column("team", String(), nullable=True),
    Column("location", String(), nullable=True),
    Column("role", String(), nullable=True),
    # A gap's lifecycle: open -> resolved (by a page, through a recheck or a person) or dismissed (with a note).
    Column("gap_state", String(16), nullable=True),
    Column("resolved_at", UtcDateTime(), nullable=True),
    Column("resolved_page", String(), nullable=True),
    Column("resolution", String(16), nullable=True),
    Column("state_note", Text(), nullable=True),
    Column("state_changed_by", String(32), nullable=True),
    Index("ix_turns_created_at", "created_at"),
    Index("ix_turns_gap_created_at", "gap", "created_at"),
    Index("ix_turns_gap_state", "gap_state"),
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

gap_counts = Table(
    "gap_counts",
    metadata,
    Column("day", Date(), nullable=False),
    Column("channel", String(), nullable=False),
    Column("gap_reason", String(32), nullable=False),  # "" for turns that were not gaps
    Column("team", String(), nullable=False),  # "" when the directory did not know the asker
    Column("turns", Integer(), nullable=False),
    Column("gaps", Integer(), nullable=False),
    PrimaryKeyConstraint("day", "channel", "gap_reason", "team"),
)

notice_requests = Table(
    "notice_requests",
    metadata,
    Column("id", Integer(), primary_key=True, autoincrement=True),
    Column("turn_id", String(64), ForeignKey("turns.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("channel", String(16), nullable=False),
    # Where to deliver (a Slack channel and thread, a Teams conversation, an API inbox hash): kept only because the
    # asker asked, deleted with the notice.
    Column("address", JSON(), nullable=False),
    Column("address_key", String(64), nullable=False),  # a hash of channel and address: one request per place
    Column("asker_hash", String(64), nullable=False),  # the API's inbox: whose notices a caller may collect
    Column("audience", String(16), nullable=False),  # the asker's page audience when they asked
    Column("notice", JSON(), nullable=True),  # the answer to send, once the gap is resolved
    Column("ready_at", UtcDateTime(), nullable=True),
    Column("attempts", Integer(), nullable=False),
    Column("last_error", Text(), nullable=True),
    UniqueConstraint("turn_id", "address_key", name="uq_notice_requests_turn_address"),
    Index("ix_notice_requests_ready_at", "ready_at"),
)

question_vectors = Table(
    "question_vectors",
    metadata,
    # A cache, not a record: each row can be computed again from a stored (redacted) question, and retention deletes
    # rows older than the turns it keeps.
    Column("key", String(64), primary_key=True),  # sha256 of the embedding model and the question's text
    Column("vector", LargeBinary(), nullable=False),  # float16, little-endian
    Column("created_at", UtcDateTime(), nullable=False),
    Index("ix_question_vectors_created_at", "created_at"),
)

shared_state = Table(
    "shared_state",
    metadata,
    # What every replica must see, for a while: Slack events already handled, threads the bot is in, pending
    # conversation slots, answers behind buttons. Keys are salted hashes, so no platform id is stored as such.
    Column("namespace", String(32), nullable=False),
    Column("key", String(64), nullable=False),  # HMAC-SHA256 of namespace and key
    Column("value", JSON(), nullable=True),  # None for a claim
    Column("expires_at", UtcDateTime(), nullable=False),
    PrimaryKeyConstraint("namespace", "key"),
    Index("ix_shared_state_expires_at", "expires_at"),
    Index("ix_shared_state_namespace_expires_at", "namespace", "expires_at"),
)
