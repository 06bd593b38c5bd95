"""Mentions, direct messages and thread follow-ups, end to end over HTTP against the Slack stand-in."""

from __future__ import annotations

import logging
import time

import pytest

from assistant.errors import NLUUnavailableError
from benchmarks.standins.slack import BOT_ID, BOT_USER_ID
from benchmarks.standins.slack_app import BOT_TOKEN, StartSlack, mention, message
from connectors.channels.slack import replies

from .checks import all_text, buttons_of, sources_of
from .fakes import FailingAssistant, RecordingAssistant

QUESTION = "What is the Verdello customer promise?"


def test_mention_is_answered_in_its_thread_with_sources_and_buttons(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording)
    event = mention(QUESTION)

    response = harness.slack.event(event)

    assert response.status_code == 200
    posted = harness.standin.wait_for("chat.postMessage")[0]
    assert posted.token == BOT_TOKEN
    assert posted.body["channel"] == "C0STORE"
    assert posted.body["thread_ts"] == event["ts"]
    [asked] = recording.messages
    assert asked.text == QUESTION  # the bot's mention is stripped
    assert (asked.asker, asked.channel, asked.thread) == ("U0ALICE", "slack", f"C0STORE:{event['ts']}")
    [answer] = recording.answers
    assert sources_of(posted.body), "the answer lists its sources"
    linked = [c for c in answer.citations if c.url]
    if linked:
        assert any(f"<{linked[0].url}|" in line for line in sources_of(posted.body))
    buttons = buttons_of(posted.body)
    assert buttons["feedback_helpful"] == answer.answer_id
    assert buttons["feedback_not_helpful"] == answer.answer_id
    assert "ask_person" in buttons
    assert "share_answer" not in buttons


def test_a_mention_inside_a_thread_answers_in_that_thread(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording)

    harness.slack.event(mention(QUESTION, thread_ts="1599999999.000100"))

    posted = harness.standin.wait_for("chat.postMessage")[0]
    assert posted.body["thread_ts"] == "1599999999.000100"
    assert recording.messages[0].thread == "C0STORE:1599999999.000100"


def test_direct_message_is_answered_in_the_dm_and_its_thread_continues(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording)
    dm = message(QUESTION, channel="D0ALICE", channel_type="im")

    harness.slack.event(dm)

    first = harness.standin.wait_for("chat.postMessage")[0]
    assert first.body["channel"] == "D0ALICE"
    assert "thread_ts" not in first.body  # a top-level DM gets a top-level reply
    assert recording.messages[0].thread is None
    assert recording.messages[0].conversation_key == "slack:U0ALICE"

    harness.slack.event(
        message("And on the phone?", channel="D0ALICE", channel_type="im", thread_ts=dm["ts"])
    )

    second = harness.standin.wait_for("chat.postMessage", 2)[1]
    assert second.body["thread_ts"] == dm["ts"]
    assert recording.messages[1].thread == f"D0ALICE:{dm['ts']}"


def test_follow_up_in_a_bot_thread_continues_the_conversation_without_a_mention(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording)
    first = mention(QUESTION)
    harness.slack.event(first)
    harness.standin.wait_for("chat.postMessage")

    harness.slack.event(message("How fast must we answer the phone?", thread_ts=first["ts"]))

    follow_up = harness.standin.wait_for("chat.postMessage", 2)[1]
    assert follow_up.body["thread_ts"] == first["ts"]
    assert recording.messages[1].text == "How fast must we answer the phone?"
    assert recording.messages[1].conversation_key == recording.messages[0].conversation_key


def test_channel_messages_outside_bot_threads_are_left_alone(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording)

    harness.slack.event(message("Anyone seen the pallet truck?"))
    harness.slack.event(message("Still looking", thread_ts="1500000000.000100"))
    harness.slack.event(mention(QUESTION))  # sentinel, handled after the two above

    harness.standin.wait_for("chat.postMessage")
    recording.wait_for_answers(1)
    assert [m.text for m in recording.messages] == [QUESTION]


def test_a_message_delivered_as_mention_and_as_message_is_answered_once(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording)
    first = mention(QUESTION)
    harness.slack.event(first)
    harness.standin.wait_for("chat.postMessage")
    again = mention("and in the garden centre?", thread_ts=first["ts"])
    as_message = {**again, "type": "message", "channel_type": "channel"}

    harness.slack.event(again)
    harness.slack.event(as_message)  # Slack sends both events for a mention in a channel it watches
    harness.slack.event(mention("sentinel question"))

    harness.standin.wait_for("chat.postMessage", 3)
    time.sleep(0.2)
    assert len(harness.standin.calls_to("chat.postMessage")) == 3
    assert [m.text for m in recording.messages].count("and in the garden centre?") == 1


def test_retried_event_is_acknowledged_and_answered_only_once(
    start_slack: StartSlack, assistant_service, caplog: pytest.LogCaptureFixture
) -> None:
    slow = RecordingAssistant(assistant_service, delay=0.5)
    harness = start_slack(slow)
    event = mention(QUESTION)

    with caplog.at_level(logging.INFO, logger="connectors.channels.slack"):
        first = harness.slack.event(event, event_id="Ev0RETRY01")
        during = harness.slack.event(event, event_id="Ev0RETRY01", retry=1)  # while the first is answered
        harness.standin.wait_for("chat.postMessage")
        after = harness.slack.event(event, event_id="Ev0RETRY01", retry=2)
        harness.slack.event(mention("sentinel question"))
        harness.standin.wait_for("chat.postMessage", 2)
        time.sleep(0.2)

    assert [r.status_code for r in (first, during, after)] == [200, 200, 200]
    assert during.elapsed.total_seconds() < 1.0
    assert [m.text for m in slow.messages] == [QUESTION, "sentinel question"]
    assert len(harness.standin.calls_to("chat.postMessage")) == 2
    logged = [r.getMessage() for r in caplog.records if "Ev0RETRY01" in r.getMessage()]
    dropped = [line for line in logged if "delivered again" in line]
    assert len(dropped) == 2 and "retry 1" in dropped[0] and "retry 2" in dropped[1]
    assert len([line for line in logged if "answered" in line and "again" not in line]) == 1


def test_bot_messages_are_ignored(start_slack: StartSlack, recording: RecordingAssistant) -> None:
    harness = start_slack(recording)
    first = mention(QUESTION)
    harness.slack.event(first)
    harness.standin.wait_for("chat.postMessage")

    own = message("Here is what I found", user=BOT_USER_ID, bot_id=BOT_ID, thread_ts=first["ts"])
    other_bot = message(
        "Deploy finished", user=None, subtype="bot_message", bot_id="B0OTHER", thread_ts=first["ts"]
    )
    own_dm = message("Hello again", channel="D0ALICE", channel_type="im", user=BOT_USER_ID, bot_id=BOT_ID)
    edited = message("", subtype="message_changed", thread_ts=first["ts"])
    for event in (own, other_bot, own_dm, edited):
        assert harness.slack.event(event).status_code == 200
    harness.slack.event(message("sentinel question", thread_ts=first["ts"]))

    harness.standin.wait_for("chat.postMessage", 2)
    time.sleep(0.2)
    assert [m.text for m in recording.messages] == [QUESTION, "sentinel question"]


def test_slack_is_acknowledged_within_three_seconds_even_when_answering_takes_four(
    start_slack: StartSlack, assistant_service
) -> None:
    slow = RecordingAssistant(assistant_service, delay=4.0)
    harness = start_slack(slow)

    started = time.monotonic()
    response = harness.slack.event(mention(QUESTION))
    acknowledged_after = time.monotonic() - started

    assert response.status_code == 200
    assert acknowledged_after < 3.0, f"Slack needs its 200 within 3 s; took {acknowledged_after:.2f} s"
    assert not harness.standin.calls_to("chat.postMessage")  # the answer is still being worked on
    harness.standin.wait_for("chat.postMessage", timeout=15)
    assert time.monotonic() - started >= 4.0


def test_an_empty_mention_gets_a_usage_hint(start_slack: StartSlack, recording: RecordingAssistant) -> None:
    harness = start_slack(recording)

    harness.slack.event(mention(""))

    posted = harness.standin.wait_for("chat.postMessage")[0]
    assert posted.body["text"] == replies.MENTION_USAGE
    assert recording.messages == []


def test_a_core_error_becomes_a_polite_reply_and_a_log_line_with_the_event_id(
    start_slack: StartSlack, caplog: pytest.LogCaptureFixture
) -> None:
    harness = start_slack(FailingAssistant(NLUUnavailableError("NLU server did not answer in 300 ms")))
    event = mention(QUESTION)

    with caplog.at_level(logging.WARNING, logger="connectors.channels.slack"):
        harness.slack.event(event, event_id="Ev0NLUDOWN")
        posted = harness.standin.wait_for("chat.postMessage")[0]

    assert posted.body["text"] == replies.polite_reply(NLUUnavailableError("down"))
    assert "part of my system is unavailable" in posted.body["text"]
    assert posted.body["thread_ts"] == event["ts"]
    assert any(
        "Ev0NLUDOWN" in r.getMessage() and "NLUUnavailableError" in r.getMessage() for r in caplog.records
    )


def test_an_unexpected_failure_is_logged_with_the_event_id_and_the_user_is_told(
    start_slack: StartSlack, caplog: pytest.LogCaptureFixture
) -> None:
    harness = start_slack(FailingAssistant(RuntimeError("index file is corrupt")))
    event = mention(QUESTION)

    with caplog.at_level(logging.ERROR, logger="connectors.channels.slack"):
        harness.slack.event(event, event_id="Ev0BROKEN1")
        posted = harness.standin.wait_for("chat.postMessage")[0]

    assert posted.body["text"] == replies.polite_reply(RuntimeError("bug"))
    assert "something went wrong" in posted.body["text"]
    assert posted.body["thread_ts"] == event["ts"]
    [record] = [r for r in caplog.records if "Ev0BROKEN1" in r.getMessage()]
    assert record.exc_info is not None and isinstance(record.exc_info[1], RuntimeError)


def test_degraded_answers_are_still_posted(start_slack: StartSlack, assistant_service) -> None:
    class Degraded(RecordingAssistant):
        def handle(self, message):
            answer = super().handle(message)
            answer.degraded = True
            return answer

    harness = start_slack(Degraded(assistant_service))

    harness.slack.event(mention(QUESTION))

    posted = harness.standin.wait_for("chat.postMessage")[0]
    assert "less precise" in all_text(posted.body)


def test_an_empty_reply_in_a_bot_thread_is_not_treated_as_a_question(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording)
    first = mention(QUESTION)
    harness.slack.event(first)
    harness.standin.wait_for("chat.postMessage")

    harness.slack.event(message("", thread_ts=first["ts"], subtype="file_share"))
    harness.slack.event(message("sentinel question", thread_ts=first["ts"]))

    harness.standin.wait_for("chat.postMessage", 2)
    time.sleep(0.2)
    assert [m.text for m in recording.messages] == [QUESTION, "sentinel question"]
    assert len(harness.standin.calls_to("chat.postMessage")) == 2
