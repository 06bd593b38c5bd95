"""Socket Mode: the same bot over a WebSocket, against the stand-in's apps.connections.open and socket."""

from __future__ import annotations

import asyncio
import threading

import pytest

from benchmarks.standins.slack import SlackStandIn
from benchmarks.standins.slack_app import BOT_TOKEN, event_body, mention
from connectors.channels.slack import SlackConfig, SlackConfigError, run_socket_mode, serve_socket_mode

from .fakes import RecordingAssistant

QUESTION = "What is the Verdello customer promise?"


def test_socket_mode_answers_events_and_acknowledges_each_envelope(
    slack_standin: SlackStandIn, recording: RecordingAssistant
) -> None:
    config = SlackConfig(
        bot_token=BOT_TOKEN, signing_secret="", api_url=slack_standin.api_url, app_token="xapp-1-test"
    )
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    failures: list[BaseException] = []

    def run() -> None:
        try:
            loop.run_until_complete(serve_socket_mode(recording, config, stop))
        except BaseException as exc:
            failures.append(exc)
        finally:
            loop.close()

    thread = threading.Thread(target=run, name="socket-mode", daemon=True)
    thread.start()
    try:
        connection = slack_standin.wait_for("apps.connections.open")[0]
        assert connection.token == "xapp-1-test"
        slack_standin.wait_for("socket:connected")
        event = mention(QUESTION)
        envelope = {
            "envelope_id": "57d6a792-4d35-4d0b-b6aa-3361493e1caf",
            "type": "events_api",
            "payload": event_body(event, "Ev0SOCKET01"),
            "accepts_response_payload": False,
            "retry_attempt": 0,
            "retry_reason": "",
        }
        slack_standin.send_envelope(envelope)
        slack_standin.send_envelope({**envelope, "envelope_id": "second", "retry_attempt": 1})

        acks = slack_standin.wait_for("socket:ack", 2)
        assert {a.body["envelope_id"] for a in acks} == {"57d6a792-4d35-4d0b-b6aa-3361493e1caf", "second"}
        posted = slack_standin.wait_for("chat.postMessage")[0]
        assert posted.body["thread_ts"] == event["ts"]
        assert posted.token == BOT_TOKEN
        recording.wait_for_answers(1)
        assert len(recording.messages) == 1  # the redelivered envelope was not answered again
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(15)
    assert not thread.is_alive()
    assert failures == []


def test_socket_mode_needs_an_app_token(recording: RecordingAssistant) -> None:
    config = SlackConfig(bot_token=BOT_TOKEN, signing_secret="")
    with pytest.raises(SlackConfigError, match="SLACK_APP_TOKEN"):
        run_socket_mode(recording, config)
