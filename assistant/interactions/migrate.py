"""Brings an interaction database to the newest schema with Alembic; safe when several processes start at once."""

from __future__ import annotations

import logging
import threading
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.exc import SQLAlchemyError

from assistant.interactions.engine import WRITE_OPTION, build_engine
from assistant.interactions.errors import InteractionStoreError

logger = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
FIRST_REVISION = "0001"
# Any constant works: it names the PostgreSQL advisory lock that serialises concurrent upgrades.
_UPGRADE_LOCK = 0x617373697374
# Alembic keeps its running context in module globals: one upgrade at a time in a process.
_IN_PROCESS = threading.Lock()


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision the code knows."""
    return ScriptDirectory.from_config(_config()).get_current_head()


def new_revision(message: str, directory: Path = MIGRATIONS) -> Path:
    """Write an empty revision after the head of `directory`, numbered next (`0003_<message>.py`); its path.

    For developers: fill in `upgrade()` and `downgrade()` and change `schema.py` to match (a test compares them).
    """
    config = _config()
    config.set_main_option("script_location", str(directory))
    head = ScriptDirectory.from_config(config).get_current_head()
    script = command.revision(config, message=message, rev_id=f"{int(head or 0) + 1:04d}")
    assert script is not None and not isinstance(script, list)  # one revision on one branch
    return Path(script.path)


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_schema(engine: Engine) -> tuple[str | None, str]:
    """Upgrade to the newest revision in one transaction; (revision before, revision after).

    A database made before migrations existed (the tables, no `alembic_version`) is first stamped at the
    first revision, which describes exactly that schema. Processes starting at once wait for each other:
    on PostgreSQL through an advisory lock, on SQLite through the write transaction (BEGIN IMMEDIATE).
    """
    with _IN_PROCESS, engine.execution_options(**{WRITE_OPTION: True}).begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _UPGRADE_LOCK})
        before = current_revision(connection)
        config = _config(connection)
        if before is None and inspect(connection).has_table("turns"):
            command.stamp(config, FIRST_REVISION)
            before = FIRST_REVISION
            logger.info("interaction store: a database from before migrations, stamped at %s", FIRST_REVISION)
        command.upgrade(config, "head")
        after = current_revision(connection)
    if before != after:
        logger.info("interaction store upgraded from %s to %s", before or "an empty database", after)
    return before, after


def upgrade_database(database_url: str) -> tuple[str | None, str]:
    """Bring the database at `database_url` to the newest schema (`assistant db upgrade`): (before, after).

    `before` is None for a database that had no interaction tables. Raises `InteractionStoreError` for a bad
    URL, a missing driver or a database that refuses the upgrade.
    """
    engine = build_engine(database_url)
    try:
        return upgrade_schema(engine)
    except SQLAlchemyError as exc:
        reason = getattr(exc, "orig", None) or exc
        raise InteractionStoreError("bring the database to the newest schema", str(reason).strip()) from exc
    finally:
        engine.dispose()
