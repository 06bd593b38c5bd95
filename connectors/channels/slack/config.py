"""The Slack connector's settings, given by the composition root (it never reads the environment)."""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors.channels.slack.errors import SlackConfigError


@dataclass(frozen=True)
class SlackConfig:
    """Credentials and options of the Slack channel.

    `api_url` overrides the base URL of Slack's Web API (for example a local stand-in at
    `http://127.0.0.1:PORT/api/`); `handoff_channel` is the channel id where "Ask a person"
    posts; `app_token` (`xapp-...`) is needed only for Socket Mode. The TTLs bound the
    in-memory state: event ids seen (to drop Slack's retries), threads the bot answered in
    (to follow up without a mention) and answers shown (for the buttons).

    An event or message is first held for `event_lease_seconds` only, and for `event_ttl_seconds` once its answer
    (or the polite error reply) is posted: when the replica that took it dies before replying, Slack's next retry
    (one minute, then five, after the first delivery) finds the lease expired and another replica answers it.
    """

    bot_token: str = field(repr=False)
    signing_secret: str = field(repr=False)
    api_url: str | None = None
    handoff_channel: str | None = None
    app_token: str | None = field(default=None, repr=False)
    event_ttl_seconds: float = 3600.0
    event_lease_seconds: float = 45.0
    thread_ttl_seconds: float = 24 * 3600.0
    answer_ttl_seconds: float = 24 * 3600.0
    max_remembered: int = 10_000

    def __post_init__(self) -> None:
        if not self.bot_token:
            raise SlackConfigError("SLACK_BOT_TOKEN is required for the Slack channel")
        if self.api_url is not None and not self.api_url.startswith(("http://", "https://")):
            raise SlackConfigError(f"SLACK_API_URL must be an http(s) URL, got {self.api_url!r}")

    @property
    def web_api_base_url(self) -> str | None:
        """`api_url` with the trailing slash the Slack SDK needs, or None for Slack's own."""
        if self.api_url is None:
            return None
        return self.api_url if self.api_url.endswith("/") else self.api_url + "/"
