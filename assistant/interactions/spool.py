"""A bounded, durable queue on local disk for turns (and votes) waiting to be written to the interaction store.

It is a small SQLite file in the data directory, not the store's database: each `append` is one transaction
committed with `synchronous = FULL` in write-ahead-log mode, so it has reached the disk (fsync) before the caller
acknowledges the answer, and a process killed at any moment leaves every committed entry whole. Entries are only
ever redacted rows (the caller redacts before appending): the spool is as private as the store. Several threads
and processes may share one file; each entry is taken out only after its write to the store succeeded, and the
store writes turns by answer id once, so an entry replayed after a crash is not stored twice.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.interactions.errors import SpoolError, SpoolFullError

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS entries ("
    " seq INTEGER PRIMARY KEY AUTOINCREMENT, kind TEXT NOT NULL, answer_id TEXT NOT NULL,"
    " payload TEXT NOT NULL, size INTEGER NOT NULL)",
    "CREATE INDEX IF NOT EXISTS ix_entries_answer_id ON entries (answer_id)",
)


@dataclass(frozen=True)
class SpoolEntry:
    """One waiting write: `kind` is `turn`, `feedback` or `handoff`; `payload` the redacted row or vote."""

    seq: int
    kind: str
    answer_id: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class SpoolDepth:
    """How much waits in the spool."""

    entries: int
    bytes: int


class TurnSpool:
    """The spool file at `path`, holding at most `max_entries` entries and `max_bytes` bytes of payload.

    `append` raises `SpoolFullError` beyond either bound and `SpoolError` when the file cannot be written; the
    caller then writes to the store directly (see `SpooledRecorder`). The bounds are checked against this
    process's view of the file (exact with one process per data directory).
    """

    def __init__(self, path: Path, *, max_entries: int = 10_000, max_bytes: int = 64 * 1024 * 1024) -> None:
        if max_entries < 1 or max_bytes < 1:
            raise ValueError("the spool needs room for at least one entry")
        self.path = Path(path)
        self._max_entries = max_entries
        self._max_bytes = max_bytes
        self._lock = threading.Lock()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None, timeout=10.0)
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.execute("PRAGMA secure_delete = ON")  # written entries leave no bytes behind
            for statement in _SCHEMA:
                self._db.execute(statement)
            entries, size = self._db.execute("SELECT count(*), coalesce(sum(size), 0) FROM entries").fetchone()
        except (OSError, sqlite3.Error) as exc:
            raise SpoolError(f"open the spool {self.path}", str(exc)) from exc
        self._path_mode()
        self._entries = int(entries)
        self._bytes = int(size)

    def _path_mode(self) -> None:
        # Redacted, but still staff questions: readable by this user only, like the hash salt.
        for path in (self.path, self.path.with_name(self.path.name + "-wal")):
            if path.exists():
                path.chmod(0o600)

    def append(self, kind: str, answer_id: str, payload: Mapping[str, Any]) -> int:
        """Add one entry and return its sequence number once it is on disk."""
        text = json.dumps(payload, default=_json_default, ensure_ascii=False, separators=(",", ":"))
        size = len(text.encode("utf-8"))
        with self._lock:
            if self._entries + 1 > self._max_entries or self._bytes + size > self._max_bytes:
                raise SpoolFullError(f"spool {kind} {answer_id}",
                                     f"the spool is full ({self._entries} entries, {self._bytes} bytes)")
            try:
                cursor = self._db.execute("INSERT INTO entries (kind, answer_id, payload, size) VALUES (?, ?, ?, ?)",
                                          (kind, answer_id, text, size))
            except sqlite3.Error as exc:
                raise SpoolError(f"spool {kind} {answer_id}", str(exc)) from exc
            self._entries += 1
            self._bytes += size
            return int(cursor.lastrowid or 0)

    def oldest(self, limit: int) -> list[SpoolEntry]:
        """Up to `limit` entries, oldest first."""
        rows = self._query("read the spool", "SELECT seq, kind, answer_id, payload FROM entries ORDER BY seq LIMIT ?",
                           (limit,))
        return [SpoolEntry(int(seq), kind, answer_id, json.loads(payload)) for seq, kind, answer_id, payload in rows]

    def entries_for(self, answer_id: str) -> list[SpoolEntry]:
        """The entries waiting for one answer, oldest first (its turn, then any votes)."""
        rows = self._query("read the spool", "SELECT seq, kind, answer_id, payload FROM entries WHERE answer_id = ? "
                           "ORDER BY seq", (answer_id,))
        return [SpoolEntry(int(seq), kind, answer, json.loads(payload)) for seq, kind, answer, payload in rows]

    def remove(self, seqs: Iterable[int]) -> None:
        """Take out entries that are now in the store."""
        seqs = list(seqs)
        if not seqs:
            return
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                for start in range(0, len(seqs), 500):
                    chunk = seqs[start:start + 500]
                    self._db.execute(f"DELETE FROM entries WHERE seq IN ({','.join('?' * len(chunk))})", chunk)
                self._db.execute("COMMIT")
                entries, size = self._db.execute("SELECT count(*), coalesce(sum(size), 0) FROM entries").fetchone()
            except sqlite3.Error as exc:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                raise SpoolError("take written entries out of the spool", str(exc)) from exc
            self._entries, self._bytes = int(entries), int(size)

    def depth(self) -> SpoolDepth:
        """How many entries and payload bytes wait (this process's count)."""
        with self._lock:
            return SpoolDepth(self._entries, self._bytes)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _query(self, operation: str, sql: str, parameters: tuple) -> list[tuple]:
        with self._lock:
            try:
                return self._db.execute(sql, parameters).fetchall()
            except sqlite3.Error as exc:
                raise SpoolError(operation, str(exc)) from exc


def _json_default(value: object) -> str:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    raise TypeError(f"cannot spool a {type(value).__name__}")


def parse_time(value: str) -> dt.datetime:
    """A timestamp written by the spool, back as an aware datetime."""
    parsed = dt.datetime.fromisoformat(value)
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=dt.UTC)
