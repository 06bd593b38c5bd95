"""Adds a staff question to a page's `questions` front matter, changing nothing else in the file.

The YAML is edited as text, never re-dumped: the new item is appended to an existing block list (`- ...` lines)
or flow list (`[...]`), or a `questions:` block list is added just before the closing `---`. Body, comments,
key order, quoting and line endings stay byte for byte. The result is parsed again and must hold exactly the old
front matter plus the new question, or nothing is written.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import yaml

from assistant.errors import (
    EmptyQuestionError,
    FrontMatterEditError,
    KnowledgeFileError,
    PageNotFoundError,
    PageOutsideKnowledgeError,
    QuestionTooLongError,
)
from assistant.pages.loader import parse_page
from assistant.privacy.redaction import RedactionResult

MAX_QUESTION_CHARS = 300
_OPENING = re.compile(r"\A---[ \t]*(\r?\n)")
_CLOSING = re.compile(r"^---[ \t]*\r?$", re.MULTILINE)
_QUESTIONS_KEY = re.compile(r"^questions[ \t]*:(?P<rest>.*)$")
_TOP_LEVEL = re.compile(r"^[^\s#-]|^-[^\s-]|^---")
_FLOW_UNSAFE = re.compile(r"[,\[\]{}]")


class RedactsText(Protocol):
    """The redactor: removes personal data before anything is written into the knowledge."""

    def redact_with_report(self, text: str) -> RedactionResult: ...


@dataclass(frozen=True)
class QuestionAdded:
    """What `add_question` did: the page (relative to the knowledge folder), the question as written (redacted),
    whether the file changed, and how many items of personal data were redacted."""

    page: str
    question: str
    added: bool
    redacted: int = 0
    existing: str | None = None
    """The question already on the page that made this one a duplicate."""


def add_question(knowledge_dir: Path, page: str | Path, question: str, redactor: RedactsText) -> QuestionAdded:
    """Write `question` (redacted) into the `questions` of `page`, a path inside `knowledge_dir` (relative to it,
    or a path to the file). A question the page already has (ignoring case and spaces) changes nothing.

    Raises `PageNotFoundError`, `PageOutsideKnowledgeError`, `EmptyQuestionError`, `QuestionTooLongError`,
    `KnowledgeFileError` (the page cannot be read) or `FrontMatterEditError` (its `questions` is not a list)."""
    path, relative = resolve_page(knowledge_dir, page)
    cleaned = clean_question(question)
    redaction = redactor.redact_with_report(cleaned)
    raw = path.read_bytes()
    parse_page(relative, raw)  # a page the loader would skip is not edited
    bom = raw.startswith(b"\xef\xbb\xbf")
    text = raw.decode("utf-8-sig")
    existing = _existing_questions(relative, text)
    duplicate = next((old for old in existing if _same(old, redaction.text)), None)
    if duplicate is not None:
        return QuestionAdded(relative, redaction.text, added=False, redacted=redaction.total, existing=duplicate)
    edited = insert_question(relative, text, redaction.text)
    _write(path, ("\ufeff" if bom else "") + edited)
    return QuestionAdded(relative, redaction.text, added=True, redacted=redaction.total)


def resolve_page(knowledge_dir: Path, page: str | Path) -> tuple[Path, str]:
    """The page's file and its path relative to the knowledge folder (as citations show it)."""
    root = knowledge_dir.resolve()
    given = Path(page)
    candidates = [given] if given.is_absolute() else [knowledge_dir / given, given]
    found = next((candidate for candidate in candidates if candidate.is_file()), None)
    if found is None:
        raise PageNotFoundError(f"no page {str(page)!r} in {knowledge_dir}")
    resolved = found.resolve()
    if not resolved.is_relative_to(root):
        raise PageOutsideKnowledgeError(f"{str(page)!r} is outside the knowledge folder {knowledge_dir}")
    if resolved.suffix != ".md":
        raise PageNotFoundError(f"{str(page)!r} is not a knowledge page (a .md file)")
    return resolved, resolved.relative_to(root).as_posix()


def clean_question(question: str) -> str:
    """One line of text: Unicode normalised, control characters and runs of spaces collapsed."""
    text = unicodedata.normalize("NFKC", question)
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in text).split())
    if not any(ch.isalnum() for ch in text):
        raise EmptyQuestionError("the question is empty")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionTooLongError(len(text), MAX_QUESTION_CHARS)
    return text


def insert_question(relative: str, text: str, question: str) -> str:
    """`text` with `question` appended to its front matter's `questions`; raises when that cannot be done safely."""
    newline = "\r\n" if "\r\n" in text.split("\n", 1)[0] + "\n" else "\n"
    opening = _OPENING.match(text)
    if opening is None:
        block = f"---{newline}questions:{newline}  - {_double_quoted(question)}{newline}---{newline}"
        edited = block + text
    else:
        closing = _CLOSING.search(text, opening.end())
        if closing is None:
            raise KnowledgeFileError(relative, "front matter starts with '---' but is never closed")
        front = text[opening.end():closing.start()]
        edited = text[:opening.end()] + _edit_front(relative, front, question, newline) + text[closing.start():]
    _check(relative, text, edited, question)
    return edited


def _edit_front(relative: str, front: str, question: str, newline: str) -> str:
    lines = front.splitlines(keepends=True)
    key = next((number for number, line in enumerate(lines) if _QUESTIONS_KEY.match(line.rstrip("\r\n"))), None)
    if key is None:
        if lines and not lines[-1].endswith("\n"):
            lines[-1] += newline
        return "".join(lines) + f"questions:{newline}  - {_double_quoted(question)}{newline}"
    rest = _QUESTIONS_KEY.match(lines[key].rstrip("\r\n")).group("rest")
    value = _without_comment(rest).strip()
    if value.startswith("["):
        return _append_to_flow(relative, front, lines, key, question, newline)
    if value:
        raise FrontMatterEditError(f"{relative}: questions is {value!r}, not a list; make it a list first")
    return _append_to_block(lines, key, question, newline)


def _append_to_block(lines: list[str], key: int, question: str, newline: str) -> str:
    """After the last line of the block list under `questions:` (an empty key becomes a one-item list)."""
    last = key
    indent = "  "
    found_item = False  # the first item's indentation is the list's
    for number in range(key + 1, len(lines)):
        line = lines[number].rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if _TOP_LEVEL.match(line):
            break
        if not found_item and line.lstrip().startswith("-"):
            indent = line[: len(line) - len(line.lstrip())]
            found_item = True
        last = number
    style = _block_style(lines[key + 1:last + 1])
    if not lines[last].endswith("\n"):
        lines[last] += newline
    lines.insert(last + 1, f"{indent}- {_scalar(question, style, flow=False)}{newline}")
    return "".join(lines)


def _append_to_flow(relative: str, front: str, lines: list[str], key: int, question: str, newline: str) -> str:
    """After the flow list's last item, before its `]`: on a line of its own, indented like the last item, when
    the `]` stands on its own line; a trailing comma is kept as the list's style."""
    start = sum(len(line) for line in lines[:key]) + lines[key].index("[")
    end = _closing_bracket(front, start)
    if end is None:
        raise FrontMatterEditError(f"{relative}: the questions list is never closed with ']'")
    inside = front[start + 1:end]
    content_end = start + 1 + len(inside.rstrip())
    item = _scalar(question, _flow_style(inside), flow=True)
    if content_end == start + 1:
        return front[:content_end] + item + front[content_end:]
    trailing_comma = front[content_end - 1] == ","
    if "\n" in front[content_end:end]:
        last_line = front[front.rfind("\n", 0, content_end) + 1:content_end]
        indent = last_line[: len(last_line) - len(last_line.lstrip())]
        added = f"{newline}{indent}{item}," if trailing_comma else f",{newline}{indent}{item}"
    else:
        added = f" {item}," if trailing_comma else f", {item}"
    return front[:content_end] + added + front[content_end:]


def _closing_bracket(text: str, start: int) -> int | None:
    depth = 0
    quote: str | None = None
    position = start
    while position < len(text):
        char = text[position]
        if quote == "'":
            if char == "'" and text[position + 1:position + 2] == "'":
                position += 1
            elif char == "'":
                quote = None
        elif quote == '"':
            if char == "\\":
                position += 1
            elif char == '"':
                quote = None
        elif char in "'\"":
            quote = char
        elif char == "#" and text[position - 1] in " \t\n":
            newline = text.find("\n", position)
            position = len(text) if newline < 0 else newline
            continue
        elif char in "[{":
            depth += 1
        elif char in "]}":
            depth -= 1
            if depth == 0:
                return position
        position += 1
    return None


def _block_style(lines: list[str]) -> str:
    """How the last item of a block list is written: `"` (double quotes), `'` (single quotes) or `` (plain)."""
    items = [match.group(1) for line in lines if (match := re.match(r"\s*-\s+(\S)", line))]
    return _style_of(items[-1]) if items else '"'


def _flow_style(inside: str) -> str:
    """How the last item of a flow list is written, from the character that ends it."""
    content = inside.rstrip().rstrip(",").rstrip()
    return _style_of(content[-1]) if content else '"'


def _style_of(character: str) -> str:
    return character if character in "'\"" else ""


def _scalar(question: str, style: str, *, flow: bool) -> str:
    """The question in the list's own quoting style when that reads back exactly; in double quotes otherwise."""
    if style == "'":
        return "'" + question.replace("'", "''") + "'"
    if style == "" and not (flow and _FLOW_UNSAFE.search(question)):
        try:
            if yaml.safe_load(f"[{question}]" if flow else f"- {question}") == [question]:
                return question
        except yaml.YAMLError:
            pass  # not a plain scalar: it is written in double quotes below
    return _double_quoted(question)


def _double_quoted(question: str) -> str:
    return json.dumps(question, ensure_ascii=False)


def _without_comment(value: str) -> str:
    match = re.search(r"(^|\s)#", value)
    return value[:match.start()] if match else value


def _existing_questions(relative: str, text: str) -> list[str]:
    opening = _OPENING.match(text)
    if opening is None:
        return []
    front = _front_matter(relative, text)
    value = front.get("questions")
    if value is None:
        return []
    if not isinstance(value, list):
        raise FrontMatterEditError(f"{relative}: questions is {value!r}, not a list; make it a list first")
    return [str(item) for item in value if item is not None]


def _front_matter(relative: str, text: str) -> dict:
    opening = _OPENING.match(text)
    if opening is None:
        return {}
    closing = _CLOSING.search(text, opening.end())
    if closing is None:
        raise KnowledgeFileError(relative, "front matter starts with '---' but is never closed")
    try:
        front = yaml.safe_load(text[opening.end():closing.start()]) or {}
    except yaml.YAMLError:
        raise KnowledgeFileError(relative, "front matter is not valid YAML") from None
    if not isinstance(front, dict):
        raise KnowledgeFileError(relative, "front matter must be a mapping of keys to values")
    return front


def _check(relative: str, before: str, after: str, question: str) -> None:
    """The edit added exactly one question and changed nothing else the loader reads."""
    old, new = _front_matter(relative, before), _front_matter(relative, after)
    expected = {**old, "questions": [*(old.get("questions") or []), question]}
    if new != expected or _body(before) != _body(after):
        raise FrontMatterEditError(f"{relative}: could not add the question without changing anything else; "
                                   "add it by hand")


def _body(text: str) -> str:
    opening = _OPENING.match(text)
    if opening is None:
        return text
    closing = _CLOSING.search(text, opening.end())
    return text[closing.end():].removeprefix("\n") if closing else text


def _same(first: str, second: str) -> bool:
    return " ".join(first.casefold().split()) == " ".join(second.casefold().split())


def _write(path: Path, text: str) -> None:
    """Replace the file at once (a temporary file beside it, then a rename), keeping its permissions."""
    mode = path.stat().st_mode
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as file:
            file.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
