"""The channels that can push "there is an answer now" notices, as far as the settings configure them."""

from __future__ import annotations

from assistant.insights.notices import DeliversNotices
from assistant.settings import Settings, reveal
from connectors.app.channel_mounts import slack_config
from connectors.channels.slack.notices import SlackNoticeSender
from connectors.channels.teams.notices import TeamsNoticeSender
from connectors.channels.teams.proactive import TeamsPoster


def notice_senders(settings: Settings) -> list[DeliversNotices]:
    """Slack when its bot token is set; Teams when the bot's credentials are set (or, for local testing without
    them, when ASSISTANT_TEAMS_SERVICE_URL names a service on this machine)."""
    senders: list[DeliversNotices] = []
    slack = slack_config(settings, socket_mode=True)  # posting needs only the bot token
    if slack is not None:
        senders.append(SlackNoticeSender(slack))
    if settings.microsoft_app_id or settings.teams_service_url:
        def poster_for(service_url: str) -> TeamsPoster:
            return TeamsPoster(service_url, app_id=settings.microsoft_app_id,
                               app_password=reveal(settings.microsoft_app_password),
                               tenant_id=settings.microsoft_app_tenant_id)

        senders.append(TeamsNoticeSender(poster_for))
    return senders
