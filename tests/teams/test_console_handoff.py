"""The web console's "Ask a person" in a deployment whose hand-offs go to Teams: a hand-off card posted to the
hand-off conversation over real HTTP (the stand-in connector service on 127.0.0.1)."""

from __future__ import annotations

import json

from assistant.interactions import HandoffRecord
from assistant.models import GapReason
from connectors.app.console_setup import console_config
from tests.conftest import make_settings

HANDOFF_CHANNEL = "19:store-support@thread.tacv2"


def test_a_console_hand_off_is_posted_to_the_teams_hand_off_conversation(connector_service, tmp_path):
    settings = make_settings(tmp_path, teams_service_url=connector_service.url,
                             teams_handoff_conversation=HANDOFF_CHANNEL)
    handoff = console_config(settings, "s").handoff
    assert handoff is not None and handoff.label == "Teams"
    handoff.forward(HandoffRecord("a1", "how do I void a sale for [NAME]?", GapReason.HANDOFF_REQUESTED))
    [sent] = connector_service.activities()
    assert sent.conversation_id == HANDOFF_CHANNEL
    card = json.dumps(sent.activity["attachments"])
    assert "how do I void a sale for [NAME]?" in card and "web console" in card


def test_slack_wins_when_both_are_configured_and_neither_without_its_conversation(connector_service, tmp_path):
    both = make_settings(tmp_path, teams_service_url=connector_service.url, teams_handoff_conversation="19:x",
                         handoff_channel="C123", slack_bot_token="xoxb-test")
    assert console_config(both, "s").handoff.label == "Slack C123"
    assert console_config(make_settings(tmp_path, teams_service_url=connector_service.url), "s").handoff is None
