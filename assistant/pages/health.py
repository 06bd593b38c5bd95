"""Knowledge health: every page with its owner, audience, language and review date, the open gaps that point at
it, and the open gaps asked in another language that suggested it, for the people who keep the pages (the
console's knowledge health page)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.interactions.records import GapReason, GapState
from assistant.pages.checks import REQUIRED_FIELDS, broken_links, sections_without_twins, untwinned_reason
from assistant.pages.loader import load_pages

if TYPE_CHECKING:
    from assistant.ports import ListsGaps

MAX_GAPS = 5000


@dataclass(frozen=True)
class PageHealth:
    """One page as its owner should see it: metadata, how overdue its review is, the gaps near it, and what is wrong
    with it (`warnings`: malformed fields, `values` or `translation_of` links that cannot hold, and a country's
    section with no twin for another country of the page).

    `asked_across` counts the open gaps asked in another language whose held-back reply suggested this page: staff
    who needed it and could not read it as an answer, a sign it needs a version in their language."""

    path: str
    title: str
    owner: str | None
    audience: str
    language: str
    review_by: dt.date | None
    days_overdue: int | None
    url: str | None
    open_gaps: int
    thumbs_down: int
    missing: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    asked_across: int = 0

    @property
    def overdue(self) -> bool:
        return self.days_overdue is not None and self.days_overdue > 0


@dataclass(frozen=True)
class KnowledgeHealthReport:
    """The pages (overdue first, most overdue first; then by review date), the files that did not load, and
    every owner named, for the owner filter."""

    pages: list[PageHealth]
    broken: list[tuple[str, str]] = field(default_factory=list)
    owners: list[str] = field(default_factory=list)
    owner: str | None = None


class KnowledgeHealth:
    """Reads the knowledge folder and the gap log; `report(owner)` is one owner's pages, or every page."""

    def __init__(self, directory: Path, gaps: ListsGaps, today: Callable[[], dt.date] = dt.date.today) -> None:
        self._directory = directory
        self._gaps = gaps
        self._today = today

    def report(self, owner: str | None = None) -> KnowledgeHealthReport:
        today = self._today()
        loaded = load_pages(self._directory)
        open_gaps: Counter[str] = Counter()
        thumbs_down: Counter[str] = Counter()
        asked_across: Counter[str] = Counter()
        for gap in self._gaps.gaps(limit=MAX_GAPS, state=GapState.OPEN):
            asked_across.update({page.path for page in gap.crosslingual_suggestions})
            if gap.top_citation_path:
                open_gaps[gap.top_citation_path] += 1
                if gap.gap_reason is GapReason.NEGATIVE_FEEDBACK:
                    thumbs_down[gap.top_citation_path] += 1
        link_reasons = broken_links(loaded.documents).reasons_by_page()
        pages = []
        for document in loaded.documents:
            if owner is not None and document.owner != owner:
                continue
            overdue = (today - document.review_by).days if document.review_by is not None else None
            pages.append(PageHealth(
                path=document.path, title=document.title, owner=document.owner, audience=document.audience,
                language=document.language, review_by=document.review_by, days_overdue=overdue, url=document.url,
                open_gaps=open_gaps[document.path], thumbs_down=thumbs_down[document.path],
                asked_across=asked_across[document.path],
                missing=tuple(name for name in REQUIRED_FIELDS if getattr(document, name) in (None, "")),
                warnings=document.warnings + tuple(link_reasons.get(document.path, ()))
                + tuple(untwinned_reason(problem) for problem in sections_without_twins(document))))
        pages.sort(key=_urgency)
        owners = sorted({document.owner for document in loaded.documents if document.owner})
        return KnowledgeHealthReport(pages, [(problem.path, problem.reason) for problem in loaded.problems],
                                     owners, owner)


def _urgency(page: PageHealth) -> tuple:
    """Overdue pages first (most overdue first), then pages without a review date, then by review date."""
    if page.overdue:
        return (0, -(page.days_overdue or 0), page.path)
    if page.review_by is None:
        return (1, 0, page.path)
    return (2, page.review_by.toordinal(), page.path)
