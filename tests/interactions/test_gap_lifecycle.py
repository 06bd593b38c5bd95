"""A gap's life: open, resolved by a page (recheck or person), dismissed with a reason, reopened; and what votes and
hand-offs do to a gap someone closed."""

from __future__ import annotations

import datetime as dt

import pytest

from assistant.errors import UnknownAnswerError
from assistant.interactions import GapState, InteractionStore, InvalidGapTransitionError, Resolution
from assistant.models import Answer, AskerProfile, GapReason, Message, Route
from tests.support.clock import DateClock

START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


class KeepText:
    def redact(self, text: str) -> str:
        return text.replace("anna@example.com", "[EMAIL]")



@pytest.fixture
def clock() -> DateClock:
    return DateClock(START)


@pytest.fixture
def store(database_url: str, clock: DateClock) -> InteractionStore:
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


def test_resolve_dismiss_and_reopen(store: InteractionStore, clock: DateClock) -> None:
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


def test_a_vote_on_a_closed_gap_reopens_nothing(store: InteractionStore) -> None:
    record(store, "resolved")
    record(store, "dismissed")
    store.resolve_gap("resolved", "en/customers/parking.md", Resolution.PERSON, by="admin", note="see the map")
    store.dismiss_gap("dismissed", "a test message", by="admin")

    result = store.record_feedback("resolved", helpful=False, comment="still no idea")
    store.record_feedback("dismissed", helpful=False)

    assert (result.gap, result.gap_reason, result.feedback_count) == (True, GapReason.NO_ANSWER, 1)
    gaps = {gap.answer_id: gap for gap in store.gaps()}
    assert gaps["resolved"].state is GapState.RESOLVED and gaps["resolved"].resolved_page == "en/customers/parking.md"
    assert gaps["resolved"].state_note == "see the map" and gaps["resolved"].feedback_comment == "still no idea"
    assert gaps["dismissed"].state is GapState.DISMISSED
    assert store.gaps(state=GapState.OPEN) == []


def test_a_thumbs_up_leaves_a_resolved_thumbs_down_gap_resolved(store: InteractionStore) -> None:
    record(store, "a1", gap=False)
    store.record_feedback("a1", helpful=False)
    store.resolve_gap("a1", "en/staff/rota.md", Resolution.RECHECK, by="recheck")
    result = store.record_feedback("a1", helpful=True)
    assert (result.gap, result.gap_reason) == (True, GapReason.NEGATIVE_FEEDBACK)
    assert [(gap.answer_id, gap.state) for gap in store.gaps()] == [("a1", GapState.RESOLVED)]


def test_after_a_reopen_votes_count_again_and_leave_no_old_resolution(store: InteractionStore) -> None:
    record(store, "a1", gap=False)
    store.record_feedback("a1", helpful=False)
    store.resolve_gap("a1", "en/staff/rota.md", Resolution.PERSON, by="admin", note="rota page")
    store.reopen_gap("a1", by="admin", note="the rota page is about something else")

    store.record_feedback("a1", helpful=True)
    assert store.gaps() == [], "an open thumbs-down gap still follows the latest vote"
    store.record_feedback("a1", helpful=False)
    [gap] = store.gaps()
    assert (gap.state, gap.resolved_at, gap.resolved_page, gap.resolution, gap.state_note) == (
        GapState.OPEN, None, None, None, None)


def test_a_hand_off_opens_a_closed_gap_afresh(store: InteractionStore) -> None:
    record(store, "g1")
    store.resolve_gap("g1", "en/customers/parking.md", Resolution.RECHECK, by="recheck")
    store.record_handoff("g1")
    [gap] = store.gaps()
    assert (gap.state, gap.gap_reason) == (GapState.OPEN, GapReason.HANDOFF_REQUESTED)
    assert (gap.resolved_at, gap.resolved_page, gap.resolution, gap.state_note) == (None, None, None, None)
