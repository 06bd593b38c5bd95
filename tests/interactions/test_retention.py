"""Retention: turns and votes older than the period go, their daily totals stay in `gap_counts`, newer rows are
untouched, a second run changes nothing, and runs at once count each day once (SQLite file and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

from assistant.interactions import InteractionStore, TurnRecord
from assistant.interactions.engine import build_engine
from assistant.models import Answer, AskerProfile, GapReason, Message, Route
from tests.support.clock import DateClock
from tests.support.keep_text import KeepText

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> DateClock:
    return DateClock(START)


@pytest.fixture
def store(database_url: str, clock: DateClock):
    with InteractionStore(database_url, KeepText(), salt="s", clock=clock) as opened:
        yield opened


def record(store: InteractionStore, answer_id: str, *, reason: GapReason | None = GapReason.NO_ANSWER,
           channel: str = "slack", team: str | None = "Tills") -> None:
    gap = reason is not None
    answer = Answer("I don't know that yet." if gap else "Thirty days.", Route.KNOWLEDGE, 0.2 if gap else 0.9,
                    gap=gap, gap_reason=reason, answer_id=answer_id)
    message = Message(f"question {answer_id}", asker="U1", channel=channel,
                      profile=AskerProfile(team=team, location="Store 7", role="associate"))
    store.record_turn(message, answer, latency_ms=3)


def kept_counts(database_url: str) -> set[tuple]:
    engine = build_engine(database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT day, channel, gap_reason, team, turns, gaps FROM gap_counts"))
            return {(str(day), channel, reason, team, turns, gaps) for day, channel, reason, team, turns, gaps in rows}
    finally:
        engine.dispose()


def snapshot(store: InteractionStore, *answer_ids: str) -> dict[str, TurnRecord | None]:
    return {answer_id: store.turn(answer_id) for answer_id in answer_ids}


def test_old_turns_go_their_daily_counts_stay_and_recent_turns_are_untouched(
    store: InteractionStore, clock: DateClock, database_url: str
) -> None:
    record(store, "old-1")
    record(store, "old-2", team="Fitting rooms")
    record(store, "old-3", reason=None, channel="teams")
    store.record_feedback("old-3", helpful=True)
    clock.now += dt.timedelta(days=1)
    record(store, "old-4", reason=GapReason.OUT_OF_SCOPE, team=None)
    clock.now += dt.timedelta(days=60)
    record(store, "new-1")
    record(store, "new-2", reason=None)
    store.record_feedback("new-2", helpful=False, comment="not what I asked")
    recent = snapshot(store, "new-1", "new-2")
    before = store.counts()

    result = store.apply_retention(30)

    assert (result.turns_deleted, result.feedback_deleted) == (4, 1)
    assert result.cutoff == clock.now - dt.timedelta(days=30)
    assert snapshot(store, "old-1", "old-2", "old-3", "old-4") == dict.fromkeys(("old-1", "old-2", "old-3", "old-4"))
    assert snapshot(store, "new-1", "new-2") == recent, "turns and votes inside the period are untouched"
    assert kept_counts(database_url) == {
        ("2026-03-02", "slack", "no_answer", "Tills", 1, 1),
        ("2026-03-02", "slack", "no_answer", "Fitting rooms", 1, 1),
        ("2026-03-02", "teams", "", "Tills", 1, 0),
        ("2026-03-03", "slack", "out_of_scope", "", 1, 1),
    }
    after = store.counts()
    for total in ("turns", "gaps", "by_reason", "by_channel", "gaps_by_channel"):
        assert after[total] == before[total], total
    assert (after["feedback_helpful"], after["feedback_not_helpful"]) == (0, 1), "votes on removed turns go"
    assert [gap.answer_id for gap in store.gaps()] == ["new-2", "new-1"]


def test_a_second_run_changes_nothing_and_a_later_one_adds_to_the_same_day(
    store: InteractionStore, clock: DateClock, database_url: str
) -> None:
    record(store, "early")
    clock.now += dt.timedelta(hours=6)
    record(store, "late")
    clock.now = START + dt.timedelta(days=30, hours=3)  # "early" is past 30 days, "late" is not

    first = store.apply_retention(30)
    again = store.apply_retention(30)

    assert (first.turns_deleted, again.turns_deleted, again.feedback_deleted) == (1, 0, 0)
    assert kept_counts(database_url) == {("2026-03-02", "slack", "no_answer", "Tills", 1, 1)}
    assert store.turn("late") is not None
    assert store.counts()["gaps"] == 2, "stored or aggregated, each turn counts once"

    clock.now += dt.timedelta(days=1)
    assert store.apply_retention(30).turns_deleted == 1
    assert kept_counts(database_url) == {("2026-03-02", "slack", "no_answer", "Tills", 2, 2)}
    assert store.counts()["gaps"] == 2


def test_a_period_takes_the_whole_of_an_aggregated_day(store: InteractionStore, clock: DateClock) -> None:
    record(store, "morning")  # 2026-03-02 09:00
    clock.now = START + dt.timedelta(days=40)
    store.apply_retention(30)

    # The period starts on 2026-03-02 at 12:00: the day's totals count, although the turn was at 09:00.
    clock.now = START + dt.timedelta(days=7, hours=3)
    assert store.counts(since_days=7)["gaps"] == 1
    # A period starting the next day leaves them out.
    assert store.counts(since_days=6)["gaps"] == 0
    assert store.counts()["by_reason"]["no_answer"] == 1


def test_days_are_counted_in_utc_whatever_the_database_session_says(postgres_url: str) -> None:
    url = make_url(postgres_url)
    far_east = url.update_query_dict({"options": f"{url.query['options']} -cTimeZone=Pacific/Kiritimati"})
    database_url = far_east.render_as_string(hide_password=False)
    clock = DateClock(dt.datetime(2026, 3, 2, 15, 0, tzinfo=dt.UTC))  # already 3 March in Kiritimati (UTC+14)
    with InteractionStore(database_url, KeepText(), salt="s", clock=clock) as store:
        record(store, "afternoon")
        clock.now += dt.timedelta(days=31)
        store.apply_retention(30)
    assert {row[0] for row in kept_counts(database_url)} == {"2026-03-02"}


def test_runs_at_once_count_each_turn_once(database_url: str, clock: DateClock) -> None:
    stores = [InteractionStore(database_url, KeepText(), salt="s", clock=clock) for _ in range(4)]
    try:
        for number in range(40):
            record(stores[0], f"old-{number:02d}", team=f"team-{number % 5}")
        clock.now += dt.timedelta(days=90)
        together = threading.Barrier(len(stores))
        deleted: list[int] = []

        def prune(store: InteractionStore) -> None:
            together.wait()
            deleted.append(store.apply_retention(30).turns_deleted)

        threads = [threading.Thread(target=prune, args=(store,)) for store in stores]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)

        assert sorted(deleted) == [0, 0, 0, 40], "one run removed them, the others found nothing"
        assert sum(row[4] for row in kept_counts(database_url)) == 40
        assert stores[1].counts()["gaps"] == 40
    finally:
        for store in stores:
            store.close()


def test_a_retention_shorter_than_a_day_is_refused(store: InteractionStore) -> None:
    with pytest.raises(ValueError, match="at least one day"):
        store.apply_retention(0)


def test_db_prune_command(tmp_path, monkeypatch, capsys) -> None:
    from connectors.cli import main

    url = f"sqlite:///{tmp_path / 'prune.db'}"
    with InteractionStore(url, KeepText(), salt="s", clock=DateClock(dt.datetime(2020, 1, 1, tzinfo=dt.UTC))) as old:
        record(old, "from-2020")
    monkeypatch.setenv("ASSISTANT_DATABASE_URL", url)
    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))

    assert main(["db", "prune"]) == 0
    assert "nothing to do" in capsys.readouterr().out
    monkeypatch.setenv("ASSISTANT_RETENTION_DAYS", "365")
    assert main(["db", "prune"]) == 0
    assert "deleted 1 turns and 0 votes" in capsys.readouterr().out
    assert main(["db", "prune", "--days", "30"]) == 0
    assert "deleted 0 turns" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["db", "prune", "--days", "0"])
    with InteractionStore(url, KeepText(), salt="s") as reopened:
        assert reopened.turn("from-2020") is None and reopened.counts()["gaps"] == 1
