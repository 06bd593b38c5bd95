"""`SharedState` in the interaction store's database (table `shared_state`), so every replica sees it.

A claim is one `INSERT ... ON CONFLICT DO UPDATE ... WHERE expired ... RETURNING` on the primary key (namespace,
hashed key): the database lets exactly one of several concurrent callers insert (or take over an expired row), and
only that caller gets a row back. Reads ignore expired rows. Expired rows are deleted in bounded batches every
`purge_every` writes of this process and by `purge()` (run periodically by `assistant serve`); each namespace is
also kept to `max_entries_per_namespace` rows, the soonest to expire going first, so the table stays bounded
under a flood. Keys are stored as salted HMAC-SHA256 digests: no Slack or Teams id is kept as such.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from typing import Any

from sqlalchemy import Connection, Engine, delete, func, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite

from assistant.interactions.engine import WRITE_OPTION, transaction
from assistant.interactions.errors import InteractionStoreError
from assistant.interactions.hashing import IdentifierHasher
from assistant.interactions.schema import shared_state
from assistant.shared_state import JsonValue, SharedStateError

logger = logging.getLogger(__name__)

MAX_NAMESPACE_LENGTH = 32


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SharedStateStoreError(InteractionStoreError, SharedStateError):
    """The database behind the shared state failed: an interaction store error and a shared state error at once."""


class DatabaseSharedState:
    """Expiring claims and values in the `shared_state` table, shared by every process using the database.

    Build it with `InteractionStore.shared_state()`, which passes the store's engine, identifier hasher and clock.
    `serial` serialises calls when every thread shares one connection (in-memory SQLite). Database failures raise
    `SharedStateStoreError` (an `InteractionStoreError` and a `SharedStateError`); a failed purge after a write is
    logged and tried again later, the write stands.
    """

    def __init__(
        self,
        engine: Engine,
        hasher: IdentifierHasher,
        *,
        clock: Callable[[], dt.datetime] = _utc_now,
        serial: AbstractContextManager[Any] | None = None,
        purge_every: int = 200,
        purge_batch: int = 1000,
        max_entries_per_namespace: int = 100_000,
    ) -> None:
        if purge_every <= 0 or purge_batch <= 0 or max_entries_per_namespace <= 0:
            raise ValueError("purge_every, purge_batch and max_entries_per_namespace must be positive")
        self._engine = engine
        self._writer = engine.execution_options(**{WRITE_OPTION: True})
        self._hasher = hasher
        self._clock = clock
        self._serial: AbstractContextManager[Any] = serial if serial is not None else nullcontext()
        self._purge_every = purge_every
        self._purge_batch = purge_batch
        self._max_entries = max_entries_per_namespace
        self._writes = 0
        self._written: set[str] = set()
        self._lock = threading.Lock()
        if engine.dialect.name not in ("sqlite", "postgresql"):
            raise SharedStateStoreError("share state", f"the {engine.dialect.name} database is not supported")

    # ------------------------------------------------------------------ SharedState

    def claim(self, namespace: str, key: str, ttl_seconds: float) -> bool:
        now = self._clock()
        row = self._row(namespace, key, None, ttl_seconds, now)
        statement = self._insert().values(**row)
        statement = statement.on_conflict_do_update(
            index_elements=[shared_state.c.namespace, shared_state.c.key],
            set_={"value": statement.excluded.value, "expires_at": statement.excluded.expires_at},
            where=shared_state.c.expires_at <= now,
        ).returning(shared_state.c.key)
        with self._transaction(f"claim {namespace}", write=True) as connection:
            # A row comes back only when this statement inserted it or took over an expired one.
            taken = connection.execute(statement).first() is not None
        self._after_write(namespace)
        return taken

    def put(self, namespace: str, key: str, value: JsonValue, ttl_seconds: float) -> None:
        row = self._row(namespace, key, value, ttl_seconds, self._clock())
        statement = self._insert().values(**row)
        statement = statement.on_conflict_do_update(
            index_elements=[shared_state.c.namespace, shared_state.c.key],
            set_={"value": statement.excluded.value, "expires_at": statement.excluded.expires_at},
        )
        with self._transaction(f"keep a {namespace} entry", write=True) as connection:
            connection.execute(statement)
        self._after_write(namespace)

    def get(self, namespace: str, key: str) -> JsonValue | None:
        query = select(shared_state.c.value).where(*self._live(namespace, key))
        with self._transaction(f"read a {namespace} entry") as connection:
            return connection.execute(query).scalar_one_or_none()

    def pop(self, namespace: str, key: str) -> JsonValue | None:
        now = self._clock()
        statement = (delete(shared_state).where(*self._same(namespace, key))
                     .returning(shared_state.c.value, shared_state.c.expires_at))
        with self._transaction(f"take a {namespace} entry", write=True) as connection:
            row = connection.execute(statement).one_or_none()
        return row.value if row is not None and row.expires_at > now else None

    def contains(self, namespace: str, key: str) -> bool:
        query = select(shared_state.c.key).where(*self._live(namespace, key))
        with self._transaction(f"look up a {namespace} entry") as connection:
            return connection.execute(query).first() is not None

    # ------------------------------------------------------------------ keeping the table bounded

    def purge(self, max_batches: int = 100) -> int:
        """Delete expired rows, then trim every namespace to its cap, a batch at a time; the number deleted."""
        deleted = 0
        for _ in range(max_batches):
            removed = self.purge_expired()
            deleted += removed
            if removed < self._purge_batch:
                break
        for namespace in self.namespaces():
            deleted += self.trim(namespace)
        return deleted

    def purge_expired(self) -> int:
        """Delete at most one batch of expired rows; how many were deleted."""
        victims = (select(shared_state.c.namespace, shared_state.c.key)
                   .where(shared_state.c.expires_at <= self._clock())
                   .order_by(shared_state.c.expires_at).limit(self._purge_batch))
        return self._delete_rows(victims, "delete expired shared state")

    def trim(self, namespace: str) -> int:
        """Delete the rows of `namespace` beyond its cap (at most one batch), the soonest to expire first."""
        count_query = select(func.count()).select_from(shared_state).where(shared_state.c.namespace == namespace)
        with self._transaction(f"count {namespace} entries") as connection:
            excess = connection.execute(count_query).scalar_one() - self._max_entries
        if excess <= 0:
            return 0
        victims = (select(shared_state.c.namespace, shared_state.c.key)
                   .where(shared_state.c.namespace == namespace)
                   .order_by(shared_state.c.expires_at).limit(min(excess, self._purge_batch)))
        return self._delete_rows(victims, f"trim {namespace} entries")

    def namespaces(self) -> list[str]:
        """The namespaces that have rows."""
        with self._transaction("list shared state namespaces") as connection:
            return list(connection.execute(select(shared_state.c.namespace).distinct()).scalars())

    def count(self, namespace: str | None = None) -> int:
        """Rows in one namespace, or in the table (expired ones not yet purged included)."""
        query = select(func.count()).select_from(shared_state)
        if namespace is not None:
            query = query.where(shared_state.c.namespace == namespace)
        with self._transaction("count shared state") as connection:
            return connection.execute(query).scalar_one()

    # ------------------------------------------------------------------ helpers

    def _delete_rows(self, victims: Any, operation: str) -> int:
        if self._engine.dialect.name == "postgresql":
            # Two replicas purging at once skip each other's rows instead of waiting on them.
            victims = victims.with_for_update(skip_locked=True)
        statement = delete(shared_state).where(tuple_(shared_state.c.namespace, shared_state.c.key).in_(victims))
        with self._transaction(operation, write=True) as connection:
            return connection.execute(statement).rowcount

    def _after_write(self, namespace: str) -> None:
        with self._lock:
            self._written.add(namespace)
            self._writes += 1
            due = self._writes % self._purge_every == 0
            written = sorted(self._written) if due else []
        if not due:
            return
        try:
            self.purge_expired()
            for name in written:
                self.trim(name)
        except InteractionStoreError as error:
            logger.warning("shared state: purge after a write failed, will try again later: %s", error)

    def _row(self, namespace: str, key: str, value: JsonValue, ttl_seconds: float,
             now: dt.datetime) -> dict[str, Any]:
        if ttl_seconds <= 0:
            raise ValueError(f"ttl_seconds must be positive, got {ttl_seconds}")
        return {"namespace": _checked(namespace), "key": self._digest(namespace, key), "value": value,
                "expires_at": now + dt.timedelta(seconds=ttl_seconds)}

    def _same(self, namespace: str, key: str) -> tuple[Any, ...]:
        return (shared_state.c.namespace == _checked(namespace),
                shared_state.c.key == self._digest(namespace, key))

    def _live(self, namespace: str, key: str) -> tuple[Any, ...]:
        return (*self._same(namespace, key), shared_state.c.expires_at > self._clock())

    def _digest(self, namespace: str, key: str) -> str:
        return self._hasher.hash(f"{namespace}\x1f{key}")

    def _insert(self) -> Any:
        dialect = postgresql if self._engine.dialect.name == "postgresql" else sqlite
        return dialect.insert(shared_state)

    def _transaction(self, operation: str, *, write: bool = False) -> AbstractContextManager[Connection]:
        return transaction(self._writer if write else self._engine, self._serial, operation,
                           error=SharedStateStoreError)


def _checked(namespace: str) -> str:
    if not namespace or len(namespace) > MAX_NAMESPACE_LENGTH:
        raise ValueError(f"a namespace is 1 to {MAX_NAMESPACE_LENGTH} characters, got {namespace!r}")
    return namespace
