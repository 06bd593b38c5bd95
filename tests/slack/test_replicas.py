"""Two replicas of the Slack app, each its own server, store and pipeline, over one database (a SQLite file, and
PostgreSQL under scripts/with-postgres), behind one Slack: a retry reaching the other replica is not answered again,
a thread follow-up reaches either, Share works on the replica that did not show the answer, and a bare order number
sent to one fills the slot the other asked for."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from assistant.interactions.schema import shared_state
from assistant.models import OrderOutcome, Route
from benchmarks.standins.slack import SlackStandIn
from benchmarks.standins.slack_app import SlackHarness, mention, message, start_harness
from connectors.channels.slack.bot import EVENTS, MESSAGES
from tests.interactions.conftest import database_url, postgres_admin, postgres_url, sqlite_path  # noqa: F401
from tests.orders.samples import ORDERS
from tests.support.order_system import OrderSystem
from tests.support.replicas import PROMISE, Replica, start_replica

from .checks import all_text, buttons_of
from .fakes import RecordingAssistant

QUESTION = "What is the Verdello customer promise?"


class Pair:
    """Replicas `a` and `b`: their harnesses (one Slack stand-in) and what reached each pipeline."""

    def __init__(self, standin: SlackStandIn, url: str, orders_url: str, **config) -> None:
        self.standin = standin
        self.replicas: list[Replica] = []
        self.seen: list[RecordingAssistant] = []
        self.harnesses: list[SlackHarness] = []
        for _ in range(2):
            replica = start_replica(url, orders_url)
            recording = RecordingAssistant(replica.assistant)
            self.replicas.append(replica)
            self.seen.append(recording)
            self.harnesses.append(start_harness(standin, recording, state=replica.state, questions=replica.store,
                                                handoff_channel="C0PEOPLE", **config))

    @property
    def a(self) -> SlackHarness:
        return self.harnesses[0]

    @property
    def b(self) -> SlackHarness:
        return self.harnesses[1]

    def questions(self) -> list[str]:
        return [m.text for recording in self.seen for m in recording.messages]

    def close(self) -> None:
        for harness in self.harnesses:
            harness.stop()
        for replica in self.replicas:
            replica.close()


@pytest.fixture
def pair(database_url: str) -> Iterator[Pair]:  # noqa: F811  (the fixture imported above)
    with SlackStandIn() as standin, OrderSystem(ORDERS) as orders_url:
        started = Pair(standin, database_url, orders_url)
        yield started
        started.close()


def settle(pair: Pair, posts: int) -> None:
    """Wait for `posts` messages, then a moment more, so a second answer would have been seen."""
    pair.standin.wait_for("chat.postMessage", posts)
    time.sleep(0.3)


def test_an_event_retried_to_the_other_replica_is_answered_once(pair: Pair) -> None:
    event = mention(QUESTION)

    first = pair.a.slack.event(event, event_id="Ev0REPLICA01")
    retry = pair.b.slack.event(event, event_id="Ev0REPLICA01", retry=1)
    pair.b.slack.event(mention("sentinel question"))

    assert (first.status_code, retry.status_code) == (200, 200)
    settle(pair, 2)
    assert sorted(pair.questions()) == sorted([QUESTION, "sentinel question"])
    assert len(pair.standin.calls_to("chat.postMessage")) == 2


def test_an_event_taken_by_a_replica_that_died_before_replying_is_answered_by_slacks_retry(
    database_url: str,  # noqa: F811
) -> None:
    with SlackStandIn() as standin, OrderSystem(ORDERS) as orders_url:
        pair = Pair(standin, database_url, orders_url, event_lease_seconds=1.0)
        try:
            event = mention(QUESTION)
            # What a replica killed right after taking the first delivery leaves behind: its leases, no reply.
            assert pair.replicas[0].state.claim(EVENTS, "Ev0DIED01", 1.0)
            assert pair.replicas[0].state.claim(MESSAGES, f"{event['channel']}:{event['ts']}", 1.0)
            early = pair.b.slack.event(event, event_id="Ev0DIED01", retry=1)  # within the lease: still held
            time.sleep(1.3)
            late = pair.b.slack.event(event, event_id="Ev0DIED01", retry=2)  # Slack's later retry
            assert (early.status_code, late.status_code) == (200, 200)
            settle(pair, 1)
            assert pair.questions() == [QUESTION]
            time.sleep(1.3)  # past the lease again: the answered event is now held for its full time
            pair.a.slack.event(event, event_id="Ev0DIED01", retry=3)
            time.sleep(0.5)
            assert pair.questions() == [QUESTION]
            assert len(standin.calls_to("chat.postMessage")) == 1
        finally:
            pair.close()


def test_the_same_message_as_mention_on_one_replica_and_message_on_the_other_is_answered_once(pair: Pair) -> None:
    first = mention(QUESTION)
    pair.a.slack.event(first)
    settle(pair, 1)
    again = mention("and in the garden centre?", thread_ts=first["ts"])

    pair.a.slack.event(again)
    pair.b.slack.event({**again, "type": "message", "channel_type": "channel"})  # another event id, same message

    settle(pair, 2)
    assert pair.questions().count("and in the garden centre?") == 1


def test_a_thread_follow_up_reaches_the_replica_that_did_not_answer(pair: Pair) -> None:
    first = mention(QUESTION)
    pair.a.slack.event(first)
    settle(pair, 1)

    pair.b.slack.event(message("and on Sundays?", thread_ts=first["ts"]))

    follow_up = pair.standin.wait_for("chat.postMessage", 2)[-1]
    assert follow_up.body["thread_ts"] == first["ts"]
    assert [m.text for m in pair.seen[1].messages] == ["and on Sundays?"]
    assert pair.seen[1].messages[0].thread == f"C0STORE:{first['ts']}"


def test_share_on_the_other_replica_posts_the_answer_and_the_stored_question(pair: Pair) -> None:
    pair.a.slack.command(QUESTION, response_url=pair.standin.response_url("ask"))
    private = pair.standin.wait_for("response_url:ask")[0]

    pair.b.slack.action("share_answer", buttons_of(private.body)["share_answer"],
                        response_url=pair.standin.response_url("share"), user="U0ALICE")

    shared, removed = pair.standin.wait_for("response_url:share", 2)
    assert shared.body["response_type"] == "in_channel" and removed.body["delete_original"] is True
    text = all_text(shared.body)
    assert PROMISE in text and "Customer promise" in text
    assert QUESTION in text and "<@U0ALICE>" in text
    assert buttons_of(shared.body)["feedback_helpful"] == pair.seen[0].answers[0].answer_id


def test_ask_a_person_on_the_other_replica_names_the_asker_and_forwards_the_redacted_question(pair: Pair) -> None:
    pair.a.slack.command("Can giulia.rossi@example.com still return a mower?", user="U0BOB",
                         response_url=pair.standin.response_url("ask"))
    private = pair.standin.wait_for("response_url:ask")[0]

    pair.b.slack.action("ask_person", buttons_of(private.body)["ask_person"],
                        response_url=pair.standin.response_url("person"), user="U0ALICE")

    handoff = pair.standin.wait_for("chat.postMessage")[0]
    text = all_text(handoff.body)
    assert handoff.body["channel"] == "C0PEOPLE"
    assert "return a mower" in text and "giulia.rossi@example.com" not in text
    assert "<@U0BOB>" in text and PROMISE in text, "the asker and the answer come from the shared state"
    assert pair.seen[1].handoffs == [pair.seen[0].answers[0].answer_id]


def test_a_bare_order_number_on_one_replica_fills_the_slot_the_other_asked_for(pair: Pair) -> None:
    first = mention("can you check my customer's order?")
    pair.a.slack.event(first)
    settle(pair, 1)
    [asked] = pair.seen[0].answers
    assert asked.outcome is OrderOutcome.ASKED_FOR_NUMBER

    pair.b.slack.event(message("4827193", thread_ts=first["ts"]))

    pair.standin.wait_for("chat.postMessage", 2)
    [answered] = pair.seen[1].wait_for_answers(1)
    assert answered.route is Route.ORDER_STATUS and answered.outcome is OrderOutcome.FOUND
    assert "ORD-4827193" in answered.text


def stored_values(pair: Pair) -> str:
    """Every key and value in the shared state table, as text."""
    with pair.replicas[0].store._engine.connect() as connection:  # the test reads the table as it is
        rows = connection.execute(select(shared_state.c.namespace, shared_state.c.key, shared_state.c.value)).all()
    return json.dumps([list(row) for row in rows])


def test_the_shared_state_holds_no_question_no_customer_and_no_channel_id(pair: Pair) -> None:
    question = "Where is order ORD-4827193 for giulia.rossi@example.com?"
    pair.a.slack.command(question, user="U0BOB", response_url=pair.standin.response_url("ask"))
    private = pair.standin.wait_for("response_url:ask")[0]
    assert "G. R." in all_text(private.body), "the replica that answered shows the masked card"

    pair.b.slack.action("share_answer", buttons_of(private.body)["share_answer"],
                        response_url=pair.standin.response_url("share"), user="U0BOB")

    shared = pair.standin.wait_for("response_url:share", 2)[0]
    assert "ORD-4827193" in all_text(shared.body), "another replica shows the answer's words"
    assert "G. R." not in all_text(shared.body) and "giulia.rossi@example.com" not in all_text(shared.body)
    kept = stored_values(pair)
    assert "slack.answer" in kept and "ORD-4827193" in kept
    # Keys are hashed (no channel id); the asker's Slack id is kept only as the answer's asker, for a hand-off.
    for private_text in ("giulia", "Where is order", "G. R.", "g***@example.com", "C0STORE"):
        assert private_text not in kept
    assert kept.count("U0BOB") == 1 and '"asker": "U0BOB"' in kept
