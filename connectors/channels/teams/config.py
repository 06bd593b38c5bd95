"""Configuration of the Teams channel and the checks that keep it safe to start."""

from __future__ import annotations

from dataclasses import dataclass, field

from connectors.channels.addresses import is_loopback_host
from connectors.channels.teams.errors import TeamsConfigurationError


def _clean(value: str | None) -> str | None:
    """An environment variable set to an empty string counts as unset."""
    if value is None:
        return None
    value = value.strip()
    return value or None


@dataclass(frozen=True)
class TeamsConfig:
    """What the Teams channel needs to know: Bot Framework credentials and the bound host.

    `app_id`, `app_password` and `tenant_id` come from `MICROSOFT_APP_ID`,
    `MICROSOFT_APP_PASSWORD` and `MICROSOFT_APP_TENANT_ID`; `host` is the address
    `assistant serve` binds to. With no id and password, authentication is off, which is only
    allowed on a loopback host (local testing with the Bot Framework Emulator or a test client).
    `handoff_conversation` (`ASSISTANT_TEAMS_HANDOFF_CONVERSATION`) is the channel or chat where "Ask a
    person" posts, through `service_url` (`ASSISTANT_TEAMS_SERVICE_URL`) or, when that is unset, the
    serviceUrl the request came with.
    """

    app_id: str | None = None
    app_password: str | None = field(default=None, repr=False)
    tenant_id: str | None = None
    host: str = "127.0.0.1"
    handoff_conversation: str | None = None
    service_url: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "app_id", _clean(self.app_id))
        object.__setattr__(self, "app_password", _clean(self.app_password))
        object.__setattr__(self, "tenant_id", _clean(self.tenant_id))
        object.__setattr__(self, "handoff_conversation", _clean(self.handoff_conversation))
        object.__setattr__(self, "service_url", _clean(self.service_url))

    @property
    def authentication_enabled(self) -> bool:
        """True when incoming activities must carry a valid Bot Framework token."""
        return self.app_id is not None

    @property
    def single_tenant(self) -> bool:
        """True for a single-tenant Azure Bot (a tenant id is configured)."""
        return self.tenant_id is not None

    def validate(self) -> None:
        """Raise `TeamsConfigurationError` unless the channel can start safely with this configuration."""
        if (self.app_id is None) != (self.app_password is None):
            present, missing = (
                ("MICROSOFT_APP_ID", "MICROSOFT_APP_PASSWORD")
                if self.app_id
                else ("MICROSOFT_APP_PASSWORD", "MICROSOFT_APP_ID")
            )
            raise TeamsConfigurationError(
                f"Teams: {present} is set but {missing} is not. Set both to enable Bot Framework "
                "authentication, or neither to run without authentication on a loopback address."
            )
        if self.tenant_id is not None and self.app_id is None:
            raise TeamsConfigurationError(
                "Teams: MICROSOFT_APP_TENANT_ID is set but MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD "
                "are not. A single-tenant bot needs all three."
            )
        if not self.authentication_enabled and not is_loopback_host(self.host):
            raise TeamsConfigurationError(
                "Teams: MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD are not set, so Bot Framework "
                "authentication would be off, which is only allowed while the server is bound to a "
                f"loopback address (127.0.0.1, ::1 or localhost); it is bound to {self.host!r}. "
                "Set both variables (and MICROSOFT_APP_TENANT_ID for a single-tenant bot), or bind "
                "to 127.0.0.1 for local testing."
            )
