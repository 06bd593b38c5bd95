"""The in-memory shared state: what one replica and the tests use, with the database version's semantics."""

from __future__ import annotations

import threading

import pytest

from assistant.shared_state import MemorySharedState
from tests.support.clock import ManualClock


def test_a_claim_is_won_once_until_it_expires() -> None:
    clock = ManualClock()
    state = MemorySharedState(clock=clock)
    assert state.claim("slack.event", "Ev1", 60) and not state.claim("slack.event", "Ev1", 60)
    assert state.claim("slack.message", "Ev1", 60), "namespaces are separate"
    assert state.contains("slack.event", "Ev1")
    clock.advance(60)
    assert not state.contains("slack.event", "Ev1") and state.claim("slack.event", "Ev1", 60)


def test_values_are_copies_that_expire_and_can_be_popped() -> None:
    clock = ManualClock()
    state = MemorySharedState(clock=clock)
    value = {"name": "order_number", "list": [1, 2]}
    state.put("slots", "k", value, 10)
    value["list"].append(3)
    assert state.get("slots", "k") == {"name": "order_number", "list": [1, 2]}, "kept as JSON, as a database would"
    assert state.pop("slots", "k") == {"name": "order_number", "list": [1, 2]} and state.get("slots", "k") is None
    state.put("slots", "k", 1, 10)
    state.put("slots", "short", 2, 5)  # a shorter time-to-live behind a longer one still expires on time
    clock.advance(5)
    assert state.get("slots", "short") is None and state.pop("slots", "short") is None
    assert state.get("slots", "k") == 1 and state.count("slots") == 1


def test_values_that_could_not_be_shared_are_refused() -> None:
    with pytest.raises(TypeError):
        MemorySharedState().put("slots", "k", object(), 10)
    with pytest.raises(ValueError):
        MemorySharedState().put("slots", "k", 1, 0)


def test_each_namespace_stays_bounded() -> None:
    state = MemorySharedState(max_entries=100, clock=ManualClock())
    for number in range(1_000):
        state.claim("slack.event", f"Ev{number}", 3600)
    assert state.count("slack.event") == 100
    assert state.contains("slack.event", "Ev999") and not state.contains("slack.event", "Ev0")


def test_concurrent_claims_of_one_key_have_one_winner() -> None:
    state = MemorySharedState()
    start = threading.Barrier(8)
    wins: list[str] = []

    def claim_all() -> None:
        start.wait()
        wins.extend(key for key in (f"Ev{number}" for number in range(200)) if state.claim("e", key, 60))

    workers = [threading.Thread(target=claim_all) for _ in range(8)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(wins) == sorted(f"Ev{number}" for number in range(200))
