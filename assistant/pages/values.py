"""The company's values, read from the purpose page(s), and the "why" line of a page that serves one.

A value is a section of a knowledge page marked with `<!-- value: SLUG -->` under its heading; the same slug
in each language's purpose page makes them one value. The "why" line is the value's name (its heading) and
its first sentence, or the short text of a `<!-- why: ... -->` marker in the same section. It is always
quoted from the knowledge, never written by the assistant. Both markers are HTML comments, which pages never
show and search never reads.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from assistant.models import Chunk, Document
from assistant.pages.markdown_text import markdown_to_text

VALUE_MARKER = re.compile(r"<!--\s*value\s*:\s*(.*?)\s*-->", re.IGNORECASE | re.DOTALL)
WHY_MARKER = re.compile(r"<!--\s*why\s*:\s*(.*?)\s*-->", re.IGNORECASE | re.DOTALL)
SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")
_FIRST_SENTENCE = re.compile(r"^(.+?[.!?])(?=\s|$)", re.DOTALL)
MAX_WHY_WORDS = 40
FALLBACK_LANGUAGE = "en"


@dataclass(frozen=True)
class Value:
    """One value in one language: where it is defined and its "why" line."""

    slug: str
    language: str
    name: str
    why: str
    path: str

    @property
    def line(self) -> str:
        """What an answer shows: `Name: first sentence`."""
        return f"{self.name}: {self.why}"


@dataclass
class ValuesCatalog:
    """Every value defined in the knowledge, by slug and language, and the marker problems met on the way."""

    values: dict[tuple[str, str], Value] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)

    @classmethod
    def from_documents(cls, documents: Iterable[Document]) -> ValuesCatalog:
        catalog = cls()
        for document in sorted(documents, key=lambda page: page.path):
            for value in _values_in(document, catalog.problems):
                key = (value.slug, value.language)
                if key in catalog.values:
                    catalog.problems.append({
                        "path": document.path, "value": value.slug,
                        "reason": f"value {value.slug!r} is already defined in {catalog.values[key].path}"})
                    continue
                catalog.values[key] = value
        return catalog

    @property
    def slugs(self) -> frozenset[str]:
        return frozenset(slug for slug, _ in self.values)

    def find(self, slug: str, language: str) -> Value | None:
        """The value in `language`, else in English, else in the first other language that defines it."""
        for candidate in (language, FALLBACK_LANGUAGE):
            if (slug, candidate) in self.values:
                return self.values[(slug, candidate)]
        others = sorted(other for known, other in self.values if known == slug)
        return self.values[(slug, others[0])] if others else None

    def why_for(self, document: Document) -> str | None:
        """The line for the first value `document` names that exists, in its language; None when it names none."""
        for slug in document.values:
            value = self.find(slug, document.language)
            if value is not None:
                return value.line
        return None

    def unknown_links(self, documents: Iterable[Document]) -> list[dict]:
        """One entry per value a page names that no page defines."""
        known = self.slugs
        return [{"path": document.path, "value": slug, "reason": f"no value named {slug!r}"}
                for document in documents for slug in document.values if slug not in known]


def with_why(chunks: list[Chunk], why: str | None) -> list[Chunk]:
    """The page's chunks carrying its why line (unchanged when it has none)."""
    return chunks if why is None else [replace(chunk, why=why) for chunk in chunks]


def _values_in(document: Document, problems: list[dict]) -> list[Value]:
    found = []
    for heading, lines in _sections(document.body):
        raw = "\n".join(lines)
        slugs = [match.group(1) for match in VALUE_MARKER.finditer(raw)]
        if not slugs:
            continue
        if heading is None or len(slugs) > 1 or not SLUG.match(slugs[0]):
            reason = ("a value marker must sit under a heading" if heading is None
                      else "one value marker per section" if len(slugs) > 1
                      else f"value name {slugs[0]!r} is not a slug (lower-case words joined by '-')")
            problems.append({"path": document.path, "value": slugs[0], "reason": reason})
            continue
        why = _declared_why(raw) or _first_sentence(markdown_to_text(raw))
        if not why:
            problems.append({"path": document.path, "value": slugs[0],
                             "reason": f"value {slugs[0]!r} has no text to quote"})
            continue
        found.append(Value(slugs[0], document.language, markdown_to_text(heading), why, document.path))
    return found


def _sections(body: str) -> list[tuple[str | None, list[str]]]:
    """(heading, lines) for each heading of `body`, the text before the first one under None."""
    sections: list[tuple[str | None, list[str]]] = [(None, [])]
    in_fence = False
    for line in body.splitlines():
        if _FENCE.match(line):
            in_fence = not in_fence
        heading = None if in_fence else _HEADING.match(line)
        if heading is None:
            sections[-1][1].append(line)
        else:
            sections.append((heading.group(2), []))
    return sections


def _declared_why(raw: str) -> str | None:
    match = WHY_MARKER.search(raw)
    return _one_line(match.group(1)) if match else None


def _first_sentence(text: str) -> str | None:
    text = _one_line(text)
    if not text:
        return None
    match = _FIRST_SENTENCE.match(text)
    return match.group(1) if match else text


def _one_line(text: str) -> str:
    words = text.split()
    return " ".join(words) if len(words) <= MAX_WHY_WORDS else " ".join(words[:MAX_WHY_WORDS]) + " …"
