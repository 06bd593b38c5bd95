"""The weekly digest as an Adaptive Card: sections, facts per theme, links into the report."""

from __future__ import annotations

import datetime as dt

from assistant.insights.digest import DigestPage, DigestResolution, DigestTheme, WeeklyDigest
from connectors.channels.teams.cards import ADAPTIVE_CARD_VERSION
from connectors.channels.teams.digest import digest_card

END = dt.datetime(2026, 11, 30, 18, 0, tzinfo=dt.UTC)
REPORT = "https://assistant.verdello.example/v1/gaps/report?format=html"


def card_texts(card: dict) -> list[str]:
    texts = []

    def walk(items: list[dict]) -> None:
        for item in items:
            if item["type"] == "TextBlock":
                texts.append(item["text"])
            elif item["type"] == "Container":
                walk(item["items"])
            elif item["type"] == "FactSet":
                texts.extend(f"{fact['title']}: {fact['value']}" for fact in item["facts"])

    walk(card["body"])
    return texts


def test_the_card_has_the_digests_sections_and_links():
    gift = DigestTheme(theme_id="theme-gift", label="gift card [balance]", gaps=8, askers=6, friction=71.5,
                       dimension="enablement", open=5, first_seen=END, teams=(("Tills", 6), ("other", 2)),
                       link=f"{REPORT}#theme-gift")
    refund = DigestResolution("theme-refund", "refund without receipt", 2,
                              (DigestPage("en/customers/refunds.md", "Refunds"),), None)
    digest = WeeklyDigest(week_start=END - dt.timedelta(days=7), week_end=END, gaps=14, askers=9,
                          top_themes=(gift,), new_themes=(gift,), new_themes_total=1, resolved=(refund,),
                          resolved_total=2, report_url=REPORT, min_group_size=5)
    card = digest_card(digest)
    assert card["type"] == "AdaptiveCard" and card["version"] == ADAPTIVE_CARD_VERSION
    texts = card_texts(card)
    assert texts[0] == "Knowledge gaps: 23 Nov – 30 Nov 2026"
    assert "14 questions" in texts[1] and "9 people" in texts[1]
    assert f"1. [gift card (balance)]({REPORT}#theme-gift)" in texts
    assert {"Gaps: 8 (5 open)", "People: 6", "Friction: 71.5", "EX dimension: enablement",
            "Teams: Tills 6, other 2"} <= set(texts)
    assert f"- [gift card (balance)]({REPORT}#theme-gift): 8 gaps (5 open), 6 people" in texts
    assert "- refund without receipt: 2 gaps by Refunds (en/customers/refunds.md)" in texts
    assert card["actions"] == [{"type": "Action.OpenUrl", "title": "Open the full report", "url": REPORT}]


def test_an_empty_week_without_a_public_url_has_no_links():
    digest = WeeklyDigest(week_start=END - dt.timedelta(days=7), week_end=END, gaps=0, askers=0, top_themes=(),
                          new_themes=(), new_themes_total=0, resolved=(), resolved_total=0, report_url=None,
                          min_group_size=5)
    card = digest_card(digest)
    assert "actions" not in card
    assert any("Nothing to report" in text for text in card_texts(card))
