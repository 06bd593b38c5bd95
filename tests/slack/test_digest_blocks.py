"""The weekly digest in Block Kit: sections, links into the report, and Slack's limits on the largest digest."""

from __future__ import annotations

import datetime as dt

from assistant.insights.digest import DigestPage, DigestResolution, DigestTheme, WeeklyDigest
from connectors.channels.slack.digest import MAX_BLOCKS, MAX_TEXT, digest_message

END = dt.datetime(2026, 11, 30, 18, 0, tzinfo=dt.UTC)
REPORT = "https://assistant.verdello.example/v1/gaps/report?format=html"


def theme(number: int, label: str | None = None, link: bool = True) -> DigestTheme:
    return DigestTheme(theme_id=f"theme-{number:012d}", label=label or f"gift card balance {number}", gaps=8,
                       askers=6, friction=71.5, dimension="enablement", open=5, first_seen=END,
                       teams=(("Tills", 6), ("other", 2)),
                       link=f"{REPORT}#theme-{number:012d}" if link else None)


def digest(top: int = 3, new: int = 1, resolved: int = 1, label: str | None = None) -> WeeklyDigest:
    return WeeklyDigest(
        week_start=END - dt.timedelta(days=7), week_end=END, gaps=14, askers=9,
        top_themes=tuple(theme(i, label) for i in range(top)),
        new_themes=tuple(theme(100 + i, label) for i in range(new)), new_themes_total=new + 4,
        resolved=tuple(DigestResolution(f"theme-r{i}", label or f"refund without receipt {i}", 2,
                                        (DigestPage("en/customers/refunds.md", "Refunds & receipts"),),
                                        f"{REPORT}#theme-r{i}") for i in range(resolved)),
        resolved_total=2 * resolved + 3, report_url=REPORT, min_group_size=5,
    )


def all_texts(blocks: list[dict]) -> list[str]:
    texts = []
    for block in blocks:
        if "text" in block:
            texts.append(block["text"]["text"])
        texts += [element["text"] for element in block.get("elements", [])]
    return texts


def test_the_digest_has_its_sections_with_links_into_the_report():
    text, blocks = digest_message(digest())
    assert text.startswith("Knowledge gaps: 14 questions") and "9 people" in text
    assert blocks[0]["type"] == "header" and blocks[0]["text"]["text"] == "Knowledge gaps: 23 Nov – 30 Nov 2026"
    joined = "\n".join(all_texts(blocks))
    assert f"<{REPORT}|Full report>" in joined
    assert f"*1. <{REPORT}#theme-000000000000|gift card balance 0>*" in joined
    assert "8 gaps (5 open), 6 people · friction 71.5 · enablement" in joined and "Tills 6 · other 2" in joined
    assert "*New this week*" in joined and "_…and 4 more themes_" in joined
    assert ("*Resolved this week*\n• <" + REPORT + "#theme-r0|refund without receipt 0>: 2 gaps by "
            "Refunds &amp; receipts (`en/customers/refunds.md`)") in joined
    assert "_…and 3 more gaps_" in joined
    assert "fewer than 5 people" in joined


def test_labels_cannot_break_slack_markup():
    _, blocks = digest_message(digest(label="<!channel> a|b & c"))
    joined = "\n".join(all_texts(blocks))
    assert "<!channel>" not in joined and "&lt;!channel&gt; a/b &amp; c" in joined


def test_the_largest_digest_stays_within_slacks_limits():
    _, blocks = digest_message(digest(top=20, new=15, resolved=15, label="x" * 500))
    assert len(blocks) <= MAX_BLOCKS
    assert all(len(text) <= MAX_TEXT for text in all_texts(blocks))
    assert len(blocks[0]["text"]["text"]) <= 150
    assert blocks[-1]["type"] == "context"


def test_an_empty_week_says_so():
    empty = WeeklyDigest(week_start=END - dt.timedelta(days=7), week_end=END, gaps=0, askers=0, top_themes=(),
                         new_themes=(), new_themes_total=0, resolved=(), resolved_total=0, report_url=None,
                         min_group_size=5)
    text, blocks = digest_message(empty)
    joined = "\n".join(all_texts(blocks))
    assert "Nothing to report" in joined and "Full report" not in joined
    assert text.startswith("Knowledge gaps: 0 questions")
