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
_CELL_SEPARATOR = re.compile(r"(?<!\\)\|")
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
    text = tables_as_rows(text)
    text = _TABLE_RULE.sub("", text)
    text = text.replace("|", " ")
    text = _BLOCKQUOTE.sub("", text)
    text = _LIST_MARKER.sub("- ", text)
    text = html.unescape(text)
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def tables_as_rows(text: str) -> str:
    """A pipe table as sentences: its header row once ("Servizio; Tempi; Prezzo:"), then each row on its own line,
    its cells separated ("Standard; Da 3 a 6 giorni; €5,90."). Flattened cell by cell, a table read as noise when
    quoted ("Standard Da 3 a 6 giorni €5,90 Express ..."). The words are the table's own and each appears once, as
    before, so lexical search is unchanged; repeating the column names on every row was measured and made rows
    outrank the prose that answers (docs/evaluation.md, "Tables read row by row")."""
    lines = text.split("\n")
    rendered: list[str] = []
    index = 0
    while index < len(lines):
        if index + 1 < len(lines) and "|" in lines[index] and _TABLE_RULE.fullmatch(lines[index + 1]):
            header = [cell for cell in _cells(lines[index]) if cell]
            if header:
                rendered.append("; ".join(header) + ":")
            index += 2
            while index < len(lines) and "|" in lines[index] and lines[index].strip():
                rendered.append(_row_sentence(_cells(lines[index])))
                index += 1
            continue
        rendered.append(lines[index])
        index += 1
    return "\n".join(rendered)


def _cells(line: str) -> list[str]:
    stripped = line.strip()
    stripped = stripped[1:] if stripped.startswith("|") else stripped
    stripped = stripped[:-1] if stripped.endswith("|") and not stripped.endswith("\\|") else stripped
    return [cell.strip().replace("\\|", "|") for cell in _CELL_SEPARATOR.split(stripped)]


def _row_sentence(cells: list[str]) -> str:
    filled = [cell for cell in cells if cell]
    if not filled:
        return ""
    line = "; ".join(filled)
    return line if line[-1] in ".!?:" else f"{line}."
