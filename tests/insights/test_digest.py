"""The weekly digest as data: top themes of the week by friction, themes first seen this week, what was resolved."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

import pytest

from assistant.insights.digest import MAX_LISTED, build_weekly_digest
from assistant.insights.facts import GapFact, ThemeLabel
from assistant.insights.report import HTML_THEMES, build_gap_insights, theme_anchor

END = dt.datetime(2026, 11, 30, 18, 0, tzinfo=dt.UTC)
REPORT = "https://assistant.verdello.example/v1/gaps/report?format=html"


@dataclass(frozen=True)
class Row:
    """A gap row as the store gives it, as far as the digest reads it."""

    created_at: dt.datetime
    asker_hash: str


def gap(number: int, *, days_ago: float, theme: str, asker: str, team: str | None = "Tills", **extra) -> GapFact:
    return GapFact(gap_id=f"g{number}", created_at=END - dt.timedelta(days=days_ago), channel="slack",
                   reason="no_answer", question=f"question {number} about {theme}", asker=asker, team=team,
                   theme_id=theme, **extra)


def week_facts() -> list[GapFact]:
    gift = [gap(i, days_ago=1 + i % 3, theme="theme-gift", asker=f"a{i}", dimension="enablement") for i in range(8)]
    # An old theme that came back this week; two of its gaps were resolved this week by a new page, one long ago.
    refunds = [gap(20 + i, days_ago=20 + i, theme="theme-refund", asker=f"r{i}") for i in range(3)]
    refunds.append(gap(30, days_ago=2, theme="theme-refund", asker="r9", team="Warehouse"))
    refunds += [gap(31, days_ago=25, theme="theme-refund", asker="r1", state="resolved",
                    resolved_at=END - dt.timedelta(days=2), resolved_page="en/customers/refunds.md"),
                gap(32, days_ago=24, theme="theme-refund", asker="r2", state="resolved",
                    resolved_at=END - dt.timedelta(days=3), resolved_page="en/customers/refunds.md"),
                gap(33, days_ago=30, theme="theme-refund", asker="r3", state="resolved",
                    resolved_at=END - dt.timedelta(days=20), resolved_page="en/customers/old.md")]
    parking = [gap(40, days_ago=15, theme="theme-parking", asker="p1")]  # nothing this week
    return gift + refunds + parking


def digest_of(facts: list[GapFact], **options):
    labels = [ThemeLabel("theme-gift", "gift card balance"), ThemeLabel("theme-refund", "refund without receipt"),
              ThemeLabel("theme-parking", "staff parking")]
    insights = build_gap_insights(facts, labels, period_end=END)
    rows = [Row(fact.created_at, fact.asker) for fact in facts]
    return build_weekly_digest(insights, rows, **options)


def test_top_themes_are_this_weeks_themes_by_friction_with_their_numbers():
    digest = digest_of(week_facts(), report_url=REPORT)
    assert [theme.label for theme in digest.top_themes] == ["gift card balance", "refund without receipt"]
    gift = digest.top_themes[0]
    assert (gift.gaps, gift.askers, gift.open, gift.dimension) == (8, 8, 8, "enablement")
    assert gift.friction > digest.top_themes[1].friction
    assert gift.link == f"{REPORT}#theme-gift"
    assert (digest.gaps, digest.askers) == (9, 9)  # the week's gaps: eight gift card ones and one refund


def test_new_themes_are_those_first_seen_this_week():
    digest = digest_of(week_facts())
    assert [theme.theme_id for theme in digest.new_themes] == ["theme-gift"]
    assert digest.new_themes_total == 1


def test_resolved_this_week_lists_the_theme_with_the_pages_that_resolved_it():
    titles = {"en/customers/refunds.md": "Refunds without a receipt"}
    digest = digest_of(week_facts(), page_title=titles.get)
    [resolved] = digest.resolved
    assert (resolved.label, resolved.resolved) == ("refund without receipt", 2)
    assert [(page.path, page.title) for page in resolved.pages] == [
        ("en/customers/refunds.md", "Refunds without a receipt")]
    assert digest.resolved_total == 2  # the one resolved 20 days ago is not this week's


def test_teams_with_too_few_askers_are_other_and_largest_first():
    digest = digest_of(week_facts())
    refund = next(theme for theme in digest.top_themes if theme.theme_id == "theme-refund")
    assert dict(refund.teams) == {"Tills": 6, "other": 1}  # Warehouse has one asker: never named
    assert "Warehouse" not in json.dumps(digest.as_dict())


def test_without_a_public_url_nothing_is_linked_and_the_top_is_bounded():
    digest = digest_of(week_facts(), top=1)
    assert len(digest.top_themes) == 1 and digest.top_themes[0].link is None and digest.report_url is None
    with pytest.raises(ValueError):
        digest_of(week_facts(), top=0)
    with pytest.raises(ValueError):
        digest_of(week_facts(), since_days=0)


def test_only_themes_the_html_report_lists_are_linked():
    facts = [gap(i, days_ago=1, theme=f"theme-{i:03d}", asker=f"a{i}") for i in range(HTML_THEMES + 5)]
    digest = digest_of(facts, report_url=REPORT)
    insights = build_gap_insights(facts, [], period_end=END)
    ranks = {theme.theme_id: rank for rank, theme in enumerate(insights.themes)}
    assert len(digest.new_themes) == MAX_LISTED and digest.new_themes_total == HTML_THEMES + 5
    for theme in digest.new_themes:
        assert (theme.link is not None) == (ranks[theme.theme_id] < HTML_THEMES)


def test_an_empty_week_is_empty_and_json_ready():
    digest = digest_of([gap(1, days_ago=40, theme="theme-old", asker="a1")])
    assert digest.empty and digest.top_themes == () and digest.resolved == ()
    data = json.loads(json.dumps(digest.as_dict()))
    assert data["week_end"] == "2026-11-30T18:00:00+00:00"


def test_anchors_are_the_theme_ids_or_made_safe():
    assert theme_anchor("theme-0123456789ab") == "theme-0123456789ab"
    assert theme_anchor("gap:answer 1") == "theme-gap-answer-1"


def test_the_html_report_gives_each_listed_theme_its_anchor():
    from connectors.reports.gaps import render_gap_report

    labels = [ThemeLabel("theme-gift", "gift card balance")]
    facts = [*week_facts(), gap(99, days_ago=1, theme="gap:odd one", asker="z1")]
    insights = build_gap_insights(facts, labels, period_end=END)
    html = render_gap_report(insights, [], "html")
    for theme in insights.themes:
        assert html.count(f'<tr id="{theme.anchor}">') == 1
    assert '<tr id="theme-gap-odd-one">' in html
