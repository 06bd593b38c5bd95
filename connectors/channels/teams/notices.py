"""Delivers "there is an answer now" notices in Teams, in the conversation where the asker asked for them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from assistant.insights.notices import Notice, NoticeDeliveryError
from assistant.interactions.records import NoticeRequest
from connectors.channels.teams.cards import notice_card
from connectors.channels.teams.errors import TeamsConnectorError
from connectors.channels.teams.proactive import TeamsPoster

CHANNEL_NAME = "teams"


class TeamsNoticeSender:
    """Posts a notice's card to the conversation kept with the request, through the service that reached it.

    `poster_for(service_url)` builds a `TeamsPoster` with the bot's credentials. Synchronous: it runs from the
    notice dispatcher, outside any event loop.
    """

    channel = CHANNEL_NAME

    def __init__(self, poster_for: Callable[[str], TeamsPoster]) -> None:
        self._poster_for = poster_for
        self._posters: dict[str, TeamsPoster] = {}

    def deliver(self, request: NoticeRequest, notice: Notice) -> None:
        conversation_id = request.address.get("conversation_id")
        service_url = request.address.get("service_url")
        if not conversation_id or not service_url:
            raise NoticeDeliveryError(f"notice {request.request_id}: the Teams address is incomplete")
        try:
            poster = self._posters.get(service_url) or self._posters.setdefault(service_url,
                                                                                self._poster_for(service_url))
            asyncio.run(poster.post(conversation_id, text=notice.heading, card=notice_card(notice)))
        except TeamsConnectorError as error:
            raise NoticeDeliveryError(str(error)) from error
