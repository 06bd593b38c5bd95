"""Records every question and answer, and the feedback on them, in SQLite or PostgreSQL.

What is stored is what the gap reports need, never more: question, answer and feedback
comments pass through the redactor first, and the asker and conversation are kept only as
salted hashes. A turn is a gap when the pipeline said so (no answer, low confidence, out of
scope) or when the latest vote on it is a thumbs-down.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import functools
import hashlib
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, nullcontext
from types import TracebackType
from typing import Any, Protocol, runtime_checkable

from sqlalchemy import Connection, Row, case, delete, false, func, insert, or_, select, true, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import SQLAlchemyError

from assistant.errors import NoticeNotPossibleError, UnknownAnswerError
from assistant.health import PartHealth
from assistant.interactions.engine import (
    WRITE_OPTION,
    build_engine,
    database_reason,
    transaction,
    uses_single_connection,
)
from assistant.interactions.errors import InteractionStoreError, InvalidGapTransitionError
from assistant.interactions.hashing import IdentifierHasher
from assistant.interactions.migrate import upgrade_schema
from assistant.interactions.records import (
    AnsweredTurn,
    FeedbackRecord,
    FeedbackResult,
    GapPosition,
    GapRecord,
    GapState,
    HandoffRecord,
    InteractionCounts,
    NoticeRequest,
    Resolution,
    RetentionResult,
    SuggestedPage,
    TurnRecord,
    VotedTurn,
)
from assistant.interactions.schema import feedback, gap_counts, notice_requests, question_vectors, turns
from assistant.interactions.shared_state import DatabaseSharedState
from assistant.models import Answer, Citation, GapReason, Message, Route, TextOrigin

_MAX_ANSWER_ID_LENGTH = 64
# Names the PostgreSQL advisory lock that makes concurrent retention runs take turns (any constant works).
_RETENTION_LOCK = 0x72657465
_CLOSED_STATES = frozenset({GapState.RESOLVED.value, GapState.DISMISSED.value})
# A gap's lifecycle cleared, for when a vote or a hand-off makes a turn a new open gap (or no gap).
_NO_LIFECYCLE: dict[str, Any] = {
    "resolved_at": None, "resolved_page": None, "resolution": None, "state_note": None, "state_changed_by": None,
}


class TextRedactor(Protocol):
    """Removes personal data from text before it is stored (e.g. `assistant.privacy.Redactor`)."""

    def redact(self, text: str) -> str:
        """`text` with personal data replaced by placeholders."""
        ...


@runtime_checkable
class TieredRedactor(TextRedactor, Protocol):
    """A redactor with a cheap tier (patterns and cues, no name recogniser) for text a skill vouched for."""

    def redact_patterns(self, text: str) -> str:
        """`text` with emails, phones, cards, IBANs and cued names replaced, without the name recogniser."""
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

    `database_url` is a SQLAlchemy URL (SQLite file or memory, or PostgreSQL); the database is
    migrated to the newest schema when the store is built (`schema_revisions` says from what to
    what). `redactor` cleans question, answer and comment text before it is written; `salt` keys
    the hash of asker and conversation ids. `clock` gives the current time (timezone-aware). Safe
    to share between threads. Database failures raise `InteractionStoreError`; feedback on an
    unknown answer raises `UnknownAnswerError`.
    """

    def __init__(
        self,
        database_url: str,
        redactor: TextRedactor,
        *,
        salt: str | bytes,
        clock: Callable[[], dt.datetime] = _utc_now,
        sqlite_busy_timeout_ms: int = 10_000,
        early_redaction_workers: int = 2,
    ) -> None:
        self._redactor = redactor
        # Questions are redacted here while the pipeline searches and runs NLU (`redact_question_early`).
        self._early = ThreadPoolExecutor(max_workers=early_redaction_workers, thread_name_prefix="redact")
        self._hasher = IdentifierHasher(salt)
        self._clock = clock
        self._engine = build_engine(database_url, sqlite_busy_timeout_ms=sqlite_busy_timeout_ms)
        self._writer = self._engine.execution_options(**{WRITE_OPTION: True})
        # In-memory SQLite is one connection shared by all threads: one transaction at a time.
        self._serial: AbstractContextManager[Any] = (
            threading.RLock() if uses_single_connection(self._engine) else nullcontext()
        )
        try:
            with self._serial:
                self.schema_revisions = upgrade_schema(self._writer)
        except SQLAlchemyError as exc:
            self._engine.dispose()
            raise InteractionStoreError("bring the database to the newest schema", database_reason(exc)) from exc
        except BaseException:
            self._engine.dispose()
            raise

    @property
    def database_url(self) -> str:
        """The database URL with any password hidden, for logs and health checks."""
        return self._engine.url.render_as_string(hide_password=True)

    def now(self) -> dt.datetime:
        """The store's clock (what `created_at` columns hold)."""
        return self._clock()

    def redact_question_early(self, text: str) -> Future[str]:
        """Start redacting a question now (in a small pool); pass the result to `record_turn`. It runs in a copy of
        the caller's context, so what it logs carries the caller's request id."""
        return self._early.submit(contextvars.copy_context().run, self._redactor.redact, text)

    def redact_answer(self, answer: Answer) -> str:
        """The answer's text as stored: text a skill vouched for (`TextOrigin.COMPANY`, `MASKED_ORDER`) passes the
        pattern tier only, anything else (text that may quote the asker) the full redactor."""
        if answer.text_origin is not TextOrigin.FREE and isinstance(self._redactor, TieredRedactor):
            return self._redactor.redact_patterns(answer.text)
        return self._redactor.redact(answer.text)

    def record_turn(self, message: Message, answer: Answer, latency_ms: float, *,
                    redacted_question: Future[str] | None = None) -> None:
        """Store one question and its answer under `answer.answer_id` (text redacted, ids hashed).

        `redacted_question` is `redact_question_early(message.text)`, when the caller started it."""
        row = self.turn_row(message, answer, latency_ms, redacted_question=redacted_question)
        with self._transaction(f"record turn {row['id']}", write=True) as connection:
            connection.execute(insert(turns).values(**row))

    def write_turns(self, rows: Sequence[Mapping[str, Any]]) -> int:
        """Insert turns made by `turn_row` unless a turn with the same id is stored already (a spool replayed
        after a crash writes each turn once); the number actually inserted."""
        if not rows:
            return 0
        with self._transaction(f"write {len(rows)} turns", write=True) as connection:
            dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
            inserted = 0
            for start in range(0, len(rows), _KEYS_PER_QUERY // 20):
                chunk = list(rows[start:start + _KEYS_PER_QUERY // 20])
                wanted = [row["id"] for row in chunk]
                present = set(connection.execute(select(turns.c.id).where(turns.c.id.in_(wanted))).scalars())
                # A spool written before a column was added lacks it: one statement needs every row's keys.
                fresh = [{**_UNSET_COLUMNS, **row} for row in chunk if row["id"] not in present]
                if fresh:
                    connection.execute(dialect.insert(turns).on_conflict_do_nothing(index_elements=["id"]), fresh)
                    inserted += len(fresh)
        return inserted

    def turn_row(self, message: Message, answer: Answer, latency_ms: float, *,
                 redacted_question: Future[str] | None = None) -> dict[str, Any]:
        """The `turns` row for one answer: question and answer redacted, asker and conversation hashed."""
        answer_id = _checked_answer_id(answer.answer_id)
        question = (redacted_question.result() if redacted_question is not None
                    else self._redactor.redact(message.text))
        return {
            "id": answer_id,
            "created_at": self._clock(),
            "channel": message.channel,
            "asker_hash": self._hasher.hash(message.asker),
            "conversation_hash": self._hasher.hash(message.conversation_key),
            "question": question,
            "answer": self.redact_answer(answer),
            "route": Route(answer.route).value,
            "intent": answer.intent,
            "confidence": float(answer.confidence),
            # A restricted gap's page was not shown, but the gap report needs it: it is the page staff lack.
            "citations": [_citation_json(citation) for citation in
                          (*answer.citations, *([answer.withheld] if answer.withheld is not None else []))],
            "gap": bool(answer.gap),
            "gap_reason": GapReason(answer.gap_reason).value if answer.gap_reason is not None else None,
            "degraded": bool(answer.degraded),
            "language": message.language,
            "latency_ms": float(latency_ms),
            "outcome": answer.outcome.value if answer.outcome is not None else None,
            "source_language": answer.source_language,
            "team": message.profile.team,
            "location": message.profile.location,
            "role": message.profile.role,
            "gap_state": GapState.OPEN.value if answer.gap else None,
        }

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None) -> FeedbackResult:
        """Store a vote on an answer and update the turn's gap state (the latest vote wins).

        Every vote is kept. A gap someone already closed (resolved or dismissed) stays as it is, whatever the
        vote: the vote judges the old answer, which is known to have been a gap, and says nothing about the page
        that resolved it; a new question that the page fails to answer becomes a gap of its own, and a person
        can reopen the old one. Raises `UnknownAnswerError` when no turn has `answer_id`.
        """
        return self.write_feedback(answer_id, helpful, self.redact_comment(comment), self._clock())

    def redact_comment(self, comment: str | None) -> str | None:
        """A feedback comment as stored: redacted, None when empty."""
        return self._redactor.redact(comment) if comment and comment.strip() else None

    def write_feedback(self, answer_id: str, helpful: bool, stored_comment: str | None, now: dt.datetime, *,
                       once: bool = False) -> FeedbackResult:
        """`record_feedback` with the comment already redacted and the vote's time given. With `once`, a vote
        already stored with the same turn, time and verdict is not stored again (a spool replayed after a crash)."""
        with self._transaction(f"record feedback on answer {answer_id}", write=True) as connection:
            current = _locked_turn(connection, answer_id, turns.c.gap, turns.c.gap_reason, turns.c.gap_state)
            reason_before = _gap_reason(current.gap_reason)
            closed = bool(current.gap) and current.gap_state in _CLOSED_STATES
            gap, reason = (
                (True, reason_before) if closed else gap_after_vote(bool(current.gap), reason_before, helpful)
            )
            if once:
                existing = connection.execute(select(feedback.c.id).where(
                    feedback.c.turn_id == answer_id, feedback.c.created_at == now,
                    feedback.c.helpful == bool(helpful))).scalar()
                if existing is not None:
                    count = connection.execute(select(func.count()).select_from(feedback)
                                               .where(feedback.c.turn_id == answer_id)).scalar_one()
                    return FeedbackResult(answer_id=answer_id, feedback_id=int(existing), helpful=bool(helpful),
                                          gap=bool(current.gap), gap_reason=reason_before,
                                          feedback_count=int(count))
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
                    .values(gap=gap, gap_reason=reason.value if reason is not None else None,
                            gap_state=GapState.OPEN.value if gap else None, **_NO_LIFECYCLE)
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
            opened_gap=gap and not bool(current.gap),
        )

    def record_handoff(self, answer_id: str) -> HandoffRecord:
        """Mark the turn a `handoff_requested` gap (whatever it was before) and return its redacted question.

        A resolved or dismissed gap opens again: asking for a person is new friction, not a vote on the old answer.

        Raises `UnknownAnswerError` when no turn has `answer_id`.
        """
        reason = GapReason.HANDOFF_REQUESTED
        with self._transaction(f"record a hand-off on answer {answer_id}", write=True) as connection:
            question = _locked_turn(connection, answer_id, turns.c.question).question
            connection.execute(update(turns).where(turns.c.id == answer_id).values(
                gap=True, gap_reason=reason.value, gap_state=GapState.OPEN.value, **_NO_LIFECYCLE))
        return HandoffRecord(answer_id=answer_id, question=question, gap_reason=reason)

    def resolve_gap(self, answer_id: str, page_path: str | None, how: Resolution, *, by: str,
                    note: str | None = None) -> GapRecord:
        """Mark an open (or dismissed) gap resolved by a page, by a recheck or a person (`by`: a role, never a name)."""
        return self._change_gap(answer_id, GapState.RESOLVED, by=by, note=note, resolved_page=page_path,
                                resolution=Resolution(how).value)

    def dismiss_gap(self, answer_id: str, reason: str, *, by: str) -> GapRecord:
        """Close a gap that needs no content (a joke, a question for another system), saying why."""
        if not reason.strip():
            raise InvalidGapTransitionError("dismissing a gap needs a reason")
        return self._change_gap(answer_id, GapState.DISMISSED, by=by, note=reason)

    def reopen_gap(self, answer_id: str, *, by: str, note: str | None = None) -> GapRecord:
        """Open a resolved or dismissed gap again (the page did not answer it after all)."""
        return self._change_gap(answer_id, GapState.OPEN, by=by, note=note)

    def _change_gap(self, answer_id: str, state: GapState, *, by: str, note: str | None,
                    resolved_page: str | None = None, resolution: str | None = None) -> GapRecord:
        values = {
            "gap_state": state.value,
            "state_changed_by": by[:32],
            "state_note": self._redactor.redact(note) if note and note.strip() else None,
            "resolved_at": self._clock() if state is GapState.RESOLVED else None,
            "resolved_page": resolved_page if state is GapState.RESOLVED else None,
            "resolution": resolution if state is GapState.RESOLVED else None,
        }
        with self._transaction(f"change the state of gap {answer_id}", write=True) as connection:
            current = _locked_turn(connection, answer_id, turns.c.gap, turns.c.gap_state)
            if not current.gap:
                raise InvalidGapTransitionError(f"answer {answer_id!r} is not a gap")
            if current.gap_state == state.value:
                raise InvalidGapTransitionError(f"gap {answer_id!r} is already {state.value}")
            connection.execute(update(turns).where(turns.c.id == answer_id).values(**values))
        [record] = [gap for gap in self._gap_rows(turns.c.id == answer_id, limit=1)]
        return record

    def apply_retention(self, days: int) -> RetentionResult:
        """Delete turns and votes older than `days`, after adding them to the daily `gap_counts`.

        Totals by day (UTC), channel, gap reason and team survive, so `counts()` still reports them (see
        `counts`); questions, answers, askers, groups and comments are gone. Running it again deletes nothing
        new. Runs at once (two servers, or a server and `assistant db prune`) take turns: PostgreSQL through an
        advisory lock, SQLite through its write lock, so no day is counted twice.
        """
        if days < 1:
            raise ValueError(f"retention must be at least one day, got {days}")
        cutoff = self._clock() - dt.timedelta(days=days)
        reason = func.coalesce(turns.c.gap_reason, "")
        team = func.coalesce(turns.c.team, "")
        gap_flag = case((turns.c.gap == true(), 1), else_=0)
        with self._transaction(f"apply a retention of {days} days", write=True) as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(select(func.pg_advisory_xact_lock(_RETENTION_LOCK)))
                # date() of a `timestamp with time zone` follows the session's time zone: count UTC days.
                day = func.date(func.timezone("UTC", turns.c.created_at))
            else:
                day = func.date(turns.c.created_at)  # stored as naive UTC
            old = turns.c.created_at < cutoff
            rows = connection.execute(
                select(day, turns.c.channel, reason, team, func.count(), func.sum(gap_flag))
                .where(old).group_by(day, turns.c.channel, reason, team)
            ).all()
            for row_day, channel, gap_reason, row_team, count, gaps in rows:
                key = {"day": _as_date(row_day), "channel": channel, "gap_reason": gap_reason, "team": row_team}
                existing = connection.execute(
                    select(gap_counts.c.turns, gap_counts.c.gaps).where(
                        *(gap_counts.c[name] == value for name, value in key.items()))
                ).one_or_none()
                if existing is None:
                    connection.execute(insert(gap_counts).values(**key, turns=int(count), gaps=int(gaps or 0)))
                else:
                    connection.execute(update(gap_counts).where(
                        *(gap_counts.c[name] == value for name, value in key.items())
                    ).values(turns=existing.turns + int(count), gaps=existing.gaps + int(gaps or 0)))
            old_ids = select(turns.c.id).where(old)
            votes = connection.execute(delete(feedback).where(feedback.c.turn_id.in_(old_ids))).rowcount
            connection.execute(delete(notice_requests).where(
                notice_requests.c.turn_id.in_(old_ids) | (notice_requests.c.created_at < cutoff)))
            removed = connection.execute(delete(turns).where(old)).rowcount
            connection.execute(delete(question_vectors).where(question_vectors.c.created_at < cutoff))
        return RetentionResult(turns_deleted=int(removed or 0), feedback_deleted=int(votes or 0), cutoff=cutoff)

    # ------------------------------------------------------------------ notices ("tell me when answered")

    def request_notice(self, answer_id: str, channel: str, address: Mapping[str, str], *, asker: str,
                       audience: str) -> NoticeRequest:
        """Keep `address` so the asker can be told when the open gap `answer_id` is answered; asking twice for the
        same place keeps one request. Raises `UnknownAnswerError` for an unknown id, `NoticeNotPossibleError` when
        the turn is not an open gap."""
        place = {str(key): str(value) for key, value in address.items()}
        key = hashlib.sha256(json.dumps([channel, place], sort_keys=True).encode("utf-8")).hexdigest()
        with self._transaction(f"record a notice request on answer {answer_id}", write=True) as connection:
            turn = _locked_turn(connection, answer_id, turns.c.gap, turns.c.gap_state)
            if not turn.gap or turn.gap_state != GapState.OPEN.value:
                raise NoticeNotPossibleError(f"answer {answer_id!r} is not an open gap: there is nothing to wait for")
            existing = connection.execute(select(notice_requests.c.id).where(
                notice_requests.c.turn_id == answer_id, notice_requests.c.address_key == key)).scalar_one_or_none()
            if existing is None:
                connection.execute(insert(notice_requests).values(
                    turn_id=answer_id, created_at=self._clock(), channel=channel[:16], address=place,
                    address_key=key, asker_hash=self._hasher.hash(asker), audience=audience[:16], attempts=0))
        [request] = self._notice_rows((notice_requests.c.turn_id == answer_id)
                                      & (notice_requests.c.address_key == key), limit=1)
        return request

    def notices_to_prepare(self, limit: int = 1000) -> list[NoticeRequest]:
        """Requests whose gap has been resolved and whose notice is not written yet (oldest first)."""
        return self._notice_rows(notice_requests.c.notice.is_(None), turns.c.gap_state == GapState.RESOLVED.value,
                                 limit=limit)

    def set_notice(self, request_id: int, notice: Mapping[str, Any]) -> None:
        """Store the notice to deliver for a request (text built from pages: nothing personal to redact)."""
        with self._transaction(f"store notice {request_id}", write=True) as connection:
            connection.execute(update(notice_requests).where(notice_requests.c.id == request_id)
                               .values(notice=dict(notice), ready_at=self._clock()))

    def ready_notices(self, channels: Sequence[str], *, max_attempts: int, limit: int = 1000) -> list[NoticeRequest]:
        """Notices ready for delivery on `channels`, not yet given up on (fewer than `max_attempts` failures)."""
        return self._notice_rows(notice_requests.c.ready_at.is_not(None), notice_requests.c.channel.in_(channels),
                                 notice_requests.c.attempts < max_attempts, limit=limit)

    def notice_delivered(self, request_id: int) -> None:
        """The notice reached its place: the request and its address are deleted."""
        with self._transaction(f"delete delivered notice {request_id}", write=True) as connection:
            connection.execute(delete(notice_requests).where(notice_requests.c.id == request_id))

    def notice_failed(self, request_id: int, error: str) -> None:
        """Count a failed delivery (kept for the next attempt until `max_attempts` or retention)."""
        with self._transaction(f"record a failed notice {request_id}", write=True) as connection:
            connection.execute(update(notice_requests).where(notice_requests.c.id == request_id).values(
                attempts=notice_requests.c.attempts + 1, last_error=error[:500]))

    def collect_notices(self, channel: str, asker: str) -> list[NoticeRequest]:
        """The ready notices of `asker` on `channel` (the API's inbox), deleted as they are handed over."""
        asker_hash = self._hasher.hash(asker)
        ready = self._notice_rows(notice_requests.c.ready_at.is_not(None), notice_requests.c.channel == channel,
                                  notice_requests.c.asker_hash == asker_hash, limit=1000)
        if ready:
            with self._transaction("hand over notices", write=True) as connection:
                connection.execute(delete(notice_requests).where(
                    notice_requests.c.id.in_([request.request_id for request in ready])))
        return ready

    def _notice_rows(self, *conditions: Any, limit: int) -> list[NoticeRequest]:
        query = (
            select(notice_requests, turns.c.question, turns.c.language, turns.c.resolved_page)
            .join(turns, turns.c.id == notice_requests.c.turn_id)
            .where(*conditions).order_by(notice_requests.c.id).limit(limit)
        )
        with self._transaction("list notice requests") as connection:
            rows = connection.execute(query).all()
        return [NoticeRequest(
            request_id=int(row.id), answer_id=row.turn_id, created_at=row.created_at, channel=row.channel,
            address=dict(row.address), audience=row.audience, question=row.question, language=row.language,
            resolved_page=row.resolved_page, notice=dict(row.notice) if row.notice is not None else None,
            attempts=int(row.attempts)) for row in rows]

    # ------------------------------------------------------------------ question vectors (a cache for reports)

    def question_vectors(self, keys: Sequence[str]) -> dict[str, bytes]:
        """The stored vectors among `keys` (absent keys are left out)."""
        found: dict[str, bytes] = {}
        with self._transaction("read question vectors") as connection:
            for start in range(0, len(keys), _KEYS_PER_QUERY):
                chunk = list(keys[start:start + _KEYS_PER_QUERY])
                rows = connection.execute(select(question_vectors.c.key, question_vectors.c.vector)
                                          .where(question_vectors.c.key.in_(chunk))).all()
                found.update((row.key, bytes(row.vector)) for row in rows)
        return found

    def save_question_vectors(self, vectors: Mapping[str, bytes]) -> None:
        """Keep `vectors` by key; a key already stored (by another process, say) keeps its vector."""
        if not vectors:
            return
        now = self._clock()
        rows = [{"key": key, "vector": vector, "created_at": now} for key, vector in vectors.items()]
        with self._transaction(f"store {len(rows)} question vectors", write=True) as connection:
            dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
            for start in range(0, len(rows), _KEYS_PER_QUERY):
                connection.execute(dialect.insert(question_vectors).on_conflict_do_nothing(),
                                   rows[start:start + _KEYS_PER_QUERY])

    def gap_questions_after(self, after: GapPosition | None, limit: int) -> tuple[list[str], GapPosition | None]:
        """The questions of up to `limit` gaps recorded after `after` (oldest first; all gaps when None), and the
        position to continue from (`after` itself when there are none)."""
        query = select(turns.c.created_at, turns.c.id, turns.c.question).where(turns.c.gap == true())
        if after is not None:
            created_at, answer_id = after
            query = query.where((turns.c.created_at > created_at)
                                | ((turns.c.created_at == created_at) & (turns.c.id > answer_id)))
        with self._transaction("list gap questions") as connection:
            rows = connection.execute(query.order_by(turns.c.created_at, turns.c.id).limit(limit)).all()
        if not rows:
            return [], after
        return [row.question for row in rows], (rows[-1].created_at, rows[-1].id)

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

    def asked_question(self, answer_id: str) -> str | None:
        """The question of turn `answer_id` as stored (redacted), or None when there is no such turn."""
        with self._transaction(f"read the question of turn {answer_id}") as connection:
            return connection.execute(select(turns.c.question).where(turns.c.id == answer_id)).scalar_one_or_none()

    def shared_state(self, **options: Any) -> DatabaseSharedState:
        """Expiring state the replicas share, in this store's database (`options` go to `DatabaseSharedState`; the
        clock is the store's unless they name one)."""
        return DatabaseSharedState(self._engine, self._hasher, serial=self._serial, **{"clock": self._clock, **options})

    def gaps(self, since_days: int | None = None, limit: int = 500,
             state: GapState | None = None) -> list[GapRecord]:
        """Gaps newest first: all, or those of the last `since_days` days; only those in `state` if given."""
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        cutoff = self._cutoff(since_days)
        conditions = [turns.c.gap == true()]
        if cutoff is not None:
            conditions.append(turns.c.created_at >= cutoff)
        if state is not None:
            conditions.append(turns.c.gap_state == GapState(state).value)
        return self._gap_rows(*conditions, limit=limit)

    def _gap_rows(self, *conditions: Any, limit: int) -> list[GapRecord]:
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
            select(*_GAP_COLUMNS, latest_complaint.label("feedback_comment"))
            .where(*conditions)
            .order_by(turns.c.created_at.desc(), turns.c.id.desc())
            .limit(limit)
        )
        with self._transaction("list gaps") as connection:
            rows = connection.execute(query).all()
        return [_gap_record(row) for row in rows]

    def answered_turns(self, since_days: int | None = None) -> list[AnsweredTurn]:
        """Turns answered from a page (not gaps), with the asker's hash and team and the latest vote (None: no vote)."""
        cutoff = self._cutoff(since_days)
        latest_vote = (
            select(feedback.c.helpful).where(feedback.c.turn_id == turns.c.id)
            .order_by(feedback.c.id.desc()).limit(1).correlate(turns).scalar_subquery()
        )
        # Only the first source matters here: the database picks it out rather than Python decoding every list.
        first_path = turns.c.citations[(0, "path")].as_string()
        query = select(turns.c.created_at, turns.c.asker_hash, turns.c.team, first_path.label("path"),
                       turns.c.citations[(0, "title")].as_string().label("title"),
                       latest_vote.label("helpful"), turns.c.source_language).where(turns.c.gap == false(),
                                                           turns.c.route == Route.KNOWLEDGE.value,
                                                           first_path.is_not(None))
        if cutoff is not None:
            query = query.where(turns.c.created_at >= cutoff)
        with self._transaction("list answered turns") as connection:
            rows = connection.execute(query).all()
        # Unpacked by position: named access on every row of a 100,000-gap report's period costs a second.
        return [AnsweredTurn(created_at, asker, team, path, title or "", None if helpful is None else bool(helpful),
                             source_language)
                for created_at, asker, team, path, title, helpful, source_language in rows]

    def voted_turns(self, limit: int) -> list[VotedTurn]:
        """The `limit` turns voted on most recently that cite a page, newest vote first, each with its latest vote.
        A `restricted` gap is left out: its stored page was never shown to the voter.

        Votes from every channel are here (they all go through `record_feedback`); turns removed by retention and
        their votes are not. Only stored text is read: the redacted question and the hashed asker.
        """
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        first_path = turns.c.citations[(0, "path")].as_string()
        # A restricted gap's stored page was withheld from the voter: the vote judges the refusal, not that page.
        shown = or_(turns.c.gap_reason.is_(None), turns.c.gap_reason != GapReason.RESTRICTED.value)
        latest = (
            select(feedback.c.turn_id, func.max(feedback.c.id).label("vote_id"))
            .join(turns, turns.c.id == feedback.c.turn_id)
            .where(first_path.is_not(None), shown)
            .group_by(feedback.c.turn_id)
            .order_by(func.max(feedback.c.id).desc())
            .limit(limit)
            .subquery()
        )
        query = (
            select(turns.c.id, turns.c.asker_hash, turns.c.question, first_path, feedback.c.helpful)
            .join(latest, latest.c.turn_id == turns.c.id)
            .join(feedback, feedback.c.id == latest.c.vote_id)
            .order_by(feedback.c.id.desc())
        )
        with self._transaction("list voted turns") as connection:
            rows = connection.execute(query).all()
        return [VotedTurn(answer_id, asker, question, path, bool(helpful))
                for answer_id, asker, question, path, helpful in rows]

    def counts(self, since_days: int | None = None) -> InteractionCounts:
        """Turns, gaps, gaps by reason, turns and gaps by channel, and votes, over the period.

        The period is the last `since_days` days up to now (all time when None). Turns still stored count when
        created within it. Turns removed by retention count through their daily totals in `gap_counts` (each
        turn is either stored or in those totals, never both): a whole day's totals count when the day (UTC) is
        on or after the UTC date the period starts, so a period that starts within an aggregated day takes all
        of that day. A gap counts under the reason it had when it was aggregated, whatever its state; votes on
        removed turns are not kept and no longer count.
        """
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
            kept = select(gap_counts.c.channel, gap_counts.c.gap_reason, gap_counts.c.turns, gap_counts.c.gaps)
            if cutoff is not None:
                kept = kept.where(gap_counts.c.day >= cutoff.date())
            kept_rows = connection.execute(kept).all()
        channel_rows, reason_rows = _with_kept_totals(channel_rows, reason_rows, kept_rows)

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

    def outcome_counts(self, since_days: int | None = None) -> dict[str, int]:
        """Stored turns by outcome over the period (order look-ups: found, unknown number, system down, ...).

        Unknown order numbers are counted here rather than logged as gaps: a mistyped number is no missing page.
        """
        cutoff = self._cutoff(since_days)
        query = select(turns.c.outcome, func.count()).where(turns.c.outcome.is_not(None)).group_by(turns.c.outcome)
        if cutoff is not None:
            query = query.where(turns.c.created_at >= cutoff)
        with self._transaction("count outcomes") as connection:
            return {outcome: int(count) for outcome, count in connection.execute(query).all()}

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
        self._early.shutdown(wait=True)
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

    def _transaction(self, operation: str, *, write: bool = False) -> AbstractContextManager[Connection]:
        """One transaction, committed on success; database errors become `InteractionStoreError`."""
        return transaction(self._writer if write else self._engine, self._serial, operation)

    def _cutoff(self, since_days: int | None) -> dt.datetime | None:
        if since_days is None:
            return None
        if since_days < 0:
            raise ValueError(f"since_days must not be negative, got {since_days}")
        try:
            return self._clock() - dt.timedelta(days=since_days)
        except OverflowError:  # a period reaching back before the year 1 holds every turn there is
            return None


def _locked_turn(connection: Connection, answer_id: str, *columns: Any) -> Row[Any]:
    """`columns` of the turn `answer_id`, locked for this transaction; `UnknownAnswerError` when there is none."""
    row = connection.execute(select(*columns).where(turns.c.id == answer_id).with_for_update()).one_or_none()
    if row is None:
        raise UnknownAnswerError(f"no answer has the id {answer_id!r}")
    return row


def _checked_answer_id(answer_id: str) -> str:
    if not answer_id or not answer_id.strip():
        raise ValueError("the answer has no answer_id; the pipeline must set one before recording")
    if len(answer_id) > _MAX_ANSWER_ID_LENGTH:
        raise ValueError(f"answer_id is {len(answer_id)} characters; at most {_MAX_ANSWER_ID_LENGTH}")
    return answer_id


def _citation_json(citation: Citation) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": citation.title,
        "path": citation.path,
        "section": citation.section,
        "score": float(citation.score),
    }
    if citation.url is not None:
        data["url"] = citation.url
    if citation.language is not None:
        data["language"] = citation.language
    return data


def _citation(data: Mapping[str, Any]) -> Citation:
    return Citation(
        title=str(data.get("title", "")),
        path=str(data.get("path", "")),
        section=str(data.get("section", "")),
        score=float(data.get("score", 0.0)),
        url=data.get("url"),
        language=data.get("language"),
    )


_UNSET_COLUMNS = {column.name: None for column in turns.columns if column.nullable}
"""The turn columns a row may leave out (None)."""

# Keys per IN (...) or multi-row insert: well under SQLite's limit on bound parameters.
_KEYS_PER_QUERY = 500

# What a GapRecord is made of (not the answer's text, which a report of every gap would read for nothing).
_GAP_COLUMNS = (turns.c.id, turns.c.created_at, turns.c.channel, turns.c.question, turns.c.gap_reason, turns.c.route,
                turns.c.intent, turns.c.confidence, turns.c.citations, turns.c.asker_hash, turns.c.team,
                turns.c.location, turns.c.role, turns.c.gap_state, turns.c.resolved_at, turns.c.resolved_page,
                turns.c.resolution, turns.c.state_note)


# Cached: a report turns every gap's stored strings back into enums, and Enum(value) is slow at that scale.
@functools.cache
def _gap_reason(value: str | None) -> GapReason | None:
    return GapReason(value) if value is not None else None


@functools.cache
def _route(value: str) -> Route:
    return Route(value)


@functools.cache
def _gap_state(value: str | None) -> GapState:
    return GapState(value or GapState.OPEN)


def _turn_record(row: Row[Any], votes: tuple[FeedbackRecord, ...]) -> TurnRecord:
    return TurnRecord(
        answer_id=row.id,
        created_at=row.created_at,
        channel=row.channel,
        asker_hash=row.asker_hash,
        conversation_hash=row.conversation_hash,
        question=row.question,
        answer=row.answer,
        route=_route(row.route),
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
    # Unpacked by position (the order of _GAP_COLUMNS, then the complaint): a report reads every gap of the period,
    # and named access on 100,000 rows cost more than the query. max() keeps the first of equal scores (the answer
    # lists its best source first); plain dicts, not Citations, as only the top source's path and title are needed.
    (answer_id, created_at, channel, question, gap_reason, route, intent, confidence, citations, asker_hash, team,
     location, role, gap_state, resolved_at, resolved_page, resolution, state_note, feedback_comment) = row
    # Citations with a language are cross-lingual suggestions: kept apart from the nearest page (their score is
    # another model's cosine, and the nearest page is the one a curator owns and the report groups by).
    own = [item for item in citations if "language" not in item] if citations else []
    top = max(own, key=lambda item: float(item.get("score", 0.0))) if own else None
    across = tuple(SuggestedPage(str(item.get("path", "")), str(item.get("title", "")), item.get("language"))
                   for item in citations if "language" in item) if citations else ()
    return GapRecord(
        answer_id, created_at, channel, question, _gap_reason(gap_reason), _route(route), intent, float(confidence),
        str(top.get("title", "")) if top else None, str(top.get("path", "")) if top else None, feedback_comment,
        asker_hash, team, location, role, _gap_state(gap_state), resolved_at, resolved_page, resolution, state_note,
        across,
    )


def _as_date(value: object) -> dt.date:
    """SQL `date()` gives a string on SQLite and a date on PostgreSQL."""
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _with_kept_totals(channel_rows, reason_rows, kept_rows) -> tuple[list, list]:
    """Live per-channel (turns, gaps) and per-reason gap counts, plus the daily totals kept after retention."""
    channels = {row[0]: [int(row[1]), int(row[2])] for row in channel_rows}
    reasons: dict[str | None, int] = {row[0]: int(row[1]) for row in reason_rows}
    for channel, reason, kept_turns, kept_gaps in kept_rows:
        totals = channels.setdefault(channel, [0, 0])
        totals[0] += int(kept_turns)
        totals[1] += int(kept_gaps)
        if kept_gaps:
            key = reason or None  # "" stands for a gap stored without a reason: "unknown", as for stored turns
            reasons[key] = reasons.get(key, 0) + int(kept_gaps)
    return ([(channel, turns, gaps) for channel, (turns, gaps) in channels.items()], list(reasons.items()))
