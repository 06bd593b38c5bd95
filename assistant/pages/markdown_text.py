"""Turns Markdown with template shortcodes into plain text fit for search and answers."""

from __future__ import annotations

import html
import re

_LIQUID_PAGE = re.compile(r"\{%-?\s*page\s+[\"']([^\"']*)[\"']\s*-?%\}")
_LIQUID_TAG = re.compile(r"\{%-?.*?-?%\}", re.DOTALL)
_LIQUID_OUTPUT = re.compile(r"\{\{-?.*?-?\}\}", re.DOTALL)
_HTML_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)")
_REF_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]")
_REF_DEFINITION = re.compile(r"^\s*\[[^\]]+\]:\s+\S+.*$", re.MULTILINE)
_EMPHASIS = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")
_INLINE_CODE = re.compile(r"`([^`]*)`")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+", re.MULTILINE)
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?\s*$", re.MULTILINE)
_BLOCKQUOTE = re.compile(r"^\s*>\s?", re.MULTILINE)


def strip_liquid(text: str) -> str:
    """Replace `{% page "/x" %}` with its path and drop other Liquid/Jekyll tags."""
    text = _LIQUID_PAGE.sub(lambda match: match.group(1), text)
    text = _LIQUID_TAG.sub("", text)
    return _LIQUID_OUTPUT.sub("", text)


def markdown_to_text(markdown: str) -> str:
    """Plain text of a Markdown fragment: links keep their words, markup goes."""
    text = strip_liquid(markdown)
    text = _HTML_COMMENT.sub("", text)
    text = _HTML_TAG.sub("", text)
    text = _IMAGE.sub(lambda match: match.group(1), text)
    text = _LINK.sub(lambda match: match.group(1), text)
    text = _REF_LINK.sub(lambda match: match.group(1), text)
    text = _REF_DEFINITION.sub("", text)
    text = _INLINE_CODE.sub(lambda match: match.group(1), text)
    text = _EMPHASIS.sub(lambda match: match.group(2), text)
    text = _TABLE_RULE.sub("", text)
    text = text.replace("|", " ")
    text = _BLOCKQUOTE.sub("", text)
    text = _LIST_MARKER.sub("- ", text)
    text = html.unescape(text)
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
