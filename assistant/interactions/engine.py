"""Builds the SQLAlchemy engine of the interaction store, tuned for SQLite or PostgreSQL.

SQLite (file): a connection pool shared by the web server's threads, write-ahead logging so
readers never wait for the writer, a busy timeout so writers queue instead of failing, and
SQLAlchemy in charge of BEGIN: write transactions open with `BEGIN IMMEDIATE`, which takes
the write lock up front, so a read-then-write transaction never fails half-way with
"database is locked". SQLite in memory: one connection shared by every thread; callers
must serialise their use of it (see `uses_single_connection`).

PostgreSQL: the usual queue pool with pre-ping, so connections dropped by the server are
replaced. A URL without a driver (`postgresql://`, `postgres://`) uses psycopg 3.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import StaticPool

from assistant.interactions.errors import InteractionStoreError

# Execution option that marks a connection whose transactions write (SQLite: BEGIN IMMEDIATE).
WRITE_OPTION = "interaction_store_write"

_DEFAULT_POSTGRES_DRIVER = "postgresql+psycopg"
POSTGRES_CONNECT_TIMEOUT_SECONDS = 5


def build_engine(
    database_url: str,
    *,
    sqlite_busy_timeout_ms: int = 10_000,
    pool_size: int = 5,
    max_overflow: int = 10,
) -> Engine:
    """An engine for `database_url`; raises `InteractionStoreError` for a bad URL or a missing driver."""
    url = parse_database_url(database_url)
    try:
        if url.get_backend_name() == "sqlite":
            return _sqlite_engine(url, sqlite_busy_timeout_ms, pool_size, max_overflow)
        # A server that drops packets instead of refusing them must not hold a spool writer or a health check for
        # the two minutes TCP would wait.
        return create_engine(
            url, pool_pre_ping=True, pool_size=pool_size, max_overflow=max_overflow, pool_recycle=1800,
            connect_args={"connect_timeout": POSTGRES_CONNECT_TIMEOUT_SECONDS},
        )
    except ImportError as exc:
        raise InteractionStoreError(
            f"connect to {_shown(url)}",
            f"the database driver is not installed ({exc}); for PostgreSQL install psycopg",
        ) from exc
    except (ArgumentError, NoSuchModuleError) as exc:
        raise InteractionStoreError(f"connect to {_shown(url)}", str(exc)) from exc


def parse_database_url(database_url: str) -> URL:
    """The SQLAlchemy URL, with psycopg 3 chosen for a PostgreSQL URL that names no driver."""
    try:
        url = make_url(database_url)
    except ArgumentError as exc:
        raise InteractionStoreError("parse the database URL", str(exc)) from exc
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername=_DEFAULT_POSTGRES_DRIVER)
    return url


def is_sqlite_memory(url: URL) -> bool:
    """Whether `url` names an in-memory SQLite database."""
    return url.get_backend_name() == "sqlite" and (
        url.database in (None, "", ":memory:") or url.query.get("mode") == "memory"
    )


def uses_single_connection(engine: Engine) -> bool:
    """Whether every thread shares one connection (in-memory SQLite), so calls must be serialised."""
    return is_sqlite_memory(engine.url)


def _sqlite_engine(url: URL, busy_timeout_ms: int, pool_size: int, max_overflow: int) -> Engine:
    memory = is_sqlite_memory(url)
    if memory:
        engine = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        _create_parent_directory(url)
        engine = create_engine(
            url,
            pool_size=pool_size,
            max_overflow=max_overflow,
            connect_args={"check_same_thread": False},
        )

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN (see `_begin`) instead of the sqlite3 module's legacy mode.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            cursor.execute("PRAGMA foreign_keys = ON")
            if not memory:
                _use_write_ahead_log(cursor, busy_timeout_ms / 1000)
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        writes = connection.get_execution_options().get(WRITE_OPTION, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")

    return engine


def _use_write_ahead_log(cursor: sqlite3.Cursor, timeout_s: float) -> None:
    """Switch the file to write-ahead logging, waiting while another process holds it.

    Changing the journal mode needs the file to itself, and SQLite reports "database is locked" at once
    rather than calling the busy handler when, say, another process is creating the schema in a fresh
    file; so try again until the busy timeout has passed. Once a file is in WAL mode it stays there.
    """
    deadline = time.monotonic() + timeout_s
    pause = 0.005
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.1)


def _create_parent_directory(url: URL) -> None:
    if url.query.get("uri") or not url.database or url.database.startswith("file:"):
        return
    parent = Path(url.database).expanduser().parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InteractionStoreError(f"create the database directory {parent}", str(exc)) from exc


def _shown(url: URL) -> str:
    return url.render_as_string(hide_password=True)


@contextmanager
def transaction(engine: Engine, serial: AbstractContextManager[Any], operation: str, *,
                error: Callable[[str, str], InteractionStoreError] = InteractionStoreError) -> Iterator[Connection]:
    """One transaction on `engine` inside `serial`, committed on success; a database error becomes
    `error(operation, the driver's own message)`. Pass an engine with `WRITE_OPTION` for transactions that write."""
    with serial:
        try:
            with engine.begin() as connection:
                yield connection
        except SQLAlchemyError as exc:
            raise error(operation, database_reason(exc)) from exc


def database_reason(exc: SQLAlchemyError) -> str:
    """The driver's own message, without SQLAlchemy's statement and parameter dump."""
    original = getattr(exc, "orig", None)
    return str(original).strip() if original is not None else str(exc)
