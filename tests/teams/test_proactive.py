"""Messages the bot starts (`TeamsPoster`), sent over real HTTP to the stand-in connector service on 127.0.0.1."""

from __future__ import annotations

import asyncio
import socket

import pytest
from botframework.connector.auth import AppCredentials

from assistant.errors import AssistantError
from connectors.channels.teams.errors import TeamsConfigurationError, TeamsConnectorError, TeamsDeliveryError
from connectors.channels.teams.proactive import TeamsPoster, is_channel_id, thread_of

from .connector_service import ConnectorServiceStandIn

CHANNEL = "19:ex-team-digest@thread.tacv2"
PERSONAL_CHAT = "a:1personal-chat-with-sam"
CARD = {
    "type": "AdaptiveCard",
    "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
    "version": "1.5",
    "body": [{"type": "TextBlock", "text": "Weekly digest", "wrap": True}],
}


class FixedTokenCredentials(AppCredentials):
    """The bot's credentials with a token handed out here instead of by Entra ID (which the tests cannot reach)."""

    def __init__(self, token: str | None) -> None:
        super().__init__(app_id="11111111-2222-3333-4444-555555555555")
        self.token = token

    def get_access_token(self, force_refresh: bool = False) -> str:
        if self.token is None:
            raise PermissionError("Failed to get access token with error: invalid_client")
        return self.token


def post(poster: TeamsPoster, conversation_id: str, **message) -> str:
    return asyncio.run(poster.post(conversation_id, **message))


def test_a_channel_id_starts_a_new_post_in_that_channel(connector_service):
    poster = TeamsPoster(connector_service.url)
    activity_id = post(poster, CHANNEL, text="This week's gaps", card=CARD)

    [sent] = connector_service.activities()
    assert sent.creates_conversation
    assert sent.body["isGroup"] is True
    assert sent.body["channelData"] == {"channel": {"id": CHANNEL}}
    assert sent.conversation_id == CHANNEL
    assert sent.activity["type"] == "message"
    assert sent.activity["text"] == "This week's gaps"
    [attachment] = sent.activity["attachments"]
    assert attachment == {"contentType": "application/vnd.microsoft.card.adaptive", "content": CARD}
    assert "authorization" not in {name.lower() for name in sent.headers}  # no credentials, loopback only
    assert activity_id == "stand-in-1"  # the activityId of the new post, not the thread's conversation id
    assert thread_of(CHANNEL, activity_id) == f"{CHANNEL};messageid=stand-in-1"


def test_a_chat_or_a_thread_gets_the_message_in_that_conversation(connector_service):
    poster = TeamsPoster(connector_service.url)
    thread = thread_of(CHANNEL, "1700000000123")
    first = post(poster, PERSONAL_CHAT, text="Your question was answered")
    second = post(poster, thread, card=CARD)

    to_chat, to_thread = connector_service.activities()
    assert (to_chat.conversation_id, to_chat.reply_to_id, to_chat.creates_conversation) == (PERSONAL_CHAT, None, False)
    assert to_chat.body["text"] == "Your question was answered"
    assert "attachments" not in to_chat.body
    assert to_thread.conversation_id == thread
    assert to_thread.body["attachments"][0]["content"] == CARD
    assert (first, second) == ("stand-in-1", "stand-in-2")


def test_a_call_may_name_the_conversations_own_service_url():
    with ConnectorServiceStandIn() as default_service, ConnectorServiceStandIn() as conversation_service:
        poster = TeamsPoster(default_service.url)
        post(poster, PERSONAL_CHAT, text="hello", service_url=conversation_service.url)
        assert default_service.requests == []
        [sent] = conversation_service.activities()
        assert sent.conversation_id == PERSONAL_CHAT


@pytest.mark.parametrize("status", [500, 403, 404])
def test_a_refusal_raises_a_delivery_error_naming_the_status(connector_service, status):
    connector_service.fail_with = status
    poster = TeamsPoster(connector_service.url, retries=0)
    with pytest.raises(TeamsDeliveryError) as raised:
        post(poster, CHANNEL, text="digest")
    assert raised.value.status == status
    assert raised.value.conversation_id == CHANNEL
    assert f"HTTP {status}" in str(raised.value) and connector_service.url in str(raised.value)
    assert len(connector_service.refused) == 1


def test_an_unreachable_service_raises_a_delivery_error():
    with socket.socket() as probe:  # a port nothing listens on once the probe is closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    poster = TeamsPoster(f"http://127.0.0.1:{port}/", retries=0, timeout_seconds=5)
    with pytest.raises(TeamsDeliveryError) as raised:
        post(poster, PERSONAL_CHAT, text="hello")
    assert raised.value.status is None
    assert "could not be reached" in str(raised.value)


@pytest.mark.parametrize("url", ["https://smba.trafficmanager.net/emea/", "http://192.168.1.20:3978/"])
def test_without_credentials_only_a_service_on_this_machine_is_accepted(connector_service, url):
    with pytest.raises(TeamsConfigurationError) as raised:
        TeamsPoster(url)
    assert "MICROSOFT_APP_ID" in str(raised.value) and "MICROSOFT_APP_PASSWORD" in str(raised.value)

    poster = TeamsPoster(connector_service.url)
    with pytest.raises(TeamsConfigurationError):
        post(poster, PERSONAL_CHAT, text="hello", service_url=url)
    assert connector_service.requests == []


def test_with_credentials_a_public_https_service_url_is_accepted():
    poster = TeamsPoster("https://smba.trafficmanager.net/emea/", app_id="11111111-2222-3333-4444-555555555555",
                         app_password="not-a-real-secret", tenant_id="72f988bf-0000-0000-0000-2d7cd011db47")
    assert poster.service_url == "https://smba.trafficmanager.net/emea/"
    with pytest.raises(TeamsConfigurationError, match="https"):
        asyncio.run(poster.post(PERSONAL_CHAT, text="hello", service_url="http://smba.example/amer/"))


def test_with_credentials_every_message_carries_the_bots_token(connector_service):
    poster = TeamsPoster(connector_service.url, credentials=FixedTokenCredentials("bot-token"))
    post(poster, CHANNEL, text="digest")
    post(poster, PERSONAL_CHAT, text="notice")
    assert [sent.headers.get("Authorization") for sent in connector_service.activities()] == ["Bearer bot-token"] * 2


def test_a_token_entra_id_refuses_raises_a_delivery_error(connector_service):
    poster = TeamsPoster(connector_service.url, credentials=FixedTokenCredentials(None))
    with pytest.raises(TeamsDeliveryError) as raised:
        post(poster, CHANNEL, text="digest")
    assert raised.value.status is None and "no Bot Framework token" in str(raised.value)
    assert connector_service.requests == []


@pytest.mark.parametrize(
    ("settings", "named"),
    [({"app_id": "11111111-2222-3333-4444-555555555555"}, "MICROSOFT_APP_ID"),
     ({"app_password": "secret"}, "MICROSOFT_APP_PASSWORD"),
     ({"tenant_id": "72f988bf-0000-0000-0000-2d7cd011db47"}, "MICROSOFT_APP_TENANT_ID")],
)
def test_credentials_set_in_part_are_refused(connector_service, settings, named):
    with pytest.raises(TeamsConfigurationError) as raised:
        TeamsPoster(connector_service.url, **settings)
    assert named in str(raised.value)
    assert "secret" not in str(raised.value)


def test_a_message_needs_text_or_a_card(connector_service):
    poster = TeamsPoster(connector_service.url)
    with pytest.raises(ValueError, match="text, a card or both"):
        post(poster, PERSONAL_CHAT)
    assert connector_service.requests == []


def test_channel_ids_are_told_from_chats_and_threads():
    assert is_channel_id(CHANNEL)
    assert is_channel_id("19:abc@thread.skype")
    assert not is_channel_id(f"{CHANNEL};messageid=1700000000123")
    assert not is_channel_id("19:group-chat@thread.v2")
    assert not is_channel_id(PERSONAL_CHAT)


def test_the_errors_share_the_connectors_base():
    assert issubclass(TeamsDeliveryError, TeamsConnectorError)
    assert issubclass(TeamsConfigurationError, TeamsConnectorError)
    assert issubclass(TeamsConfigurationError, AssistantError)
