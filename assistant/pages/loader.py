"""Reads knowledge pages: Markdown files with YAML front matter."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from assistant.access import Audience
from assistant.errors import KnowledgeDirectoryError, KnowledgeFileError
from assistant.models import Document

_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.DOTALL)
_FIRST_HEADING = re.compile(r"^#\s+(.+)$", re.MULTILINE)
AUDIENCES = tuple(audience.value for audience in Audience)


@dataclass
class LoadResult:
    """The documents that loaded, and one problem per file that did not."""

    documents: list[Document] = field(default_factory=list)
    problems: list[KnowledgeFileError] = field(default_factory=list)


def load_pages(directory: Path) -> LoadResult:
    """Load every `*.md` file under `directory`; a broken file is reported and skipped."""
    if not directory.is_dir():
        raise KnowledgeDirectoryError(f"knowledge directory {directory} does not exist")
    result = LoadResult()
    for path in sorted(directory.rglob("*.md")):
        relative = path.relative_to(directory).as_posix()
        try:
            result.documents.append(parse_page(relative, path.read_bytes()))
        except KnowledgeFileError as problem:
            result.problems.append(problem)
    return result


def parse_page(relative_path: str, raw: bytes) -> Document:
    """Parse one page. Raises `KnowledgeFileError` naming the file for any defect."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise KnowledgeFileError(relative_path, f"not valid UTF-8 ({error.reason} at byte {error.start})") from None
    front, body = _split_front_matter(relative_path, text)
    values, warnings = _value_links(front.get("values"))
    translation_of, link_warnings = _translation_link(front.get("translation_of"))
    title = _text_field(front, "title") or _heading_title(body) or _title_from_path(relative_path)
    return Document(
        path=relative_path,
        title=title,
        body=body,
        owner=_text_field(front, "owner"),
        audience=_audience(relative_path, front),
        language=(_text_field(front, "language") or "en").lower(),
        tags=_word_list(front.get("tags")) + _word_list(front.get("keywords")),
        questions=tuple(str(question).strip() for question in _as_list(front.get("questions")) if question),
        review_by=_review_date(relative_path, front.get("review_by")),
        url=_text_field(front, "url"),
        values=values,
        translation_of=translation_of,
        warnings=warnings + link_warnings,
    )


def _split_front_matter(relative_path: str, text: str) -> tuple[dict, str]:
    if not text.startswith("---"):
        return {}, text
    match = _FRONT_MATTER.match(text)
    if match is None:
        raise KnowledgeFileError(relative_path, "front matter starts with '---' but is never closed")
    try:
        front = yaml.safe_load(match.group(1))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" (line {mark.line + 2})" if mark is not None else ""
        raise KnowledgeFileError(relative_path, f"front matter is not valid YAML{where}") from None
    if front is None:
        front = {}
    if not isinstance(front, dict):
        raise KnowledgeFileError(relative_path, "front matter must be a mapping of keys to values")
    return front, text[match.end():]


def _text_field(front: dict, key: str) -> str | None:
    value = front.get(key)
    if value is None:
        return None
    return str(value).strip() or None


def _as_list(value: object) -> list:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return list(value)
    return [value]


def _word_list(value: object) -> tuple[str, ...]:
    words: list[str] = []
    for item in _as_list(value):
        words.extend(part.strip() for part in str(item).split(",") if part.strip())
    return tuple(words)


def _value_links(value: object) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The value slugs a page names, and a warning instead when `values` is not a list of names: a malformed
    link costs the page its "why" line, never the page itself."""
    if value is None:
        return (), ()
    if isinstance(value, list) and all(isinstance(item, str) and item.strip() for item in value):
        return tuple(dict.fromkeys(item.strip().lower() for item in value)), ()
    return (), (f"values must be a list of value names, e.g. values: [straight-talk]; got {value!r} (ignored)",)


def _translation_link(value: object) -> tuple[str | None, tuple[str, ...]]:
    """The page a `translation_of` names (its path under the knowledge directory, with forward slashes), or a
    warning instead when it is not one path: a malformed link costs the page its link, never the page itself."""
    if value is None:
        return None, ()
    if isinstance(value, str) and value.strip():
        return value.strip().replace("\\", "/").lstrip("/"), ()
    return None, (f"translation_of must be one page's path, e.g. translation_of: en/staff/annual-leave.md; "
                  f"got {value!r} (ignored)",)


def _audience(relative_path: str, front: dict) -> str:
    audience = (_text_field(front, "audience") or "all").lower()
    if audience not in AUDIENCES:
        raise KnowledgeFileError(relative_path, f"audience {audience!r} is not one of {', '.join(AUDIENCES)}")
    return audience


def _review_date(relative_path: str, value: object) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value if not isinstance(value, dt.datetime) else value.date()
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        raise KnowledgeFileError(relative_path, f"review_by {value!r} is not a date (YYYY-MM-DD)") from None


def _heading_title(body: str) -> str | None:
    match = _FIRST_HEADING.search(body)
    return match.group(1).strip() if match else None


def _title_from_path(relative_path: str) -> str:
    return Path(relative_path).stem.replace("-", " ").replace("_", " ").capitalize()
