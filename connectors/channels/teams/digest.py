"""The weekly gap digest in Teams: an Adaptive Card, posted with `TeamsPoster` (`assistant gaps digest`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from assistant.insights.digest import DigestResolution, DigestTheme, WeeklyDigest
from connectors.channels.teams.cards import ADAPTIVE_CARD_SCHEMA, ADAPTIVE_CARD_VERSION

MAX_LABEL = 120


def digest_card(digest: WeeklyDigest) -> dict[str, Any]:
    """The digest as an Adaptive Card: summary, top themes by friction, new and resolved themes, a report link."""
    week = f"{_day(digest.week_start)} – {_day(digest.week_end)} {digest.week_end:%Y}"
    body: list[dict[str, Any]] = [
        {"type": "TextBlock", "text": f"Knowledge gaps: {week}", "size": "Large", "weight": "Bolder", "wrap": True},
        _text(f"{digest.gaps} {_plural(digest.gaps, 'question')} the assistant could not answer well, from "
              f"{digest.askers} {_plural(digest.askers, 'person', 'people')}."),
    ]
    if digest.empty:
        body.append(_text("Nothing to report: no new gaps and nothing resolved this week."))
    else:
        body.append(_heading("Top themes by friction"))
        if digest.top_themes:
            body += [_theme_block(rank, theme) for rank, theme in enumerate(digest.top_themes, 1)]
        else:
            body.append(_text("No gaps this week."))
        body.append(_heading("New this week"))
        new_lines = [f"- {_theme_link(theme)}: {_counts(theme)}" for theme in digest.new_themes]
        more_new = digest.new_themes_total - len(digest.new_themes)
        body.append(_text(_lines(new_lines, more_new, "theme") or "No new themes."))
        body.append(_heading("Resolved this week"))
        resolved_lines = [_resolution_line(item) for item in digest.resolved]
        more_resolved = digest.resolved_total - sum(item.resolved for item in digest.resolved)
        body.append(_text(_lines(resolved_lines, more_resolved, "gap") or "Nothing resolved this week."))
    body.append({"type": "TextBlock", "isSubtle": True, "size": "Small", "wrap": True, "spacing": "Large",
                 "text": (f"Questions are stored with personal data removed. Teams with fewer than "
                          f"{digest.min_group_size} people asking are shown as “other”.")})
    card: dict[str, Any] = {"type": "AdaptiveCard", "$schema": ADAPTIVE_CARD_SCHEMA,
                            "version": ADAPTIVE_CARD_VERSION, "body": body}
    if digest.report_url:
        card["actions"] = [{"type": "Action.OpenUrl", "title": "Open the full report", "url": digest.report_url}]
    return card


def _theme_block(rank: int, theme: DigestTheme) -> dict[str, Any]:
    facts = [{"title": "Gaps", "value": f"{theme.gaps} ({theme.open} open)"},
             {"title": "People", "value": str(theme.askers)},
             {"title": "Friction", "value": f"{theme.friction:g}"}]
    if theme.dimension:
        facts.append({"title": "EX dimension", "value": theme.dimension})
    if theme.teams:
        facts.append({"title": "Teams", "value": ", ".join(f"{name} {count}" for name, count in theme.teams)})
    return {"type": "Container", "spacing": "Medium", "items": [
        {"type": "TextBlock", "text": f"{rank}. {_theme_link(theme)}", "weight": "Bolder", "wrap": True},
        {"type": "FactSet", "facts": facts},
    ]}


def _resolution_line(item: DigestResolution) -> str:
    pages = ", ".join(f"{_plain(page.title)} ({page.path})" if page.title else page.path for page in item.pages)
    by = f" by {pages}" if pages else " by a person"
    return f"- {_theme_link(item)}: {item.resolved} {_plural(item.resolved, 'gap')}{by}"


def _theme_link(theme: DigestTheme | DigestResolution) -> str:
    label = _plain(theme.label if len(theme.label) <= MAX_LABEL else theme.label[:MAX_LABEL - 1] + "…")
    if theme.link:
        return f"[{label}]({theme.link.replace(')', '%29').replace(' ', '%20')})"
    return label


def _plain(text: str) -> str:
    # Square brackets would end a Markdown link early; the label is display text only.
    return text.replace("[", "(").replace("]", ")")


def _counts(theme: DigestTheme) -> str:
    return (f"{theme.gaps} {_plural(theme.gaps, 'gap')} ({theme.open} open), "
            f"{theme.askers} {_plural(theme.askers, 'person', 'people')}")


def _lines(lines: list[str], more: int, unit: str) -> str:
    if more > 0 and lines:
        lines = [*lines, f"- …and {more} more {_plural(more, unit)}"]
    return "\n".join(lines)


def _heading(text: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "weight": "Bolder", "size": "Medium", "wrap": True,
            "spacing": "Large", "separator": True}


def _text(text: str) -> dict[str, Any]:
    return {"type": "TextBlock", "text": text, "wrap": True}


def _day(moment: dt.datetime) -> str:
    return f"{moment.day} {moment:%b}"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return one if count == 1 else (many or one + "s")
