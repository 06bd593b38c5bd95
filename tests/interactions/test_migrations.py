"""Migrations: a database from before them upgrades in place, a new one reaches the head, which matches schema.py."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from assistant.interactions import GapState, InteractionStore
from assistant.interactions.engine import build_engine
from assistant.interactions.migrate import FIRST_REVISION, head_revision
from assistant.interactions.schema import metadata


class KeepText:
    def redact(self, text: str) -> str:
        return text


def create_pre_migration_schema(url: str) -> None:
    """The two tables exactly as the code before migrations created them, with one gap and one answer."""
    old = sa.MetaData()
    turns = sa.Table(
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
    feedback = sa.Table(
        "feedback", old,
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("turn_id", sa.String(64), sa.ForeignKey("turns.id", ondelete="CASCADE"), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Index("ix_feedback_turn_id", "turn_id"),
        sa.Index("ix_feedback_created_at", "created_at"),
    )  # fmt: skip
    engine = build_engine(url)
    when = dt.datetime(2026, 11, 20, 9, 30)
    row = {"created_at": when, "channel": "slack", "asker_hash": "h", "conversation_hash": "c",
           "answer": "I don't know that yet.", "route": "knowledge", "intent": None, "confidence": 0.2,
           "citations": [], "degraded": False, "language": "en", "latency_ms": 12.0}
    with engine.begin() as connection:
        old.create_all(connection)
        connection.execute(turns.insert().values(id="old-gap", question="can I [PERSON] park here?", gap=True,
                                                 gap_reason="no_answer", **row))
        connection.execute(turns.insert().values(id="old-answer", question="returns?", gap=False, gap_reason=None,
                                                 **row))
        connection.execute(feedback.insert().values(turn_id="old-answer", created_at=when, helpful=True))
    engine.dispose()


def test_a_database_from_before_migrations_upgrades_in_place(database_url: str) -> None:
    create_pre_migration_schema(database_url)

    with InteractionStore(database_url, KeepText(), salt="s") as store:
        assert store.schema_revisions == (FIRST_REVISION, head_revision())
        [gap] = store.gaps()
        assert (gap.answer_id, gap.state, gap.team) == ("old-gap", GapState.OPEN, None)
        assert store.turn("old-answer").feedback[0].helpful is True
        assert store.counts()["turns"] == 2
    with InteractionStore(database_url, KeepText(), salt="s") as again:
        assert again.schema_revisions == (head_revision(), head_revision()), "a second start changes nothing"


def test_a_new_database_reaches_the_head_and_matches_the_schema(database_url: str) -> None:
    with InteractionStore(database_url, KeepText(), salt="s") as store:
        assert store.schema_revisions == (None, head_revision())
    engine = build_engine(database_url)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), metadata)
    engine.dispose()
    assert differences == []


def test_processes_starting_at_once_migrate_once(database_url: str) -> None:
    script = ("import sys; from assistant.interactions.engine import build_engine; "
              "from assistant.interactions.migrate import upgrade_schema; "
              "print(upgrade_schema(build_engine(sys.argv[1]))[0])")
    starts = [subprocess.Popen([sys.executable, "-c", script, database_url], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True) for _ in range(3)]
    outcomes = [start.communicate(timeout=120) for start in starts]
    assert all(start.returncode == 0 for start in starts), outcomes
    assert sorted(out.strip() for out, _ in outcomes) == sorted(["None", head_revision(), head_revision()])


def test_db_upgrade_command_reports_what_it_did(tmp_path, monkeypatch, capsys) -> None:
    from connectors.cli import main

    url = f"sqlite:///{tmp_path / 'cli.db'}"
    create_pre_migration_schema(url)
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", url)
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    assert main(["db", "upgrade"]) == 0
    assert f"from {FIRST_REVISION} to {head_revision()}" in capsys.readouterr().out
    assert main(["db", "upgrade"]) == 0
    assert "already at" in capsys.readouterr().out
