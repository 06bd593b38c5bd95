"""`assistant knowledge check`: what knowledge managers should fix, page by page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from assistant.countries import COUNTRY_NAMES, countries_named, twin_countries
from assistant.models import Document
from assistant.pages.chunker import phrasings, section_names
from assistant.pages.loader import load_pages
from assistant.pages.translations import link_problems
from assistant.pages.values import ValuesCatalog
from assistant.retrieval.language import guess_language

REQUIRED_FIELDS = ("owner", "review_by")


@dataclass
class PagesCheck:
    """Broken files (not loaded), incomplete pages (missing fields), stale pages (past review) and value problems.

    `values` lists links to values that do not exist, malformed `values` front matter and bad value markers
    (`{"path", "value", "reason"}`): the pages still load, but they show no "why" line until it is fixed.

    `phrasings` lists pages that have no `questions` phrasing in one of the knowledge base's languages (the languages
    its pages are written in), `{"path", "title", "owner", "missing"}`: staff ask in every one of them, and a page
    only in English with no Italian phrasing is hard to find for a question asked in Italian. A warning, like
    `values`: it never changes `ok`.

    `translations` lists `translation_of` links that cannot hold (`{"path", "translation_of", "reason"}`: a page
    that does not exist, one in the same language, two pages of one language linked into one topic). Such a link
    is ignored; a warning too.

    `countries` lists sections for one country on a page with sections for several that have no twin for another
    of them (`{"path", "title", "owner", "section", "country", "missing"}`: the same heading with the country's name
    changed, `assistant.countries.twin_section`). An asker in the `missing` country is quoted that section, as if
    it were theirs. A warning: a rule may hold in one country only.
    """

    pages: int = 0
    broken: list[dict] = field(default_factory=list)
    incomplete: list[dict] = field(default_factory=list)
    stale: list[dict] = field(default_factory=list)
    values: list[dict] = field(default_factory=list)
    phrasings: list[dict] = field(default_factory=list)
    translations: list[dict] = field(default_factory=list)
    countries: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.broken

    def as_dict(self) -> dict:
        return {"pages": self.pages, "broken": self.broken, "incomplete": self.incomplete, "stale": self.stale,
                "values": self.values, "phrasings": self.phrasings, "translations": self.translations,
                "countries": self.countries, "ok": self.ok}


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
    links = broken_links(loaded.documents)
    result.values = [{"path": document.path, "value": None, "reason": warning}
                     for document in loaded.documents for warning in document.warnings
                     if not warning.startswith("translation_of")]
    result.values += links.values
    languages = sorted({document.language for document in loaded.documents})
    for document in loaded.documents:
        missing = missing_phrasing_languages(document, languages)
        if missing:
            result.phrasings.append({"path": document.path, "title": document.title, "owner": document.owner,
                                     "missing": missing})
    result.translations = [{"path": document.path, "translation_of": None, "reason": warning}
                           for document in loaded.documents for warning in document.warnings
                           if warning.startswith("translation_of")]
    result.translations += links.translations
    result.countries = [{"path": document.path, "title": document.title, "owner": document.owner, **untwinned}
                        for document in loaded.documents for untwinned in sections_without_twins(document)]
    return result


@dataclass(frozen=True)
class BrokenLinks:
    """Links between pages that cannot hold, found by reading every page together (a page's own malformed front
    matter is in its `warnings` instead): `values` to values no page defines and bad value markers, `translations`
    as `link_problems` reports them. Each entry is `{"path", ..., "reason"}`."""

    values: list[dict]
    translations: list[dict]

    def reasons_by_page(self) -> dict[str, list[str]]:
        """Each page's problems as short sentences naming the front-matter field."""
        reasons: dict[str, list[str]] = {}
        for field_name, problems in (("values", self.values), ("translation_of", self.translations)):
            for problem in problems:
                reasons.setdefault(problem["path"], []).append(f"{field_name}: {problem['reason']}")
        return reasons


def broken_links(documents: list[Document]) -> BrokenLinks:
    catalog = ValuesCatalog.from_documents(documents)
    return BrokenLinks(
        values=catalog.problems + catalog.unknown_links(documents),
        translations=link_problems({document.path: document.translation_of for document in documents},
                                   {document.path: document.language for document in documents}))


def missing_phrasing_languages(document: Document, languages: list[str]) -> list[str]:
    """The languages among `languages` in which `document` has no `questions` phrasing (an item of three words or
    more, as the chunker counts them). A phrasing's language is guessed from its words (English or Italian, the
    languages the assistant tells apart); one it cannot place counts for the page's own language."""
    written_in = {guess_language(text, default=document.language) for text in phrasings(document)}
    return [language for language in languages if language not in written_in]


def untwinned_reason(problem: dict) -> str:
    """One of `sections_without_twins` as a sentence for the people who keep the page."""
    return (f"section {problem['section']!r} is for {problem['country']} and has no twin for {problem['missing']} "
            f"(the same heading naming {problem['missing']}): askers there are quoted it")


def sections_without_twins(document: Document) -> list[dict]:
    """`{"section", "country", "missing"}` for each section of `document` for one country that has no twin for
    `missing`, another country the page has sections for."""
    sections = section_names(document)
    page_countries = set().union(*(countries_named(section) for section in sections))
    if len(page_countries) < 2:
        return []
    untwinned = []
    for section in sections:
        named = countries_named(section)
        if len(named) != 1:
            continue
        twinned = twin_countries(section, sections)
        untwinned += [{"section": section, "country": next(iter(named)), "missing": missing}
                      for missing in COUNTRY_NAMES
                      if missing in page_countries and missing not in named and missing not in twinned]
    return untwinned
