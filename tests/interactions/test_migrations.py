"""Migrations: a database from before them upgrades in place, a new one reaches the head, which matches schema.py;
concurrent starts migrate once; `assistant db upgrade` says what it did."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext

from assistant.interactions import GapState, InteractionStore, InteractionStoreError, upgrade_database
from assistant.interactions.engine import build_engine
from assistant.interactions.migrate import FIRST_REVISION, MIGRATIONS, head_revision, new_revision
from assistant.interactions.schema import metadata

# Columns revision 2 added to `turns`, all nullable.
NEW_TURN_COLUMNS = ("team", "location", "role", "gap_state", "resolved_at", "resolved_page", "resolution",
                    "state_note", "state_changed_by")


class KeepText:
    def redact(self, text: str) -> str:
        return text


def pre_migration_metadata() -> sa.MetaData:
    """`turns` and `feedback` exactly as the code before migrations declared them (a frozen copy)."""
    old = sa.MetaData()
    sa.Table(
        "turns", old,
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(), nullable=False),
        sa.Column("asker_hash", sa.String(64), nullable=False),
        sa.Column("conversation_hash", sa.String(64), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column("route", sa.String(32), nullable=False),
        sa.Column("intent", sa.String(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("citations", sa.JSON(), nullable=False),
        sa.Column("gap", sa.Boolean(), nullable=False),
        sa.Column("gap_reason", sa.String(32), nullable=True),
        sa.Column("degraded", sa.Boolean(), nullable=False),
        sa.Column("language", sa.String(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=False),
        sa.Index("ix_turns_created_at", "created_at"),
        sa.Index("ix_turns_gap_created_at", "gap", "created_at"),
    )
    sa.Table(
        "feedback", old,
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("turn_id", sa.String(64), sa.ForeignKey("turns.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Index("ix_feedback_turn_id", "turn_id"),
        sa.Index("ix_feedback_created_at", "created_at"),
    )  # fmt: skip
    return old


def create_pre_migration_schema(url: str) -> None:
    """A database as the code before migrations left it (`create_all`, no alembic_version): a gap, an answer, a vote."""
    old = pre_migration_metadata()
    turns, feedback = old.tables["turns"], old.tables["feedback"]
    when = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
    row = {"created_at": when, "channel": "slack", "asker_hash": "h", "conversation_hash": "c",
           "answer": "I don't know that yet.", "route": "knowledge", "intent": None, "confidence": 0.2,
           "citations": [], "degraded": False, "language": "en", "latency_ms": 12.0}
    engine = build_engine(url)
    with engine.begin() as connection:
        old.create_all(connection)
        connection.execute(turns.insert().values(id="old-gap", question="can I [PERSON] park here?", gap=True,
                                                 gap_reason="no_answer", **row))
        connection.execute(turns.insert().values(id="old-answer", question="returns?", gap=False, gap_reason=None,
                                                 **row))
        connection.execute(feedback.insert().values(turn_id="old-answer", created_at=when, helpful=True))
    engine.dispose()


def differences_from(url: str, target: sa.MetaData) -> list:
    engine = build_engine(url)
    try:
        with engine.connect() as connection:
            return compare_metadata(MigrationContext.configure(connection), target)
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = build_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def test_a_database_from_before_migrations_upgrades_in_place(database_url: str) -> None:
    create_pre_migration_schema(database_url)
    assert table_names(database_url) == {"turns", "feedback"}

    with InteractionStore(database_url, KeepText(), salt="s") as store:
        assert store.schema_revisions == (FIRST_REVISION, head_revision())
        [gap] = store.gaps()
        assert (gap.answer_id, gap.question, gap.gap_reason.value) == ("old-gap", "can I [PERSON] park here?",
                                                                        "no_answer")
        assert (gap.state, gap.team, gap.location, gap.role) == (GapState.OPEN, None, None, None)
        assert (gap.resolved_at, gap.resolved_page, gap.resolution, gap.state_note) == (None, None, None, None)
        assert store.turn("old-answer").feedback[0].helpful is True
        assert store.turn("old-gap").created_at == dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
        assert store.counts()["turns"] == 2

    engine = build_engine(database_url)
    with engine.connect() as connection:
        columns = ", ".join(NEW_TURN_COLUMNS)
        stored = {row.id: row for row in connection.execute(sa.text(f"SELECT id, {columns} FROM turns"))}
        kept_counts = connection.execute(sa.text("SELECT count(*) FROM gap_counts")).scalar_one()
    engine.dispose()
    assert stored["old-gap"].gap_state == "open", "a gap from before lifecycles is open"
    assert all(getattr(stored["old-answer"], column) is None for column in NEW_TURN_COLUMNS), "not a gap: no state"
    assert all(getattr(stored["old-gap"], column) is None for column in NEW_TURN_COLUMNS if column != "gap_state")
    assert kept_counts == 0
    assert differences_from(database_url, metadata) == []

    with InteractionStore(database_url, KeepText(), salt="s") as again:
        assert again.schema_revisions == (head_revision(), head_revision()), "a second start changes nothing"


def test_a_new_database_reaches_the_head_and_matches_the_schema(database_url: str) -> None:
    with InteractionStore(database_url, KeepText(), salt="s") as store:
        assert store.schema_revisions == (None, head_revision())
    assert differences_from(database_url, metadata) == []


def test_revision_one_is_exactly_the_schema_from_before_migrations(database_url: str) -> None:
    engine = build_engine(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, FIRST_REVISION)
    engine.dispose()
    assert differences_from(database_url, pre_migration_metadata()) == []


def test_upgrade_database_reports_the_revisions(database_url: str) -> None:
    assert upgrade_database(database_url) == (None, head_revision())
    assert upgrade_database(database_url) == (head_revision(), head_revision())


def test_upgrade_database_names_what_it_could_not_do(tmp_path: Path) -> None:
    not_a_database = tmp_path / "notes.db"
    not_a_database.write_text("these are not the droids\n" * 100)
    with pytest.raises(InteractionStoreError, match="newest schema"):
        upgrade_database(f"sqlite:///{not_a_database}")


# Each child builds its engine, says it is ready and waits for the word, so the upgrades really start together.
_CHILD = """
import sys
from assistant.interactions.engine import build_engine
from assistant.interactions.migrate import upgrade_schema
engine = build_engine(sys.argv[1])
print("ready", flush=True)
sys.stdin.readline()
print(upgrade_schema(engine)[0], flush=True)
"""


def test_processes_starting_at_once_migrate_once(database_url: str) -> None:
    children = [subprocess.Popen([sys.executable, "-c", _CHILD, database_url], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(4)]
    try:
        for child in children:
            assert child.stdout.readline().strip() == "ready", child.stderr.read()
        for child in children:
            child.stdin.write("go\n")
            child.stdin.flush()
        outcomes = [child.communicate(timeout=120) for child in children]
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    assert all(child.returncode == 0 for child in children), outcomes
    started_from = sorted(out.strip() for out, _ in outcomes)
    assert started_from == sorted(["None"] + [head_revision()] * 3), "exactly one process found it empty"
    assert differences_from(database_url, metadata) == []


def test_db_upgrade_command_reports_what_it_did(tmp_path, monkeypatch, capsys) -> None:
    from connectors.cli import main

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    create_pre_migration_schema(url)
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", url)
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    assert main(["db", "upgrade"]) == 0
    assert f"from {FIRST_REVISION} to {head_revision()}" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert f"already at revision {head_revision()}" in capsys.readouterr().out


def test_a_new_revision_follows_the_head(tmp_path: Path) -> None:
    copy = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, copy, ignore=shutil.ignore_patterns("__pycache__"))
    written = new_revision("add the shift column", copy)
    expected = f"{int(head_revision()) + 1:04d}"
    assert written.name == f"{expected}_add_the_shift_column.py"
    text = written.read_text()
    assert f"revision = '{expected}'" in text and f"down_revision = '{head_revision()}'" in text
    compile(text, str(written), "exec")
