"""Requests to be told when a gap is answered: kept only for open gaps, once per place, ready after a resolution,
deleted once delivered or collected, counted when delivery fails, and removed by retention."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from assistant.errors import NoticeNotPossibleError, UnknownAnswerError
from assistant.interactions import InteractionStore, Resolution
from assistant.interactions.engine import build_engine
from assistant.interactions.schema import notice_requests
from assistant.models import Answer, GapReason, Message, Route

SLACK_THREAD = {"channel": "C123", "thread_ts": "1700000000.000100"}


class KeepText:
    def redact(self, text: str) -> str:
        return text


@pytest.fixture
def clock() -> list[dt.datetime]:
    return [dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)]


@pytest.fixture
def store(database_url, clock):
    with InteractionStore(database_url, KeepText(), salt="notices", clock=lambda: clock[0]) as opened:
        yield opened


def kept_requests(database_url: str) -> list[str]:
    """The answer ids of every stored request, read straight from the database."""
    engine = build_engine(database_url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(select(notice_requests.c.turn_id)).scalars())
    finally:
        engine.dispose()


def record(store: InteractionStore, answer_id: str, *, gap: bool = True, asker: str = "U1",
           text: str = "Can customers return garden furniture bought in the sale?") -> None:
    answer = Answer("I don't know that yet.", Route.KNOWLEDGE, 0.1, gap=gap,
                    gap_reason=GapReason.NO_ANSWER if gap else None, answer_id=answer_id)
    store.record_turn(Message(text, asker=asker, channel="slack", language="en"), answer, latency_ms=5)


def test_a_request_is_kept_once_per_place_and_only_for_an_open_gap(store) -> None:
    record(store, "gap1")
    record(store, "answered", gap=False)

    first = store.request_notice("gap1", "slack", SLACK_THREAD, asker="U1", audience="staff")
    again = store.request_notice("gap1", "slack", dict(SLACK_THREAD), asker="U1", audience="staff")
    elsewhere = store.request_notice("gap1", "slack", {"channel": "U1"}, asker="U1", audience="staff")

    assert first.request_id == again.request_id != elsewhere.request_id
    assert (first.answer_id, first.channel, first.address, first.audience) == ("gap1", "slack", SLACK_THREAD, "staff")
    assert first.question.startswith("Can customers return") and first.notice is None
    with pytest.raises(NoticeNotPossibleError):
        store.request_notice("answered", "slack", SLACK_THREAD, asker="U1", audience="staff")
    with pytest.raises(UnknownAnswerError):
        store.request_notice("nobody", "slack", SLACK_THREAD, asker="U1", audience="staff")
    store.dismiss_gap("gap1", "a joke", by="admin")
    record(store, "gap2")
    store.dismiss_gap("gap2", "a joke", by="admin")
    with pytest.raises(NoticeNotPossibleError):
        store.request_notice("gap2", "slack", SLACK_THREAD, asker="U1", audience="staff")


def test_a_notice_is_prepared_after_the_gap_is_resolved_and_deleted_once_delivered(store, database_url) -> None:
    record(store, "gap1")
    request = store.request_notice("gap1", "slack", SLACK_THREAD, asker="U1", audience="managers")
    assert store.notices_to_prepare() == [], "nothing to tell while the gap is open"

    store.resolve_gap("gap1", "en/customers/returns.md", Resolution.RECHECK, by="recheck")
    [pending] = store.notices_to_prepare()
    assert (pending.request_id, pending.resolved_page) == (request.request_id, "en/customers/returns.md")
    assert store.ready_notices(["slack"], max_attempts=5) == []

    store.set_notice(request.request_id, {"text": "Yes, within 30 days."})
    assert store.notices_to_prepare() == []
    [ready] = store.ready_notices(["slack"], max_attempts=5)
    assert ready.notice == {"text": "Yes, within 30 days."}
    assert store.ready_notices(["teams"], max_attempts=5) == []

    store.notice_delivered(request.request_id)
    assert store.ready_notices(["slack"], max_attempts=5) == []
    assert kept_requests(database_url) == [], "the address is gone, not hidden"


def test_failed_deliveries_are_counted_and_given_up_after_the_limit(store) -> None:
    record(store, "gap1")
    request = store.request_notice("gap1", "slack", SLACK_THREAD, asker="U1", audience="staff")
    store.resolve_gap("gap1", "en/a.md", Resolution.PERSON, by="admin")
    store.set_notice(request.request_id, {"text": "answer"})

    store.notice_failed(request.request_id, "channel_not_found")
    [kept] = store.ready_notices(["slack"], max_attempts=2)
    assert kept.attempts == 1
    store.notice_failed(request.request_id, "channel_not_found")
    assert store.ready_notices(["slack"], max_attempts=2) == []
    assert len(store.ready_notices(["slack"], max_attempts=3)) == 1


def test_an_inbox_hands_its_notices_over_once_and_only_to_its_asker(store) -> None:
    record(store, "mine", asker="agent-7")
    record(store, "theirs", asker="agent-8")
    for answer_id, asker in (("mine", "agent-7"), ("theirs", "agent-8")):
        request = store.request_notice(answer_id, "api", {}, asker=asker, audience="staff")
        store.resolve_gap(answer_id, "en/a.md", Resolution.RECHECK, by="recheck")
        store.set_notice(request.request_id, {"text": f"answer for {asker}"})

    [collected] = store.collect_notices("api", "agent-7")
    assert (collected.answer_id, collected.notice) == ("mine", {"text": "answer for agent-7"})
    assert store.collect_notices("api", "agent-7") == []
    assert [n.answer_id for n in store.collect_notices("api", "agent-8")] == ["theirs"]


def test_retention_removes_requests_with_their_turns(store, clock, database_url) -> None:
    record(store, "old")
    store.request_notice("old", "slack", SLACK_THREAD, asker="U1", audience="staff")
    clock[0] += dt.timedelta(days=40)
    record(store, "new")
    store.request_notice("new", "slack", SLACK_THREAD, asker="U1", audience="staff")

    store.apply_retention(30)

    assert kept_requests(database_url) == ["new"]
