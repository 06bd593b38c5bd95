"""Splits documents into heading-scoped chunks sized for the embedding model."""

from __future__ import annotations

import hashlib
import itertools
import re
from dataclasses import dataclass, replace

from assistant.models import Chunk, Document
from assistant.pages.markdown_text import markdown_to_text
from assistant.pages.signposts import without_signposts

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_SENTENCE_BREAK = re.compile(r"(?<=[.!?:])\s+(?=[A-Z0-9\-\"'(])|\n+")


@dataclass(frozen=True)
class ChunkingPolicy:
    """How big passages grow, and the windows that are embedded inside them.

    A passage is what an answer quotes and cites. With `pack_sections`, consecutive sections
    of a page are packed into one passage of up to `max_words` (each section led by its
    heading), because neighbouring short sections often answer a question together. A
    passage may be longer than the 256 word pieces MiniLM reads, so each of its sections is
    also embedded on its own as a window (and a section longer than `window_words` as
    runs of a few sentences): the best window speaks for its passage. Windows do not overlap
    by default: on the handbook dev set, sharing a sentence between neighbours gave 5% more
    vectors and a lower R@1 (0.817 against 0.850), as the best of many near-duplicate windows
    flatters long sections. Windows leave out signpost sentences ("This page explains…",
    `assistant.pages.signposts`): replies quote windows, and a signpost is no answer.
    """

    max_words: int = 320
    min_words: int = 12
    window_words: int = 70
    window_overlap: int = 0
    """Sentences shared by neighbouring windows."""
    pack_sections: bool = True


@dataclass(frozen=True)
class _Unit:
    """One section, or one piece of a long section: the raw text and the text led by its heading."""

    section: str
    ordinal: int
    text: str
    led: str


@dataclass
class _Section:
    path: tuple[str, ...]
    lines: list[str]


def chunk_document(document: Document, policy: ChunkingPolicy | None = None) -> list[Chunk]:
    """Section chunks for `document`, plus one page card (title, tags, questions) for page-level search and one
    `question` chunk per phrasing in its `questions` (see `phrasings`), which the index lets speak for the passage
    closest to it."""
    policy = policy or ChunkingPolicy()
    chunks: list[Chunk] = []
    card = _page_card(document)
    if card:
        chunks.append(_make_chunk(document, "", card, 0, kind="card"))
    chunks.extend(_make_chunk(document, "", phrasing, ordinal, kind="question")
                  for ordinal, phrasing in enumerate(phrasings(document)))
    if policy.pack_sections:
        return chunks + _packed(document, policy)
    for section in _sections(document.body):
        text = markdown_to_text("\n".join(section.lines))
        if not text:
            continue
        section_name = " > ".join(section.path)
        for ordinal, piece in enumerate(_split_to_size(text, policy)):
            chunks.append(_make_chunk(document, section_name, piece, ordinal))
    passages = _merge_tiny(chunks, policy)
    positions = itertools.count()
    passages = [replace(passage, position=next(positions)) if passage.kind == "section" else passage
                for passage in passages]
    return passages + [window for passage in passages for window in _windows(passage, policy)]


def _units(document: Document, policy: ChunkingPolicy) -> list[_Unit]:
    units = []
    for section in _sections(document.body):
        text = markdown_to_text("\n".join(section.lines))
        if not text:
            continue
        heading = section.path[-1] if section.path else ""
        budget = replace(policy, max_words=max(policy.max_words - len(heading.split()), policy.min_words))
        for ordinal, piece in enumerate(_split_to_size(text, budget)):
            led = _with_heading(heading, piece) if heading and ordinal == 0 else piece
            units.append(_Unit(" > ".join(section.path), ordinal, piece, led))
    return units


def _with_heading(heading: str, text: str) -> str:
    return f"{heading}\n{text}" if heading[-1:] in ".?!:" else f"{heading}: {text}"


def _packed(document: Document, policy: ChunkingPolicy) -> list[Chunk]:
    """Passages packed from consecutive units, then each passage's windows."""
    groups: list[list[_Unit]] = []
    size = 0
    for unit in _units(document, policy):
        words = len(unit.led.split())
        # A near-empty section always joins its successor, even past `max_words`.
        if groups and (size + words <= policy.max_words or size < policy.min_words):
            groups[-1].append(unit)
            size += words
        else:
            groups.append([unit])
            size = words
    passages: list[Chunk] = []
    windows: list[Chunk] = []
    for position, group in enumerate(groups):
        first = group[0]
        passage = replace(_make_chunk(document, first.section, "\n\n".join(unit.led for unit in group),
                                      first.ordinal), position=position)
        passages.append(passage)
        texts: list[tuple[str, str]] = []
        for unit in group:
            text = without_signposts(unit.text)
            words = len(text.split())
            if words > policy.window_words:
                texts.extend((unit.section, piece) for piece in _sentence_windows(text, policy))
            elif (len(group) > 1 or text != unit.text) and words >= policy.min_words:
                texts.append((unit.section, text))
        windows.extend(_window(passage, number, section, text) for number, (section, text) in enumerate(texts))
    return passages + windows


def _window(passage: Chunk, number: int, section: str, text: str) -> Chunk:
    return _rebuild(Chunk(**{**passage.__dict__, "chunk_id": f"{passage.chunk_id}-w{number}", "kind": "window",
                             "parent_id": passage.chunk_id, "section": section}), text)


def window_number(window: Chunk) -> int:
    """A window's position inside its passage (the number `_window` put in its id)."""
    return int(window.chunk_id.rsplit("-w", 1)[1])


def _windows(passage: Chunk, policy: ChunkingPolicy) -> list[Chunk]:
    """Overlapping runs of sentences inside a long passage (without section packing)."""
    if passage.kind != "section" or len(passage.text.split()) <= policy.window_words:
        return []
    return [_window(passage, number, passage.section, text)
            for number, text in enumerate(_sentence_windows(without_signposts(passage.text), policy))]


def _sentence_windows(text: str, policy: ChunkingPolicy) -> list[str]:
    """Runs of sentences of `window_words` at most, neighbours sharing `window_overlap` sentences."""
    sentences = [s for s in _SENTENCE_BREAK.split(text) if s.strip()]
    windows: list[str] = []
    start = 0
    limit = policy.window_words
    while start < len(sentences):
        end, words = start, 0
        while end < len(sentences) and (end == start or words + len(sentences[end].split()) <= limit):
            words += len(sentences[end].split())
            end += 1
        windows.append(" ".join(sentences[start:end]))
        if end >= len(sentences):
            break
        start = max(end - policy.window_overlap, start + 1)
    return windows


MIN_PHRASING_WORDS = 3


def phrasings(document: Document) -> list[str]:
    """The page's `questions` that are other ways to ask what it answers: at least three words of text. Shorter
    items (a chat channel or an address, as some handbooks use the key) stay in the page card only."""
    found = []
    for question in document.questions:
        text = markdown_to_text(question)
        if len(text.split()) >= MIN_PHRASING_WORDS and not text.startswith("{") and text not in found:
            found.append(text)
    return found


def section_names(document: Document) -> list[str]:
    """The document's sections as its chunks name them (the heading path joined by " > "), in page order, once
    each; a heading with no text of its own names no chunk and is left out."""
    return list(dict.fromkeys(unit.section for unit in _units(document, ChunkingPolicy())))


def _page_card(document: Document) -> str:
    parts = []
    if document.tags:
        parts.append("Keywords: " + ", ".join(document.tags))
    if document.questions:
        parts.append("Questions: " + " ".join(markdown_to_text(q) for q in document.questions))
    return "\n".join(parts)


def _sections(body: str) -> list[_Section]:
    sections = [_Section((), [])]
    stack: list[tuple[int, str]] = []
    in_fence = False
    for line in body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _HEADING.match(line)
        if heading is None:
            sections[-1].lines.append(line)
            continue
        level, name = len(heading.group(1)), markdown_to_text(heading.group(2))
        while stack and stack[-1][0] >= level:
            stack.pop()
        if level > 1:
            stack.append((level, name))
        sections.append(_Section(tuple(title for _, title in stack), []))
    return sections


def _split_to_size(text: str, policy: ChunkingPolicy) -> list[str]:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]
    pieces: list[str] = []
    current: list[str] = []
    current_words = 0
    for paragraph in paragraphs:
        for part in _split_long_paragraph(paragraph, policy.max_words):
            words = len(part.split())
            if current and current_words + words > policy.max_words:
                pieces.append("\n\n".join(current))
                current, current_words = [], 0
            current.append(part)
            current_words += words
    if current:
        pieces.append("\n\n".join(current))
    return pieces


def _split_long_paragraph(paragraph: str, max_words: int) -> list[str]:
    if len(paragraph.split()) <= max_words:
        return [paragraph]
    units = re.split(r"(?<=[.!?])\s+|\n", paragraph)
    parts: list[str] = []
    current: list[str] = []
    for unit in units:
        if current and len(" ".join([*current, unit]).split()) > max_words:
            parts.append(" ".join(current))
            current = []
        current.append(unit)
    if current:
        parts.append(" ".join(current))
    return parts


def _merge_tiny(chunks: list[Chunk], policy: ChunkingPolicy) -> list[Chunk]:
    """Fold a near-empty section (a heading with one short line) into the next one of its page."""
    merged: list[Chunk] = []
    carry: Chunk | None = None
    for chunk in chunks:
        if carry is not None and chunk.kind == "section" and chunk.path == carry.path:
            lead = f"{carry.section}: {carry.text}" if carry.section else carry.text
            text = f"{lead}\n\n{chunk.text}"
            chunk = _rebuild(chunk, text)
            carry = None
        if chunk.kind == "section" and len(chunk.text.split()) < policy.min_words:
            carry = chunk
            continue
        merged.append(chunk)
    if carry is not None:
        merged.append(carry)
    return merged


def _make_chunk(document: Document, section: str, text: str, ordinal: int, kind: str = "section") -> Chunk:
    chunk_id = _digest(f"{document.path}\x1f{kind}\x1f{section}\x1f{ordinal}")[:20]
    draft = Chunk(
        chunk_id=chunk_id,
        path=document.path,
        title=document.title,
        section=section,
        text=text,
        content_hash="",
        owner=document.owner,
        audience=document.audience,
        language=document.language,
        url=document.url,
        kind=kind,
        translation_of=document.translation_of,
    )
    return _rebuild(draft, text)


def _rebuild(chunk: Chunk, text: str) -> Chunk:
    fields = {**chunk.__dict__, "text": text}
    fields["content_hash"] = _digest(
        "\x1f".join([fields["title"], fields["section"], text, fields["owner"] or "", fields["audience"],
                     fields["language"], fields["url"] or "", fields["kind"]])
    )
    return Chunk(**fields)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8")).hexdigest()
