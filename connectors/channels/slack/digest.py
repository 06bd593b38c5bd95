"""The weekly gap digest in Slack: Block Kit rendering and posting to a channel (`assistant gaps digest`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from assistant.insights.digest import DigestResolution, DigestTheme, WeeklyDigest
from connectors.channels.slack.config import SlackConfig
from connectors.channels.slack.errors import SlackConnectorError
from connectors.channels.slack.text import escape, split_for_blocks

Block = dict[str, Any]

MAX_BLOCKS = 50
"""Slack's limit of blocks in one message."""
MAX_TEXT = 3000
"""Slack's limit of characters in a section's text."""
MAX_HEADER = 150
MAX_LABEL = 120


class SlackPostError(SlackConnectorError):
    """Slack refused a message the bot started, or could not be reached."""


def digest_message(digest: WeeklyDigest) -> tuple[str, list[Block]]:
    """The digest as Slack's fallback text (notifications) and blocks, within Slack's limits."""
    week = f"{_day(digest.week_start)} – {_day(digest.week_end)} {digest.week_end:%Y}"
    summary = (f"{digest.gaps} {_plural(digest.gaps, 'question')} the assistant could not answer well, from "
               f"{digest.askers} {_plural(digest.askers, 'person', 'people')}, {week}.")
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": _cut(f"Knowledge gaps: {week}", MAX_HEADER),
                                    "emoji": False}},
        _section(escape(summary) + (f" <{digest.report_url}|Full report>" if digest.report_url else "")),
    ]
    if digest.empty:
        blocks.append(_section("Nothing to report: no new gaps and nothing resolved this week."))
    else:
        blocks.append(_section("*Top themes by friction*"))
        if digest.top_themes:
            blocks += [_section(_theme_entry(rank, theme)) for rank, theme in enumerate(digest.top_themes, 1)]
        else:
            blocks.append(_section("_No gaps this week._"))
        blocks.append({"type": "divider"})
        new_lines = [f"• {_theme_link(theme)}: {_counts(theme)}" for theme in digest.new_themes]
        more_new = digest.new_themes_total - len(digest.new_themes)
        blocks += _list("New this week", new_lines, more_new, "_No new themes._")
        blocks.append({"type": "divider"})
        resolved_lines = [_resolution_line(item) for item in digest.resolved]
        more_resolved = digest.resolved_total - sum(item.resolved for item in digest.resolved)
        blocks += _list("Resolved this week", resolved_lines, more_resolved, "_Nothing resolved this week._",
                        unit="gap")
    footer: Block = {"type": "context", "elements": [{"type": "mrkdwn", "text": (
        f"Questions are stored with personal data removed. Teams with fewer than {digest.min_group_size} people "
        "asking are shown as “other”.")}]}
    if len(blocks) >= MAX_BLOCKS:
        blocks = [*blocks[:MAX_BLOCKS - 2], _section("_(shortened: see the full report)_")]
    return _cut(f"Knowledge gaps: {summary}", MAX_TEXT), [*blocks, footer]


class SlackDigestPoster:
    """Posts the digest to a Slack channel with the bot's token (`chat.postMessage`); the bot must be in it."""

    def __init__(self, config: SlackConfig, timeout_seconds: float = 30.0) -> None:
        options: dict[str, Any] = {"token": config.bot_token, "timeout": int(max(1, timeout_seconds))}
        if config.web_api_base_url:
            options["base_url"] = config.web_api_base_url
        self._client = AsyncWebClient(**options)

    async def post(self, channel: str, digest: WeeklyDigest) -> str:
        """Post the digest; returns the message's `ts`. Raises `SlackPostError` when Slack refuses it or is down."""
        text, blocks = digest_message(digest)
        try:
            response = await self._client.chat_postMessage(channel=channel, text=text, blocks=blocks,
                                                           unfurl_links=False, unfurl_media=False)
        except SlackApiError as error:
            raise SlackPostError(
                f"Slack refused the digest for channel {channel}: {error.response.get('error', error)}"
            ) from error
        except (SlackClientError, OSError) as error:
            raise SlackPostError(f"Slack could not be reached to post the digest: {error}") from error
        return str(response.get("ts", ""))


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _cut(text, MAX_TEXT)}}


def _list(title: str, lines: list[str], more: int, nothing: str, unit: str = "theme") -> list[Block]:
    if not lines:
        return [_section(f"*{title}*\n{nothing}")]
    if more > 0:
        lines = [*lines, f"_…and {more} more {_plural(more, unit)}_"]
    return [_section(piece) for piece in split_for_blocks(f"*{title}*\n" + "\n".join(lines), MAX_TEXT)]


def _theme_entry(rank: int, theme: DigestTheme) -> str:
    detail = f"{_counts(theme)} · friction {theme.friction:g}"
    if theme.dimension:
        detail += f" · {theme.dimension}"
    teams = " · ".join(f"{escape(name)} {count}" for name, count in theme.teams)
    return f"*{rank}. {_theme_link(theme)}*\n{detail}" + (f"\n{teams}" if teams else "")


def _counts(theme: DigestTheme) -> str:
    return (f"{theme.gaps} {_plural(theme.gaps, 'gap')} ({theme.open} open), "
            f"{theme.askers} {_plural(theme.askers, 'person', 'people')}")


def _resolution_line(item: DigestResolution) -> str:
    pages = ", ".join(escape(page.title) + f" (`{escape(page.path)}`)" if page.title else f"`{escape(page.path)}`"
                      for page in item.pages)
    by = f" by {pages}" if pages else " by a person"
    return f"• {_theme_link(item)}: {item.resolved} {_plural(item.resolved, 'gap')}{by}"


def _theme_link(theme: DigestTheme | DigestResolution) -> str:
    label = escape(_cut(theme.label, MAX_LABEL)).replace("|", "/")
    return f"<{theme.link}|{label}>" if theme.link else label


def _day(moment: dt.datetime) -> str:
    return f"{moment.day} {moment:%b}"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def _plural(count: int, one: str, many: str | None = None) -> str:
    return one if count == 1 else (many or one + "s")
