"""Tell me when answered, end to end: staff ask in Slack (the button, against the Slack stand-in) and through the
API (`notify: true`); a page is added; the ingest's recheck resolves the gaps and the notices reach the Slack
thread and the API inbox, once, with the new page as the source. Nothing is kept after delivery."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI

from assistant.insights.notices import CONFIRMATIONS, Notice, NoticeDeliveryError, NoticeDispatcher
from assistant.interactions.records import NoticeRequest
from assistant.models import Message
from benchmarks.standins.app_server import AppServer
from benchmarks.standins.slack import SlackStandIn
from benchmarks.standins.slack_app import BOT_TOKEN, mention, start_harness
from connectors.app.services import build_services
from connectors.channels.http.app import create_app
from connectors.channels.teams import TeamsConfig, create_teams_router
from connectors.channels.teams.cards import NOTIFY_TITLE
from tests.conftest import make_settings
from tests.slack.checks import all_text, blocks_of, buttons_of
from tests.teams import activities as teams
from tests.teams.cards_read import card_of, submit_actions, texts
from tests.teams.connector_service import ConnectorServiceStandIn

from .test_recheck import NEW_PAGE, QUESTION

pytestmark = pytest.mark.slow  # each test indexes its own copy of the knowledge, twice

NEW_PAGE_PATH = "en/customers/bag-vouchers.md"


@pytest.fixture
def slack_standin():
    with SlackStandIn() as standin:
        yield standin


@pytest.fixture
def teams_service():
    with ConnectorServiceStandIn() as service:
        yield service


@pytest.fixture
def services(tmp_path, knowledge_copy, embedder, redactor, slack_standin, teams_service):
    settings = make_settings(tmp_path / "data", knowledge_dir=knowledge_copy, slack_bot_token=BOT_TOKEN,
                             slack_api_url=slack_standin.api_url, teams_service_url=teams_service.url)
    built = build_services(settings, embedder=embedder, redactor=redactor)
    built.ingestor().ingest(knowledge_copy)
    yield built
    built.close()


def add_the_page_and_recheck(services, knowledge_copy) -> None:
    (knowledge_copy / NEW_PAGE_PATH).write_text(NEW_PAGE, encoding="utf-8")
    assert services.ingestor().ingest(knowledge_copy).changed
    assert services.recheck_gaps().resolved


def test_the_slack_button_and_the_api_flag_bring_the_answer_once_the_page_exists(
        services, knowledge_copy, slack_standin) -> None:
    harness = start_harness(slack_standin, services.assistant)
    try:
        harness.slack.event(mention(QUESTION))
        posted = slack_standin.wait_for("chat.postMessage")[0]
        notify_value = buttons_of(posted.body)["notify_when_answered"]
        shown = {"type": "message", "ts": posted.response["ts"], "thread_ts": posted.body["thread_ts"],
                 "text": posted.body["text"], "blocks": blocks_of(posted.body), "bot_id": "BBOT"}
        harness.slack.action("notify_when_answered", notify_value, response_url=slack_standin.response_url("n"),
                             message=shown)
        confirmation = slack_standin.wait_for("chat.postEphemeral")[0]
        assert confirmation.body["text"] == CONFIRMATIONS["en"]
    finally:
        harness.stop()

    with AppServer(create_app(services.api_ports())) as base_url, httpx.Client(base_url=base_url,
                                                                               timeout=30) as api:
        asked = api.post("/v1/ask", json={"text": QUESTION, "user": "agent-7", "notify": True}).json()
        assert asked["gap"] is True and asked["notify"] is True
        assert api.get("/v1/notices", params={"user": "agent-7"}).json() == {"notices": [], "count": 0}

        add_the_page_and_recheck(services, knowledge_copy)
        report = services.deliver_notices()

        assert (report.prepared, report.delivered, report.failed) == (2, 1, 0)
        [notice_post] = slack_standin.wait_for("chat.postMessage", 2)[1:]
        assert notice_post.body["channel"] == "C0STORE"
        assert notice_post.body["thread_ts"] == posted.body["thread_ts"], "the notice goes to the asker's thread"
        text = all_text(notice_post.body)
        assert QUESTION in text and "jute bags" in text and "Reusable bag vouchers" in text

        inbox = api.get("/v1/notices", params={"user": "agent-7"}).json()
        assert inbox["count"] == 1
        [notice] = inbox["notices"]
        assert notice["answer_id"] == asked["id"] and notice["answered"] is True
        assert "jute bags" in notice["answer"] and notice["citations"][0]["path"] == NEW_PAGE_PATH
        assert notice["heading"].startswith("You asked me")
        assert api.get("/v1/notices", params={"user": "agent-7"}).json()["count"] == 0, "handed over once"
        assert api.get("/v1/notices", params={"user": "someone-else"}).json()["count"] == 0

    again = services.deliver_notices()
    assert (again.prepared, again.delivered) == (0, 0), "nothing is sent twice"
    assert services.interactions.ready_notices(["slack", "teams", "api"], max_attempts=99) == []


def test_notify_needs_a_user_and_an_open_gap(services) -> None:
    with AppServer(create_app(services.api_ports())) as base_url, httpx.Client(base_url=base_url,
                                                                               timeout=30) as api:
        assert api.post("/v1/ask", json={"text": QUESTION, "notify": True}).status_code == 422
        answered = api.post("/v1/ask", json={"text": "How long does a customer have to return an item?",
                                             "user": "agent-7", "notify": True}).json()
        assert answered["gap"] is False and answered["notify"] is False
        refused = api.post("/v1/notify", json={"answer_id": answered["id"], "user": "agent-7"})
        assert refused.status_code == 409 and refused.json()["kind"] == "not_an_open_gap"
        assert api.post("/v1/notify", json={"answer_id": "0" * 32, "user": "agent-7"}).status_code == 404
        gap = api.post("/v1/ask", json={"text": QUESTION, "user": "agent-7"}).json()
        assert api.post("/v1/notify", json={"answer_id": gap["id"], "user": "agent-7"}).status_code == 201


def test_the_teams_button_brings_the_answer_to_the_same_chat(services, knowledge_copy, teams_service) -> None:
    app = FastAPI()
    app.include_router(create_teams_router(services.assistant, TeamsConfig()))
    with AppServer(app, lifespan="off") as base_url:
        endpoint = f"{base_url}/api/messages"
        httpx.post(endpoint, json=teams.personal_message(teams_service.url, QUESTION), timeout=30)
        data = submit_actions(card_of(teams_service.activities()[-1].body))[NOTIFY_TITLE]
        httpx.post(endpoint, json=teams.card_submission(teams_service.url, data), timeout=30)
        assert teams_service.activities()[-1].body["text"] == CONFIRMATIONS["en"]

    add_the_page_and_recheck(services, knowledge_copy)
    report = services.deliver_notices()

    assert (report.prepared, report.delivered, report.failed) == (1, 1, 0)
    notice = teams_service.activities()[-1]
    assert notice.conversation_id == teams.PERSONAL_CONVERSATION_ID and notice.reply_to_id is None
    shown = " ".join(texts(card_of(notice.body)))
    assert QUESTION in shown and "jute bags" in shown and "Reusable bag vouchers" in shown


class RefusingSlack:
    """A sender whose platform refuses every notice."""

    channel = "slack"

    def __init__(self) -> None:
        self.tries = 0

    def deliver(self, request: NoticeRequest, notice: Notice) -> None:
        self.tries += 1
        raise NoticeDeliveryError("channel_not_found")


def test_a_refused_notice_is_kept_and_tried_again_up_to_the_limit(services, knowledge_copy) -> None:
    gap = services.assistant.handle(Message(QUESTION, asker="U0ALICE", channel="slack"))
    services.assistant.request_notice(gap.answer_id, asker="U0ALICE", channel="slack",
                                      address={"channel": "C0GONE", "thread_ts": "1.2"})
    add_the_page_and_recheck(services, knowledge_copy)
    sender = RefusingSlack()
    dispatcher = NoticeDispatcher(services.interactions, services.skill, [sender], max_attempts=2)

    first, second, third = dispatcher.run(), dispatcher.run(), dispatcher.run()

    assert (first.prepared, first.failed, second.failed, third.failed) == (1, 1, 1, 0)
    assert sender.tries == 2
