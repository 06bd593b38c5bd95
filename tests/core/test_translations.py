"""Pages linked as translations (`translation_of`): loaded from front matter, grouped across chained links, checked by
`assistant knowledge check`, and used by cross-lingual search, which never offers a page across languages when its
translation in the asker's language exists."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.access import visible_audiences
from assistant.pages.checks import check_pages
from assistant.pages.loader import parse_page
from assistant.pages.translations import TranslationGroups, link_problems
from tests.conftest import KNOWLEDGE_DIR, PROJECT_ROOT

LANGUAGES = {"en/leave.md": "en", "it/ferie.md": "it", "fr/conges.md": "fr", "en/other.md": "en"}


def test_links_chain_into_one_group_and_each_page_finds_its_counterpart_in_a_language():
    groups = TranslationGroups.from_links({"it/ferie.md": "en/leave.md", "fr/conges.md": "en/leave.md"}, LANGUAGES)

    assert groups.counterpart("it/ferie.md", "fr") == "fr/conges.md", "linked through the English page"
    assert groups.counterpart("en/leave.md", "it") == "it/ferie.md", "a link holds in both directions"
    assert groups.counterpart("it/ferie.md", "it") is None, "a page is not its own translation"
    assert groups.counterpart("en/other.md", "it") is None


def test_links_that_cannot_hold_are_ignored_and_reported():
    links = {"it/ferie.md": "en/missing.md", "en/other.md": "en/leave.md", "fr/conges.md": "fr/conges.md"}
    groups = TranslationGroups.from_links(links, LANGUAGES)
    assert groups.groups == {}

    reasons = {problem["path"]: problem["reason"] for problem in link_problems(links, LANGUAGES)}
    assert reasons["it/ferie.md"] == "no page en/missing.md in the knowledge directory"
    assert reasons["en/other.md"] == "en/leave.md is in the same language (en)"
    assert reasons["fr/conges.md"] == "a page cannot be its own translation"


def test_two_pages_of_one_language_in_one_group_are_reported():
    languages = {**LANGUAGES, "it/ferie-vecchia.md": "it"}
    links = {"it/ferie.md": "en/leave.md", "it/ferie-vecchia.md": "en/leave.md"}
    [problem] = link_problems(links, languages)
    assert problem["path"] == "it/ferie.md" and "also in it" in problem["reason"]


def page(front: str) -> bytes:
    return f"---\ntitle: Ferie\nlanguage: it\n{front}---\nTesto della pagina.\n".encode()


def test_the_loader_reads_the_link_and_keeps_a_page_whose_link_is_malformed():
    assert parse_page("it/ferie.md", page("translation_of: en/staff/annual-leave.md\n")).translation_of == \
        "en/staff/annual-leave.md"
    assert parse_page("it/ferie.md", page("")).translation_of is None
    malformed = parse_page("it/ferie.md", page("translation_of: [en/a.md, en/b.md]\n"))
    assert malformed.translation_of is None and malformed.body.strip() == "Testo della pagina."
    assert malformed.warnings[0].startswith("translation_of must be one page's path")


def write(directory: Path, path: str, language: str, link: str | None = None) -> None:
    lines = ["---", f"title: Page {path}", "owner: Knowledge Team", f"language: {language}", "review_by: 2099-01-01"]
    lines += [f"translation_of: {link}"] if link else []
    lines += ["---", "Some text.", ""]
    (directory / path).parent.mkdir(parents=True, exist_ok=True)
    (directory / path).write_text("\n".join(lines), encoding="utf-8")


def test_knowledge_check_lists_broken_links_as_warnings_and_the_cli_prints_them(tmp_path):
    write(tmp_path, "en/leave.md", "en")
    write(tmp_path, "it/ferie.md", "it", "en/leave.md")
    write(tmp_path, "it/resi.md", "it", "en/returns.md")
    write(tmp_path, "it/rimborsi.md", "it", "{oops: 1}")
    result = check_pages(tmp_path, today=dt.date(2026, 1, 1))

    assert result.ok, "a broken link is a warning: the page still loads"
    assert [(problem["path"], problem["translation_of"]) for problem in result.translations] == [
        ("it/rimborsi.md", None), ("it/resi.md", "en/returns.md")]
    assert result.as_dict()["translations"] == result.translations

    printed = subprocess.run([sys.executable, "-m", "connectors.cli", "knowledge", "check", str(tmp_path)],
                             capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    assert printed.returncode == 0, printed.stderr
    assert "LINK     it/resi.md: translation_of 'en/returns.md' ignored: no page en/returns.md" in printed.stdout
    assert "LINK     it/rimborsi.md: translation_of must be one page's path" in printed.stdout


def test_the_demo_knowledge_links_its_translated_pages_without_problems():
    result = check_pages(KNOWLEDGE_DIR, today=dt.date(2026, 1, 1))
    assert result.translations == []
    groups = TranslationGroups.from_links(*_links_and_languages(KNOWLEDGE_DIR))
    assert groups.counterpart("it/staff/ferie.md", "en") == "en/staff/annual-leave.md"
    assert groups.counterpart("en/customers/refunds.md", "it") == "it/customers/rimborsi.md"
    assert groups.counterpart("it/staff/buoni-pasto.md", "en") is None, "a page only in Italian has none"


def _links_and_languages(directory: Path) -> tuple[dict, dict]:
    from assistant.pages.loader import load_pages

    documents = load_pages(directory).documents
    return ({document.path: document.translation_of for document in documents},
            {document.path: document.language for document in documents})


@pytest.mark.parametrize(("question", "asked_in", "translated", "counterpart"), [
    ("quanti giorni di ferie mi spettano?", "it", "en/staff/annual-leave.md", "it/staff/ferie.md"),
    ("how many days of annual leave do I get?", "en", "it/staff/ferie.md", "en/staff/annual-leave.md"),
])
def test_cross_lingual_search_never_offers_a_page_whose_translation_the_asker_can_read(
        company_services, question, asked_in, translated, counterpart):
    searcher = company_services.skill.crosslingual
    results = {result.language: result for result in searcher.search(question, visible_audiences("staff"),
                                                                      asked_in=asked_in)}
    other = "en" if asked_in == "it" else "it"
    assert translated not in [hit.passage.path for hit in results[other].hits]
    assert counterpart in [hit.passage.path for hit in results[asked_in].hits]
    # Searched as if asked in the other language, the same page is offered again: only the asker's language hides it.
    again = {result.language: result for result in searcher.search(question, visible_audiences("staff"),
                                                                    asked_in=other)}
    assert translated in [hit.passage.path for hit in again[other].hits]
