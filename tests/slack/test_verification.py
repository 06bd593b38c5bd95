"""Slack's request signing: Bolt's verification must reject forged or replayed requests with 401."""

from __future__ import annotations

import json
import time

from benchmarks.standins.slack_app import StartSlack, event_body, mention, sign

from .fakes import RecordingAssistant

QUESTION = "What is the Verdello customer promise?"


def test_url_verification_echoes_the_challenge(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording)
    body = json.dumps(
        {
            "token": "legacy",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )

    response = harness.slack.post(body.encode(), "application/json")

    assert response.status_code == 200
    assert response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


def test_a_bad_signature_gets_401_and_does_nothing(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording)
    body = json.dumps(event_body(mention(QUESTION), "Ev0FORGED1")).encode()
    now = int(time.time())

    forged = harness.slack.post(body, "application/json", signature=sign(body, now, "not-the-secret"))
    tampered = harness.slack.post(body + b" ", "application/json", signature=sign(body, now))
    unsigned = harness.slack.post(body, "application/json", signature="v0=")

    assert [r.status_code for r in (forged, tampered, unsigned)] == [401, 401, 401]
    assert harness.standin.calls == []
    assert recording.messages == []


def test_a_timestamp_older_than_five_minutes_gets_401(
    start_slack: StartSlack, recording: RecordingAssistant
) -> None:
    harness = start_slack(recording)
    body = json.dumps(event_body(mention(QUESTION), "Ev0REPLAY1")).encode()

    stale = harness.slack.post(body, "application/json", timestamp=int(time.time()) - 5 * 60 - 30)
    from_the_future = harness.slack.post(body, "application/json", timestamp=int(time.time()) + 5 * 60 + 30)
    fresh = harness.slack.post(body, "application/json", timestamp=int(time.time()) - 60)

    assert stale.status_code == 401  # correctly signed, but a replay
    assert from_the_future.status_code == 401
    assert fresh.status_code == 200
    harness.standin.wait_for("chat.postMessage")
    assert len(recording.messages) == 1
