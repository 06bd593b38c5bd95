"""Splits documents into heading-scoped chunks sized for the embedding model."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from assistant.knowledge.markdown_text import markdown_to_text
from assistant.models import Chunk, Document

_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


@dataclass(frozen=True)
class ChunkingPolicy:
    """How big chunks may grow. MiniLM reads 256 word pieces; 160 words stays inside that."""

    max_words: int = 160
    min_words: int = 12


@dataclass
class _Section:
    path: tuple[str, ...]
    lines: list[str]


def chunk_document(document: Document, policy: ChunkingPolicy | None = None) -> list[Chunk]:
    """Section chunks for `document`, plus one page card (title, tags, questions) for page-level search."""
    policy = policy or ChunkingPolicy()
    chunks: list[Chunk] = []
    card = _page_card(document)
    if card:
        chunks.append(_make_chunk(document, "", card, 0, kind="card"))
    for section in _sections(document.body):
        text = markdown_to_text("\n".join(section.lines))
        if not text:
            continue
        section_name = " > ".join(section.path)
        for ordinal, piece in enumerate(_split_to_size(text, policy)):
            chunks.append(_make_chunk(document, section_name, piece, ordinal))
    return _merge_tiny(chunks, policy)


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
        if carry is not None and chunk.kind == "section":
            text = f"{carry.section}: {carry.text}\n\n{chunk.text}" if carry.section else f"{carry.text}\n\n{chunk.text}"
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
