"""`assistant knowledge check`: what knowledge managers should fix, page by page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from assistant.pages.loader import load_pages

REQUIRED_FIELDS = ("owner", "review_by")


@dataclass
class PagesCheck:
    """Broken files (not loaded), incomplete pages (missing fields) and stale pages (past review)."""

    pages: int = 0
    broken: list[dict] = field(default_factory=list)
    incomplete: list[dict] = field(default_factory=list)
    stale: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken

    def as_dict(self) -> dict:
        return {"pages": self.pages, "broken": self.broken, "incomplete": self.incomplete, "stale": self.stale,
                "ok": self.ok}


def check_pages(directory: Path, today: dt.date | None = None) -> PagesCheck:
    today = today or dt.date.today()
    loaded = load_pages(directory)
    result = PagesCheck(pages=len(loaded.documents))
    result.broken = [{"path": problem.path, "reason": problem.reason} for problem in loaded.problems]
    for document in loaded.documents:
        missing = [name for name in REQUIRED_FIELDS if getattr(document, name) in (None, "")]
        if missing:
            result.incomplete.append({"path": document.path, "missing": missing})
        if document.review_by is not None and document.review_by < today:
            result.stale.append({"path": document.path, "title": document.title, "owner": document.owner,
                                 "review_by": document.review_by.isoformat(),
                                 "days_overdue": (today - document.review_by).days})
    result.stale.sort(key=lambda page: -page["days_overdue"])
    return result
