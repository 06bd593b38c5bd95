"""The bounded time-to-live maps of the core, and the conversation slots built on them."""

from __future__ import annotations

import pytest

from assistant.conversation_slots import ConversationSlots, PendingSlot
from assistant.shared_state import MemorySharedState
from assistant.ttl_map import TTLMap, TTLSet
from tests.support.clock import ManualClock


def test_ttl_set_forgets_after_its_ttl_and_keeps_at_most_max_size() -> None:
    clock = ManualClock()
    seen: TTLSet[str] = TTLSet(ttl_seconds=60, max_size=3, clock=clock)

    assert seen.add_if_absent("Ev1") is True
    assert seen.add_if_absent("Ev1") is False
    clock.now += 59
    assert "Ev1" in seen
    clock.now += 2
    assert "Ev1" not in seen
    assert seen.add_if_absent("Ev1") is True

    for key in ("Ev2", "Ev3", "Ev4"):
        seen.add(key)
    assert len(seen) == 3 and "Ev1" not in seen


def test_ttl_cache_returns_live_values_only() -> None:
    clock = ManualClock()
    cache: TTLMap[str, int] = TTLMap(ttl_seconds=10, clock=clock)
    cache.set("a", 1)
    assert cache.get("a") == 1
    clock.now += 10
    assert cache.get("a") is None
    with pytest.raises(ValueError):
        TTLMap(ttl_seconds=0)


def test_ttl_map_pop_removes_and_returns_the_live_value() -> None:
    clock = ManualClock()
    entries: TTLMap[str, int] = TTLMap(ttl_seconds=10, clock=clock)
    entries.set("a", 1)
    assert entries.pop("a") == 1 and entries.pop("a") is None
    entries.set("b", 2)
    clock.now += 11
    assert entries.pop("b") is None


def test_conversation_slots_expire_and_can_be_cleared() -> None:
    clock = ManualClock()
    slots = ConversationSlots(ttl_seconds=60, clock=clock)
    slot = PendingSlot(name="order_number", intent="order_status")
    slots.expect("api:U1", slot)
    assert slots.pending("api:U1") == slot and slots.pending("api:U2") is None
    clock.now += 61
    assert slots.pending("api:U1") is None
    slots.expect("api:U1", slot)
    slots.clear("api:U1")
    assert slots.pending("api:U1") is None


def test_conversation_slots_stay_bounded_when_nothing_has_expired() -> None:
    clock = ManualClock()
    slots = ConversationSlots(ttl_seconds=900, clock=clock, max_conversations=100)
    for number in range(1_000):
        slots.expect(f"api:U{number}", PendingSlot(name="order_number", intent="order_status"))
    assert len(slots) == 100
    assert slots.pending("api:U999") is not None and slots.pending("api:U0") is None


def test_conversation_slots_live_in_the_shared_state_they_are_given() -> None:
    clock = ManualClock()
    state = MemorySharedState(clock=clock)
    asked_on_a = ConversationSlots(ttl_seconds=60, state=state)
    answered_on_b = ConversationSlots(ttl_seconds=60, state=state)
    asked_on_a.expect("slack:C1:171.1", PendingSlot(name="order_number", intent="order_status"))
    assert answered_on_b.pending("slack:C1:171.1") == PendingSlot(name="order_number", intent="order_status")
    answered_on_b.clear("slack:C1:171.1")
    assert asked_on_a.pending("slack:C1:171.1") is None
