"""State the replicas share, in the interaction database (SQLite file and PostgreSQL): a claim is won once, even by
two processes' stores at the same moment; values expire, are purged, and the table stays bounded under a flood."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from assistant.interactions import InteractionStore
from assistant.interactions.schema import shared_state
from assistant.interactions.shared_state import DatabaseSharedState
from tests.support.clock import DateClock
from tests.support.keep_text import KeepText

START = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def clock() -> DateClock:
    return DateClock(START)


@pytest.fixture
def stores(database_url: str, clock: DateClock) -> Iterator[tuple[InteractionStore, InteractionStore]]:
    """Two stores over one database, as two replicas would have: separate engines, one salt."""
    first = InteractionStore(database_url, KeepText(), salt="replicas", clock=clock)
    second = InteractionStore(database_url, KeepText(), salt="replicas", clock=clock)
    yield first, second
    first.close()
    second.close()


def test_a_claim_is_won_once_across_stores_and_again_after_it_expires(stores, clock) -> None:
    a, b = (store.shared_state() for store in stores)

    assert a.claim("slack.event", "Ev001", 60) is True
    assert b.claim("slack.event", "Ev001", 60) is False
    assert a.claim("slack.event", "Ev001", 60) is False
    assert b.claim("slack.other", "Ev001", 60) is True, "namespaces are separate"
    assert b.contains("slack.event", "Ev001") and not b.contains("slack.event", "Ev002")

    clock.now += dt.timedelta(seconds=61)
    assert not a.contains("slack.event", "Ev001")
    assert b.claim("slack.event", "Ev001", 60) is True, "an expired claim can be taken again"
    assert a.claim("slack.event", "Ev001", 60) is False


def test_values_are_shared_replaced_popped_and_never_read_once_expired(stores, clock) -> None:
    a, b = (store.shared_state() for store in stores)
    slot = {"name": "order_number", "intent": "order_status"}

    a.put("slots", "slack:C1:171.1", slot, 900)
    assert b.get("slots", "slack:C1:171.1") == slot
    b.put("slots", "slack:C1:171.1", {"name": "other", "intent": "x"}, 900)
    assert a.get("slots", "slack:C1:171.1") == {"name": "other", "intent": "x"}
    assert a.pop("slots", "slack:C1:171.1") == {"name": "other", "intent": "x"}
    assert b.get("slots", "slack:C1:171.1") is None and b.pop("slots", "slack:C1:171.1") is None

    a.put("answers", "abc", {"text": "Answer", "citations": [1, 2]}, 30)
    clock.now += dt.timedelta(seconds=30)
    assert b.get("answers", "abc") is None and b.pop("answers", "abc") is None


def test_keys_are_stored_as_salted_digests(stores) -> None:
    state = stores[0].shared_state()
    state.put("slots", "slack:U0ALICE", {"name": "order_number"}, 60)
    state.claim("slack.message", "C0STORE:1700000000.000100", 60)

    with stores[0]._engine.connect() as connection:  # the test reads the table as it is
        keys = list(connection.execute(select(shared_state.c.key)).scalars())
    assert len(keys) == 2 and all(len(key) == 64 and "U0ALICE" not in key and "C0STORE" not in key for key in keys)


def test_expired_rows_are_purged_in_batches_and_a_flood_leaves_the_table_bounded(stores, clock) -> None:
    state = stores[0].shared_state(purge_every=100, purge_batch=250, max_entries_per_namespace=500)

    for number in range(2_000):  # a flood of Slack events, each claimed once
        assert state.claim("slack.event", f"Ev{number:06d}", 3600)
        clock.now += dt.timedelta(seconds=1)
    assert state.count("slack.event") <= 500 + 100, "trimmed to the cap every 100 writes"
    assert state.contains("slack.event", "Ev001999"), "the newest claims are kept"

    clock.now += dt.timedelta(hours=2)  # everything has expired
    assert state.purge_expired() <= 250, "one batch at a time"
    state.purge()
    assert state.count() == 0


def test_purge_after_writes_removes_expired_rows_of_every_namespace(stores, clock) -> None:
    state = stores[0].shared_state(purge_every=10, purge_batch=1000)
    for number in range(50):
        state.put("old", f"k{number}", number, 5)
    clock.now += dt.timedelta(seconds=10)
    for number in range(10):
        state.put("new", f"k{number}", number, 60)
    assert state.count("old") == 0 and state.count("new") == 10


@pytest.mark.parametrize("threads", [2, 8])
def test_concurrent_claims_of_one_key_have_exactly_one_winner(stores, threads: int) -> None:
    """Threads of two replicas claim the same keys at once: each key has one winner."""
    states: list[DatabaseSharedState] = [stores[index % 2].shared_state() for index in range(threads)]
    keys = [f"Ev{number:04d}" for number in range(40)]
    wins: list[list[str]] = [[] for _ in range(threads)]
    start = threading.Barrier(threads)
    failures: list[BaseException] = []

    def claim_all(index: int) -> None:
        try:
            start.wait()
            for key in keys:
                if states[index].claim("slack.event", key, 600):
                    wins[index].append(key)
        except BaseException as error:  # reported by the main thread below
            failures.append(error)

    workers = [threading.Thread(target=claim_all, args=(index,)) for index in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)

    assert failures == []
    won = sorted(key for keys_won in wins for key in keys_won)
    assert won == keys, "every key claimed exactly once"


def test_a_namespace_longer_than_the_column_is_refused(stores) -> None:
    with pytest.raises(ValueError, match="namespace"):
        stores[0].shared_state().put("x" * 33, "k", 1, 60)
