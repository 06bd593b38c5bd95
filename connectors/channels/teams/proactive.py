"""Messages the bot starts in Teams (a digest, a hand-off, a notice), sent through the Bot Framework connector.

Nobody wrote to the bot first, so there is no turn to reply to: the message goes straight to the connector
service (`teams_service_url`, or the serviceUrl a conversation was seen with) through botframework-connector's
`ConnectorClient`, signed with the bot's own token (`MicrosoftAppCredentials`, single-tenant when a tenant id
is set). As in botbuilder's `TeamsInfo.send_message_to_teams_channel`, a channel id (`19:…@thread.tacv2`)
gets a new post through "create conversation" with the channel in `channelData`; any other conversation id
(a personal or group chat, or a channel thread `19:…;messageid=…`) gets the message through "send to
conversation".

Without credentials the message is sent without a token, which only a connector service on this machine
(the Bot Framework Emulator, the tests' stand-in) accepts; `TeamsPoster` refuses any other address then. With
credentials, the token goes only to https addresses (or this machine).
"""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import urlsplit

import requests
from botbuilder.core import CardFactory, MessageFactory
from botbuilder.schema import Activity, ConversationParameters
from botframework.connector.aio import ConnectorClient
from botframework.connector.auth import AppCredentials, MicrosoftAppCredentials
from msrest.exceptions import ClientRequestError, HttpOperationError

from connectors.channels.addresses import is_loopback_host
from connectors.channels.teams.errors import TeamsConfigurationError, TeamsDeliveryError

_CHANNEL_ID = re.compile(r"^19:[^;]+@thread\.(tacv2|skype)$")


def is_channel_id(conversation_id: str) -> bool:
    """True for a Teams channel itself (a message there starts a new post), not a chat or a thread in it."""
    return bool(_CHANNEL_ID.match(conversation_id))


def thread_of(channel_id: str, activity_id: str) -> str:
    """The conversation id of the thread a new channel post started (to reply into it later)."""
    return f"{channel_id};messageid={activity_id}"


class TeamsPoster:
    """Posts text and/or an Adaptive Card into a Teams conversation the bot is a member of.

    `service_url` is the Bot Framework service messages go to unless a call names another (a conversation's
    own serviceUrl). `app_id` and `app_password` (with `tenant_id` for a single-tenant bot) are the bot's
    credentials; without them, only a service URL on this machine is accepted. Raises
    `TeamsConfigurationError` for credentials set in part or an address that needs them.
    `credentials` replaces the app password with other botframework-connector credentials (a certificate's,
    another cloud's). `retries` and `timeout_seconds` tune the HTTP client (botframework-connector retries
    connections that fail; a message the service refused is not sent twice).
    """

    def __init__(self, service_url: str, *, app_id: str | None = None, app_password: str | None = None,
                 tenant_id: str | None = None, credentials: AppCredentials | None = None,
                 timeout_seconds: float = 30.0, retries: int = 2) -> None:
        app_id, app_password, tenant_id = (_clean(app_id), _clean(app_password), _clean(tenant_id))
        if credentials is not None:
            if app_id is not None or app_password is not None:
                raise TeamsConfigurationError("Teams: give either an app id and password or other credentials.")
            self._credentials: AppCredentials = credentials
            self._authenticated = bool(credentials.microsoft_app_id)
        else:
            _check_password_settings(app_id, app_password, tenant_id)
            self._credentials = (MicrosoftAppCredentials(app_id, app_password, channel_auth_tenant=tenant_id)
                                 if app_id is not None else MicrosoftAppCredentials.empty())
            self._authenticated = app_id is not None
        self._tenant_id = tenant_id
        self._timeout = timeout_seconds
        self._retries = retries
        self.service_url = self._checked_url(service_url)

    async def post(self, conversation_id: str, *, text: str | None = None, card: dict[str, Any] | None = None,
                   service_url: str | None = None) -> str:
        """Send a message; returns the id of the activity created.

        To a channel id this starts a new post (its thread is `thread_of(channel_id, returned_id)`); to a
        chat or a thread it adds a message there. Raises `TeamsDeliveryError` when the service refuses the
        message or cannot be reached, or no token can be obtained for it.
        """
        if not conversation_id or not conversation_id.strip():
            raise ValueError("a Teams conversation id is required")
        if text is None and card is None:
            raise ValueError("a Teams message needs text, a card or both")
        url = self._checked_url(service_url) if service_url is not None else self.service_url
        activity = _activity(text, card)
        try:
            if self._authenticated:
                # Fetch (or refresh) the token off the event loop; the client then finds it in msal's cache.
                await asyncio.to_thread(self._credentials.get_access_token)
            async with ConnectorClient(self._credentials, base_url=url) as client:
                client.config.retry_policy.retries = self._retries
                client.config.connection.timeout = self._timeout
                return await self._send(client, conversation_id, activity)
        except HttpOperationError as error:
            status = error.response.status_code if error.response is not None else None
            raise TeamsDeliveryError(
                f"Teams: the connector service at {url} refused the message to {conversation_id!r} "
                f"(HTTP {status}): {error}", conversation_id=conversation_id, status=status,
            ) from error
        except (ClientRequestError, requests.RequestException) as error:
            raise TeamsDeliveryError(
                f"Teams: the connector service at {url} could not be reached: {error}",
                conversation_id=conversation_id,
            ) from error
        except PermissionError as error:  # what MicrosoftAppCredentials raises when Entra ID refuses a token
            raise TeamsDeliveryError(
                f"Teams: no Bot Framework token for MICROSOFT_APP_ID {self._credentials.microsoft_app_id}: {error}",
                conversation_id=conversation_id,
            ) from error

    async def _send(self, client: ConnectorClient, conversation_id: str, activity: Activity) -> str:
        if is_channel_id(conversation_id):
            channel_data: dict[str, Any] = {"channel": {"id": conversation_id}}
            if self._tenant_id:
                channel_data["tenant"] = {"id": self._tenant_id}
            created = await client.conversations.create_conversation(ConversationParameters(
                is_group=True, channel_data=channel_data, activity=activity, tenant_id=self._tenant_id,
            ))
            activity_id = created.activity_id if created is not None else None
            if not activity_id and created is not None and created.id and ";messageid=" in created.id:
                activity_id = created.id.rsplit(";messageid=", 1)[1]
        else:
            sent = await client.conversations.send_to_conversation(conversation_id, activity)
            activity_id = sent.id if sent is not None else None
        if not activity_id:
            raise TeamsDeliveryError(
                f"Teams: the connector service accepted the message to {conversation_id!r} but returned no "
                "activity id", conversation_id=conversation_id,
            )
        return activity_id

    def _checked_url(self, service_url: str) -> str:
        parts = urlsplit(service_url.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise TeamsConfigurationError(
                f"Teams: {service_url!r} is not a Bot Framework service URL (expected "
                "https://smba.trafficmanager.net/... or the serviceUrl of a conversation)."
            )
        if self._authenticated and parts.scheme != "https" and not is_loopback_host(parts.hostname):
            raise TeamsConfigurationError(
                f"Teams: {service_url!r} is not https; the bot's token is only sent over https (or to this machine)."
            )
        if not self._authenticated and not is_loopback_host(parts.hostname):
            raise TeamsConfigurationError(
                "Teams: MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD are not set, so messages would be sent "
                f"without a token, which is only allowed to a service on this machine; {parts.hostname!r} is "
                "not. Set both variables (and MICROSOFT_APP_TENANT_ID for a single-tenant bot)."
            )
        return service_url.strip()


def _check_password_settings(app_id: str | None, app_password: str | None, tenant_id: str | None) -> None:
    if (app_id is None) != (app_password is None):
        raise TeamsConfigurationError(
            "Teams: to post messages the bot needs both MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD "
            f"(only {'MICROSOFT_APP_ID' if app_id else 'MICROSOFT_APP_PASSWORD'} is set)."
        )
    if tenant_id is not None and app_id is None:
        raise TeamsConfigurationError(
            "Teams: MICROSOFT_APP_TENANT_ID is set but MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD are not."
        )


def _activity(text: str | None, card: dict[str, Any] | None) -> Activity:
    if card is None:
        return MessageFactory.text(text or "")
    return MessageFactory.attachment(CardFactory.adaptive_card(card), text=text)


def _clean(value: str | None) -> str | None:
    """A setting given as an empty string counts as unset (as in `TeamsConfig`)."""
    value = value.strip() if value is not None else None
    return value or None
