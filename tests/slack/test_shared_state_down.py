"""When the shared state's database is down, Slack is still answered: a mention, `/ask` with its buttons; a click on
them gets a polite reply. Conversation slots carry on without the slot."""

from __future__ import annotations

import logging

import pytest

from assistant.conversation_slots import ConversationSlots, PendingSlot
from benchmarks.standins.slack_app import StartSlack, mention
from connectors.channels.slack import replies
from tests.support.broken_state import UnreachableState

from .checks import buttons_of
from .fakes import RecordingAssistant

QUESTION = "What is the Verdello customer promise?"


def test_a_mention_and_ask_are_answered_while_the_shared_state_is_down(
    start_slack: StartSlack, recording: RecordingAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    state = UnreachableState()
    harness = start_slack(recording, state=state)

    with caplog.at_level(logging.ERROR, logger="connectors.channels.slack"):
        harness.slack.event(mention(QUESTION))
        harness.standin.wait_for("chat.postMessage")
        harness.slack.command(QUESTION, response_url=harness.standin.response_url("ask"))
        private = harness.standin.wait_for("response_url:ask")[0]
        harness.slack.action("share_answer", buttons_of(private.body)["share_answer"],
                             response_url=harness.standin.response_url("share"))
        told = harness.standin.wait_for("response_url:share")[0]

    assert [m.text for m in recording.messages] == [QUESTION, QUESTION]
    assert told.body["text"] == replies.polite_reply(state._fail())
    assert any("shared state unavailable" in record.getMessage() for record in caplog.records)
    assert any("not kept for its buttons" in record.getMessage() for record in caplog.records)


def test_conversation_slots_carry_on_without_the_shared_state(caplog: pytest.LogCaptureFixture) -> None:
    slots = ConversationSlots(60, state=UnreachableState())
    with caplog.at_level(logging.WARNING, logger="assistant.conversation_slots"):
        slots.expect("slack:C1:1.2", PendingSlot(name="order_number", intent="order_status"))
        assert slots.pending("slack:C1:1.2") is None
        slots.clear("slack:C1:1.2")
    assert len(caplog.records) == 3
