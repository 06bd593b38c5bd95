"""Conversions between Slack's message text and plain text / Markdown."""

from __future__ import annotations

import html
import re

_USER_MENTION = re.compile(r"<@([UW][A-Z0-9]+)(?:\|([^>]*))?>")
_CHANNEL_MENTION = re.compile(r"<#([CGD][A-Z0-9]+)(?:\|([^>]*))?>")
_SPECIAL_MENTION = re.compile(r"<!([^|>]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<([a-z][a-z0-9+.-]*:[^|>]+)(?:\|([^>]*))?>", re.IGNORECASE)
_SPACES = re.compile(r"\s+")

_MD_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
_MD_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_MD_ITALIC = re.compile(r"(?<![*\w])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![*\w])")
_MD_HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*#*\s*$", re.MULTILINE)
_MD_BULLET = re.compile(r"^(\s*)[-*+]\s+", re.MULTILINE)
_BOLD_MARK = "\x00"


def question_from_slack(text: str, bot_user_id: str | None) -> str:
    """The question in a Slack message: the bot's mention removed, Slack's markup made plain.

    When the bot's user id is unknown, a mention at the very start is taken to be the bot's.
    """

    def user(match: re.Match[str]) -> str:
        if match.group(1) == bot_user_id:
            return " "
        return "@" + (match.group(2) or match.group(1))

    if bot_user_id is None:
        text = re.sub(r"^\s*<@[UW][A-Z0-9]+(?:\|[^>]*)?>", " ", text)
    text = _USER_MENTION.sub(user, text)
    text = _CHANNEL_MENTION.sub(lambda m: "#" + (m.group(2) or m.group(1)), text)
    text = _SPECIAL_MENTION.sub(lambda m: m.group(2) or "@" + m.group(1).split("^")[0], text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1).removeprefix("mailto:"), text)
    return _SPACES.sub(" ", html.unescape(text)).strip()


def mentions(text: str, user_id: str | None) -> bool:
    """Whether `text` mentions `user_id` (`<@U...>`)."""
    return user_id is not None and any(m.group(1) == user_id for m in _USER_MENTION.finditer(text))


def escape(text: str) -> str:
    """Escape the three characters Slack reserves for its markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def markdown_to_mrkdwn(text: str) -> str:
    """Turn the core's Markdown into Slack mrkdwn: links, bold, italics, headings, bullets."""
    text = escape(text)
    text = _MD_LINK.sub(lambda m: f"<{m.group(2)}|{m.group(1)}>", text)
    text = _MD_HEADING.sub(lambda m: f"{_BOLD_MARK}{m.group(1)}{_BOLD_MARK}", text)
    text = _MD_BOLD.sub(lambda m: f"{_BOLD_MARK}{m.group(2)}{_BOLD_MARK}", text)
    text = _MD_ITALIC.sub(lambda m: f"_{m.group(1)}_", text)
    text = _MD_BULLET.sub(lambda m: f"{m.group(1)}• ", text)
    return text.replace(_BOLD_MARK, "*")


def split_for_blocks(text: str, limit: int = 3000) -> list[str]:
    """Split `text` into pieces of at most `limit` characters, at paragraph or line breaks if possible."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n\n", 0, limit)
        if cut <= 0:
            cut = rest.rfind("\n", 0, limit)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest or not pieces:
        pieces.append(rest)
    return pieces
