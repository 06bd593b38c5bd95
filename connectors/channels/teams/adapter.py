"""Builds the Bot Framework adapter (CloudAdapter) and its authentication from a `TeamsConfig`."""

from __future__ import annotations

from dataclasses import dataclass

from botbuilder.integration.aiohttp import CloudAdapter, ConfigurationBotFrameworkAuthentication
from botframework.connector.auth import BotFrameworkAuthentication

from connectors.channels.teams.config import TeamsConfig
from connectors.channels.teams.turn_errors import TurnErrorHandler


@dataclass(frozen=True)
class _BotFrameworkSettings:
    """The attribute names botbuilder's configuration classes read (as in its samples' `config.py`)."""

    APP_ID: str
    APP_PASSWORD: str
    APP_TYPE: str
    APP_TENANTID: str | None


def create_bot_framework_authentication(config: TeamsConfig) -> BotFrameworkAuthentication:
    """Bot Framework authentication for the public cloud.

    With an app id and password, incoming activities need a valid channel token and replies carry
    a token for the bot (single-tenant when a tenant id is set). Without them, botbuilder treats
    authentication as disabled: anonymous activities are accepted and replies go to the
    activity's `serviceUrl` without a token. `TeamsConfig.validate` keeps that to loopback hosts.
    """
    settings = _BotFrameworkSettings(
        APP_ID=config.app_id or "",
        APP_PASSWORD=config.app_password or "",
        APP_TYPE="SingleTenant" if config.single_tenant else "MultiTenant",
        APP_TENANTID=config.tenant_id,
    )
    return ConfigurationBotFrameworkAuthentication(settings)


def create_adapter(authentication: BotFrameworkAuthentication) -> CloudAdapter:
    """A CloudAdapter using `authentication`, with the connector's turn error handler."""
    adapter = CloudAdapter(authentication)
    adapter.on_turn_error = TurnErrorHandler()
    return adapter
