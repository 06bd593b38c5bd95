"""`assistant knowledge check` warns about pages with no `questions` phrasing in one of the knowledge base's
languages: staff ask in each of them, and a page only in English needs Italian phrasings to be found in Italian."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from assistant.pages.checks import check_pages
from tests.conftest import KNOWLEDGE_DIR

TODAY = dt.date(2026, 1, 1)


def write_page(directory: Path, path: str, language: str, questions: list[str] | None) -> None:
    lines = ["---", f"title: Page {path}", "owner: Knowledge Team", f"language: {language}", "review_by: 2099-01-01"]
    if questions is not None:
        lines.append("questions:")
        lines.extend(f'  - "{question}"' for question in questions)
    lines += ["---", "Some text about the subject of the page.", ""]
    target = directory / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("\n".join(lines), encoding="utf-8")


def warnings_by_path(directory: Path) -> dict[str, list[str]]:
    result = check_pages(directory, today=TODAY)
    assert result.ok, "a missing phrasing is a warning, never a broken page"
    assert result.as_dict()["phrasings"] == result.phrasings
    return {page["path"]: page["missing"] for page in result.phrasings}


def test_a_page_in_one_language_is_flagged_for_the_other_language_it_has_no_phrasing_in(tmp_path):
    write_page(tmp_path, "en/english-only.md", "en", ["How long does a customer have to return a rake?"])
    write_page(tmp_path, "en/both.md", "en", ["Can I swap a shift with a colleague?",
                                              "Posso scambiare un turno con un collega?"])
    write_page(tmp_path, "it/solo-italiano.md", "it", ["Quanto vale un buono pasto?"])
    write_page(tmp_path, "it/entrambe.md", "it", ["Chi ha diritto ai buoni pasto?",
                                                  "Who gets meal vouchers in Italy?"])
    assert warnings_by_path(tmp_path) == {"en/english-only.md": ["it"], "it/solo-italiano.md": ["en"]}


def test_no_phrasings_or_only_short_items_count_as_missing_in_every_language(tmp_path):
    write_page(tmp_path, "en/none.md", "en", None)
    write_page(tmp_path, "en/short.md", "en", ["#help-desk", "returns desk"])
    write_page(tmp_path, "it/vuota.md", "it", [])
    expected = ["en", "it"]
    assert warnings_by_path(tmp_path) == {"en/none.md": expected, "en/short.md": expected, "it/vuota.md": expected}


def test_a_one_language_knowledge_base_asks_only_for_its_own_language(tmp_path):
    write_page(tmp_path, "policies/leave.md", "en", ["How many days of annual leave do I get?"])
    write_page(tmp_path, "policies/travel.md", "en", None)
    assert warnings_by_path(tmp_path) == {"policies/travel.md": ["en"]}


def test_the_warning_names_the_page_title_and_owner(tmp_path):
    write_page(tmp_path, "en/a.md", "en", None)
    result = check_pages(tmp_path, today=TODAY)
    assert result.phrasings == [{"path": "en/a.md", "title": "Page en/a.md", "owner": "Knowledge Team",
                                 "missing": ["en"]}]


def test_every_demo_page_has_phrasings_in_english_and_italian():
    result = check_pages(KNOWLEDGE_DIR, today=TODAY)
    assert result.ok and result.pages >= 40
    assert result.phrasings == []


def write_sections(directory: Path, path: str, body: str) -> None:
    target = directory / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("---\ntitle: Sick pay\nowner: People Team\nlanguage: en\nreview_by: 2099-01-01\n---\n" + body,
                      encoding="utf-8")


def test_a_country_section_with_no_twin_for_another_country_of_the_page_is_reported(tmp_path):
    # "Sick pay for British staff" is not the twin of "Sick pay > Italy": askers in the UK would read Italy's rules.
    write_sections(tmp_path, "en/uneven.md", "## Sick pay > Italy\n\nINPS pays.\n\n## Sick pay for British staff\n\n"
                                             "SSP applies.\n\n## Evidence: UK\n\nSelf-certify.\n\n"
                                             "## Evidence: Italy\n\nA protocol number.\n")
    write_sections(tmp_path, "en/even.md", "## Sick pay\n\n### UK\n\nSSP.\n\n### Italy\n\nINPS.\n")
    write_sections(tmp_path, "en/one-country.md", "## Bank holidays in the UK\n\nEight a year.\n")
    result = check_pages(tmp_path, today=TODAY)
    assert result.ok and result.as_dict()["countries"] == result.countries
    assert [(problem["path"], problem["section"], problem["country"], problem["missing"])
            for problem in result.countries] == [
        ("en/uneven.md", "Sick pay > Italy", "IT", "GB"),
        ("en/uneven.md", "Sick pay for British staff", "GB", "IT"),
    ]
    assert result.countries[0]["owner"] == "People Team"


def test_the_demo_pages_with_a_section_per_country_have_every_twin():
    assert check_pages(KNOWLEDGE_DIR, today=TODAY).countries == []
