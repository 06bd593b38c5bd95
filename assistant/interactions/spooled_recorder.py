"""Records turns off the reply path: redacted rows go to the local spool before the reply, and a background writer
moves them into the interaction store, so a slow or unreachable database never holds up or fails an answer."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from concurrent.futures import Future
from typing import Any

from assistant.errors import UnknownAnswerError
from assistant.health import PartHealth
from assistant.interactions.errors import InteractionStoreError, SpoolError, SpoolFullError
from assistant.interactions.records import FeedbackResult, HandoffRecord, NoticeRequest
from assistant.interactions.spool import SpoolEntry, TurnSpool, parse_time
from assistant.interactions.store import InteractionStore, gap_after_vote
from assistant.models import Answer, GapReason, Message

logger = logging.getLogger(__name__)

TURN, FEEDBACK, HANDOFF = "turn", "feedback", "handoff"


class SpooledRecorder:
    """The pipeline's `TurnRecorder`: `record_turn` redacts, puts the row in `spool` (on disk, fsync'd) and, once
    `start` has started the writer thread (`assistant serve` does), returns: the writer drains the spool into `store`
    in batches after the reply, and again after a failure, every `retry_seconds` at first, backing off to
    `max_retry_seconds` while the database stays unreachable. Before `start` (a command, a test), `record_turn`
    also writes the spool to the store itself, so what it recorded can be read at once.

    When the spool cannot take a turn (full, or its disk fails) the turn is written to the store at once, and only
    if that fails too does `record_turn` raise (`InteractionStoreError`): an answer is never acknowledged without
    its turn being on disk somewhere. Votes and hand-offs on an answer still in the spool are written after its
    turn; while the database is down they wait in the spool too. `health` is the `/healthz` part
    `interaction_store`: degraded while the writer cannot reach the database, with the spool's depth.
    """

    def __init__(self, store: InteractionStore, spool: TurnSpool, *, batch_size: int = 200,
                 retry_seconds: float = 1.0, max_retry_seconds: float = 30.0) -> None:
        self._store = store
        self._spool = spool
        self._batch_size = batch_size
        self._retry_seconds = retry_seconds
        self._max_retry_seconds = max_retry_seconds
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._drain_lock = threading.Lock()
        self._last_error: str | None = None
        self._thread: threading.Thread | None = None

    @property
    def store(self) -> InteractionStore:
        return self._store

    @property
    def spool(self) -> TurnSpool:
        return self._spool

    # ------------------------------------------------------------------ the pipeline's side

    def redact_question_early(self, text: str) -> Future[str]:
        return self._store.redact_question_early(text)

    def record_turn(self, message: Message, answer: Answer, latency_ms: float, *,
                    redacted_question: Future[str] | None = None) -> None:
        """Make the turn durable (spool, else the store itself) before the caller replies."""
        row = self._store.turn_row(message, answer, latency_ms, redacted_question=redacted_question)
        try:
            self._append_turn(row)
        except SpoolError as error:
            logger.warning("turn %s not spooled, writing it to the store now: %s", row["id"], error)
            self._store.write_turns([row])
            return
        if self._thread is None:
            self.flush()  # no writer running (a command, a test): write it now, as it waits safely on disk
        else:
            self._wake.set()

    def _append_turn(self, row: dict[str, Any]) -> None:
        try:
            self._spool.append(TURN, row["id"], row)
        except SpoolFullError:
            self.flush()  # make room if the database is back, keeping the turns in order
            self._spool.append(TURN, row["id"], row)

    def record_feedback(self, answer_id: str, helpful: bool, comment: str | None = None) -> FeedbackResult:
        """A vote; on an answer whose turn still waits in the spool it waits behind it while the database is down."""
        waiting = self._settle(answer_id)
        if not waiting:
            return self._store.record_feedback(answer_id, helpful, comment)
        vote = {"helpful": bool(helpful), "comment": self._store.redact_comment(comment),
                "created_at": self._store.now()}
        self._spool.append(FEEDBACK, answer_id, vote)
        self._wake.set()
        logger.info("vote on answer %s waits in the spool behind its turn", answer_id)
        return _pending_feedback(answer_id, [*waiting, SpoolEntry(0, FEEDBACK, answer_id, vote)])

    def record_handoff(self, answer_id: str) -> HandoffRecord:
        """A hand-off; on an answer still in the spool while the database is down, it waits there too and the
        spooled (redacted) question is returned."""
        waiting = self._settle(answer_id)
        if not waiting:
            return self._store.record_handoff(answer_id)
        turn = next((entry.payload for entry in waiting if entry.kind == TURN), None)
        if turn is None:
            # Only votes wait: the turn is stored, so its question is there, out of reach until the database is back.
            raise InteractionStoreError(f"record a hand-off on answer {answer_id}",
                                        "the database is unreachable; earlier votes on it wait in the local spool")
        self._spool.append(HANDOFF, answer_id, {})
        self._wake.set()
        return HandoffRecord(answer_id=answer_id, question=str(turn["question"]),
                             gap_reason=GapReason.HANDOFF_REQUESTED)

    def request_notice(self, answer_id: str, channel: str, address: dict[str, str], *, asker: str,
                       audience: str) -> NoticeRequest:
        """Needs the turn in the store: it is written first; raises `InteractionStoreError` while it cannot be."""
        if self._settle(answer_id):
            raise InteractionStoreError(f"keep a notice request for answer {answer_id}",
                                        "the database is unreachable; the turn waits in the local spool")
        return self._store.request_notice(answer_id, channel, address, asker=asker, audience=audience)

    def _settle(self, answer_id: str) -> list[SpoolEntry]:
        """Write the spool up to this answer's entries; those still waiting (oldest first), [] when all are stored."""
        if not self._spool.entries_for(answer_id):
            return []
        self.flush()
        return self._spool.entries_for(answer_id)

    # ------------------------------------------------------------------ the writer

    def start(self) -> None:
        """Start the writer thread; it first replays whatever an earlier process left in the spool."""
        if self._thread is not None:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="spool-writer", daemon=True)
        self._thread.start()

    def flush(self) -> int:
        """Write everything waiting now, in this thread; the number of entries still waiting (0 unless the
        database failed)."""
        while self._drain_once():
            pass
        return self._spool.depth().entries

    def _run(self) -> None:
        pause = self._retry_seconds
        while not self._stopping.is_set():
            try:
                self.flush()
            except Exception as error:  # the writer must outlive any one failure; health shows it
                self._last_error = str(error)
                logger.exception("the spool writer failed; it tries again")
            if self._last_error is None:
                pause = self._retry_seconds
                self._wake.wait()
            else:
                self._wake.wait(pause)
                pause = min(pause * 2, self._max_retry_seconds)
            self._wake.clear()

    def _drain_once(self) -> bool:
        """Write one batch; True when it wrote something (more may wait)."""
        with self._drain_lock:
            entries = self._spool.oldest(self._batch_size)
            if not entries:
                self._last_error = None
                return False
            try:
                self._write(entries)
            except InteractionStoreError as error:
                if self._last_error is None:
                    logger.error("the interaction store is unreachable; %d entries wait in the spool: %s",
                                 self._spool.depth().entries, error.reason)
                self._last_error = error.reason
                return False
            self._spool.remove(entry.seq for entry in entries)
            if self._last_error is not None:
                logger.info("the interaction store is back; spooled entries are being written")
            self._last_error = None
            return True  # read again: entries may have arrived while this batch was written

    def _write(self, entries: list[SpoolEntry]) -> None:
        """Turns first (a batch, insert-if-absent), then votes and hand-offs, which always follow their turn."""
        rows = [_turn_row(entry.payload) for entry in entries if entry.kind == TURN]
        self._store.write_turns(rows)
        for entry in entries:
            try:
                if entry.kind == FEEDBACK:
                    self._store.write_feedback(entry.answer_id, bool(entry.payload["helpful"]),
                                               entry.payload.get("comment"), parse_time(entry.payload["created_at"]),
                                               once=True)
                elif entry.kind == HANDOFF:
                    self._store.record_handoff(entry.answer_id)
            except UnknownAnswerError as error:
                # Its turn is gone (retention, or a database restored from an older backup): nothing to attach it to.
                logger.error("spooled %s on answer %s dropped: %s", entry.kind, entry.answer_id, error)

    # ------------------------------------------------------------------ health and shutdown

    def health(self) -> PartHealth:
        """`interaction_store`: degraded while the database cannot be written, with the spool's depth."""
        depth = self._spool.depth()
        details: dict[str, object] = {"spool_entries": depth.entries, "spool_bytes": depth.bytes}
        if self._last_error is not None:
            return PartHealth("interaction_store", ok=False, details=details,
                              reason=f"database unreachable, {depth.entries} entries wait in the spool: "
                                     f"{self._last_error}")
        try:
            self._store.check()
        except InteractionStoreError as error:
            return PartHealth("interaction_store", ok=False, reason=str(error), details=details)
        return PartHealth("interaction_store", ok=True, details=details)

    def close(self, timeout_seconds: float = 5.0) -> None:
        """Stop the writer after a last attempt to write what waits (what cannot be written stays for next time)."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_seconds)
            self._thread = None
        deadline = time.monotonic() + timeout_seconds
        while time.monotonic() < deadline and self._drain_once():
            pass
        self._spool.close()


def _turn_row(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {**payload, "created_at": parse_time(payload["created_at"])}


def _pending_feedback(answer_id: str, waiting: list[SpoolEntry]) -> FeedbackResult:
    """The gap state the entries waiting for one answer will leave on its turn (the last one is this vote)."""
    gap, reason = False, None
    votes = 0
    gap_before_this_vote = False
    for entry in waiting:
        gap_before_this_vote = gap
        if entry.kind == TURN:
            gap = bool(entry.payload.get("gap"))
            reason = GapReason(entry.payload["gap_reason"]) if entry.payload.get("gap_reason") else None
        elif entry.kind == HANDOFF:
            gap, reason = True, GapReason.HANDOFF_REQUESTED
        elif entry.kind == FEEDBACK:
            votes += 1
            gap, reason = gap_after_vote(gap, reason, bool(entry.payload["helpful"]))
    return FeedbackResult(answer_id=answer_id, feedback_id=0, helpful=bool(waiting[-1].payload["helpful"]), gap=gap,
                          gap_reason=reason, feedback_count=votes, opened_gap=gap and not gap_before_this_vote)
