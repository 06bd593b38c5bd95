"""Ask a person in Teams: the hand-off is a gap, and the question (personal data redacted) is posted to the
configured Teams channel through the connector service; the asker is told, also when that service is down."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi import FastAPI

from benchmarks.standins.app_server import AppServer
from connectors.channels.teams import TeamsConfig, create_teams_router
from connectors.channels.teams.bot import conversation_link
from connectors.channels.teams.cards import ASK_PERSON_TITLE, NOTIFY_TITLE
from connectors.channels.teams.replies import HANDOFF_FAILED, HANDOFF_SENT, NO_HANDOFF_CONVERSATION

from . import activities as teams
from .cards_read import card_of, submit_actions, texts
from .connector_service import ConnectorServiceStandIn
from .fakes import RecordingAssistant

SUPPORT_CHANNEL = "19:store-support@thread.tacv2"
PERSONAL_QUESTION = "Customer giulia.rossi@example.com on 347 123 4567 wants to know the customer promise"


@pytest.fixture
def serve() -> Iterator[Callable[[RecordingAssistant, TeamsConfig], str]]:
    servers: list[AppServer] = []

    def start(assistant: RecordingAssistant, config: TeamsConfig) -> str:
        app = FastAPI()
        app.include_router(create_teams_router(assistant, config))
        servers.append(AppServer(app, lifespan="off").start())
        return f"{servers[-1].url}/api/messages"

    yield start
    for server in servers:
        server.stop()


def ask_then_press(url: str, service: ConnectorServiceStandIn, button: str, question: str = PERSONAL_QUESTION) -> dict:
    """Ask in a personal chat, then press `button` on the answer's card; returns the button's data."""
    assert httpx.post(url, json=teams.personal_message(service.url, question), timeout=30).status_code == 200
    data = submit_actions(card_of(service.activities()[-1].body))[button]
    submission = teams.card_submission(service.url, data, reply_to_id="card-1")
    assert httpx.post(url, json=submission, timeout=30).status_code == 200
    return data


def test_ask_a_person_posts_the_redacted_question_to_the_support_channel(
        serve, connector_service, recording_assistant, company_services) -> None:
    url = serve(recording_assistant, TeamsConfig(handoff_conversation=SUPPORT_CHANNEL))

    ask_then_press(url, connector_service, ASK_PERSON_TITLE)

    _answer, handoff, told = connector_service.activities()
    assert handoff.creates_conversation and handoff.conversation_id == SUPPORT_CHANNEL
    posted = " ".join(texts(card_of(handoff.activity)))
    assert "Sam Rivera would like a person to help." in posted and "customer promise" in posted
    assert "giulia.rossi@example.com" not in posted and "4567" not in posted
    assert told.body["text"] == HANDOFF_SENT
    [answer_id] = recording_assistant.handoffs
    stored = company_services.interactions.turn(answer_id)
    assert stored.gap and stored.gap_reason.value == "handoff_requested"
    assert "giulia.rossi@example.com" not in stored.question


def test_without_a_support_channel_the_asker_is_told_who_to_ask(
        serve, connector_service, recording_assistant) -> None:
    url = serve(recording_assistant, TeamsConfig())

    ask_then_press(url, connector_service, ASK_PERSON_TITLE)

    assert connector_service.activities()[-1].body["text"] == NO_HANDOFF_CONVERSATION
    assert recording_assistant.handoffs == []


def test_a_support_channel_that_cannot_be_reached_is_apologised_for_and_the_gap_kept(
        serve, connector_service, recording_assistant, company_services) -> None:
    down = "http://127.0.0.1:9/"  # nothing listens on the discard port
    url = serve(recording_assistant, TeamsConfig(handoff_conversation=SUPPORT_CHANNEL, service_url=down))

    ask_then_press(url, connector_service, ASK_PERSON_TITLE)

    assert connector_service.activities()[-1].body["text"] == HANDOFF_FAILED
    [answer_id] = recording_assistant.handoffs
    assert company_services.interactions.turn(answer_id).gap_reason.value == "handoff_requested"


def test_only_a_gap_offers_tell_me_when_answered(serve, connector_service, recording_assistant) -> None:
    url = serve(recording_assistant, TeamsConfig())
    for question in ("How long do customers have to return an item?",
                     "What is the wifi password for the staff canteen TV?"):
        httpx.post(url, json=teams.personal_message(connector_service.url, question), timeout=30)
    answered, gap = (submit_actions(card_of(sent.body)) for sent in connector_service.activities())
    assert ASK_PERSON_TITLE in answered and NOTIFY_TITLE not in answered
    assert gap[NOTIFY_TITLE] == {"action": "notify", "answer_id": recording_assistant.answers[1].answer_id}


def test_a_channel_thread_has_a_link_back_and_a_chat_has_none() -> None:
    assert conversation_link(f"{teams.CHANNEL_CONVERSATION_ID};messageid=1700000000123") == (
        "https://teams.microsoft.com/l/message/19%3Ageneral-channel%40thread.tacv2/1700000000123")
    assert conversation_link(teams.PERSONAL_CONVERSATION_ID) is None

