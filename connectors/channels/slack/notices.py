"""Delivers "there is an answer now" notices in Slack, where the asker asked for them."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from assistant.insights.notices import Notice, NoticeDeliveryError
from assistant.interactions.records import NoticeRequest
from connectors.channels.slack import blocks as kit
from connectors.channels.slack.config import SlackConfig

CHANNEL_NAME = "slack"


class SlackNoticeSender:
    """Posts a notice to the Slack channel and thread kept with the request (or the asker's direct messages).

    Synchronous (slack_sdk's `WebClient`): it runs from the notice dispatcher, outside any event loop.
    """

    channel = CHANNEL_NAME

    def __init__(self, config: SlackConfig, timeout_seconds: float = 10.0) -> None:
        options: dict[str, object] = {"token": config.bot_token, "timeout": int(max(1, timeout_seconds))}
        if config.web_api_base_url:
            options["base_url"] = config.web_api_base_url
        self._client = WebClient(**options)

    def deliver(self, request: NoticeRequest, notice: Notice) -> None:
        channel = request.address.get("channel")
        if not channel:
            raise NoticeDeliveryError(f"notice {request.request_id}: the Slack address names no channel")
        text, blocks = kit.notice_blocks(notice)
        try:
            self._client.chat_postMessage(channel=channel, thread_ts=request.address.get("thread_ts") or None,
                                          text=text, blocks=blocks, unfurl_links=False, unfurl_media=False)
        except SlackApiError as error:
            raise NoticeDeliveryError(f"Slack refused the notice: {error.response.get('error', error)}") from error
        except (SlackClientError, OSError) as error:
            raise NoticeDeliveryError(f"Slack could not be reached: {error}") from error
