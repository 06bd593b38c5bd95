"""Fixtures of the Slack tests: the Slack stand-in, and the app with the Slack router served on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from assistant.ports import AnswersQuestions
from benchmarks.standins.slack import SlackStandIn
from benchmarks.standins.slack_app import SlackHarness, StartSlack, start_harness

from .fakes import RecordingAssistant


@pytest.fixture
def recording(assistant_service: AnswersQuestions) -> RecordingAssistant:
    """The assistant under test, wrapped so the tests can see what reached it."""
    return RecordingAssistant(assistant_service)


@pytest.fixture
def slack_standin() -> Iterator[SlackStandIn]:
    with SlackStandIn() as standin:
        yield standin


@pytest.fixture
def start_slack(slack_standin: SlackStandIn) -> Iterator[StartSlack]:
    """Start the FastAPI app with `create_slack_router(assistant, config)`; stopped after the test."""
    started: list[SlackHarness] = []

    def start(assistant: AnswersQuestions, **config: Any) -> SlackHarness:
        harness = start_harness(slack_standin, assistant, **config)
        started.append(harness)
        return harness

    yield start
    for harness in started:
        harness.stop()
