"""The console's configuration from settings: a session secret derived from the salt, Secure cookies over https,
the hand-off channel only when Slack can post to it."""

from __future__ import annotations

from pathlib import Path

from connectors.app.console_setup import console_config, console_secret
from tests.conftest import make_settings


def test_the_session_secret_is_derived_from_the_salt_and_is_not_the_salt(tmp_path: Path) -> None:
    assert console_secret("salt-a") != console_secret("salt-b")
    assert console_secret("salt-a") == console_secret("salt-a")
    assert b"salt-a" not in console_secret("salt-a")
    config = console_config(make_settings(tmp_path, console_session_hours=2), "salt-a")
    assert config.session_lifetime_seconds == 7200
    assert "salt" not in repr(config)


def test_cookies_are_secure_when_the_public_address_is_https(tmp_path: Path) -> None:
    assert console_config(make_settings(tmp_path, public_url="https://assistant.example"), "s").secure_cookies
    assert not console_config(make_settings(tmp_path), "s").secure_cookies


def test_ask_a_person_needs_slack_and_a_hand_off_channel(tmp_path: Path) -> None:
    assert console_config(make_settings(tmp_path, handoff_channel="C123"), "s").handoff is None
    settings = make_settings(tmp_path, handoff_channel="C123", slack_bot_token="xoxb-test")
    handoff = console_config(settings, "s").handoff
    assert handoff is not None
    assert handoff.label == "Slack C123"
