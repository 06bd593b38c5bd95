"""The Slack app manifest asks for what the connector uses, and points everything at one URL."""

from __future__ import annotations

from pathlib import Path

import yaml

import connectors.channels.slack
from connectors.channels.slack import EVENTS_PATH

MANIFEST = Path(connectors.channels.slack.__file__).parent / "manifest.yml"


def test_manifest_subscribes_to_the_events_and_scopes_the_bot_needs() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    settings = manifest["settings"]

    assert set(manifest["oauth_config"]["scopes"]["bot"]) >= {
        "app_mentions:read",
        "chat:write",
        "im:history",
        "im:read",
        "im:write",
        "commands",
        "channels:history",
        "groups:history",
    }
    assert set(settings["event_subscriptions"]["bot_events"]) >= {
        "app_mention",
        "message.im",
        "message.channels",
    }
    assert [c["command"] for c in manifest["features"]["slash_commands"]] == ["/ask"]
    assert settings["interactivity"]["is_enabled"] is True
    assert settings["socket_mode_enabled"] is False
    assert manifest["features"]["app_home"]["messages_tab_enabled"] is True


def test_every_request_url_is_the_one_events_endpoint() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    urls = [
        manifest["settings"]["event_subscriptions"]["request_url"],
        manifest["settings"]["interactivity"]["request_url"],
        *(c["url"] for c in manifest["features"]["slash_commands"]),
    ]
    assert urls == [f"https://YOUR-HOST{EVENTS_PATH}"] * 3


def test_long_description_meets_slacks_minimum() -> None:
    manifest = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert 174 <= len(manifest["display_information"]["long_description"]) <= 4000
