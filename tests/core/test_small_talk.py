"""The fixed replies: every one reads in both languages, and the one saying what the assistant does shows the
configured order-number format."""

from __future__ import annotations

import pytest

from assistant.nlu.intents import Intent
from assistant.skills.small_talk import REPLIES, reply_for


@pytest.mark.parametrize("intent", sorted(REPLIES))
@pytest.mark.parametrize("language", ["en", "it"])
def test_every_reply_reads_without_placeholders(intent, language):
    text = reply_for(intent, language, order_example="VG-20481736")
    assert text and "{" not in text


def test_the_capabilities_reply_shows_the_configured_format():
    assert "e.g. VG-20481736" in reply_for(Intent.BOT_CAPABILITIES, "en", order_example="VG-20481736")
    assert "es. VG-20481736" in reply_for(Intent.BOT_CAPABILITIES, "it", order_example="VG-20481736")
    assert reply_for(Intent.THANKS, "de", order_example="VG-1") == "You're welcome!"
