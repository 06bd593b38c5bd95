"""The Teams endpoint over real HTTP: activities posted to `/api/messages` of a FastAPI app served by
uvicorn on 127.0.0.1, replies recorded by a stand-in connector service on 127.0.0.1."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import httpx
import jwt
import pytest
from fastapi import FastAPI

from assistant.error_replies import error_reply
from assistant.ports import AnswersQuestions
from benchmarks.standins.app_server import AppServer
from connectors.channels.teams import TeamsConfig, create_teams_router
from connectors.channels.teams.replies import WELCOME, feedback_thanks

from . import activities as teams
from .cards_read import card_of, source_lines, submit_actions, texts
from .fakes import BrokenAssistant

APP_ID = "11111111-2222-3333-4444-555555555555"
LOCAL = TeamsConfig(host="127.0.0.1")
WITH_CREDENTIALS = TeamsConfig(app_id=APP_ID, app_password="not-a-real-secret", host="127.0.0.1")

Serve = Callable[[AnswersQuestions, TeamsConfig], str]


@pytest.fixture
def serve_teams() -> Iterator[Serve]:
    """Starts FastAPI apps with the Teams router under uvicorn; returns the /api/messages URL."""
    servers: list[AppServer] = []

    def serve(assistant: AnswersQuestions, config: TeamsConfig) -> str:
        app = FastAPI()
        app.include_router(create_teams_router(assistant, config))
        server = AppServer(app, lifespan="off").start()
        servers.append(server)
        return f"{server.url}/api/messages"

    yield serve
    for server in servers:
        server.stop()


@pytest.fixture
def endpoint(serve_teams, recording_assistant) -> str:
    return serve_teams(recording_assistant, LOCAL)


def post(url: str, activity: dict, **headers: str) -> httpx.Response:
    return httpx.post(url, json=activity, headers=headers, timeout=30)


def test_personal_chat_gets_an_adaptive_card_at_the_service_url(
    endpoint, connector_service, recording_assistant
):
    activity = teams.personal_message(connector_service.url)
    response = post(endpoint, activity)
    assert response.status_code == 200

    [sent] = connector_service.activities()
    assert sent.conversation_id == teams.PERSONAL_CONVERSATION_ID
    assert sent.reply_to_id == activity["id"]
    assert "authorization" not in {name.lower() for name in sent.headers}  # authentication is off
    assert sent.body["type"] == "message"
    assert sent.body["recipient"]["id"] == teams.USER_ID

    [answer] = recording_assistant.answers
    card = card_of(sent.body)
    assert texts(card)[0] == answer.text
    assert answer.citations
    assert answer.citations[0].title in source_lines(card)[0]
    actions = submit_actions(card)
    assert actions["Helpful"] == {"action": "feedback", "answer_id": answer.answer_id, "helpful": True}
    assert actions["Not helpful"] == {"action": "feedback", "answer_id": answer.answer_id, "helpful": False}


def test_channel_mention_is_answered_in_the_thread(endpoint, connector_service, recording_assistant):
    activity = teams.channel_message(connector_service.url, thread_root_id="1700000000123")
    assert post(endpoint, activity).status_code == 200

    [message] = recording_assistant.messages
    assert message.text == teams.QUESTION
    assert message.thread == f"{teams.CHANNEL_CONVERSATION_ID};messageid=1700000000123"
    assert message.channel == "teams"
    assert message.asker == teams.USER_AAD_ID

    [sent] = connector_service.activities()
    assert sent.conversation_id == f"{teams.CHANNEL_CONVERSATION_ID};messageid=1700000000123"
    assert sent.reply_to_id == activity["id"]
    assert texts(card_of(sent.body))[0] == recording_assistant.answers[0].text


@pytest.mark.parametrize(("button", "helpful"), [("Helpful", True), ("Not helpful", False)])
def test_feedback_button_reaches_record_feedback(
    endpoint, connector_service, recording_assistant, button, helpful
):
    post(endpoint, teams.personal_message(connector_service.url))
    [card_message] = connector_service.activities()
    data = submit_actions(card_of(card_message.body))[button]

    submission = teams.card_submission(connector_service.url, data, reply_to_id="card-activity-1")
    assert post(endpoint, submission).status_code == 200

    [feedback] = recording_assistant.feedback
    assert (feedback.answer_id, feedback.helpful) == (recording_assistant.answers[0].answer_id, helpful)
    confirmation = connector_service.activities()[-1]
    assert confirmation.body["text"] == feedback_thanks(helpful)
    assert confirmation.reply_to_id == submission["id"]


def test_feedback_on_an_unknown_answer_gets_a_polite_reply(endpoint, connector_service):
    value = {"action": "feedback", "answer_id": "never-given", "helpful": False}
    assert post(endpoint, teams.card_submission(connector_service.url, value)).status_code == 200
    [sent] = connector_service.activities()
    assert "feedback wasn't recorded" in sent.body["text"]


def test_unexpected_errors_are_apologised_for_and_logged(serve_teams, connector_service, caplog):
    url = serve_teams(BrokenAssistant(), LOCAL)
    activity = teams.personal_message(connector_service.url)
    with caplog.at_level(logging.ERROR, logger="connectors.channels.teams"):
        assert post(url, activity).status_code == 200
    [sent] = connector_service.activities()
    assert sent.body["text"] == error_reply(RuntimeError("bug"))
    assert any(activity["id"] in record.getMessage() and record.exc_info for record in caplog.records)


def test_welcome_when_the_bot_is_added(endpoint, connector_service, recording_assistant):
    activity = teams.members_added(connector_service.url, teams.BOT_ID)
    assert post(endpoint, activity).status_code == 200
    [sent] = connector_service.activities()
    assert sent.body["text"] == WELCOME
    assert sent.conversation_id == teams.PERSONAL_CONVERSATION_ID
    assert recording_assistant.messages == []


def test_invoke_responses_are_returned(endpoint, connector_service):
    response = post(endpoint, teams.card_invoke(connector_service.url))
    assert response.status_code == 501  # ActivityHandler's answer to an Action.Execute it does not handle
    assert connector_service.activities() == []


def _untrusted_token() -> str:
    claims = {"iss": "https://issuer.attacker.example", "aud": APP_ID, "serviceurl": "http://127.0.0.1"}
    return jwt.encode(claims, "attacker-key-that-is-long-enough-for-hs256", algorithm="HS256")


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer {untrusted}"],
    ids=["no header", "empty", "malformed token", "wrong scheme", "untrusted issuer"],
)
def test_with_credentials_unauthenticated_requests_are_rejected(
    serve_teams, connector_service, recording_assistant, authorization
):
    url = serve_teams(recording_assistant, WITH_CREDENTIALS)
    headers = (
        {} if authorization is None else {"Authorization": authorization.format(untrusted=_untrusted_token())}
    )
    response = post(url, teams.personal_message(connector_service.url), **headers)
    assert response.status_code == 401
    assert recording_assistant.messages == []
    assert connector_service.requests == []


def test_requests_that_are_not_activities_are_refused(endpoint, connector_service):
    assert httpx.post(endpoint, content=b"hello", headers={"content-type": "text/plain"}).status_code == 415
    assert (
        httpx.post(endpoint, content=b"{oops", headers={"content-type": "application/json"}).status_code
        == 400
    )
    assert post(endpoint, ["not", "an", "object"]).status_code == 400
    no_type = teams.personal_message(connector_service.url)
    del no_type["type"]
    assert post(endpoint, no_type).status_code == 400
    bad_entities = teams.personal_message(connector_service.url)
    bad_entities["entities"] = "not a list"
    assert post(endpoint, bad_entities).status_code == 400
    no_service_url = teams.personal_message(connector_service.url)
    del no_service_url["serviceUrl"]
    assert post(endpoint, no_service_url).status_code == 400
    assert connector_service.requests == []
