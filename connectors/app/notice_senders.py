"""The channels that can push "there is an answer now" notices, as far as the settings configure them."""

from __future__ import annotations

from assistant.insights.notices import DeliversNotices
from assistant.settings import Settings
from connectors.app.channel_mounts import slack_config
from connectors.channels.slack.notices import SlackNoticeSender


def notice_senders(settings: Settings) -> list[DeliversNotices]:
    """Slack when its bot token is set; Teams when its credentials or a loopback service allow posting."""
    senders: list[DeliversNotices] = []
    slack = slack_config(settings, socket_mode=True)  # posting needs only the bot token
    if slack is not None:
        senders.append(SlackNoticeSender(slack))
    return senders
