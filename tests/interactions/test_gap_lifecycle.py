"""A gap's life: open, resolved by a page (recheck or person), dismissed with a reason, reopened; and retention."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest

from assistant.errors import UnknownAnswerError
from assistant.interactions import GapState, InteractionStore, InvalidGapTransitionError, Resolution
from assistant.models import Answer, AskerProfile, GapReason, Message, Route

START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


class KeepText:
    def redact(self, text: str) -> str:
        return text.replace("anna@example.com", "[EMAIL]")


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> dt.datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(database_url: str, clock: Clock) -> InteractionStore:
    with InteractionStore(database_url, KeepText(), salt="s", clock=clock) as opened:
        yield opened


def record(store: InteractionStore, answer_id: str, *, gap: bool = True, team: str | None = "Tills",
           channel: str = "slack") -> None:
    answer = Answer("I don't know that yet." if gap else "Yes.", Route.KNOWLEDGE, 0.2 if gap else 0.9,
                    gap=gap, gap_reason=GapReason.NO_ANSWER if gap else None, answer_id=answer_id)
    message = Message(f"question {answer_id}", asker="U1", channel=channel,
                      profile=AskerProfile(team=team, location="Store 42", role="associate"))
    store.record_turn(message, answer, latency_ms=5)


def test_a_new_gap_is_open_and_carries_the_askers_groups(store: InteractionStore) -> None:
    record(store, "g1")
    [gap] = store.gaps()
    assert (gap.state, gap.team, gap.location, gap.role) == (GapState.OPEN, "Tills", "Store 42", "associate")
    assert gap.asker_hash and gap.asker_hash != "U1"
    assert gap.as_dict()["state"] == "open" and gap.as_dict()["team"] == "Tills"


def test_resolve_dismiss_and_reopen(store: InteractionStore, clock: Clock) -> None:
    record(store, "g1")
    record(store, "g2")
    clock.now += dt.timedelta(days=3)
    resolved = store.resolve_gap("g1", "en/customers/parking.md", Resolution.RECHECK, by="recheck")
    assert (resolved.state, resolved.resolved_page, resolved.resolution) == (
        GapState.RESOLVED, "en/customers/parking.md", "recheck")
    assert resolved.resolved_at == clock.now
    dismissed = store.dismiss_gap("g2", "a test message from anna@example.com", by="admin")
    assert dismissed.state is GapState.DISMISSED and dismissed.state_note == "a test message from [EMAIL]"
    assert [gap.answer_id for gap in store.gaps(state=GapState.OPEN)] == []
    assert {gap.answer_id for gap in store.gaps(state=GapState.RESOLVED)} == {"g1"}
    reopened = store.reopen_gap("g1", by="admin", note="the page does not cover vans")
    assert reopened.state is GapState.OPEN and reopened.resolved_page is None and reopened.resolved_at is None


def test_invalid_transitions_are_refused(store: InteractionStore) -> None:
    record(store, "g1")
    record(store, "a1", gap=False)
    with pytest.raises(InvalidGapTransitionError, match="not a gap"):
        store.dismiss_gap("a1", "no", by="admin")
    with pytest.raises(InvalidGapTransitionError, match="already open"):
        store.reopen_gap("g1", by="admin")
    with pytest.raises(InvalidGapTransitionError, match="needs a reason"):
        store.dismiss_gap("g1", "  ", by="admin")
    with pytest.raises(UnknownAnswerError):
        store.resolve_gap("nope", None, Resolution.PERSON, by="admin")


def test_a_thumbs_down_on_an_answer_opens_a_gap_and_a_thumbs_up_closes_it(store: InteractionStore) -> None:
    record(store, "a1", gap=False)
    store.record_feedback("a1", helpful=False)
    assert store.gaps()[0].state is GapState.OPEN
    store.record_feedback("a1", helpful=True)
    assert store.gaps() == []


def test_retention_deletes_old_turns_and_keeps_their_daily_counts(store: InteractionStore, clock: Clock) -> None:
    record(store, "old-gap")
    record(store, "old-answer", gap=False, channel="teams")
    store.record_feedback("old-answer", helpful=True)
    clock.now += dt.timedelta(days=40)
    record(store, "new-gap")
    before = store.counts()

    result = store.apply_retention(30)

    assert (result.turns_deleted, result.feedback_deleted) == (2, 1)
    assert store.turn("old-gap") is None and store.turn("new-gap") is not None
    after = store.counts()
    assert (after["turns"], after["gaps"]) == (before["turns"], before["gaps"]) == (3, 2)
    assert after["by_reason"]["no_answer"] == 2 and after["by_channel"] == {"slack": 2, "teams": 1}
    assert store.counts(since_days=7)["turns"] == 1, "aggregated days outside the period are not counted"
    again = store.apply_retention(30)
    assert (again.turns_deleted, again.feedback_deleted) == (0, 0)
    assert store.counts()["turns"] == 3, "running it again changes nothing"


def test_fifty_parallel_gaps_are_each_stored_once(store: InteractionStore) -> None:
    with ThreadPoolExecutor(max_workers=16) as pool:
        list(pool.map(lambda number: record(store, f"c{number:02d}"), range(50)))
    gaps = store.gaps(limit=100)
    assert len(gaps) == 50 and len({gap.answer_id for gap in gaps}) == 50
