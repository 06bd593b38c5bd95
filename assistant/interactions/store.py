"""Records every question and answer, and the feedback on them, in SQLite or PostgreSQL.

What is stored is what the gap reports need, never more: question, answer and feedback
comments pass through the redactor first, and the asker and conversation are kept only as
salted hashes. A turn is a gap when the pipeline said so (no answer, low confidence, out of
scope) or when the latest vote on it is a thumbs-down.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager, nullcontext
from types import TracebackType
from typing import Any, Protocol

from sqlalchemy import Connection, Row, case, false, func, insert, select, true, update
from sqlalchemy.exc import SQLAlchemyError

from assistant.errors import UnknownAnswerError
from assistant.health import PartHealth
from assistant.interactions.engine import WRITE_OPTION, build_engine, uses_single_connection
from assistant.interactions.errors import InteractionStoreError
from assistant.interactions.hashing import IdentifierHasher
from assistant.interactions.records import (
    FeedbackRecord,
    FeedbackResult,
    GapRecord,
    HandoffRecord,
    InteractionCounts,
    TurnRecord,
)
from assistant.interactions.schema import feedback, metadata, turns
from assistant.models import Answer, Citation, GapReason, Message, Route

_MAX_ANSWER_ID_LENGTH = 64


class TextRedactor(Protocol):
    """Removes personal data from text before it is stored (e.g. `assistant.privacy.Redactor`)."""

    def redact(self, text: str) -> str:
        """`text` with personal data replaced by placeholders."""
        ...


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def gap_after_vote(gap: bool, reason: GapReason | None, helpful: bool) -> tuple[bool, GapReason | None]:
    """A turn's gap state after a vote: the latest vote decides whether feedback makes it a gap.

    A thumbs-down makes a turn a `negative_feedback` gap unless it already is a gap, whose
    first reason is kept. A thumbs-up clears a `negative_feedback` gap; gaps the pipeline found
    (no answer, low confidence, out of scope) stay.
    """
    if not helpful:
        return (True, reason) if gap else (True, GapReason.NEGATIVE_FEEDBACK)
    if reason is GapReason.NEGATIVE_FEEDBACK:
        return False, None
    return gap, reason


class InteractionStore:
    """The turn and feedback log behind `POST /v1/feedback`, `GET /v1/gaps` and the gap reports.

    `database_url` is a SQLAlchemy URL (SQLite file or memory, or PostgreSQL); the tables are
    created when the store is built. `redactor` cleans question, answer and comment text
    before it is written; `salt` keys the hash of asker and conversation ids. `clock` gives
    the current time (timezone-aware). Safe to share between threads. Database failures raise
    `InteractionStoreError`; feedback on an unknown answer raises `UnknownAnswerError`.
    """

    def __init__(
        self,
        database_url: str,
        redactor: TextRedactor,
        *,
        salt: str | bytes,
        clock: Callable[[], dt.datetime] = _utc_now,
        sqlite_busy_timeout_ms: int = 10_000,
    ) -> None:
        self._redactor = redactor
        self._hasher = IdentifierHasher(salt)
        self._clock = clock
        self._engine = build_engine(database_url, sqlite_busy_timeout_ms=sqlite_busy_timeout_ms)
        self._writer = self._engine.execution_options(**{WRITE_OPTION: True})
        # In-memory SQLite is one connection shared by all threads: one transaction at a time.
        self._serial: AbstractContextManager[Any] = (
            threading.RLock() if uses_single_connection(self._engine) else nullcontext()
        )
        try:
            with self._transaction("create the interaction tables", write=True) as connection:
                metadata.create_all(connection)
        except BaseException:
            self._engine.dispose()
            raise

    @property
    def database_url(self) -> str:
        """The database URL with any password hidden, for logs and health checks."""
        return self._engine.url.render_as_string(hide_password=True)

    def record_turn(self, message: Message, answer: Answer, latency_ms: float) -> None:
        """Store one question and its answer under `answer.answer_id` (text redacted, ids hashed)."""
        answer_id = _checked_answer_id(answer.answer_id)
        row = {
            "id": answer_id,
            "created_at": self._clock(),
            "channel": message.channel,
            "asker_hash": self._hasher.hash(message.asker),
            "conversation_hash": self._hasher.hash(message.conversation_key),
            "question": self._redactor.redact(message.text),
            "answer": self._redactor.redact(answer.text),
            "route": Route(answer.route).value,
            "intent": answer.intent,
            "confidence": float(answer.confidence),
            "citations": [_citation_json(citation) for citation in answer.citations],
            "gap": bool(answer.gap),
            "gap_reason": GapReason(answer.gap_reason).value if answer.gap_reason is not None else None,
            "degraded": bool(answer.degraded),
            "language": message.language,
            "latency_ms": float(latency_ms),
        }
        with self._transaction(f"record turn {answer_id}", write=True) as connection:
            connection.execute(insert(turns).values(**row))

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None) -> FeedbackResult:
        """Store a vote on an answer and update the turn's gap state (the latest vote wins).

        Every vote is kept. Raises `UnknownAnswerError` when no turn has `answer_id`.
        """
        stored_comment = self._redactor.redact(comment) if comment and comment.strip() else None
        now = self._clock()
        with self._transaction(f"record feedback on answer {answer_id}", write=True) as connection:
            current = connection.execute(
                select(turns.c.gap, turns.c.gap_reason).where(turns.c.id == answer_id).with_for_update()
            ).one_or_none()
            if current is None:
                raise UnknownAnswerError(f"no answer has the id {answer_id!r}")
            reason_before = _gap_reason(current.gap_reason)
            gap, reason = gap_after_vote(bool(current.gap), reason_before, helpful)
            inserted = connection.execute(
                insert(feedback).values(
                    turn_id=answer_id, created_at=now, helpful=bool(helpful), comment=stored_comment
                )
            )
            feedback_id = int(inserted.inserted_primary_key[0])
            if (gap, reason) != (bool(current.gap), reason_before):
                connection.execute(
                    update(turns)
                    .where(turns.c.id == answer_id)
                    .values(gap=gap, gap_reason=reason.value if reason is not None else None)
                )
            feedback_count = connection.execute(
                select(func.count()).select_from(feedback).where(feedback.c.turn_id == answer_id)
            ).scalar_one()
        return FeedbackResult(
            answer_id=answer_id,
            feedback_id=feedback_id,
            helpful=bool(helpful),
            gap=gap,
            gap_reason=reason,
            feedback_count=int(feedback_count),
        )

    def record_handoff(self, answer_id: str) -> HandoffRecord:
        """Mark the turn a `handoff_requested` gap (whatever it was before) and return its redacted question.

        Raises `UnknownAnswerError` when no turn has `answer_id`.
        """
        reason = GapReason.HANDOFF_REQUESTED
        with self._transaction(f"record a hand-off on answer {answer_id}", write=True) as connection:
            question = connection.execute(
                select(turns.c.question).where(turns.c.id == answer_id).with_for_update()
            ).scalar_one_or_none()
            if question is None:
                raise UnknownAnswerError(f"no answer has the id {answer_id!r}")
            connection.execute(update(turns).where(turns.c.id == answer_id).values(gap=True, gap_reason=reason.value))
        return HandoffRecord(answer_id=answer_id, question=question, gap_reason=reason)

    def turn(self, answer_id: str) -> TurnRecord | None:
        """The stored turn with its feedback (oldest vote first), or None for an unknown id."""
        with self._transaction(f"read turn {answer_id}") as connection:
            row = connection.execute(select(turns).where(turns.c.id == answer_id)).one_or_none()
            if row is None:
                return None
            votes = connection.execute(
                select(feedback).where(feedback.c.turn_id == answer_id).order_by(feedback.c.id)
            ).all()
        return _turn_record(row, tuple(_feedback_record(vote) for vote in votes))

    def gaps(self, since_days: int | None = None, limit: int = 500) -> list[GapRecord]:
        """Turns that are gaps, newest first: all of them, or those of the last `since_days` days."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        cutoff = self._cutoff(since_days)
        latest_complaint = (
            select(feedback.c.comment)
            .where(
                feedback.c.turn_id == turns.c.id,
                feedback.c.helpful == false(),
                feedback.c.comment.is_not(None),
            )
            .order_by(feedback.c.id.desc())
            .limit(1)
            .correlate(turns)
            .scalar_subquery()
        )
        query = (
            select(turns, latest_complaint.label("feedback_comment"))
            .where(turns.c.gap == true())
            .order_by(turns.c.created_at.desc(), turns.c.id.desc())
            .limit(limit)
        )
        if cutoff is not None:
            query = query.where(turns.c.created_at >= cutoff)
        with self._transaction("list gaps") as connection:
            rows = connection.execute(query).all()
        return [_gap_record(row) for row in rows]

    def counts(self, since_days: int | None = None) -> InteractionCounts:
        """Turns, gaps, gaps by reason, turns and gaps by channel, and votes, over the period."""
        cutoff = self._cutoff(since_days)
        gap_flag = case((turns.c.gap == true(), 1), else_=0)
        by_channel = select(turns.c.channel, func.count(), func.coalesce(func.sum(gap_flag), 0)).group_by(
            turns.c.channel
        )
        by_reason = (
            select(turns.c.gap_reason, func.count()).where(turns.c.gap == true()).group_by(turns.c.gap_reason)
        )
        votes = select(feedback.c.helpful, func.count()).group_by(feedback.c.helpful)
        if cutoff is not None:
            by_channel = by_channel.where(turns.c.created_at >= cutoff)
            by_reason = by_reason.where(turns.c.created_at >= cutoff)
            votes = votes.where(feedback.c.created_at >= cutoff)
        with self._transaction("count interactions") as connection:
            channel_rows = connection.execute(by_channel).all()
            reason_rows = connection.execute(by_reason).all()
            vote_rows = connection.execute(votes).all()

        reasons: dict[str, int] = {reason.value: 0 for reason in GapReason}
        for reason, count in reason_rows:
            key = reason if reason is not None else "unknown"
            reasons[key] = reasons.get(key, 0) + int(count)
        vote_counts = {bool(helpful): int(count) for helpful, count in vote_rows}
        return InteractionCounts(
            turns=sum(int(row[1]) for row in channel_rows),
            gaps=sum(int(row[2]) for row in channel_rows),
            by_reason=reasons,
            by_channel={row[0]: int(row[1]) for row in channel_rows},
            gaps_by_channel={row[0]: int(row[2]) for row in channel_rows},
            feedback_helpful=vote_counts.get(True, 0),
            feedback_not_helpful=vote_counts.get(False, 0),
        )

    def check(self) -> None:
        """Raise `InteractionStoreError` unless the database answers (for health checks)."""
        with self._transaction("reach the database") as connection:
            connection.execute(select(1)).scalar_one()

    def health(self) -> PartHealth:
        """The interaction store part of `/healthz`."""
        try:
            self.check()
        except InteractionStoreError as error:
            return PartHealth("interaction_store", ok=False, reason=str(error))
        return PartHealth("interaction_store", ok=True)

    def close(self) -> None:
        """Close every pooled connection (SQLite then folds its write-ahead log into the file)."""
        self._engine.dispose()

    def __enter__(self) -> InteractionStore:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    @contextmanager
    def _transaction(self, operation: str, *, write: bool = False) -> Iterator[Connection]:
        """One transaction, committed on success; database errors become `InteractionStoreError`."""
        engine = self._writer if write else self._engine
        with self._serial:
            try:
                with engine.begin() as connection:
                    yield connection
            except SQLAlchemyError as exc:
                raise InteractionStoreError(operation, _reason(exc)) from exc

    def _cutoff(self, since_days: int | None) -> dt.datetime | None:
        if since_days is None:
            return None
        if since_days < 0:
            raise ValueError(f"since_days must not be negative, got {since_days}")
        return self._clock() - dt.timedelta(days=since_days)


def _checked_answer_id(answer_id: str) -> str:
    if not answer_id or not answer_id.strip():
        raise ValueError("the answer has no answer_id; the pipeline must set one before recording")
    if len(answer_id) > _MAX_ANSWER_ID_LENGTH:
        raise ValueError(f"answer_id is {len(answer_id)} characters; at most {_MAX_ANSWER_ID_LENGTH}")
    return answer_id


def _reason(exc: SQLAlchemyError) -> str:
    # The driver's own message, without SQLAlchemy's statement and parameter dump.
    original = getattr(exc, "orig", None)
    return str(original).strip() if original is not None else str(exc)


def _citation_json(citation: Citation) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": citation.title,
        "path": citation.path,
        "section": citation.section,
        "score": float(citation.score),
    }
    if citation.url is not None:
        data["url"] = citation.url
    return data


def _citation(data: Mapping[str, Any]) -> Citation:
    return Citation(
        title=str(data.get("title", "")),
        path=str(data.get("path", "")),
        section=str(data.get("section", "")),
        score=float(data.get("score", 0.0)),
        url=data.get("url"),
    )


def _gap_reason(value: str | None) -> GapReason | None:
    return GapReason(value) if value is not None else None


def _turn_record(row: Row[Any], votes: tuple[FeedbackRecord, ...]) -> TurnRecord:
    return TurnRecord(
        answer_id=row.id,
        created_at=row.created_at,
        channel=row.channel,
        asker_hash=row.asker_hash,
        conversation_hash=row.conversation_hash,
        question=row.question,
        answer=row.answer,
        route=Route(row.route),
        intent=row.intent,
        confidence=float(row.confidence),
        citations=tuple(_citation(item) for item in row.citations or ()),
        gap=bool(row.gap),
        gap_reason=_gap_reason(row.gap_reason),
        degraded=bool(row.degraded),
        language=row.language,
        latency_ms=float(row.latency_ms),
        feedback=votes,
    )


def _feedback_record(row: Row[Any]) -> FeedbackRecord:
    return FeedbackRecord(
        feedback_id=int(row.id),
        answer_id=row.turn_id,
        created_at=row.created_at,
        helpful=bool(row.helpful),
        comment=row.comment,
    )


def _gap_record(row: Row[Any]) -> GapRecord:
    citations = [_citation(item) for item in row.citations or ()]
    # max() keeps the first of equal scores: the answer lists its best source first.
    top = max(citations, key=lambda citation: citation.score) if citations else None
    return GapRecord(
        answer_id=row.id,
        created_at=row.created_at,
        channel=row.channel,
        question=row.question,
        gap_reason=_gap_reason(row.gap_reason),
        route=Route(row.route),
        intent=row.intent,
        confidence=float(row.confidence),
        top_citation_title=top.title if top else None,
        top_citation_path=top.path if top else None,
        feedback_comment=row.feedback_comment,
    )
